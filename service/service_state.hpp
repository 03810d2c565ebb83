#pragma once
// What `jirasync serve` knows about itself, as plain data: the run in
// progress, the last finished run, the schedule, totals since start, the
// store. The service fills it under its mutex; GET /status (status_json)
// and GET /metrics (metrics.hpp) render copies of it. Times are UTC ms.
//
// Thread-safety: plain values.

#include "actors/sync_coordinator.hpp"
#include "service/scheduler.hpp"

#include <boost/json/object.hpp>

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace jirasync::service {

/// The run in progress.
struct current_run {
  std::string id;
  run_reason reason = run_reason::start;
  bool full = false;
  std::int64_t started_ms = 0;
  actors::progress_snapshot progress;
  /// A stop was asked for (cancel, shutdown).
  bool stopping = false;
};

/// A finished run.
struct finished_run {
  std::string id;
  run_reason reason = run_reason::start;
  bool full = false;
  run_outcome outcome = run_outcome::ok;
  std::int64_t started_ms = 0;
  std::int64_t finished_ms = 0;
  actors::sync_report report;
};

/// Sums over every finished run since the process started (Prometheus
/// counters).
struct run_totals {
  /// Index: run_outcome.
  std::array<std::uint64_t, 5> runs{};
  std::uint64_t requests = 0;
  std::uint64_t retries = 0;
  std::uint64_t gave_up = 0;
  /// The rate governor's counters (add_governor).
  /// Index: protocol::endpoint_class.
  std::array<std::uint64_t, protocol::endpoint_class_count> class_requests{};
  std::array<std::uint64_t, protocol::endpoint_class_count> class_429{};
  /// Index: protocol::rate_limit_reason.
  std::array<std::uint64_t, protocol::rate_limit_reason_count> by_reason_429{};
  /// Index: sync::wait_reason.
  std::array<std::uint64_t, sync::wait_reason_count> waits{};
  std::array<std::int64_t, sync::wait_reason_count> waited_ms{};
  /// Records by operation.
  std::uint64_t added = 0;
  std::uint64_t updated = 0;
  std::uint64_t unchanged = 0;
  std::uint64_t deleted = 0;
  /// Record-level failures (summary lines) over all runs.
  std::uint64_t record_failures = 0;
  /// Records written with content cut or rendered leniently.
  std::uint64_t content_warnings = 0;
  std::int64_t duration_ms_sum = 0;

  /// Adds one finished run.
  void add(const finished_run& run);
  /// Adds a run's governor counters (a finished run's final ones, or - for
  /// /metrics - the live ones of the run in progress on a copy).
  void add_governor(const sync::governor_stats& g);
};

struct service_state {
  /// "starting" | "idle" | "running" | "stopping".
  std::string state = "starting";
  /// "scheduled" | "manual".
  std::string strategy = "scheduled";
  std::int64_t interval_minutes = 60;
  std::optional<current_run> run;
  std::optional<finished_run> last_run;
  std::optional<std::int64_t> last_success_ms;
  std::optional<std::int64_t> next_run_ms;
  bool next_run_is_retry = false;
  bool queued = false;
  int consecutive_failures = 0;
  run_totals totals;
  std::string store_path;
  std::uint64_t last_seq = 0;
  /// Bytes under storage.path (refreshed about once a minute).
  std::uint64_t store_bytes = 0;
  std::int64_t started_ms = 0;
};

/// Readiness (GET /readyz): the store is open and the credentials were not
/// rejected by the last run (a run failed with errc::unauthenticated needs
/// new credentials or a new login). The reason is "" when ready.
struct readiness {
  bool ready = false;
  std::string reason;
};

readiness ready_of(const service_state& s);

/// Projects that failed as a whole in `report` (failures naming
/// "project KEY"), sorted, without duplicates.
std::vector<std::string> failed_projects(const actors::sync_report& report);

/// GET /status (docs/service.md shows an example):
/// {"state","strategy","interval_minutes","ready","not_ready_reason",
///  "run":null|{"id","reason","full","started_at","stopping","progress":
///              {phase, counts, "requests","responses_429","in_flight",
///               "waiting":null|"waiting for ..."}},
///  "last_run":null|{"id","reason","full","result","error","started_at",
///                   "finished_at","duration_ms","counts":{added,updated,
///                   unchanged,deleted},"records":{users,groups,projects,
///                   issues,comments,attachments},"requests",
///                   "responses_429","counters":{the run checkpoint's:
///                   actors::run_counters},"content_warnings",
///                   "hidden_email_users","failures_total","failures":[first
///                   100 lines],"failed_projects":[KEY...],
///                   "degraded_projects":[{"project_key","gaps":[...]}]
///                   (sync::degraded_to_json, as in `jirasync status`)},
///  "last_success_at","next_run_at","next_run_is_retry","queued",
///  "consecutive_failures","runs":{ok,partial,failed,cancelled,
///  reauth_required},
///  "store":{"path","last_seq","size_bytes"},"started_at"}
/// Times are RFC 3339 UTC with milliseconds, or null.
boost::json::object status_json(const service_state& s);

/// One line for systemd's STATUS=, changing a few times a run: "running
/// 3f2a9c1e (issues)", "idle; last run ok; next run
/// 2026-12-06T07:00:00.000Z".
std::string status_line(const service_state& s);

} // namespace jirasync::service
