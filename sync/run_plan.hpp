#pragma once
// Full or incremental: what a sync run does, decided from the checkpoints
// in the store before it starts (the reference connector guide's rules).
//
// The run is FULL when `--full` is given, on the first run (no checkpoint
// at all), or when the sync filters changed (the filters hash stored with
// the checkpoints differs); otherwise INCREMENTAL. Each project then gets
// its own plan, because a project can need a full pass inside an
// incremental run:
// - no checkpoint (a project new to the scope)       -> full
// - checkpoint made with other filters              -> full
// - a full pass that did not finish (killed, failed) -> full, resumed after
//   the last issue id its committed prefix reached, keeping the high-water
//   mark of the interrupted pass (from the start if the project's
//   permissions changed meanwhile); once complete, the fetcher reads the
//   changes since that mark in the same run
// - its permissions changed (access fingerprint)    -> incremental, then
//   every stored ACL of the project is recomputed from the store
//   (sync/acl_refresh.hpp)
// - `--full`                                        -> full from the start
// - otherwise                                       -> incremental from the
//   checkpoint's low-water mark.
//
// Thread-safety: pure functions over their arguments.

#include "storage/store.hpp"
#include "sync/issue_scope.hpp"
#include "sync/permissions.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace jirasync::sync {

enum class sync_mode { full, incremental };

/// "full" | "incremental".
std::string_view to_string(sync_mode m);

/// What one project's issue pipeline does in this run.
struct project_plan {
  /// Default: full.
  sync_mode mode = sync_mode::full;
  /// Why, for the summary and `status` (e.g. "no checkpoint yet").
  std::string reason;
  /// Full: issues with an id <= this (numerically) were committed by the
  /// interrupted pass being resumed and are not fetched again (they are
  /// still listed, for deletion reconciliation). "" = from the start.
  std::string resume_after_id;
  /// Full pass resumed: the high-water mark (max `updated`) taken when the
  /// pass began; 0 for a new pass (the pipeline takes a fresh one).
  std::int64_t pass_started_updated_ms = 0;
  /// Incremental: the low-water mark (`updated >= since - overlap`).
  std::int64_t since_ms = 0;
  /// Incremental: the project's access changed since its checkpoint; the
  /// stored records' ACLs are recomputed after the listings. Default: false.
  bool refresh_acls = false;
};

/// The plan of one project from its stored checkpoint, the current filters
/// hash and the fingerprint of the project's access data.
project_plan plan_project(const std::optional<storage::project_checkpoint>& cp,
                          const std::string& filters_hash,
                          const std::string& access_hash, bool forced_full);

/// What a whole run starts from.
struct run_plan {
  /// Default: full.
  sync_mode mode = sync_mode::full;
  /// e.g. "first run (no checkpoint in the store)".
  std::string reason;
  /// `--full` was given. Default: false.
  bool forced_full = false;
  /// The stored project checkpoints, by project key.
  std::map<std::string, storage::project_checkpoint> checkpoints;
  /// Ids stored when the run began, to find what left Jira or the scope:
  /// users (accountIds), groups, projects (project records and projects
  /// that still have issues).
  std::vector<std::string> stored_user_ids;
  std::vector<std::string> stored_group_ids;
  std::vector<std::string> stored_project_ids;
};

/// The run's mode and reason from the last run's checkpoint and the
/// project checkpoints (`cps`).
run_plan plan_run(bool forced_full,
                  const std::optional<storage::sync_checkpoint>& last,
                  const std::vector<storage::project_checkpoint>& cps,
                  const std::string& filters_hash);

/// Fingerprint (hex SHA-256) of everything a project's ACLs are computed
/// from: the identity directory (`dir_hash`, see directory_fingerprint) and
/// the project's grants, roles, lead and security levels. Equal
/// fingerprints mean every stored ACL of the project is still right.
std::string access_fingerprint(const std::string& dir_hash,
                               const project_access& access);

/// Fingerprint of the identity directory (universe, group members, group
/// names, application roles), independent of hash-map order.
std::string directory_fingerprint(const identity_directory& dir);

/// The scope map of a run: each project whose access could be read
/// (`access[i]` not null) with its access fingerprint.
scope_map
make_scope(const std::vector<protocol::jira_project>& projects,
           const std::vector<std::shared_ptr<const project_access>>& access,
           const identity_directory& dir);

/// What left the scope since the stored state (`plan`, may be null).
struct out_of_scope {
  /// Stored project ids (records, or projects that still have issues) not
  /// among `projects`: deleted with their issues.
  std::vector<std::string> project_ids;
  /// Checkpoints of project keys not among `projects`.
  std::vector<std::string> checkpoint_keys;
};

/// `projects`: the projects of this run after the filters (whether or not
/// their access could be read: a project that failed is kept).
out_of_scope
projects_out_of_scope(const std::vector<protocol::jira_project>& projects,
                      const run_plan* plan);

/// One page of an id-ordered listing compared with the stored ids.
struct listing_diff {
  /// Listed but not stored: to fetch (missed earlier, e.g. while Jira's
  /// search index lagged, or moved in).
  std::vector<std::string> missing;
  /// Stored but not listed: deletion candidates (deleted, invisible, moved
  /// out, outside the filters now) to confirm.
  std::vector<std::string> gone;
};

/// Merges one listing page with `stored` (sorted by id_less). `pos` is the
/// position in `stored` reached by the previous pages (start at 0); stored
/// ids up to the page's last id are decided by this page, all the rest by
/// the last page.
listing_diff diff_listing_page(const std::vector<std::string>& stored,
                               std::size_t& pos, std::vector<std::string> page,
                               bool last_page);

/// Sorted ids in `stored` that are not in `seen` (both need not be
/// sorted): what left Jira or the scope.
std::vector<std::string> missing_ids(std::vector<std::string> stored,
                                     std::vector<std::string> seen);

/// Numeric-aware id order (Jira's ids are decimal numbers; shorter is
/// smaller): true when a < b.
bool id_less(std::string_view a, std::string_view b);

} // namespace jirasync::sync
