#pragma once
// Runs one sync: builds the http client, the actor system and the
// site-wide actors (rate_governor, api_client, store_writer, and in OAuth
// mode the token_keeper holding the stored login), spawns the
// sync_coordinator and waits for its report - with a deadline
// (timeouts::run + timeouts::report_grace) and watching the coordinator, so
// it returns even when the coordinator dies or hangs. Used by `jirasync
// sync` and `jirasync demo`; blocks the calling (non-actor) thread.

#include "actors/fault_injection.hpp"
#include "actors/sync_coordinator.hpp"
#include "actors/timeouts.hpp"
#include "sync/governor.hpp"
#include "sync/oauth_session.hpp"
#include "sync/retry_policy.hpp"

#include <spdlog/logger.h>

#include <memory>
#include <stop_token>

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
  /// `--full`: a full sync whatever the checkpoints say. Default: false.
  bool full = false;
  /// The run's logger (named after the run id: common/log.hpp), from
  /// actor threads: phases, failures, the outcome, and every rate-limit
  /// wait longer than 1 s with its reason and end time (warn). Default:
  /// null = spdlog's default logger.
  std::shared_ptr<spdlog::logger> log;
  /// Threads of the http client. Default: 2.
  std::size_t http_threads = 2;
  /// The extraction processes (extract/worker.hpp): the command
  /// (`jirasync` itself) and limits. Empty jirasync_bin: attachment texts
  /// are not extracted (text_status "pending"). Default: empty.
  extract::runner_options extraction;
  /// OAuth mode: when the token_keeper refreshes, its retries. Default:
  /// oauth_session_options{} (5 min before expiry, 4 attempts).
  sync::oauth_session_options oauth_session;
  /// Test seam (fault_injection.hpp): makes actors of the run throw or
  /// quit. Default: none (production never sets it).
  fault_hook fault;
  /// Stops the run gracefully (see sync_env::stop): the report then has
  /// error code errc::cancelled. Default: never stopped.
  std::stop_token stop;
};

/// Runs a sync of `cfg`'s site into `db`: full or incremental as
/// sync::plan_run decides from the checkpoints in `db` (read here, before
/// the actors start) and `opts.full`. Never throws on expected
/// failures and never waits forever: a failure - a crashed actor, a
/// coordinator that ends without reporting, a run that outlives its
/// deadline - is a report with `error` set.
sync_report run_sync(const config::config& cfg,
                     std::shared_ptr<storage::store> db,
                     const run_options& opts);

} // namespace jirasync::actors
