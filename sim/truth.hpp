#pragma once

// Permission ground truth, computed by brute force rule by rule, and the
// ground-truth export (JSON Lines in the export format of
// docs/export-format.md).
//
// Independent of jirasync's protocol/ code on purpose: the connector and the
// simulator must not share a bug.
//
// The rule (the connector follows the same): a user may see an issue iff the
// user is an ACTIVE account of type "atlassian", holds BROWSE_PROJECTS on the
// issue's project through at least one grant, and, if the issue has a
// security level, matches at least one member holder of that level. A comment
// additionally requires membership of its visibility group / an actor of its
// visibility role in the issue's project. An attachment follows its issue.
// Holder types: anyone -> everybody; applicationRole "" -> any active
// atlassian account; applicationRole P -> direct member of one of the groups
// of product P; group -> direct member; projectRole R -> actor of R in the
// project, directly or through a group actor; user -> same accountId;
// projectLead -> the project's lead; reporter / assignee -> the issue's;
// every other holder type -> nobody. App and customer accounts never appear
// in an ACL. An `anyone` grant on BROWSE_PROJECTS sets the ACL's "anyone"
// flag AND lists every active atlassian user (when no level/visibility
// narrows it further the flag stays true; the flag is false as soon as a
// security level or comment visibility applies).

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "sim/workspace.hpp"

namespace jirasim {

/// Does holder `h` match user `u` in the context of project `p` and
/// (optionally, for reporter/assignee) issue `i`? Literal per holder type.
bool holder_matches(const workspace& ws, const holder& h, user_ix u,
                    const project& p, const issue* i);

/// Is `u` a member of the group with this id (direct membership)?
bool user_in_group_id(const workspace& ws, std::string_view group_id,
                      user_ix u);
/// Is `u` an actor of role `role_id` in `p` (directly or via a group)?
bool user_in_project_role(const workspace& ws, const project& p,
                          int64_t role_id, user_ix u);

/// May `u` see project `p` itself (listed by project/search, GET project,
/// its record in the truth)? A BROWSE_PROJECTS grant to the issue-bound
/// reporter or assignee makes the project visible to every active atlassian
/// user, as in Jira (see truth.cpp); which of its issues `u` sees is
/// can_see_issue's decision, per issue.
bool can_browse_project(const workspace& ws, std::string_view account_id,
                        const project& p);
bool can_see_issue(const workspace& ws, std::string_view account_id,
                   const issue& i);
bool can_see_comment(const workspace& ws, std::string_view account_id,
                     const issue& i, const comment& c);
bool can_see_attachment(const workspace& ws, std::string_view account_id,
                        const issue& i, const attachment& a);

/// Index-based variants (same rules).
bool can_browse_project(const workspace& ws, user_ix u, const project& p);
bool can_see_issue(const workspace& ws, user_ix u, const issue& i);
bool can_see_comment(const workspace& ws, user_ix u, const issue& i,
                     const comment& c);

/// Does `u` hold the global permission `permission` ("ADMINISTER" =
/// Administer Jira, "USER_PICKER" = Browse users and groups) through a
/// group it is a direct member of? Active atlassian accounts only.
bool has_global_permission(const workspace& ws, user_ix u,
                           std::string_view permission);
/// Does `u` hold the project permission `permission` (e.g.
/// "ADMINISTER_PROJECTS") in `p` through a grant that does not depend on an
/// issue (reporter / assignee holders never match here)?
bool has_project_permission(const workspace& ws, user_ix u, const project& p,
                            std::string_view permission);

/// A record reference for `visible_account_ids`.
struct record_ref {
  /// "project" | "issue" | "comment" | "attachment".
  std::string type;
  /// Jira id (decimal) — or an issue key for "issue".
  std::string id;
};

/// Sorted accountIds of the users who may see the record (empty when the
/// record does not exist).
std::vector<std::string> visible_account_ids(const workspace& ws,
                                             const record_ref& record);

/// Options of the ground-truth export.
struct truth_options {
  /// Emit user / group / project records. Default: true.
  bool identities = true;
  /// Emit comment records. Default: true.
  bool comments = true;
  /// Emit attachment records (sha256 computed from the content stream).
  /// Default: true.
  bool attachments = true;
  /// Attachments larger than this get "text": null (and are still hashed).
  /// Default: 52428800 (the default of [indexing] attachment_max_bytes).
  uint64_t attachment_text_max_bytes = 52428800;
  /// Site URL used for `url` (site + "/browse/KEY"). Default: "" = the
  /// workspace's site.base_url, or "https://<site name>.atlassian.net".
  std::string site_url;
};

/// Writes the ground truth as JSON Lines (streaming). Deviations from the
/// export format: `markdown` is replaced by `"text": [text node strings]`
/// (the sim never renders Markdown); attachment `sha256` is the content hash,
/// `text` of text/* and JSON attachments is their content (`text_status`
/// "extracted"), images have `text` null (`text_status` "unsupported"), the
/// real documents `text_contains` (strings in order) and `text_status`,
/// generated PDFs neither. ACL ids are the sim's
/// own content hashes: compare user lists, not ids. Order: users, groups,
/// projects, then issues by id, each followed by its comments and
/// attachments; every acl line precedes the first record naming it.
void write_truth(const workspace& ws, std::ostream& out,
                 const truth_options& opts = {});

/// A fast per-(project, level) cache of the rule results, rebuilt whenever
/// `ws.acl_epoch` changes. Each entry is still decided rule by rule per
/// user. Not thread-safe (use one per thread or lock).
class visibility_cache {
public:
  /// Sorted user indices who may see `i` (active atlassian only).
  std::vector<user_ix> issue_viewers(const workspace& ws, const issue& i);
  /// Sorted user indices who may see `c` on `i`.
  std::vector<user_ix> comment_viewers(const workspace& ws, const issue& i,
                                       const comment& c);
  /// True if the project grants BROWSE_PROJECTS to `anyone`.
  bool project_anyone(const workspace& ws, const project& p);
  /// Fast `can_see_issue` for one user.
  bool can_see_issue(const workspace& ws, user_ix u, const issue& i);

private:
  struct entry;
  void sync(const workspace& ws);
  const entry& project_entry(const workspace& ws, const project& p);
  const entry& level_entry(const workspace& ws, const project& p,
                           int64_t level_id);
  uint64_t epoch_ = UINT64_MAX;
  size_t users_ = 0;
  struct entry {
    std::vector<uint8_t> static_ok; // by user ix (non-issue holders)
    bool reporter = false;
    bool assignee = false;
    bool anyone = false;
  };
  std::unordered_map<int64_t, entry> projects_;
  std::unordered_map<std::string, entry> levels_; // "project/level"
};

} // namespace jirasim
