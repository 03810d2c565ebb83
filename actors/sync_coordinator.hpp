#pragma once
// sync_coordinator: one per sync run; owns the run's state machine, in the
// reference guide's order:
//   0 GET /myself (credentials, the API user's time zone for JQL), /field
//   1 users -> 2 groups + memberships (+ application roles)
//   3 projects (sync filters applied)
//   4 per project: roles, permission scheme (once per scheme), issue
//     security; project records + ACLs written
//   5 per-project issue pipelines (`projects_parallel` at a time)
// and reports progress through a callback (called on the coordinator's
// thread: keep it short and thread-safe). Deletions (step 6) belong to
// incremental sync (a later issue).
//
// Messages:
//   (run_atom) -> sync_report   (failures are values inside the report)
//   (progress_atom, progress_delta) from issue fetchers
//   (tick_atom) internal: refreshes request counters for progress

#include "actors/sync_env.hpp"

#include <caf/fwd.hpp>

#include <functional>

namespace jirasync::actors {

/// What the progress display shows.
struct progress_snapshot {
  /// "users", "groups", "projects", "permissions", "issues", "done".
  std::string phase;
  std::uint64_t projects_total = 0;
  std::uint64_t projects_done = 0;
  std::uint64_t issues_done = 0;
  /// Sum of approximate-count over the projects started so far.
  std::uint64_t issues_estimated = 0;
  std::uint64_t comments_done = 0;
  std::uint64_t attachments_done = 0;
  std::uint64_t requests = 0;
  std::uint64_t rate_limit_waits = 0;
};

using progress_fn = std::function<void(const progress_snapshot&)>;

/// `env` needs target, mapping.site, filters, indexing, filters_hash,
/// tuning, db, api and writer; the coordinator completes the rest.
caf::actor spawn_sync_coordinator(caf::actor_system& sys, sync_env env,
                                  caf::actor governor, progress_fn progress);

} // namespace jirasync::actors
