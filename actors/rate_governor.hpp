#pragma once
// rate_governor: one per Jira site. Every request asks it for a permit
// first. It owns a sync::governor (token buckets per endpoint class,
// quota pause, AIMD concurrency, points budget) and parks permit requests
// (response promises) until they can be granted, waking itself with a
// delayed message - it never blocks a scheduler thread.
//
// Messages:
//   (permit_atom, std::string bucket, int64_t cost) -> (permit_atom)
//       answered when the permit is granted (may take a while).
//   (done_atom, governor_done) -> void: a permitted request finished.
//   (stats_atom) -> governor_report

#include "actors/messages.hpp"

#include <caf/fwd.hpp>

namespace jirasync::actors {

caf::actor spawn_rate_governor(caf::actor_system& sys,
                               sync::governor_options options);

} // namespace jirasync::actors
