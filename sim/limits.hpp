#pragma once
// Jira Cloud's rate limits, as documented (docs/jira-cloud-api.md):
// - burst: a token bucket per tenant x endpoint x method (GET 100/s; GET
//   issue 150/s, GET attachment content 300/s, GET project role 200/s;
//   writes 100/s) -> 429 RateLimit-Reason: jira-burst-based;
// - points quota per window (1 point + 1 per core object + 2 per identity
//   object) -> once spent, EVERYTHING is denied until the window resets:
//   429 RateLimit-Reason: jira-quota-tenant-based (or -global-based).
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
  /// Send X-RateLimit-* and Beta-RateLimit* headers on every API response.
  /// Default: true.
  bool send_headers = true;
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

struct limit_decision {
  bool allowed = true;
  /// Seconds, for Retry-After (only when !allowed).
  std::int64_t retry_after_secs = 0;
  /// RateLimit-Reason value (only when !allowed).
  std::string reason;
  /// Headers to put on the response (429 or not).
  header_list headers;
};

class rate_limiter {
public:
  explicit rate_limiter(limits_options options);

  /// Checks the quota and the burst bucket `bucket_key` (rate from `c`).
  /// An allowed request takes one burst token.
  limit_decision admit(const std::string& bucket_key, burst_class c,
                       std::int64_t now_ms);
  /// Charges `points` to the current window (after the response is built,
  /// when the object count is known).
  void spend(std::int64_t points, std::int64_t now_ms);
  /// X-RateLimit-* / Beta-RateLimit* headers for a normal response.
  header_list quota_headers(std::int64_t now_ms);
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
  header_list headers_locked(std::int64_t now_ms) const;

  limits_options opt_;
  std::mutex mu_;
  std::map<std::string, bucket> buckets_;
  std::int64_t window_index_ = -1;
  std::int64_t spent_ = 0;
};

/// "2024-01-02T10:11:12Z" (ISO 8601 UTC, seconds) for X-RateLimit-Reset.
std::string iso8601_utc(std::int64_t ms);

} // namespace jirasim
