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
// Supervision: it monitors every child it spawns (users, groups, projects,
// roles, downloader, fetchers) and the site-wide actors it uses (api_client,
// rate_governor, store_writer). A watched actor that goes down before its
// work is done - an exception, an error exit, even a normal exit - fails
// the run with the reason. Every request has a finite timeout and an error
// handler; the run itself fails with errc::timeout after timeouts::run.
// An exception in the coordinator's own handlers ends it with an error
// (its caller, run_sync, monitors it). When the coordinator ends, for
// whatever reason, the children still running are stopped
// (exit_reason::user_shutdown): a run never leaves actors behind.
//
// Messages:
//   (run_atom) -> sync_report   always a report: failures are values in it
//   (progress_atom, progress_delta)  from issue fetchers
//   (tick_atom)      internal: refreshes request counters for progress
//   (deadline_atom)  internal: timeouts::run has passed

#include "actors/issue_fetcher.hpp"
#include "actors/rate_governor.hpp"
#include "actors/sync_env.hpp"

#include <caf/typed_actor.hpp>

#include <functional>

namespace jirasync::actors {

using sync_coordinator_actor
  = caf::typed_actor<caf::replies_to<run_atom>::with<sync_report>,
                     caf::reacts_to<progress_atom, progress_delta>,
                     caf::reacts_to<tick_atom>, caf::reacts_to<deadline_atom>>;

/// What the progress display shows.
struct progress_snapshot {
  /// "connect", "users", "groups", "projects", "permissions", "issues",
  /// "done".
  std::string phase;
  std::uint64_t projects_total = 0;
  std::uint64_t projects_done = 0;
  std::uint64_t issues_done = 0;
  /// Sum of approximate-count over the projects started so far.
  std::uint64_t issues_estimated = 0;
  std::uint64_t comments_done = 0;
  std::uint64_t attachments_done = 0;
  std::uint64_t requests = 0;
  std::uint64_t responses_429 = 0;
  /// "waiting for <reason> until HH:MM:SS UTC" while a rate-limit wait
  /// of at least a second holds requests back (sync::describe_wait); ""
  /// otherwise.
  std::string waiting;
};

using progress_fn = std::function<void(const progress_snapshot&)>;

/// `env` needs target, mapping.site, filters, indexing, filters_hash,
/// tuning, timeouts, db, api and writer (and fault in tests); the
/// coordinator completes the rest.
sync_coordinator_actor spawn_sync_coordinator(caf::actor_system& sys,
                                              sync_env env,
                                              rate_governor_actor governor,
                                              progress_fn progress);

} // namespace jirasync::actors
