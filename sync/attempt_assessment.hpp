#pragma once
// What one finished HTTP attempt means: the input of the retry policy
// (status, transient or not, Retry-After, quota reason, a readable detail)
// and the completion the governor learns from (latency, rate-limit
// headers, quota limit and window reset). Also the error code a request
// that gives up fails with.
//
// Thread-safety: pure functions; `now` is passed in.

#include "common/error.hpp"
#include "protocol/http/http_client.hpp"
#include "sync/governor.hpp"
#include "sync/retry_policy.hpp"

#include <chrono>
#include <cstdint>
#include <string>

namespace jirasync::sync {

struct attempt_assessment {
  /// For classify().
  attempt_outcome outcome;
  /// For governor::on_complete().
  completion done;
};

/// Reads one attempt's result. `body_in_file`: the body was streamed to a
/// file (a download), so it is not checked for JSON. A 2xx whose in-memory
/// body is not valid JSON (cut off on the way) counts as a transient
/// transport failure. Error statuses get Jira's error text as detail.
/// `now`: when the answer arrived (anchors Retry-After dates and the quota
/// window's reset).
attempt_assessment assess_attempt(const protocol::http_result& result,
                                  const std::string& bucket,
                                  std::int64_t cost_points, bool body_in_file,
                                  std::int64_t latency_ms,
                                  std::chrono::system_clock::time_point now);

/// The error code of an HTTP status: 401 unauthenticated, 403
/// permission_denied, 404 and 410 not_found, 429, 409, 5xx and 0 (no
/// status: transport) unavailable, other 4xx invalid_argument.
common::errc errc_of_http_status(int status);

/// The error code of a request that gave up after `outcome`.
common::errc give_up_code(const attempt_outcome& outcome);

} // namespace jirasync::sync
