#pragma once
// rate_governor: one per Jira site. Every request asks it for a permit
// first. It owns a sync::governor (token buckets per endpoint class, quota
// pause, AIMD concurrency, points budget) and parks permit requests
// (response promises) until they can be granted, waking itself with a
// delayed message - it never blocks a scheduler thread. A permit parked
// longer than `max_wait` is refused (timeouts::permit), so a caller never
// waits on it forever and no promise is left behind.
//
// Messages:
//   (permit_atom, std::string bucket, int64_t cost) -> permit_atom
//       answered when granted (may take a while), or the error
//       sec::request_timeout after `max_wait`.
//   (done_atom, governor_done) -> void: a permitted request finished.
//   (stats_atom) -> governor_report
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
  caf::replies_to<permit_atom, std::string, std::int64_t>::with<permit_atom>,
  caf::reacts_to<done_atom, governor_done>,
  caf::replies_to<stats_atom>::with<governor_report>,
  caf::reacts_to<tick_atom>>;

/// UTC milliseconds now; injected so tests can run on CAF's test clock.
using clock_fn = std::function<std::int64_t()>;

/// The system clock as UTC milliseconds.
std::int64_t system_now_ms();

struct rate_governor_options {
  sync::governor_options governor;
  /// Longest a permit may stay parked. Default: timeouts{}.permit (90 min).
  std::chrono::milliseconds max_wait = std::chrono::minutes(90);
  /// Default: system_now_ms.
  clock_fn now = system_now_ms;
  /// Test seam (fault_injection.hpp). Default: none.
  fault_hook fault;
};

rate_governor_actor spawn_rate_governor(caf::actor_system& sys,
                                        rate_governor_options options);

} // namespace jirasync::actors
