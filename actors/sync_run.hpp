#pragma once
// Runs one sync: builds the http client, the actor system and the
// site-wide actors (rate_governor, api_client, store_writer), spawns the
// sync_coordinator and waits for its report - with a deadline
// (timeouts::run + timeouts::report_grace) and watching the coordinator, so
// it returns even when the coordinator dies or hangs. Used by `jirasync
// sync` and `jirasync demo`; blocks the calling (non-actor) thread.

#include "actors/fault_injection.hpp"
#include "actors/sync_coordinator.hpp"
#include "actors/timeouts.hpp"
#include "sync/governor.hpp"
#include "sync/retry_policy.hpp"

#include <memory>

namespace jirasync::actors {

struct run_options {
  pipeline_tuning tuning;
  /// Default: the endpoint table's burst rates (Jira Cloud's documented
  /// buckets, protocol/jira/jira_cost). max_unexplained_wait_ms is taken
  /// from the config ([sync] max_unexplained_wait_secs).
  sync::governor_options governor;
  sync::backoff_policy backoff;
  /// Bounds of every wait of the run. Default: timeouts{}.
  actors::timeouts timeouts;
  /// Called on progress (from an actor thread). Default: none.
  progress_fn progress;
  /// Log lines of the run (rate-limit waits longer than 1 s, with reason
  /// and end time), from an actor thread. Default: none.
  log_fn log;
  /// Threads of the http client. Default: 2.
  std::size_t http_threads = 2;
  /// Test seam (fault_injection.hpp): makes actors of the run throw or
  /// quit. Default: none (production never sets it).
  fault_hook fault;
};

/// Runs a full sync of `cfg`'s site into `db`. Never throws on expected
/// failures and never waits forever: a failure - a crashed actor, a
/// coordinator that ends without reporting, a run that outlives its
/// deadline - is a report with `error` set.
sync_report run_sync(const config::config& cfg,
                     std::shared_ptr<storage::store> db,
                     const run_options& opts);

} // namespace jirasync::actors
