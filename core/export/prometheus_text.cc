#include "core/export/prometheus_text.h"

#include <charconv>
#include <cmath>

#include "core/export/text_escaping.h"

namespace hugin {

std::string FormatPromNumber(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, end);
}

std::string FormatLabels(const Labels& labels) {
  if (labels.empty()) return "";
  std::string out = "{";
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out += ",";
    out += labels[i].first + "=\"" + EscapeLabelValue(labels[i].second) + "\"";
  }
  return out + "}";
}

void AppendFamilyHeader(std::string& out, std::string_view name, std::string_view type,
                        std::string_view help) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

void AppendSample(std::string& out, std::string_view name, const Labels& labels, uint64_t value) {
  out.append(name).append(FormatLabels(labels)).append(" ").append(std::to_string(value)).append("\n");
}

void AppendHistogramSamples(std::string& out, std::string_view name, const Labels& labels,
                            const Histogram& histogram) {
  const std::string bucket = std::string(name) + "_bucket";
  auto bounds = histogram.upper_bounds();
  for (size_t i = 0; i <= bounds.size(); ++i) {
    Labels with_le = labels;
    with_le.emplace_back("le", i < bounds.size() ? FormatPromNumber(bounds[i]) : "+Inf");
    AppendSample(out, bucket, with_le, histogram.CumulativeCount(i));
  }
  out.append(name).append("_sum").append(FormatLabels(labels)).append(" ")
      .append(FormatPromNumber(histogram.sum())).append("\n");
  AppendSample(out, std::string(name) + "_count", labels, histogram.count());
}

}  // namespace hugin
