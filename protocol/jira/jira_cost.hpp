#pragma once
// THE table of endpoint classes: for each class of request the connector
// sends, its burst bucket (rate), its method and its cost in points. The
// request builders (jira_api) tag every request with its class, the
// governor (sync/governor) paces by it and the summary names it; nothing
// else holds a copy.
//
// One class = one of Jira's burst buckets: Jira keeps a token bucket per
// tenant x endpoint x method (Atlassian's "Rate limiting" guide for Jira
// Cloud), so two endpoints never share a bucket, and `burst_per_sec` is that
// endpoint's documented rate.
//
// Points model (OAuth 3LO / Forge / Connect apps, Atlassian's rate-limiting
// guide): a call costs 1 point plus a weight per returned object: 1 per core
// object (issue, project, attachment), 2 per identity object (user, group,
// role, permission). Where the documentation names no class we assume, to stay
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
// GET /project/{k}/role/{id} is the documented "project role" override
// (200/s); the role LIST /project/{k}/role is another endpoint and keeps the
// GET default (100/s). Comments (/issue/{id}/comment) are not "GET issue":
// their own bucket at 100/s.
//
// media_download is not a Jira API request: the 303 of attachment_content
// points at a media host (short-lived token URL). It has no burst bucket
// (burst_per_sec 0), costs no points, and is bounded only by a concurrency
// cap in the governor.
//
// Thread-safety: pure functions over constant tables.

#include <cstdint>
#include <string_view>

namespace jirasync::protocol {

enum class endpoint_class {
  users_search,      // GET  /rest/api/3/users/search
  group_bulk,        // GET  /rest/api/3/group/bulk
  group_member,      // GET  /rest/api/3/group/member
  application_roles, // GET  /rest/api/3/applicationrole
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
  media_download,       // GET  the media host after attachment_content's
                        //      303 (not a Jira API request)
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
  /// Burst bucket requests per second (per tenant x endpoint x method);
  /// 0 = no Jira bucket (media_download).
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

/// The class named `name` (to_string's inverse); unknown for any other
/// text. Kept for callers that still pass the class as a string.
endpoint_class endpoint_class_from_name(std::string_view name);

/// True when requests of `cls` go through one of Jira's burst buckets.
bool has_burst_bucket(endpoint_class cls);

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
/// called with gives unknown. (media_download is never the answer: a media
/// URL is whatever the 303 said, the caller knows it followed one.)
endpoint_class classify_path(std::string_view method, std::string_view path);

} // namespace jirasync::protocol
