#pragma once
// sync_coordinator: one per sync run; owns the run's state machine, in the
// reference guide's order:
//   0 GET /myself (credentials, the API user's time zone for JQL), /field
//   1 users -> 2 groups + memberships (+ application roles); the users and
//     groups Jira no longer lists are removed
//   3 projects (sync filters applied)
//   4 per project: roles, permission scheme (once per scheme), issue
//     security; project records + ACLs written, projects that left Jira
//     or the scope removed with their issues and checkpoints
//   5 per-project issue pipelines (`projects_parallel` at a time), each
//     full or incremental as its checkpoint says (env.plan), with the
//     reconciliation of deleted issues (step 6) and the ACL refresh
// and reports progress through a callback (called on the coordinator's
// thread: keep it short and thread-safe).
//
// Supervision: it monitors every child it spawns (users, groups, projects,
// roles, downloader, fetchers) and the site-wide actors it uses (api_client,
// rate_governor, store_writer, and token_keeper in OAuth mode). A watched actor
// that goes down before its work is done - an exception, an error exit, even a
// normal exit - fails the run with the reason. Every request has a finite
// timeout and an error handler; the run itself fails with errc::timeout after
// timeouts::run. An exception in the coordinator's own handlers ends it with an
// error (its caller, run_sync, monitors it). When the coordinator ends, for
// whatever reason, the children still running are stopped
// (exit_reason::user_shutdown): a run never leaves actors behind.
//
// Messages:
//   (run_atom) -> sync_report   always a report: failures are values in it
//   (progress_atom, progress_delta)  from issue fetchers
//   (auth_atom, error)  from the token_keeper (OAuth mode): the login ended
//                       for good; the run fails with this error at once
//   (tick_atom)      internal: refreshes request counters for progress
//   (deadline_atom)  internal: timeouts::run has passed
//
// Stopping (sync_env::stop, checked with each tick): before the issues
// step the run ends at once; during it no new project starts, the running
// fetchers take no new chunk and answer once their chunks in flight are
// written. The report's error is then errc::cancelled ("interrupted").

#include "actors/issue_fetcher.hpp"
#include "actors/rate_governor.hpp"
#include "actors/sync_env.hpp"

#include <caf/typed_actor.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <string>

namespace jirasync::actors {

using sync_coordinator_actor
  = caf::typed_actor<caf::replies_to<run_atom>::with<sync_report>,
                     caf::reacts_to<progress_atom, progress_delta>,
                     caf::reacts_to<auth_atom, common::error>,
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
  /// The rate governor's figures at the last refresh (with `requests`,
  /// every tick): 429s in total, by RateLimit-Reason and by class; holds
  /// and time held by wait reason; per class the requests in flight and
  /// the Little's-law concurrency limit. The progress line, /status and
  /// /metrics read these; nothing counts them a second time.
  sync::governor_stats governor;
  /// "waiting for <reason> until HH:MM:SS UTC" while a rate-limit wait
  /// of at least a second holds requests back (sync::describe_wait); ""
  /// otherwise.
  std::string waiting;

  /// Requests holding a rate-governor permit now (all classes).
  std::uint64_t in_flight() const;
};

using progress_fn = std::function<void(const progress_snapshot&)>;

/// The counters a run's checkpoint keeps (`jirasync status`; /status shows
/// them too): the governor's (sync::governor_counters), "requests",
/// "retries", "duration_ms", "content_warnings" and what the run removed
/// or re-ACLed: "issues_removed", "projects_removed", "users_removed",
/// "groups_removed", "acls_refreshed". The permission report adds its own
/// (sync::add_permission_report).
std::map<std::string, std::int64_t> run_counters(const sync_report& report);

/// `env` needs target, mapping.site, filters, indexing, filters_hash,
/// tuning, timeouts, db, api and writer (and fault in tests); the
/// coordinator completes the rest.
sync_coordinator_actor spawn_sync_coordinator(caf::actor_system& sys,
                                              sync_env env,
                                              rate_governor_actor governor,
                                              progress_fn progress);

} // namespace jirasync::actors
