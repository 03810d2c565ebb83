#include "sim/faults.hpp"

namespace jirasim {

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

namespace {
double unit(std::uint64_t h) {
  return static_cast<double>(h >> 11) * (1.0 / 9007199254740992.0);
}
} // namespace

std::string_view to_string(fault_kind k) {
  switch (k) {
    case fault_kind::none:
      return "none";
    case fault_kind::status_500:
      return "status_500";
    case fault_kind::status_503_retry_after:
      return "status_503_retry_after";
    case fault_kind::connection_reset:
      return "connection_reset";
    case fault_kind::truncated_body:
      return "truncated_body";
    case fault_kind::slow_headers:
      return "slow_headers";
    case fault_kind::invalid_json:
      return "invalid_json";
    case fault_kind::deep_json:
      return "deep_json";
    case fault_kind::malformed_comment:
      return "malformed_comment";
    case fault_kind::html_attachment:
      return "html_attachment";
  }
  return "none";
}

std::vector<fault_kind> all_fault_kinds() {
  return {fault_kind::status_500,       fault_kind::status_503_retry_after,
          fault_kind::connection_reset, fault_kind::truncated_body,
          fault_kind::slow_headers,     fault_kind::invalid_json};
}

std::vector<fault_kind> hostile_fault_kinds() {
  return {fault_kind::deep_json, fault_kind::malformed_comment,
          fault_kind::html_attachment};
}

fault_kind fault_from_string(std::string_view s) {
  for (auto k : all_fault_kinds())
    if (to_string(k) == s)
      return k;
  for (auto k : hostile_fault_kinds())
    if (to_string(k) == s)
      return k;
  return fault_kind::none;
}

bool spoil_deep_json(std::string& body, std::size_t depth) {
  constexpr std::string_view fields = "\"fields\":{";
  auto at = body.find(fields);
  if (at == std::string::npos)
    return false;
  std::string deep = "\"customfield_99999\":";
  deep += std::string(depth, '[');
  deep += "1";
  deep += std::string(depth, ']');
  if (body.compare(at + fields.size(), 1, "}") != 0)
    deep += ',';
  body.insert(at + fields.size(), deep);
  return true;
}

bool spoil_comment(std::string& body) {
  constexpr std::string_view created = "\"created\":\"";
  auto at = body.find(created);
  if (at == std::string::npos)
    return false;
  auto start = at + created.size();
  auto end = body.find('"', start);
  if (end == std::string::npos)
    return false;
  body.replace(start, end - start, "yesterday");
  return true;
}

fault_kind fault_injector::next(std::string_view path) {
  std::uint64_t n = 0;
  {
    std::lock_guard lock{mu_};
    n = n_[std::string{path}]++;
  }
  if (opt_.rate <= 0 || opt_.kinds.empty())
    return fault_kind::none;
  // FNV-1a of the path; "" keeps the sequence of next().
  std::uint64_t key = 0;
  if (!path.empty()) {
    key = 0xcbf29ce484222325ull;
    for (unsigned char c : path)
      key = (key ^ c) * 0x100000001b3ull;
    key = splitmix64(key);
  }
  auto h = splitmix64((opt_.seed * 0x100000001b3ull ^ n) ^ key);
  if (unit(h) >= opt_.rate)
    return fault_kind::none;
  auto pick = splitmix64(h) % opt_.kinds.size();
  return opt_.kinds[pick];
}

std::chrono::milliseconds latency_model::delay_for(std::size_t objects) {
  auto n = n_.fetch_add(1, std::memory_order_relaxed);
  double ms = static_cast<double>(opt_.base_ms)
              + opt_.per_object_ms * static_cast<double>(objects);
  if (opt_.jitter_ms > 0)
    ms += unit(splitmix64(opt_.seed ^ (n * 0x9e3779b97f4a7c15ull)))
          * static_cast<double>(opt_.jitter_ms);
  return std::chrono::milliseconds(static_cast<std::int64_t>(ms));
}

} // namespace jirasim
