#pragma once
// What each Jira endpoint the connector calls costs, for the rate governor
// and the simulator's statistics.
//
// Points model (OAuth 3LO / Forge / Connect apps, jira-cloud-api.md): a call
// costs 1 point plus a weight per returned object: 1 per core object (issue,
// project, attachment), 2 per identity object (user, group, role,
// permission). Where the documentation names no class we assume, to stay
// conservative (the governor must never trigger a quota lockout):
//   comments, fields, audit records -> 1 each (like a core object);
//   security levels and security-level members -> 2 each (permission-like);
//   approximate_count -> no objects (base point only);
//   oauth_token / accessible_resources -> 0 points (not Jira platform API).
//
// Burst buckets (token bucket per tenant x endpoint x method): GET 100/s by
// default, GET issue 150/s, GET attachment content 300/s, GET project role
// 200/s. POST search/jql, POST issue/bulkfetch and POST approximate-count
// are reads sent as POST; we ASSUME they are limited like a GET (100/s).
// OAuth endpoints: assumed 10/s (not documented; they are rarely called).
//
// Thread-safety: pure functions over constant tables.

#include <cstdint>
#include <string_view>

namespace jirasync::protocol {

enum class endpoint_class {
  users_search,      // GET  /rest/api/3/users/search
  group_bulk,        // GET  /rest/api/3/group/bulk
  group_member,      // GET  /rest/api/3/group/member
  project_search,    // GET  /rest/api/3/project/search
  permission_scheme, // GET  /project/{k}/permissionscheme,
                     // /permissionscheme[/{id}]
  project_roles,     // GET  /rest/api/3/project/{k}/role, /rest/api/3/role
  project_role,      // GET  /rest/api/3/project/{k}/role/{id}
  security_levels,   // GET  /project/{k}/issuesecuritylevelscheme,
                     // /project/{k}/securitylevel, /issuesecurityschemes[/{id}]
  security_members,  // GET  /issuesecurityschemes/{id}/members,
                     // /issuesecurityschemes/level/member
  myself,            // GET  /rest/api/3/myself
  fields,            // GET  /rest/api/3/field
  search_jql,        // GET|POST /rest/api/3/search/jql
  approximate_count, // POST /rest/api/3/search/approximate-count
  bulkfetch,         // POST /rest/api/3/issue/bulkfetch
  issue_get,         // GET  /rest/api/3/issue/{idOrKey}
  comments,          // GET  /rest/api/3/issue/{idOrKey}/comment
  attachment_content,   // GET  /rest/api/3/attachment/content/{id}
  attachment_meta,      // GET  /rest/api/3/attachment/{id}, /attachment/meta
  audit_records,        // GET  /rest/api/3/auditing/record
  oauth_token,          // POST /oauth/token
  accessible_resources, // GET  /oauth/token/accessible-resources
  unknown,
};

inline constexpr int endpoint_class_count
  = static_cast<int>(endpoint_class::unknown) + 1;

struct endpoint_info {
  endpoint_class cls = endpoint_class::unknown;
  /// Stable name, e.g. "search_jql" (for stats and logs).
  std::string_view name;
  /// "GET" or "POST".
  std::string_view method;
  /// Burst bucket requests per second (per tenant x endpoint x method).
  int burst_per_sec = 100;
  /// Points per returned object (0, 1 or 2).
  int object_weight = 0;
  /// False for the OAuth endpoints (no Jira points).
  bool counts_points = true;
};

/// Table entry for `cls` (unknown -> GET, 100/s, weight 2, counts points:
/// the most expensive guess).
const endpoint_info& info(endpoint_class cls);

std::string_view to_string(endpoint_class cls);

/// Points charged for a call that returned `objects_returned` objects
/// (negative counts are treated as 0): 1 + weight * objects, or 0 for
/// endpoints that do not count.
std::int64_t points_cost(endpoint_class cls, std::int64_t objects_returned);

/// Points to reserve before a call that is expected to return up to
/// `expected_objects` objects (e.g. maxResults): the same formula, so a
/// reservation never undershoots when the page comes back full.
std::int64_t estimated_points(endpoint_class cls,
                              std::int64_t expected_objects);

/// Classifies a request. `path` may be a full URL or a path, with or without
/// a query string, with the OAuth prefix `/ex/jira/{cloudId}` and with
/// api/2 or api/3. Method is case-insensitive; a method the endpoint is not
/// called with gives unknown.
endpoint_class classify_path(std::string_view method, std::string_view path);

} // namespace jirasync::protocol
