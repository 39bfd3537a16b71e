// JSON lines that report loss, printed on stdout between the span lines of the json trace
// printer. Each object has a "type" key (span lines have none); key names are a contract with
// the harness, which explains every missing request by a loss on its connection in its time
// window. Neither result ends with a newline.
#pragma once

#include <string>

#include "core/span/loss.h"

namespace hugin {

// {"type":"loss","pid":P,"fd":F,"generation":G,"local_port":L,"peer_port":R,
//  "ingress_records":a,"egress_records":b,"control_records":c,"bytes":n,
//  "first_ns":t0,"last_ns":t1}
std::string FormatConnLossJson(const ConnLoss& loss);

// {"type":"gap","pid":P,"fd":F,"generation":G,"local_port":L,"peer_port":R,
//  "direction":"ingress"|"egress","bytes":n,"after_ns":t0,"before_ns":t1}
std::string FormatStreamGapJson(const StreamGap& gap);

// {"type":"unpaired","pid":P,"fd":F,"generation":G,"local_port":L,"peer_port":R,
//  "request_ns":t}
std::string FormatUnpairedRequestJson(const UnpairedRequest& u);

}  // namespace hugin
