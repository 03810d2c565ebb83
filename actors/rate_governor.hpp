#pragma once
// rate_governor: one per Jira site. Every request asks it for a permit
// first, naming its endpoint class (protocol/jira/jira_cost); every answer
// (or failure) is reported back with its headers, status and latency. It
// owns a sync::governor (burst buckets per class, the points quota only
// from quota headers, pauses, probes, Little's-law concurrency) and parks
// permit requests (response promises), one FIFO queue per class, until
// they can be granted, waking itself at the time the governor names - it
// never blocks a scheduler thread. A permit parked longer than `max_wait`
// is refused (timeouts::permit), so a caller never waits on it forever and
// no promise is left behind.
//
// Every wait longer than `log_waits_over_ms` is logged once, when it
// starts, with its reason, its end time and the figures behind it
// (sync::describe_wait).
//
// Messages:
//   (permit_atom, permit_request) -> permit_atom
//       answered when granted (may take a while), or the error
//       sec::request_timeout after `max_wait`.
//   (done_atom, sync::response_report) -> void: a permitted request
//       finished (answered or not); returns its permit.
//   (stats_atom) -> governor_report: counters and the current wait.
//   (tick_atom) -> void: internal wake-up.

#include "actors/fault_injection.hpp"
#include "actors/messages.hpp"

#include <caf/typed_actor.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace jirasync::actors {

using rate_governor_actor = caf::typed_actor<
  caf::replies_to<permit_atom, permit_request>::with<permit_atom>,
  caf::reacts_to<done_atom, sync::response_report>,
  caf::replies_to<stats_atom>::with<governor_report>,
  caf::reacts_to<tick_atom>>;

/// UTC milliseconds now; injected so tests can run on CAF's test clock.
using clock_fn = std::function<std::int64_t()>;

/// Receives one log line (called on the governor's thread: keep it short
/// and thread-safe).
using log_fn = std::function<void(const std::string&)>;

/// The system clock as UTC milliseconds.
std::int64_t system_now_ms();

struct rate_governor_options {
  sync::governor_options governor;
  /// Longest a permit may stay parked. Default: timeouts{}.permit (90 min).
  std::chrono::milliseconds max_wait = std::chrono::minutes(90);
  /// Default: system_now_ms.
  clock_fn now = system_now_ms;
  /// Where waits longer than log_waits_over_ms are reported. Default: none.
  log_fn log;
  /// Default: 1000 ms.
  std::int64_t log_waits_over_ms = 1'000;
  /// Test seam (fault_injection.hpp). Default: none.
  fault_hook fault;
};

rate_governor_actor spawn_rate_governor(caf::actor_system& sys,
                                        rate_governor_options options);

} // namespace jirasync::actors
