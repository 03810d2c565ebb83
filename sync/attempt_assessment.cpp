#include "sync/attempt_assessment.hpp"

#include "protocol/jira/jira_models.hpp"
#include "protocol/jira/rate_limit.hpp"

namespace jirasync::sync {

namespace {

/// Transport failures worth another attempt; TLS, bad URLs, local file
/// errors and oversized bodies will not get better.
bool transient(protocol::http_errc e) {
  using protocol::http_errc;
  return e == http_errc::dns || e == http_errc::connect
         || e == http_errc::timeout || e == http_errc::protocol;
}

} // namespace

attempt_assessment assess_attempt(const protocol::http_result& r,
                                  protocol::endpoint_class cls,
                                  std::int64_t cost_points,
                                  protocol::json_text_fault body_fault,
                                  std::int64_t latency_ms,
                                  std::chrono::system_clock::time_point now) {
  attempt_assessment a;
  auto& out = a.outcome;
  auto& rep = a.report;
  rep.cls = cls;
  rep.latency_ms = latency_ms;
  rep.estimated_cost = cost_points;
  if (r.response) {
    const auto& resp = *r.response;
    out.status = resp.status;
    rep.status = resp.status;
    rep.headers = protocol::parse_rate_limit_headers(resp.headers, now);
    if (auto hint = rep.headers.wait_hint(now))
      out.retry_after_ms = hint->count();
    out.quota_reason = rep.headers.is_quota_reason();
    if (out.status >= 200 && out.status < 300
        && body_fault != protocol::json_text_fault::none) {
      // Cut off or garbled on the way (a proxy's page spliced in):
      // transient. A body that is only too deep or holds invalid UTF-8
      // is usable (fault none): its records fail when it is parsed, and it
      // is never retried.
      out.status = 0;
      out.transient_transport = true;
      out.detail = body_fault == protocol::json_text_fault::truncated
                     ? "HTTP 200 with a truncated JSON body"
                     : "HTTP 200 with a malformed JSON body";
    }
    if (out.status >= 400)
      // detail(), not describe(): the retry policy names the status.
      out.detail = protocol::parse_jira_error(resp.body, out.status).detail();
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
