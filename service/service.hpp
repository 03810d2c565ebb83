#pragma once
// `jirasync serve`: the long-running service. One store, opened for the
// life of the process (RocksDB's lock keeps any other writer out), one sync
// run at a time on a worker thread (actors::run_sync), the schedule
// (scheduler.hpp), the admin HTTP endpoints on service.listen
// (protocol::http_server; docs/service.md), signals and systemd.
//
//   SIGTERM / SIGINT  stop taking work, let the run in progress write what
//                     is in flight (it ends as "cancelled"), answer pending
//                     long-polls, exit 0 - within service.shutdown_timeout,
//                     else exit 1 at the deadline. A second signal exits at
//                     once with 130 (every batch is one atomic RocksDB write,
//                     so the store stays consistent).
//   SIGHUP            reloads the config file: an invalid file is logged
//                     and ignored (the running config stays); a valid one
//                     applies from the next run (a filter change makes it
//                     full); storage.path and service.listen need a restart.
//
// A run that fails never ends the process: it is logged, shown by /status
// and /metrics, and retried with backoff.
//
// Thread-safety: run_service() blocks the calling thread until the end.

#include "actors/sync_run.hpp"
#include "config/config.hpp"

#include <filesystem>

namespace jirasync::service {

struct service_options {
  /// The config file, read again on SIGHUP.
  std::filesystem::path config_path;
  /// Settings of every run (timeouts, tuning); stop, log and progress are
  /// set by the service.
  actors::run_options run;
};

/// Runs the service until it is told to stop. Returns the exit code: 0
/// after a clean stop, 1 when it cannot start (store in use, address in
/// use) or the shutdown timed out. Logs through spdlog's default logger.
int run_service(config::config cfg, service_options options);

} // namespace jirasync::service
