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
// - project viewers = the project's BROWSE_PROJECTS holders; a grant to
//   the issue-specific reporter or assignee makes the project itself
//   visible to the whole universe (Jira checks a project with no issue in
//   context and then counts these holders as granted; Atlassian KB
//   "Granting Browse Project permission to 'Current Assignee', 'Reporter'
//   ... allows all users to view Project information").
//
// Fail safe (docs/permissions.md): a part of the permission data that could
// not be read (no admin right) never widens an ACL. An unknown part is
// replaced by the users CERTAIN to belong to it: the API user, who fetched
// the record and therefore may see it (Jira returns issues and restricted
// comments only to users allowed to see them). So an issue of a project
// whose scheme is unknown gets {API user}; an unknown security level,
// unknown role or group members, an unknown product (application role)
// and holder or visibility types this code does not know grant nothing
// beyond that. Issue and comment ACLs always contain the API user (when it
// is an active atlassian account): certainly correct, and a no-op when the
// data is complete.
//
// Thread-safety: acl_resolver caches per project; use one per thread/actor.

#include "protocol/jira/jira_models.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace jirasync::sync {

/// A part of the permission data that could not be read.
struct access_gap {
  /// What: "permission scheme", "project roles", "issue security scheme",
  /// "issue security level members", "users", "groups",
  /// "application roles".
  std::string part;
  /// The permission Jira demands for it, e.g. "Administer Jira",
  /// "Administer projects", "Browse users and groups"; empty when the
  /// reason was not a refusal (HTTP 403).
  std::string missing_permission;
  /// The error as Jira/the client reported it.
  std::string reason;

  friend bool operator==(const access_gap&, const access_gap&) = default;
};

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
  /// The API user's accountId (GET /myself); it sees every record it
  /// fetched. Default: unknown.
  std::optional<std::string> api_user;
  /// False when group members could not be read: group holders and group
  /// role actors grant nothing. Default: true.
  bool groups_known = true;
  /// False when GET /applicationrole could not be read: a product
  /// (applicationRole with a parameter) grants nothing. Default: true.
  bool app_roles_known = true;
  /// Site-wide parts that could not be read (users, groups, products).
  std::vector<access_gap> gaps;
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
  /// False when the permission scheme could not be read: the project's
  /// issues are visible to the certain users only. Default: true.
  bool browse_known = true;
  /// False when the project roles could not be read: role holders and
  /// role-restricted comments grant nothing. Default: true.
  bool roles_known = true;
  /// False when the members of the security levels could not be read: a
  /// secured issue is visible to the certain users only. Default: true.
  bool levels_known = true;
  /// Why parts are unknown (one entry per part).
  std::vector<access_gap> gaps;
};

/// A resolved access list (users sorted, unique).
struct acl_set {
  bool anyone = false;
  std::vector<std::string> users;

  friend bool operator==(const acl_set&, const acl_set&) = default;
};

/// Kinds the resolver did not know (holder types, comment visibility
/// types): they grant nothing; counted with one example for the report.
struct unknown_kinds {
  std::uint64_t holders = 0;
  /// Jira's type string of the first unknown holder.
  std::string holder_example;
  std::uint64_t visibilities = 0;
  /// The type of the first unknown comment visibility.
  std::string visibility_example;

  void merge(const unknown_kinds& o);
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

  /// Whether issue_acl() of `p` may depend on the reporter / assignee for
  /// an issue at `level_id` (memo keys leave them out otherwise): the
  /// scheme or the level grants them, and the scheme does not already
  /// grant the whole universe.
  bool uses_reporter(const project_access& p,
                     const std::optional<std::string>& level_id);
  bool uses_assignee(const project_access& p,
                     const std::optional<std::string>& level_id);

  /// Unknown holder and visibility types met so far (each holder list is
  /// expanded once; comment visibilities once per resolution, i.e. per
  /// distinct input under acl_memo).
  const unknown_kinds& unknown() const {
    return unknown_;
  }

private:
  /// Static (issue-independent) part of a holder list.
  struct expansion {
    std::vector<std::string> users; // sorted, within the universe
    bool anyone = false;
    bool reporter = false;
    bool assignee = false;
  };

  expansion expand(const project_access& p,
                   const std::vector<protocol::permission_holder>& holders);
  /// The users certain to see a fetched record: {API user} ∩ universe.
  std::vector<std::string> certain() const;
  /// Adds the certain users to a sorted list.
  void add_certain(std::vector<std::string>& users) const;
  const expansion& browse(const project_access& p);
  const expansion& level(const project_access& p, const std::string& level);
  std::vector<std::string> role_users(const project_access& p,
                                      const std::string& role_id) const;
  bool in_universe(const std::string& account_id) const;

  std::shared_ptr<const identity_directory> dir_;
  std::unordered_map<std::string, expansion> browse_cache_;
  std::unordered_map<std::string, expansion> level_cache_;
  unknown_kinds unknown_;
};

} // namespace jirasync::sync
