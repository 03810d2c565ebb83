#pragma once
// What one finished HTTP attempt means: the input of the retry policy
// (status, transient or not, Retry-After, quota reason, a readable detail)
// and the report the governor learns from (class, status, latency, the
// parsed rate-limit headers). Also the error code a request that gives up
// fails with.
//
// Thread-safety: pure functions; `now` is passed in.

#include "common/error.hpp"
#include "protocol/http/http_client.hpp"
#include "protocol/jira/json_reader.hpp"
#include "sync/governor.hpp"
#include "sync/retry_policy.hpp"

#include <chrono>
#include <cstdint>
#include <string>

namespace jirasync::sync {

struct attempt_assessment {
  /// For classify().
  attempt_outcome outcome;
  /// For governor::on_response(): what the server said, as it said it (a
  /// 2xx with an unusable body is still a 2xx to the governor).
  response_report report;
};

/// Reads one attempt's result of a request of `cls` estimated at
/// `cost_points`. `body_fault`: why the caller could not parse the 2xx
/// body it needed (`protocol::json_fault`: truncated on the way, or garbled
/// by an error page), or none: such an attempt counts as a transient
/// transport failure, retried. A body that is only too deep or holds
/// invalid UTF-8 is usable (none). The caller parses the body
/// (once); nothing here reads it but a failure's error text. Error
/// statuses get Jira's error text as detail. `now`: when the answer
/// arrived (anchors Retry-After dates and the quota window's reset).
attempt_assessment assess_attempt(const protocol::http_result& result,
                                  protocol::endpoint_class cls,
                                  std::int64_t cost_points,
                                  protocol::json_text_fault body_fault,
                                  std::int64_t latency_ms,
                                  std::chrono::system_clock::time_point now);

/// The error code of an HTTP status: 401 unauthenticated, 403
/// permission_denied, 404 and 410 not_found, 429, 409, 5xx and 0 (no
/// status: transport) unavailable, other 4xx invalid_argument.
common::errc errc_of_http_status(int status);

/// The error code of a request that gave up after `outcome`.
common::errc give_up_code(const attempt_outcome& outcome);

} // namespace jirasync::sync
