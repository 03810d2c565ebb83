#pragma once
// GET /rest/api/3/applicationrole: the products of the site (Jira Software,
// Jira Service Management, ...) and the groups whose members get each one.
// A permission grant "applicationRole P" resolves through these groups.
//
// Shape (Atlassian REST v3 reference, "Application roles - Get all
// application roles"): a bare array of ApplicationRole objects
//   {"key": "jira-software", "name": "Jira Software",
//    "groups": ["jira-software-users"],
//    "groupDetails": [{"name": "jira-software-users", "groupId": "...",
//                      "self": "..."}],
//    "defaultGroups": [...], "numberOfSeats": 10, ...}
// `groupDetails` (with groupIds) is the current shape; older sites send only
// the group names in `groups`.
//
// Error model: the one of jira_models.hpp (record errors leave the record
// out, sub-record errors leave the sub-record out, `fatal` when the document
// is unusable). Thread-safety: reentrant; plain values.

#include "protocol/jira/jira_models.hpp"

#include <optional>
#include <string>
#include <vector>

namespace jirasync::protocol {

struct application_role {
  /// Product key, e.g. "jira-software". Required, non-empty.
  std::string key;
  /// Display name, e.g. "Jira Software". Default: "".
  std::string name;
  /// `groupDetails` when the response has it as an array (name + groupId
  /// per group); nullopt when absent or unusable, so callers can fall back
  /// to `group_names`.
  std::optional<std::vector<jira_group>> group_details;
  /// `groups`: group names only. Default: {}.
  std::vector<std::string> group_names;
};

/// GET /rest/api/3/applicationrole -> bare array. Records are named
/// `applicationRole[i]` (with ` (key K)` once the key is known).
parsed<std::vector<application_role>>
parse_application_roles(const boost::json::value& doc);

} // namespace jirasync::protocol
