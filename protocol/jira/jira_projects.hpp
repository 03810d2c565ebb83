#pragma once
// Jira projects and who may see them: project pages, permission schemes and
// grants, project roles and their actors, issue security schemes, levels
// and members. Parsing contract: json_reader.hpp.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "protocol/jira/jira_users.hpp"
#include "protocol/jira/json_reader.hpp"

namespace jirasync::protocol {

struct jira_project {
  std::string id;  // required
  std::string key; // required
  std::string name;
  /// Only with expand=lead.
  std::optional<jira_user> lead;
  std::string project_type_key;
  /// Team-managed ("next-gen") when true. Default: false.
  bool simplified = false;
  /// "classic" | "next-gen"; empty when absent.
  std::string style;
  std::optional<bool> is_private;
};

/// GET /rest/api/3/project/search (PageBean).
parsed<jira_page<jira_project>>
parse_project_page(const boost::json::value& doc);

/// Holder types of permission grants and security-level members.
enum class holder_type {
  anyone,
  application_role, // no parameter = any logged-in user
  assignee,
  group,              // parameter = group name, value = groupId
  group_custom_field, // parameter = custom field id
  project_lead,
  project_role, // parameter = role id
  reporter,
  sd_customer_portal_only,
  user,              // parameter = accountId
  user_custom_field, // parameter = custom field id
  other,             // anything else; raw type kept
};

std::string_view to_string(holder_type type);
/// Maps Jira's type string ("applicationRole", "sd.customer.portal.only"...).
holder_type holder_type_from(std::string_view raw);

struct permission_holder {
  holder_type type = holder_type::other;
  /// Jira's own type string, always set.
  std::string type_raw;
  std::optional<std::string> parameter;
  std::optional<std::string> value;
  std::optional<std::string> expand;
  /// Expanded holder.group {name, groupId}.
  std::optional<jira_group> group;
  /// Expanded holder.projectRole {id, name}.
  std::optional<std::string> project_role_id;
  std::optional<std::string> project_role_name;
  /// Expanded holder.user.
  std::optional<jira_user> user;

  /// group: groupId from `value` or the expanded group; nullopt otherwise.
  std::optional<std::string> group_id() const;
  /// group: name from `parameter` or the expanded group.
  std::optional<std::string> group_name() const;
  /// projectRole: role id from `parameter` or the expanded role.
  std::optional<std::string> role_id() const;
  /// user: accountId from `parameter` or the expanded user.
  std::optional<std::string> account_id() const;
};

struct permission_grant {
  std::optional<std::string> id;
  /// e.g. "BROWSE_PROJECTS"; required.
  std::string permission;
  permission_holder holder;
};

/// GET /rest/api/3/project/{key}/permissionscheme -> {id, name}.
struct permission_scheme_ref {
  std::string id; // required
  std::string name;
};

struct permission_scheme {
  std::string id; // required
  std::string name;
  std::optional<std::string> description;
  /// Only with expand=permissions. Grants with errors are left out.
  std::vector<permission_grant> permissions;
};

parsed<permission_scheme_ref>
parse_permission_scheme_ref(const boost::json::value& doc);
/// GET /rest/api/3/permissionscheme/{id}?expand=permissions.
parsed<permission_scheme>
parse_permission_scheme(const boost::json::value& doc);
/// GET /rest/api/3/permissionscheme -> {permissionSchemes: [...]}.
parsed<std::vector<permission_scheme>>
parse_permission_schemes(const boost::json::value& doc);

/// One entry of GET /rest/api/3/project/{key}/role ({name: url}).
struct project_role_link {
  std::string name;
  /// Parsed from the last path segment of the URL; required (digits).
  std::string id;
  std::string url;
};

parsed<std::vector<project_role_link>>
parse_project_role_map(const boost::json::value& doc);

enum class role_actor_type { group, user, other };

struct role_actor {
  std::optional<std::string> id;
  std::string display_name;
  role_actor_type type = role_actor_type::other;
  /// "atlassian-group-role-actor" | "atlassian-user-role-actor" | ...
  std::string type_raw;
  /// group actors: actorGroup.name / actorGroup.groupId (may be absent in
  /// old captures; then only the name is known).
  std::optional<std::string> group_name;
  std::optional<std::string> group_id;
  /// user actors: actorUser.accountId (required for user actors).
  std::optional<std::string> account_id;
};

struct project_role {
  std::string id; // required
  std::string name;
  std::optional<std::string> description;
  /// Actors with errors are left out (and reported).
  std::vector<role_actor> actors;
};

/// GET /rest/api/3/project/{key}/role/{id}.
parsed<project_role> parse_project_role(const boost::json::value& doc);
/// GET /rest/api/3/role -> bare array of roles.
parsed<std::vector<project_role>>
parse_project_roles(const boost::json::value& doc);

struct security_level {
  std::string id; // required
  std::string name;
  std::optional<std::string> description;
};

/// GET /rest/api/3/project/{key}/issuesecuritylevelscheme (a scheme with
/// levels), GET /rest/api/3/project/{key}/securitylevel ({levels} only: id
/// and name then empty), GET /rest/api/3/issuesecurityschemes entries.
struct security_level_scheme {
  std::optional<std::string> id;
  std::string name;
  std::optional<std::string> description;
  std::optional<std::string> default_level_id;
  std::vector<security_level> levels;
};

parsed<security_level_scheme>
parse_security_level_scheme(const boost::json::value& doc);
/// GET /rest/api/3/issuesecurityschemes -> {issueSecuritySchemes: [...]}.
parsed<std::vector<security_level_scheme>>
parse_security_schemes(const boost::json::value& doc);

struct security_level_member {
  std::string id;       // required
  std::string level_id; // issueSecurityLevelId; required
  permission_holder holder;
};

/// GET /rest/api/3/issuesecurityschemes/{id}/members and
/// /issuesecurityschemes/level/member (PageBean).
parsed<jira_page<security_level_member>>
parse_security_member_page(const boost::json::value& doc);

} // namespace jirasync::protocol
