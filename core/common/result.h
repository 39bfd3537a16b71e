// The one way core/ reports an error a caller must handle: a value or an Error
// (a one-line message for the user). std::expected is C++23; this is the subset
// Hugin needs, on C++20.
//
// The convention in core/:
// - A function that can fail returns Result<T>, or Status (= Result<Ok>) when it has nothing
//   to return. Not std::variant<T, SomethingError>, std::optional<std::string> (the error),
//   an empty string for success, a negative errno, or an exception.
// - Error::message is one line; its prefix ("hugin: ", "sock_diag: ", a path) is the
//   callee's; callers prepend context and pass it up. Error::code is the errno when a system
//   call failed (0 otherwise). What an Error means to the process (exit 2 for bad input:
//   config.h kExitBadInput) is the caller's decision.
// - A non-error outcome is part of the value: --help is Result<std::variant<Config, HelpText>>,
//   a closed channel Result<std::variant<Message, Closed>>.
// - Not errors, so not Result: std::optional<T> for "no such value / did not parse" where the
//   caller writes the message (config/value_parsing.h), and bad traffic, which the protocol
//   parsers count as a drop (http2 FrameError) instead of reporting.
// - Exceptions stop at the library that throws them (CLI11 in config.cc; the backstop around
//   the /metrics body in prometheus_server.cc).
#pragma once

#include <string>
#include <utility>  // std::in_place
#include <variant>

namespace hugin {

struct Error {
  std::string message;
  int code = 0;  // the errno, when a failed system call is the cause; 0 otherwise
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}       // NOLINT: implicit, like std::expected
  Result(Error error) : v_(std::move(error)) {}   // NOLINT
  // A value-initialised T, for a callee that fills its result in place (NRVO: no copy).
  explicit Result(std::in_place_t) : v_(std::in_place_index<0>) {}
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

// For operations with nothing to return.
struct Ok {};
using Status = Result<Ok>;

}  // namespace hugin
