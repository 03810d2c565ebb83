#pragma once

// Pure operations on a workspace, used by the control API (and tests).
// Every mutation stamps `ws.now_ms`, bumps `ws.data_epoch` (and
// `ws.acl_epoch` when visibility may change) and, for issue changes, sets
// `indexed_at_ms = now + index_lag_ms` keeping the previous index entry for
// JQL until then. Config / permission / user / group changes append an audit
// record shaped like real Jira's; issue creation, changes and deletions do
// NOT (as in Jira Cloud).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "sim/workspace.hpp"

namespace jirasim {

/// Outcome of a mutation. Expected failures (unknown ids, ...) are values.
struct mutation_result {
  bool ok = false;
  /// Human-readable reason when !ok.
  std::string error;
  /// Id of the created/changed object (issue, comment, attachment, grant,
  /// level member, audit record...) when meaningful.
  int64_t id = 0;
  /// New issue key (create_issue, move_issue).
  std::string key;
};

/// Field changes of an issue; unset members are left alone.
struct issue_update {
  std::optional<std::string> summary;
  /// ADF document, or a JSON null to clear the description.
  std::optional<boost::json::value> description;
  std::optional<std::vector<std::string>> labels;
  /// accountId; "" = unassign.
  std::optional<std::string> assignee_account_id;
  std::optional<std::string> reporter_account_id;
  std::optional<int64_t> status_id;
  /// 0 = remove the level. Must belong to the project's scheme.
  std::optional<int64_t> security_level_id;
};

mutation_result update_issue(workspace& ws, int64_t issue_id,
                             const issue_update& u);

struct new_issue {
  /// Project key or id.
  std::string project;
  std::string summary;
  /// Issue type id; 0 = the first standard type ("Task"-like).
  int64_t issue_type_id = 0;
  /// Reporter/creator accountId; "" = the API user.
  std::string reporter_account_id;
  /// "" = unassigned.
  std::string assignee_account_id;
  /// Absent = a generated description; JSON null = none.
  std::optional<boost::json::value> description;
  std::vector<std::string> labels;
  /// 0 = none.
  int64_t security_level_id = 0;
  /// 0 = none.
  int64_t parent_id = 0;
};

mutation_result create_issue(workspace& ws, const new_issue& n);
/// Removes the issue and its comments and attachments; its subtasks are
/// deleted with it (Jira's deleteSubtasks=true), other children (epic
/// members) lose the parent link. No audit record (as in Jira Cloud).
mutation_result delete_issue(workspace& ws, int64_t issue_id);
/// Moves to another project: same id, new key (next number of the target),
/// the old key keeps resolving; the security level is cleared when the
/// target project has another (or no) issue security scheme.
mutation_result move_issue(workspace& ws, int64_t issue_id,
                           std::string_view target_project_key);

/// Adds a comment; `body` absent = generated; `author` "" = the API user.
/// Comment changes bump the issue's `updated` (as Jira does).
mutation_result add_comment(workspace& ws, int64_t issue_id,
                            std::string_view author_account_id,
                            std::optional<boost::json::value> body,
                            const comment_visibility& visibility = {});
/// Replaces the body (absent = regenerate a new revision) and/or the
/// visibility.
mutation_result update_comment(workspace& ws, int64_t comment_id,
                               std::optional<boost::json::value> body,
                               std::optional<comment_visibility> visibility);
mutation_result delete_comment(workspace& ws, int64_t comment_id);

/// Visibility helpers (resolve name/identifier from the workspace).
std::optional<comment_visibility> group_visibility(const workspace& ws,
                                                   std::string_view group_name);
std::optional<comment_visibility> role_visibility(const workspace& ws,
                                                  int64_t role_id);

mutation_result add_attachment(workspace& ws, int64_t issue_id,
                               std::string_view filename,
                               std::string_view mime_type, uint64_t size_bytes,
                               std::string_view author_account_id = {});
mutation_result delete_attachment(workspace& ws, int64_t attachment_id);

/// Group membership (group by id or name). Audit: "User added to group" /
/// "User removed from group" (category "group management").
mutation_result add_group_member(workspace& ws,
                                 std::string_view group_id_or_name,
                                 std::string_view account_id);
mutation_result remove_group_member(workspace& ws,
                                    std::string_view group_id_or_name,
                                    std::string_view account_id);

/// Permission scheme grants. Audit: "Permission scheme updated"
/// (category "permissions").
mutation_result add_permission_grant(workspace& ws, int64_t scheme_id,
                                     std::string_view permission,
                                     const holder& h);
mutation_result remove_permission_grant(workspace& ws, int64_t scheme_id,
                                        int64_t grant_id);

/// Issue security level members. Audit: "Issue security level updated"
/// (category "permissions").
mutation_result add_security_level_member(workspace& ws, int64_t level_id,
                                          const holder& h);
mutation_result remove_security_level_member(workspace& ws, int64_t level_id,
                                             int64_t member_id);

/// Project role actors. Audit: "Project roles changed" (category
/// "projects"). Exactly one of account_id / group_id is non-empty.
mutation_result add_role_actor(workspace& ws, std::string_view project_key,
                               int64_t role_id, std::string_view account_id,
                               std::string_view group_id);
mutation_result remove_role_actor(workspace& ws, std::string_view project_key,
                                  int64_t role_id, std::string_view account_id,
                                  std::string_view group_id);

/// Profile visibility of the email. Audit: "User updated" ("user
/// management").
mutation_result set_email_hidden(workspace& ws, std::string_view account_id,
                                 bool hidden);
/// Deactivates (or reactivates) a user. Audit: "User deactivated" /
/// "User activated" ("user management").
mutation_result set_user_active(workspace& ws, std::string_view account_id,
                                bool active);
inline mutation_result deactivate_user(workspace& ws,
                                       std::string_view account_id) {
  return set_user_active(ws, account_id, false);
}

/// Appends an audit record stamped now, authored by the API user; returns
/// its id. (Used by the mutations; public for the control API.)
int64_t append_audit(workspace& ws, audit_record r);

} // namespace jirasim
