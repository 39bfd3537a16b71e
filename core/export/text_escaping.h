// Makes wire-derived strings (method, path, service name) safe to print on
// one line or to put into a Prometheus label value.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace hugin {

// Keeps valid UTF-8 as is; writes control characters, DEL and bytes that are
// not valid UTF-8 as "\xNN", so the result is printable, valid UTF-8 and one line.
std::string EscapeForLine(std::string_view s);
// The same, appended to *out.
void AppendEscapedForLine(std::string* out, std::string_view s);

// Replaces bytes that are not valid UTF-8 with U+FFFD; everything else unchanged.
std::string ToValidUtf8(std::string_view s);

// Prometheus text format label value escaping: \ -> \\, " -> \", newline ->
// \n; invalid UTF-8 replaced with U+FFFD (label values must be UTF-8).
std::string EscapeLabelValue(std::string_view s);

// Appends s as a JSON string literal (quotes included): ", \ and control characters escaped,
// bytes that are not valid UTF-8 replaced with U+FFFD (wire bytes must never break a line).
void AppendJsonString(std::string* out, std::string_view s);
// The same into a buffer of at least JsonStringMaxBytes(s.size()) bytes at p; returns the end.
char* WriteJsonString(char* p, std::string_view s);
// Worst case: every byte a \u00XX escape, plus the quotes.
constexpr size_t JsonStringMaxBytes(size_t n) { return 6 * n + 2; }

}  // namespace hugin
