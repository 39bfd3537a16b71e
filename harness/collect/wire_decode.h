// Decoding a loopback pcap into HTTP/1.x exchanges for the wire oracle, with tshark's own HTTP
// dissector and TCP reassembly: nothing here shares code with Hugin's parser (core/protocols),
// which is what the oracle checks.
//
// tshark prints one tab-separated line per frame (TsharkFields() lists the columns). From them:
// - a request starts at the FIRST segment carrying its bytes: the smallest frame number among the
//   head's reassembled segments (tcp.segment), or the frame itself when the head fits in one;
// - a response ends at the LAST segment carrying its bytes: of the server->client data frames
//   from its head to the next response head of the same TCP stream (or the stream's end), the
//   first one that carried the highest sequence number among them. A retransmission (e.g. a
//   tail loss probe 10 ms later when the client's ACK is late: seen with the Python fixture)
//   carries bytes already sent and is not the end; a head seen twice at one sequence number is
//   one message. Bodies are not reassembled (http.desegment_body:FALSE): the capture keeps 512 bytes per
//   packet, so body segments are truncated and would never complete a reassembly; what counts is
//   which frames carry the response, and a client that waits for each response (h2load --h1,
//   curl) never has two responses in one segment;
// - requests and responses pair in order per TCP stream (HTTP/1.x); a response that began
//   before its request answers one the capture did not see (it started mid-exchange) and is
//   skipped; 1xx interim responses only bound the previous response. An exchange is complete when its response carried more bytes
//   than its Content-Length (the head too): responses cut off at the end of a run are not.
#pragma once

#include <string>
#include <vector>

#include "harness/model/wire.h"

namespace hugin::harness {

// The -e fields, in column order.
const std::vector<std::string>& TsharkFields();

// tshark -r PCAP -n -d tcp.port==PORT,http -o http.desegment_body:FALSE -T fields ... (one line
// per frame, multiple occurrences of a field joined by a space: no request target has one).
std::vector<std::string> TsharkCommand(const std::string& pcap_path, int server_port);

struct WireDecode {
  std::vector<WireExchange> exchanges;  // ordered by request start
  size_t frames = 0;
  size_t bad_lines = 0;                 // lines that do not have the columns or do not parse
  std::string first_error;
  size_t responses_without_request = 0; // a response with no request before it (the capture
                                        // began mid-exchange), or more responses than requests
};

// Parses tshark's output for a capture of `server_port` (tcp port filter on both directions).
WireDecode ParseTsharkFields(const std::string& text, int server_port);

// Runs tshark on `pcap_path` and parses it. `error` is set when tshark fails.
WireDecode DecodePcap(const std::string& pcap_path, int server_port, std::string& error);

// "1796050547.022036271" -> 1796050547022036271; false on anything else.
bool ParseEpochNanos(const std::string& text, int64_t& out);

}  // namespace hugin::harness
