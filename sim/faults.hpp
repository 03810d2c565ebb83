#pragma once
// Fault injection and the latency model. Both are deterministic given their
// seed and the order of requests: the n-th API request always gets the same
// fault and the same jitter.
//
// Thread-safety: next() / delay_for() may be called concurrently.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace jirasim {

enum class fault_kind {
  none,
  status_500,             // 500 with Jira's error body, no Retry-After
  status_503_retry_after, // 503 with Retry-After
  connection_reset,       // socket closed (RST) without a response
  truncated_body,         // Content-Length announced, half the body sent
  slow_headers,           // the response is held back slow_ms
  invalid_json,           // 200 with a body that is not JSON
  // Hostile content (jirasync issue 11), opt-in only (never in
  // all_fault_kinds): Jira's documents carry user- and app-written data of
  // any shape, and a proxy or a failing media host can answer 200 with an
  // error page (docs: jira-cloud-api.md, attachment content is a 303 to a
  // media host; ADF and custom-field values have no documented depth
  // bound). Each spoils one record of an answer it applies to and leaves
  // other answers alone.
  deep_json,         // bulkfetch: the first issue gets a custom field nested
                     // 2,001 levels deep
  malformed_comment, // comment page: the first comment's "created" is
                     // "yesterday"
  html_attachment,   // attachment content: 200 text/html "<html>oops"
                     // instead of the 303 to the file
};

std::string_view to_string(fault_kind k);
/// Parses a name as printed by to_string(); fault_kind::none if unknown.
fault_kind fault_from_string(std::string_view s);
/// Every transport/status fault kind (none and the hostile kinds
/// excluded), in enum order: the default of --fault-kinds.
std::vector<fault_kind> all_fault_kinds();
/// The hostile-content kinds (deep_json, malformed_comment,
/// html_attachment): only used when named in --fault-kinds.
std::vector<fault_kind> hostile_fault_kinds();

/// deep_json on a bulkfetch body: inserts `"customfield_99999":` nested
/// `depth` levels into the first issue's "fields". False when the body has
/// no issue fields.
bool spoil_deep_json(std::string& body, std::size_t depth = 2001);
/// malformed_comment on a comment page body: the first "created" value
/// becomes "yesterday". False when there is none.
bool spoil_comment(std::string& body);

struct fault_options {
  /// Probability that an API request gets a fault, 0..1. Default: 0.
  double rate = 0;
  /// Seed of the fault sequence. Default: 1.
  std::uint64_t seed = 1;
  /// The kinds to draw from (uniformly). Default: all.
  std::vector<fault_kind> kinds = all_fault_kinds();
  /// Hold-back of slow_headers. Default: 3000 ms.
  std::int64_t slow_ms = 3000;
  /// Retry-After sent with status_503_retry_after. Default: 1 s.
  std::int64_t retry_after_secs = 1;
};

class fault_injector {
public:
  explicit fault_injector(fault_options options) : opt_(std::move(options)) {}
  /// The fault for the next API request (counts the request): the n-th
  /// call always gets the same fault for a given seed.
  fault_kind next() {
    return next(std::string_view{});
  }
  /// The fault for the next request to `path`: the n-th request to the
  /// same path always gets the same fault for a given seed, whatever
  /// requests to other paths came in between (clients that send in
  /// parallel interleave differently from run to run).
  fault_kind next(std::string_view path);
  const fault_options& options() const {
    return opt_;
  }
  void set_rate(double rate) {
    opt_.rate = rate;
  }

private:
  fault_options opt_;
  std::mutex mu_;
  /// Requests so far per path ("" for next()).
  std::unordered_map<std::string, std::uint64_t> n_;
};

struct latency_options {
  /// Fixed part of every API response's delay. Default: 0 ms.
  std::int64_t base_ms = 0;
  /// Added per object (issue, user, comment...) in the response. Default: 0.
  double per_object_ms = 0;
  /// Uniform extra delay in [0, jitter_ms]. Default: 0 ms.
  std::int64_t jitter_ms = 0;
  /// Seed of the jitter sequence. Default: 1.
  std::uint64_t seed = 1;
};

class latency_model {
public:
  explicit latency_model(latency_options options) : opt_(options) {}
  /// Delay for the next response carrying `objects` objects.
  std::chrono::milliseconds delay_for(std::size_t objects);
  const latency_options& options() const {
    return opt_;
  }

private:
  latency_options opt_;
  std::atomic<std::uint64_t> n_{0};
};

/// SplitMix64: the deterministic hash behind both sequences.
std::uint64_t splitmix64(std::uint64_t x);

} // namespace jirasim
