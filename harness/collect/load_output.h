// Parsers for the load tools' output: wrk (the harness's Lua done() hook prints one JSON line;
// the plain text report is parsed as a fallback) and h2load (summary text + --log-file).
#pragma once

#include <optional>
#include <string>

#include "harness/model/run_result.h"

namespace hugin::harness {


// The line wrk's done() prints via harness/load_wrk.lua: "HARNESS_JSON {...}".
std::optional<LoadResult> ParseWrkJson(const std::string& stdout_text, std::string& error);
// wrk --latency text report ("Requests/sec:", "Latency Distribution", "N requests in Xs").
std::optional<LoadResult> ParseWrkText(const std::string& stdout_text, std::string& error);
// Prefers the JSON line, falls back to the text report.
std::optional<LoadResult> ParseWrkOutput(const std::string& stdout_text, std::string& error);

// h2load's summary ("finished in", "requests:", "status codes:") and, for percentiles, its
// --log-file (tab-separated: start µs since epoch, status, µs to end of response).
std::optional<LoadResult> ParseH2load(const std::string& stdout_text, const std::string& log_text,
                                      std::string& error);

// "724.90us", "1.25ms", "2s", "1.2m" -> microseconds; nullopt when not a duration.
std::optional<double> ParseWrkDurationUs(const std::string& text);

}  // namespace hugin::harness
