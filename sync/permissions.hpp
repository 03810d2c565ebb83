#pragma once
// ACL resolution: who may see a project, an issue, a comment. The rule
// (shared with jira-sim's ground truth):
// - the universe is the ACTIVE users with accountType "atlassian"; app and
//   customer accounts are never listed;
// - issue viewers = BROWSE_PROJECTS holders of the project (anyone, any
//   logged-in user, applicationRole P = members of P's groups, group,
//   projectRole (user actors + members of group actors), projectLead, user,
//   reporter, assignee; other holder types match nobody)
//   ∩ members of the issue's security level (same holder types), if any;
// - comment viewers = issue viewers ∩ the visibility group's members / the
//   visibility role's actors in the project;
// - `anyone` (a BROWSE_PROJECTS grant to anyone) sets the flag and lists the
//   whole universe; the flag is dropped as soon as a level or a comment
//   visibility narrows the set;
// - project viewers = the project's BROWSE_PROJECTS holders without the
//   issue-specific reporter/assignee.
//
// Thread-safety: acl_resolver caches per project; use one per thread/actor.

#include "protocol/jira/jira_models.hpp"

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace jirasync::sync {

/// Site-wide identities needed to expand holders.
struct identity_directory {
  /// Sorted accountIds of active atlassian users (the ACL universe).
  std::vector<std::string> universe;
  /// groupId -> sorted accountIds (direct members, any kind).
  std::unordered_map<std::string, std::vector<std::string>> group_members;
  /// group name -> groupId.
  std::unordered_map<std::string, std::string> group_id_by_name;
  /// application role (product) key -> groupIds granting it.
  std::unordered_map<std::string, std::vector<std::string>> app_role_groups;
};

/// Who holds what in one project.
struct project_access {
  std::string project_id;
  std::string project_key;
  /// Default: none.
  std::optional<std::string> lead_account_id;
  /// The BROWSE_PROJECTS grants of the project's permission scheme.
  std::vector<protocol::permission_holder> browse_holders;
  /// role id -> the role with its actors.
  std::map<std::string, protocol::project_role> roles;
  /// security level id -> member holders.
  std::map<std::string, std::vector<protocol::permission_holder>> level_members;
  /// security level id -> name.
  std::map<std::string, std::string> level_names;
};

/// A resolved access list (users sorted, unique).
struct acl_set {
  bool anyone = false;
  std::vector<std::string> users;

  friend bool operator==(const acl_set&, const acl_set&) = default;
};

/// Resolves ACLs for the projects of one sync run.
class acl_resolver {
public:
  explicit acl_resolver(std::shared_ptr<const identity_directory> dir);

  acl_set project_acl(const project_access& p);

  /// `level_id` empty = not secured. reporter/assignee: accountIds.
  acl_set issue_acl(const project_access& p,
                    const std::optional<std::string>& reporter,
                    const std::optional<std::string>& assignee,
                    const std::optional<std::string>& level_id);

  /// Narrows an issue ACL by a comment visibility ("group" with groupId or
  /// name, "role" with role id or name).
  acl_set
  comment_acl(const project_access& p, const acl_set& issue,
              const std::optional<protocol::comment_visibility>& visibility);

private:
  /// Static (issue-independent) part of a holder list.
  struct expansion {
    std::vector<std::string> users; // sorted, within the universe
    bool anyone = false;
    bool reporter = false;
    bool assignee = false;
  };

  expansion
  expand(const project_access& p,
         const std::vector<protocol::permission_holder>& holders) const;
  const expansion& browse(const project_access& p);
  const expansion& level(const project_access& p, const std::string& level);
  std::vector<std::string> role_users(const project_access& p,
                                      const std::string& role_id) const;
  bool in_universe(const std::string& account_id) const;

  std::shared_ptr<const identity_directory> dir_;
  std::unordered_map<std::string, expansion> browse_cache_;
  std::unordered_map<std::string, expansion> level_cache_;
};

} // namespace jirasync::sync
