#include "sync/retry_policy.hpp"

#include <algorithm>

namespace jirasync::sync {

std::int64_t backoff_delay_ms(const backoff_policy& policy, int attempt,
                              double jitter_unit) {
  attempt = std::max(attempt, 1);
  std::int64_t delay = policy.base_ms;
  for (int i = 1; i < attempt && delay < policy.max_ms; ++i)
    delay *= 2;
  delay = std::min(delay, policy.max_ms);
  jitter_unit = std::clamp(jitter_unit, 0.0, 1.0);
  double factor
    = policy.jitter_min + (policy.jitter_max - policy.jitter_min) * jitter_unit;
  return static_cast<std::int64_t>(static_cast<double>(delay) * factor);
}

namespace {

std::string describe(const attempt_outcome& o) {
  std::string out = o.status != 0 ? "HTTP " + std::to_string(o.status)
                                  : std::string{"transport error"};
  if (!o.detail.empty())
    out += ": " + o.detail;
  return out;
}

} // namespace

classification classify(const attempt_outcome& o, int attempt,
                        const backoff_policy& policy, double jitter_unit) {
  classification c;
  auto attempts = " after " + std::to_string(attempt) + " attempt(s)";
  if (o.status >= 200 && o.status < 300) {
    c.decision = retry_decision::success;
    return c;
  }
  if (o.status >= 300 && o.status < 400) {
    // The HTTP client follows redirects; one that reaches us had no
    // usable Location (or too many hops): an answer we cannot use.
    c.decision = retry_decision::give_up;
    c.reason = describe(o) + " without a followable Location" + attempts;
    return c;
  }
  if (o.status == 0 && o.dns_failure) {
    c.cause = retry_cause::transport;
    if (attempt >= dns_max_attempts) {
      c.decision = retry_decision::give_up;
      c.reason = describe(o) + attempts
                 + " (host name does not resolve: check the site URL and "
                   "DNS)";
      return c;
    }
    c.decision = retry_decision::retry;
    c.delay_ms = policy.base_ms;
    return c;
  }
  bool retryable = false;
  if (o.status == 429) {
    retryable = true;
    c.cause = o.quota_reason ? retry_cause::rate_limited_quota
                             : retry_cause::rate_limited_burst;
  } else if (o.status == 500 || o.status == 502 || o.status == 503
             || o.status == 504) {
    retryable = true;
    c.cause = retry_cause::server_error;
  } else if (o.status == 409) {
    retryable = true;
    c.cause = retry_cause::conflict;
  } else if (o.status == 0 && o.transient_transport) {
    retryable = true;
    c.cause = retry_cause::transport;
  }
  if (!retryable) {
    c.decision = retry_decision::give_up;
    c.reason = describe(o) + attempts;
    return c;
  }
  if (attempt >= policy.max_attempts) {
    c.decision = retry_decision::give_up;
    c.reason = describe(o) + attempts + " (retries exhausted)";
    return c;
  }
  if (o.retry_after_ms && *o.retry_after_ms > policy.max_retry_after_ms) {
    c.decision = retry_decision::give_up;
    c.reason = describe(o) + attempts + " (Retry-After "
               + std::to_string(*o.retry_after_ms / 1000) + " s too long)";
    return c;
  }
  c.decision = retry_decision::retry;
  if (o.retry_after_ms && *o.retry_after_ms >= 0)
    c.delay_ms = *o.retry_after_ms;
  else
    c.delay_ms = backoff_delay_ms(policy, attempt, jitter_unit);
  return c;
}

} // namespace jirasync::sync
