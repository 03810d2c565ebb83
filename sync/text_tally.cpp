#include "sync/text_tally.hpp"

#include <cstdio>

namespace jirasync::sync {

storage::attachment_text to_attachment_text(std::string sha256,
                                            const extract::extraction& e) {
  storage::attachment_text t;
  t.sha256 = std::move(sha256);
  t.status = std::string{extract::to_string(e.status)};
  t.reason = e.reason;
  if (e.status == extract::text_status::extracted)
    t.text = e.text.value_or(std::string{});
  return t;
}

storage::attachment_text decided_text(std::string sha256,
                                      extract::text_status status,
                                      std::string reason) {
  storage::attachment_text t;
  t.sha256 = std::move(sha256);
  t.status = std::string{extract::to_string(status)};
  t.reason = std::move(reason);
  return t;
}

void text_tally::add(const storage::attachment_text& t, const std::string& name,
                     std::uint64_t in_bytes, std::int64_t ms) {
  ++by_status[t.status];
  input_bytes += in_bytes;
  child_ms += ms;
  if (t.text) {
    text_bytes += t.text->size();
    if (!t.text->empty())
      ++with_text;
  }
  // Named: the files that should have text and gave none (broken, too
  // slow, too large). Not images and other formats without text, nor
  // skipped ones (the configuration's choice): those are only counted.
  if (t.status != extract::to_string(extract::text_status::extracted)
      && t.status != extract::to_string(extract::text_status::skipped)
      && t.status != extract::to_string(extract::text_status::unsupported))
    without_text.push_back(common::make_error(
      common::errc::invalid_input, t.status + ": " + t.reason, name));
}

std::uint64_t text_tally::run() const {
  std::uint64_t n = 0;
  for (const auto& [status, count] : by_status)
    n += count;
  return n;
}

std::optional<double> text_tally::throughput_mb_s() const {
  if (child_ms <= 0)
    return std::nullopt;
  return static_cast<double>(input_bytes) / 1e6
         / (static_cast<double>(child_ms) / 1e3);
}

namespace {

std::string fixed1(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

} // namespace

std::string describe(const text_tally& t) {
  if (t.run() == 0 && t.known == 0)
    return "attachment text: nothing to extract";
  std::string out = "attachment text: ";
  auto extracted = t.by_status.find("extracted");
  std::uint64_t n_extracted
    = extracted == t.by_status.end() ? 0 : extracted->second;
  out += std::to_string(n_extracted) + " extracted ("
         + std::to_string(t.with_text) + " with text)";
  for (const auto& [status, count] : t.by_status)
    if (status != "extracted")
      out += ", " + std::to_string(count) + " " + status;
  out += "; " + std::to_string(t.known) + " known from earlier runs";
  if (auto mbs = t.throughput_mb_s())
    out += "; " + fixed1(static_cast<double>(t.input_bytes) / 1e6)
           + " MB extracted in " + fixed1(static_cast<double>(t.child_ms) / 1e3)
           + " s (" + fixed1(*mbs) + " MB/s)";
  return out;
}

std::map<std::string, std::int64_t> text_counters(const text_tally& t) {
  std::map<std::string, std::int64_t> c;
  for (const auto& [status, count] : t.by_status)
    c["texts_" + status] = static_cast<std::int64_t>(count);
  c["texts_known"] = static_cast<std::int64_t>(t.known);
  c["texts_with_text"] = static_cast<std::int64_t>(t.with_text);
  c["texts_input_bytes"] = static_cast<std::int64_t>(t.input_bytes);
  c["texts_child_ms"] = t.child_ms;
  return c;
}

} // namespace jirasync::sync
