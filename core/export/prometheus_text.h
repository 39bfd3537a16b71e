// Building blocks of the Prometheus text exposition format 0.0.4.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/export/histogram.h"

namespace hugin {

using Labels = std::vector<std::pair<std::string, std::string>>;  // name, raw value

// Shortest round-trip decimal ("0.005", "10", "1.2345e-05"); "+Inf", "-Inf", "NaN".
std::string FormatPromNumber(double v);

// {name="escaped value",...}; "" when there are no labels.
std::string FormatLabels(const Labels& labels);

// "# HELP name help\n# TYPE name type\n".
void AppendFamilyHeader(std::string& out, std::string_view name, std::string_view type,
                        std::string_view help);

// name{labels} value\n
void AppendSample(std::string& out, std::string_view name, const Labels& labels, uint64_t value);

// name_bucket{labels,le=...} for every bound and +Inf, then name_sum, name_count.
void AppendHistogramSamples(std::string& out, std::string_view name, const Labels& labels,
                            const Histogram& histogram);

}  // namespace hugin
