#include "sync/attempt_assessment.hpp"

#include "protocol/jira/jira_models.hpp"
#include "protocol/jira/rate_limit.hpp"

namespace jirasync::sync {

namespace {

std::int64_t to_ms(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           t.time_since_epoch())
    .count();
}

/// Transport failures worth another attempt; TLS, bad URLs, local file
/// errors and oversized bodies will not get better.
bool transient(protocol::http_errc e) {
  using protocol::http_errc;
  return e == http_errc::dns || e == http_errc::connect
         || e == http_errc::timeout || e == http_errc::protocol;
}

} // namespace

attempt_assessment assess_attempt(const protocol::http_result& r,
                                  const std::string& bucket,
                                  std::int64_t cost_points, bool body_in_file,
                                  std::int64_t latency_ms,
                                  std::chrono::system_clock::time_point now) {
  attempt_assessment a;
  auto& out = a.outcome;
  auto& done = a.done;
  done.bucket = bucket;
  done.latency_ms = latency_ms;
  if (r.response) {
    const auto& resp = *r.response;
    out.status = resp.status;
    done.status = out.status;
    auto sig = protocol::parse_rate_limit_headers(resp.headers, now);
    if (auto hint = sig.wait_hint(now))
      out.retry_after_ms = hint->count();
    out.quota_reason = sig.is_quota_reason();
    done.retry_after_ms = out.retry_after_ms;
    done.quota_reason = out.quota_reason;
    done.remaining = sig.remaining;
    if (sig.reset_at)
      done.reset_at_ms = to_ms(*sig.reset_at);
    // Quota limit and window reset for the governor's reserve (the
    // structured headers come on every answer, X-RateLimit-Reset on 429s).
    done.cost_points = cost_points;
    done.limit = sig.limit;
    for (const auto& p : sig.policies)
      if (!done.limit && p.quota)
        done.limit = p.quota;
    for (const auto& q : sig.states)
      if (q.reset_secs && !done.quota_reset_at_ms)
        done.quota_reset_at_ms = to_ms(now) + *q.reset_secs * 1000;
    if (out.status >= 200 && out.status < 300 && !body_in_file
        && !resp.body.empty()) {
      auto fault = protocol::json_fault(resp.body);
      if (fault != protocol::json_text_fault::none) {
        // Cut off or garbled on the way (a proxy's page spliced in):
        // transient. A body that is only too deep or holds invalid UTF-8
        // is usable (json_fault none): its records fail when it is
        // parsed, and it is never retried.
        out.status = 0;
        out.transient_transport = true;
        out.detail = fault == protocol::json_text_fault::truncated
                       ? "HTTP 200 with a truncated JSON body"
                       : "HTTP 200 with a malformed JSON body";
      }
    }
    if (out.status >= 400)
      out.detail = protocol::parse_jira_error(resp.body, out.status).describe();
  } else if (r.error) {
    out.transient_transport = transient(r.error->code);
    out.dns_failure = r.error->code == protocol::http_errc::dns;
    out.detail = r.error->message;
  }
  return a;
}

common::errc errc_of_http_status(int status) {
  using common::errc;
  switch (status) {
    case 401:
      return errc::unauthenticated;
    case 403:
      return errc::permission_denied;
    case 404:
    case 410:
      return errc::not_found;
    case 0:
    case 409:
    case 429:
      return errc::unavailable;
    default:
      break;
  }
  if (status >= 500)
    return errc::unavailable;
  if (status >= 400)
    return errc::invalid_argument;
  return errc::internal;
}

common::errc give_up_code(const attempt_outcome& o) {
  if (o.status >= 300 && o.status < 400)
    return common::errc::invalid_input;
  return errc_of_http_status(o.status);
}

} // namespace jirasync::sync
