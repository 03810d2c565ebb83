#pragma once
// GET /metrics: the service state in the Prometheus text exposition format
// (version 0.0.4). Counters are totals since the process started, over the
// finished runs plus the run in progress where the live figure is known
// (requests, and the rate governor's counters from its progress snapshot);
// gauges describe now. Every metric is named once, here, with its HELP
// line (docs/service.md lists them):
//
//   jirasync_runs_total{result}                  finished runs by result
//   jirasync_run_in_progress                     1 while a run is going
//   jirasync_last_run_duration_seconds           the last finished run
//   jirasync_run_duration_seconds_sum / _count   over finished runs
//   jirasync_last_success_timestamp_seconds      end of the last ok/partial
//   jirasync_consecutive_failures                failed runs in a row
//   jirasync_requests_total                      HTTP attempts to Jira
//   jirasync_requests_by_class_total{class}      permits by endpoint class
//   jirasync_request_retries_total, jirasync_requests_gave_up_total
//   jirasync_rate_limited_total{class}           429 answers by class
//   jirasync_rate_limited_by_reason_total{reason} 429s by RateLimit-Reason
//   jirasync_rate_limit_waits_total{reason}      holds by wait reason
//   jirasync_rate_limit_wait_seconds_total{reason}
//   jirasync_records_total{op} added/updated/unchanged/deleted
//   jirasync_record_failures_total               failure lines of runs
//   jirasync_content_warnings_total              records cut/rendered leniently
//   jirasync_last_run_degraded_projects          narrower ACLs in the last run
//   jirasync_requests_in_flight                  now (0 between runs)
//   jirasync_governor_concurrency{class}         Little's-law limit (last
//   known) jirasync_feed_last_seq                       the change feed's last
//   seq jirasync_store_size_bytes                    bytes under storage.path
//
// Thread-safety: a pure function.

#include "service/service_state.hpp"

#include <string>

namespace jirasync::service {

std::string metrics_text(const service_state& s);

} // namespace jirasync::service
