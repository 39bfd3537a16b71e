// Test-only: the contents of a file under harness/testdata/ (captured tool outputs).
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace hugin::harness {

inline std::string Testdata(const std::string& name) {
  std::ifstream in("harness/testdata/" + name);
  EXPECT_TRUE(in) << "missing testdata " << name;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace hugin::harness
