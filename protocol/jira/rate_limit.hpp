#pragma once
// Jira Cloud rate-limit response headers -> one rate_limit_signal.
//
// Headers read (names case-insensitive; first occurrence wins, except the
// policy/state headers where every occurrence is read):
//   Retry-After           delta seconds or an HTTP-date (relative to `now`)
//   Beta-Retry-After      same syntax
//   X-RateLimit-Limit     integer
//   X-RateLimit-Remaining integer
//   X-RateLimit-Reset     ISO 8601 instant (e.g. 2024-01-02T10:00:00Z)
//   X-RateLimit-NearLimit true | false (less than 20% of the budget left)
//   RateLimit-Reason      jira-quota-global-based | jira-quota-tenant-based
//                         | jira-burst-based | jira-per-issue-on-write
//                         | jira-cost-based | anything else -> unknown
//   RateLimit-Policy, Beta-RateLimit-Policy
//                         "global-app-quota";q=65000;w=3600[, ...]
//   RateLimit, Beta-RateLimit
//                         "global-app-quota";r=11000;t=600[, ...]
// Garbage is ignored field by field; nothing throws.
//
// Thread-safety: pure functions, plain values.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace jirasync::protocol {

enum class rate_limit_reason {
  none,               // no RateLimit-Reason header
  quota_global,       // jira-quota-global-based
  quota_tenant,       // jira-quota-tenant-based
  burst,              // jira-burst-based
  per_issue_on_write, // jira-per-issue-on-write
  cost_based,         // jira-cost-based
  unknown,            // present but unrecognised (raw kept)
};

std::string_view to_string(rate_limit_reason reason);

/// One entry of (Beta-)RateLimit-Policy: quota `q` per window `w` seconds.
struct rate_limit_policy {
  std::string name;
  std::optional<std::int64_t> quota;
  std::optional<std::int64_t> window_secs;
  /// From the Beta- header.
  bool beta = false;
};

/// One entry of (Beta-)RateLimit: `r` remaining, reset in `t` seconds.
struct rate_limit_state {
  std::string name;
  std::optional<std::int64_t> remaining;
  std::optional<std::int64_t> reset_secs;
  bool beta = false;
};

struct rate_limit_signal {
  /// Retry-After, relative to the `now` given to the parser (>= 0).
  std::optional<std::chrono::milliseconds> retry_after;
  std::optional<std::chrono::milliseconds> beta_retry_after;
  std::optional<std::int64_t> limit;
  std::optional<std::int64_t> remaining;
  /// X-RateLimit-Reset as an absolute instant.
  std::optional<std::chrono::system_clock::time_point> reset_at;
  std::optional<bool> near_limit;
  /// Default: none.
  rate_limit_reason reason = rate_limit_reason::none;
  std::string reason_raw;
  std::vector<rate_limit_policy> policies;
  std::vector<rate_limit_state> states;

  /// quota_global or quota_tenant: every request is denied until the
  /// (hourly) reset, so the governor pauses all traffic.
  bool is_quota_reason() const;

  /// How long to wait before the next request: the max of Retry-After and
  /// Beta-Retry-After and, for quota reasons, of (reset_at - now) and the
  /// largest RateLimit `t`. nullopt when no header says anything.
  std::optional<std::chrono::milliseconds>
  wait_hint(std::chrono::system_clock::time_point now) const;

  /// True when any header was recognised.
  bool any() const;
};

/// Parses the headers of one response; `now` anchors HTTP-date values.
rate_limit_signal parse_rate_limit_headers(
  const std::vector<std::pair<std::string, std::string>>& headers,
  std::chrono::system_clock::time_point now);

/// Retry-After value: delta seconds (digits, optional fraction ignored) or an
/// HTTP-date (IMF-fixdate, RFC 850, asctime). Dates in the past give 0.
std::optional<std::chrono::milliseconds>
parse_retry_after(std::string_view value,
                  std::chrono::system_clock::time_point now);

} // namespace jirasync::protocol
