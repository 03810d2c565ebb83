#pragma once
// Jira Cloud's rate limits and the headers that describe them, as documented
// (Atlassian's "Rate limiting" guide for Jira Cloud, 2026) and
// as captured (tests/fixtures/jira-cloud/rate-limit-headers-2026.txt):
// - burst: a token bucket per tenant x endpoint x method (GET 100/s; GET
//   issue 150/s, GET attachment content 300/s, GET project role 200/s;
//   writes 100/s). X-RateLimit-Limit / -Remaining describe THIS bucket
//   (the capture: "X-Ratelimit-Limit: 350 / X-Ratelimit-Remaining: 349"),
//   X-RateLimit-NearLimit: true below 20 % of it. Over it: 429 +
//   Retry-After + RateLimit-Reason: jira-burst-based, for that bucket only.
// - points quota per window (1 point + 1 per core object + 2 per identity
//   object), for OAuth 3LO / Forge / Connect apps ONLY: "API-token (Basic)
//   traffic is NOT under the points quota". Described by
//   Beta-RateLimit-Policy: "tenant-app-quota";q=..;w=.. and
//   Beta-RateLimit: "tenant-app-quota";r=..;t=.. (or the un-prefixed
//   RateLimit-Policy / RateLimit), with X-Beta-RateLimit-NearLimit /
//   -Reason / -Reset. Once spent, EVERY request of that traffic is denied
//   until the window resets: 429 RateLimit-Reason: jira-quota-tenant-based
//   (or -global-based).
// Pure logic with the time passed in, so it is unit-tested without sleeping.
//
// Thread-safety: rate_limiter's members may be called concurrently.

#include "sim/server.hpp"

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace jirasim {

struct limits_options {
  /// Burst token buckets on. Default: true.
  bool burst_enabled = true;
  /// Multiplies every burst rate (0.1 = ten times stricter). Default: 1.0.
  double burst_scale = 1.0;
  /// Points per window; 0 disables the quota. Default: 500000 (the largest
  /// per-tenant tier).
  std::int64_t quota_points = 500'000;
  /// Quota window length (windows are aligned to multiples of it since the
  /// epoch, like Jira's UTC hours). Default: 3600 s.
  std::int64_t window_secs = 3600;
  /// "tenant" -> jira-quota-tenant-based, "global" -> jira-quota-global-based.
  /// Default: "tenant".
  std::string quota_scope = "tenant";
  /// Charge the points quota to API-token (Basic) traffic too (Jira does
  /// not). Default: false (OAuth traffic only).
  bool quota_for_all = false;
  /// Send the rate-limit headers of normal responses (X-RateLimit-* for
  /// the burst bucket, the quota headers). 429s always carry Retry-After,
  /// RateLimit-Reason and X-RateLimit-Reset. Default: true.
  bool send_headers = true;
  /// Send the quota headers on API-token (Basic) responses too (Jira sends
  /// them to OAuth apps only). Default: false.
  bool quota_headers_for_all = false;
  /// RateLimit-Policy / RateLimit instead of Beta-RateLimit-Policy /
  /// Beta-RateLimit. Default: false.
  bool unprefixed_quota_headers = false;
  /// Reproduce the inconsistencies of the 2026 capture once the quota is
  /// spent (r=0): no policy header, `t=` later than the real reset, and
  /// X-Beta-RateLimit-Reset at the START of the window (in the past).
  /// Retry-After stays true. Default: false.
  bool quirks = false;
};

/// The burst classes with their documented per-second rates.
enum class burst_class {
  get_default,
  get_issue,
  get_attachment_content,
  get_project_role,
  write
};

/// Jira's documented rate for `c` (requests per second, before scaling).
double burst_rate(burst_class c);

/// Who sent a request: the points quota is Jira's for OAuth apps only.
enum class traffic { api_token, oauth };

/// The rate limiter's answer to one request.
struct admission {
  bool allowed = true;
  /// Seconds, for Retry-After (only when !allowed).
  std::int64_t retry_after_secs = 0;
  /// RateLimit-Reason value (only when !allowed).
  std::string reason;
  /// When the bucket (burst) or the window (quota) frees up, ms (only when
  /// !allowed).
  std::int64_t reset_ms = 0;
  /// The request's burst bucket after it was admitted (0 when the burst
  /// limit is off): capacity and whole tokens left.
  std::int64_t burst_limit = 0;
  std::int64_t burst_remaining = 0;
};

class rate_limiter {
public:
  explicit rate_limiter(limits_options options);

  /// Checks the quota (when it applies to `t`) and the burst bucket
  /// `bucket_key` (rate from `c`). An allowed request takes one token.
  admission admit(const std::string& bucket_key, burst_class c, traffic t,
                  std::int64_t now_ms);
  /// Charges `points` to the current window when the quota applies to `t`
  /// (after the response is built, when the object count is known).
  void spend(std::int64_t points, traffic t, std::int64_t now_ms);
  /// Every rate-limit header of the response to a request of `t` answered
  /// as `a`: the 429's Retry-After / RateLimit-Reason / X-RateLimit-Reset,
  /// the burst bucket's X-RateLimit-*, the quota headers.
  header_list headers(const admission& a, traffic t, std::int64_t now_ms);
  /// Does the points quota apply to traffic `t`?
  bool quota_applies(traffic t) const;
  /// Points spent in the current window.
  std::int64_t spent(std::int64_t now_ms);
  /// Empties the quota window and refills every bucket.
  void reset();
  const limits_options& options() const {
    return opt_;
  }

private:
  struct bucket {
    double tokens = 0;
    std::int64_t last_ms = 0;
  };
  void roll_window(std::int64_t now_ms);
  std::int64_t window_end_ms() const;
  void quota_headers(header_list& h, std::int64_t now_ms) const;

  limits_options opt_;
  std::mutex mu_;
  std::map<std::string, bucket> buckets_;
  std::int64_t window_index_ = -1;
  std::int64_t spent_ = 0;
};

/// ISO 8601 UTC at second ("2024-01-02T10:11:12Z") or, with `minutes`,
/// minute precision ("2024-01-02T10:11Z", as X-Beta-RateLimit-Reset),
/// rounded UP so that a reset never reads earlier than it is.
std::string iso8601_utc(std::int64_t ms, bool minutes = false);

} // namespace jirasim
