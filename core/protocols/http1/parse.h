// HTTP/1.x message heads and body framing, as pure functions over byte strings.
//
// Written here rather than taken from a library: Debian has only the unmaintained
// libhttp-parser (nodejs/http-parser; no llhttp or picohttpparser package), and a streaming
// parser of that kind must be fed every body byte. Hugin's kernel side captures only a prefix of
// each syscall, so bodies have to be skipped by position arithmetic, and the parser must survive
// truncated captures and lost events and resynchronise on message starts. Only the small pieces
// below are needed for that; message_stream.h holds the incremental state machine.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hugin::http1 {

enum class MessageKind { kRequest, kResponse };

// What a parsed head tells: the request line or status line plus the framing headers.
struct MessageHead {
  std::string method;     // requests
  std::string path;       // requests: target with query and fragment stripped
  int status = 0;         // responses
  int minor_version = 1;  // HTTP/1.<minor_version>
  std::optional<uint64_t> content_length;
  bool bad_content_length = false;  // non-numeric, overflowing or conflicting values
  bool has_transfer_encoding = false;
  bool chunked = false;  // "chunked" is the final transfer coding
};

// Length of the head in `bytes` up to and including the empty line that ends it (CRLF or bare LF
// line ends), or 0 when it is not complete yet. `scan_from` resumes a previous scan: pass the
// previous length minus 2 (or 0).
size_t FindHeadEnd(std::string_view bytes, size_t scan_from = 0);

// Parse a complete head (as delimited by FindHeadEnd). False on any malformation.
bool ParseRequestHead(std::string_view head, MessageHead* out);
bool ParseResponseHead(std::string_view head, MessageHead* out);

// Request target -> path: "/x?y#z" -> "/x"; "http://h:1/x?y" -> "/x"; "http://h" -> "/";
// "*" and CONNECT's "host:port" are kept as they are.
std::string PathFromTarget(std::string_view target);

enum class BodyKind { kNone, kLength, kChunked, kUntilClose, kTunnel };
struct BodyFraming {
  BodyKind kind = BodyKind::kNone;
  uint64_t length = 0;  // kLength only
};

// What the request said that changes how its response is framed.
struct RequestContext {
  bool is_head = false;          // HEAD: the response has no body whatever its headers say
  bool is_connect = false;       // CONNECT: a 2xx response turns the connection into a tunnel
  bool unknown_request = false;  // no request matched: framing is a guess (HEAD cannot be ruled out)
};

// RFC 9112 section 6: nullopt when the framing headers are invalid.
std::optional<BodyFraming> RequestBodyFraming(const MessageHead& head);
std::optional<BodyFraming> ResponseBodyFraming(const MessageHead& head, const RequestContext& req);

// One chunk-size line of a chunked body without its line end: hex size, optional extensions.
bool ParseChunkSizeLine(std::string_view line, uint64_t* size);

// Whether bytes at a chunk start begin a message. kMaybe: consistent so far but too short to tell.
enum class StartMatch { kNo, kMaybe, kYes };
// Strict: a known method ("GET", "POST", ...), a target and, when the line end is visible,
// " HTTP/1.x". Used for role inference and for resynchronising after a loss.
StartMatch MatchRequestStart(std::string_view bytes);
// "HTTP/1.x NNN".
StartMatch MatchResponseStart(std::string_view bytes);
// Check applied while in sync, where a message must start: a request may have any token method
// followed by a space (loose: WebDAV and custom methods stay in sync); a response is held to the
// strict "HTTP/1.x NNN" (a status line has no variants worth tolerating).
StartMatch MatchLooseStart(MessageKind kind, std::string_view bytes);

}  // namespace hugin::http1
