#pragma once
// Jira Cloud rate-limit response headers -> one rate_limit_signal, and what
// they mean (Atlassian's "Rate limiting" guide for Jira Cloud, from real 2026
// responses).
//
// Three families, never to be confused:
//   BURST (every response; per tenant x endpoint x method, refills every
//   second) - burst_figures:
//     X-RateLimit-Limit       integer: the bucket's size (requests)
//     X-RateLimit-Remaining   integer: requests left in it
//     X-RateLimit-Reset       ISO 8601 instant (sent with 429s)
//     X-RateLimit-NearLimit   true | false (less than 20% left)
//   Real values: Limit 350, Remaining 349 - a small, fast bucket, NEVER an
//   hourly budget.
//   QUOTA (hourly points; OAuth / Forge / Connect apps only, and only when
//   these headers are present; API-token traffic has none) - quota_figures:
//     Beta-RateLimit-Policy, RateLimit-Policy
//                             "tenant-app-quota";q=100100;w=3600[, ...]
//                             q = points per window, w = window (s)
//     Beta-RateLimit, RateLimit
//                             "tenant-app-quota";r=17842;t=2107[, ...]
//                             r = points left, t = seconds to the reset
//     X-Beta-RateLimit-Reset  ISO 8601 instant (minute precision)
//     X-Beta-RateLimit-NearLimit, X-Beta-RateLimit-Reason
//   Seen in the wild: the Policy header missing once r=0; t= disagreeing
//   with X-Beta-RateLimit-Reset; that reset lying in the past. The parser
//   reports what was sent; the governor decides what to trust.
//   WHY AND WHEN (429 / 503):
//     Retry-After, Beta-Retry-After
//                             delta seconds or an HTTP-date (relative to
//                             `now`)
//     RateLimit-Reason        jira-burst-based (slow that endpoint class)
//                             | jira-quota-global-based
//                             | jira-quota-tenant-based (pause everything
//                               until the window resets)
//                             | jira-per-issue-on-write | jira-cost-based
//                             | anything else -> unknown
//   A 503 may carry Retry-After (not a rate limit, handled the same way).
// Header names are case-insensitive; the first occurrence wins, except the
// policy/state headers where every occurrence is read. Garbage is ignored
// field by field; nothing throws.
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

inline constexpr int rate_limit_reason_count
  = static_cast<int>(rate_limit_reason::unknown) + 1;

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

/// X-RateLimit-*: the burst bucket of the request's endpoint class.
struct burst_figures {
  std::optional<std::int64_t> limit;
  std::optional<std::int64_t> remaining;
  std::optional<std::chrono::system_clock::time_point> reset_at;
  std::optional<bool> near_limit;

  bool any() const {
    return limit || remaining || reset_at || near_limit;
  }
};

/// The hourly points quota as one response states it (the tightest entry
/// when several quotas are listed). Every figure is optional: real
/// responses drop some of them (e.g. the policy once r=0).
struct quota_figures {
  /// Entry name, e.g. "tenant-app-quota" ("" when unnamed or unknown).
  std::string name;
  /// q=: points per window.
  std::optional<std::int64_t> quota;
  /// w=: window length (s).
  std::optional<std::int64_t> window_secs;
  /// r=: points left in the window.
  std::optional<std::int64_t> remaining;
  /// t=: seconds from the response to the window's reset.
  std::optional<std::int64_t> reset_secs;
  /// X-Beta-RateLimit-Reset (may disagree with t= or lie in the past).
  std::optional<std::chrono::system_clock::time_point> reset_at;
  /// X-Beta-RateLimit-NearLimit.
  std::optional<bool> near_limit;
};

struct rate_limit_signal {
  /// Retry-After, relative to the `now` given to the parser (>= 0).
  std::optional<std::chrono::milliseconds> retry_after;
  std::optional<std::chrono::milliseconds> beta_retry_after;
  /// X-RateLimit-Limit (the BURST bucket's size, see burst()).
  std::optional<std::int64_t> limit;
  /// X-RateLimit-Remaining (the BURST bucket's tokens left).
  std::optional<std::int64_t> remaining;
  /// X-RateLimit-Reset as an absolute instant.
  std::optional<std::chrono::system_clock::time_point> reset_at;
  /// X-RateLimit-NearLimit.
  std::optional<bool> near_limit;
  /// RateLimit-Reason. Default: none.
  rate_limit_reason reason = rate_limit_reason::none;
  std::string reason_raw;
  std::vector<rate_limit_policy> policies;
  std::vector<rate_limit_state> states;
  /// X-Beta-RateLimit-Reset as an absolute instant.
  std::optional<std::chrono::system_clock::time_point> beta_reset_at;
  /// X-Beta-RateLimit-NearLimit.
  std::optional<bool> beta_near_limit;
  /// X-Beta-RateLimit-Reason (same vocabulary as RateLimit-Reason).
  rate_limit_reason beta_reason = rate_limit_reason::none;
  std::string beta_reason_raw;

  /// The reason to act on: RateLimit-Reason, else X-Beta-RateLimit-Reason.
  rate_limit_reason effective_reason() const;

  /// effective_reason() is quota_global or quota_tenant: every request is
  /// denied until the window resets, so the governor pauses all traffic.
  bool is_quota_reason() const;

  /// The X-RateLimit-* figures (the burst bucket).
  burst_figures burst() const;

  /// The points quota, only when a structured quota header (Beta-)
  /// RateLimit(-Policy) or an X-Beta-RateLimit-* header was sent. With
  /// several entries: the state with the fewest points left, and the policy
  /// of the same name (else the one with the smallest q).
  std::optional<quota_figures> quota() const;

  /// The larger of Retry-After and Beta-Retry-After.
  std::optional<std::chrono::milliseconds> retry_after_max() const;

  /// How long this response alone asks us to wait (the governor combines
  /// it with what it knows; it is only a hint): the larger of Retry-After
  /// and Beta-Retry-After; for a quota reason also the quota reset (t=, or
  /// X-Beta-RateLimit-Reset when no t= is sent); for any other 429 reason,
  /// when no Retry-After is sent, X-RateLimit-Reset (the burst bucket's).
  /// Instants in the past count as nothing; at most 10 days. nullopt when
  /// no header states a wait.
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
