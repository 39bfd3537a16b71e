// The HTTP methods Hugin knows by name: RFC 9110's eight and PATCH (RFC 5789), which are also
// OpenTelemetry's known values of http.request.method. The HTTP/1 parser accepts them as a
// request start; metrics label any other method "_OTHER".
#pragma once

#include <array>
#include <string_view>

namespace hugin {

inline constexpr std::array<std::string_view, 9> kKnownHttpMethods = {
    "CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "TRACE"};

}  // namespace hugin
