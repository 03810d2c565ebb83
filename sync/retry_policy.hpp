#pragma once
// The ONE place that decides what to do with the outcome of a Jira request:
// success, retry (after how long) or give up (with which reason). Pure
// functions; the random jitter is passed in so tests are deterministic.
//
// Thread-safety: stateless; safe from any thread.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace jirasync::sync {

/// What a caller does with a finished attempt.
enum class retry_decision {
  success, ///< 2xx: use the response. (Redirects are followed by the
           ///< HTTP client; a 3xx that gets here had no followable
           ///< Location and gives up.)
  retry,   ///< transient: try again after `delay` (if attempts remain).
  give_up, ///< permanent: fail the record or project with `reason`.
};

/// Why an attempt was retried; rate-limit kinds also steer the governor.
enum class retry_cause {
  none,
  rate_limited_burst, ///< 429 for a burst bucket: slow that endpoint class.
  rate_limited_quota, ///< 429 with a quota reason: pause all requests.
  server_error,       ///< 5xx (503 may carry Retry-After).
  transport,          ///< timeout, reset, connect failure.
  conflict,           ///< 409 (users/search took too long).
};

/// The input to classify(): either an HTTP status or a transport failure,
/// plus what the rate-limit headers said.
struct attempt_outcome {
  /// HTTP status; 0 when the request failed below HTTP.
  int status = 0;
  /// True for transport failures that are worth retrying (timeout, reset,
  /// connect, DNS). TLS/certificate and bad-URL failures are permanent.
  bool transient_transport = false;
  /// Retry-After (or Beta-Retry-After) in milliseconds, when sent.
  std::optional<std::int64_t> retry_after_ms;
  /// True when RateLimit-Reason names a quota (jira-quota-*): everything
  /// must pause until the reset.
  bool quota_reason = false;
  /// Human-readable description of the failure (status text, transport
  /// error), without credentials.
  std::string detail;
  /// The host name did not resolve (a typo in the site, no DNS): worth at
  /// most one more try (dns_max_attempts), not the full backoff. Default:
  /// false.
  bool dns_failure = false;
};

/// Attempts in total for a DNS failure ("host not found"): fail fast.
inline constexpr int dns_max_attempts = 2;

struct backoff_policy {
  /// First backoff; doubled for each further attempt. Default: 1000 ms.
  std::int64_t base_ms = 1000;
  /// Upper bound of one backoff before jitter. Default: 30000 ms.
  std::int64_t max_ms = 30000;
  /// Jitter factor range: the delay is multiplied by a value in
  /// [jitter_min, jitter_max]. Default: 0.7 .. 1.3.
  double jitter_min = 0.7;
  /// Default: 1.3.
  double jitter_max = 1.3;
  /// Attempts in total (first try included) before giving up. Default: 6.
  int max_attempts = 6;
  /// Retry-After above this is treated as give-up (a day-long lockout is
  /// not worth waiting for in a sync run). Default: 3600000 ms (1 h).
  std::int64_t max_retry_after_ms = 3'600'000;
};

struct classification {
  retry_decision decision = retry_decision::give_up;
  retry_cause cause = retry_cause::none;
  /// When decision == retry: how long to wait before the next attempt.
  std::int64_t delay_ms = 0;
  /// When decision == give_up: why, e.g. "HTTP 404 after 1 attempt(s)".
  std::string reason;
};

/// Exponential backoff for `attempt` (1 = after the first failure):
/// min(max_ms, base_ms * 2^(attempt-1)) * lerp(jitter_min, jitter_max,
/// jitter_unit); `jitter_unit` in [0, 1].
std::int64_t backoff_delay_ms(const backoff_policy& policy, int attempt,
                              double jitter_unit);

/// Classifies attempt number `attempt` (1-based). 2xx -> success; 3xx ->
/// give_up ("without a followable Location");
/// 429 -> retry after Retry-After (else backoff), cause burst or quota;
/// 500/502/503/504 and 409 and transient transport failures -> retry with
/// Retry-After if given, else backoff; everything else (400, 401, 403, 404,
/// 410, other 4xx, permanent transport failures) -> give_up. A retry turns
/// into give_up once `attempt` reaches policy.max_attempts (DNS failures:
/// dns_max_attempts, after one short base_ms delay).
classification classify(const attempt_outcome& outcome, int attempt,
                        const backoff_policy& policy, double jitter_unit);

} // namespace jirasync::sync
