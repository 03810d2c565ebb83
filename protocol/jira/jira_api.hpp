#pragma once
// Request builders for the Jira Cloud REST v3 endpoints the sync uses: base
// URL, auth header, paths, query parameters and JSON bodies, plus the
// endpoint class (burst bucket) and points cost of each request. No Beast:
// the output is a plain http_request handed to the http_client.
//
// The base URL and the Authorization header are pluggable (api_target), so
// OAuth mode (https://api.atlassian.com/ex/jira/{cloudId} + Bearer) only
// needs another api_target.
//
// Thread-safety: pure functions.

#include "protocol/http/http_client.hpp"
#include "protocol/jira/jira_cost.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace jirasync::protocol {

/// Where and how to talk to one Jira site.
struct api_target {
  /// e.g. "https://acme.atlassian.net/rest/api/3" (no trailing slash).
  std::string api_base;
  /// The full Authorization header value ("Basic ..." / "Bearer ...").
  /// Never log it.
  std::string authorization;
};

/// API-token mode: api_base = site + "/rest/api/3", Basic base64(email:token).
api_target make_api_token_target(std::string_view site, std::string_view email,
                                 std::string_view api_token);

/// Standard base64 (with padding).
std::string base64_encode(std::string_view data);

/// Percent-encodes a query parameter value (RFC 3986 unreserved kept).
std::string url_encode(std::string_view value);

/// A request plus what the governor needs to know about it.
struct api_request {
  http_request http;
  /// Its endpoint class (= Jira burst bucket) from the endpoint table
  /// (jira_cost.hpp); classify_path(http.method, http.url) gives the same.
  endpoint_class cls = endpoint_class::unknown;
  /// Estimated points: estimated_points(cls, objects the page can hold).
  std::int64_t cost = 1;
  /// Short label for logs and failure reasons, e.g. "bulkfetch PROJ".
  std::string label;
};

/// The system fields the issue pipeline asks bulkfetch for (the custom
/// field ids from GET /field are added by the caller).
std::vector<std::string> issue_fields_needed();

api_request get_myself(const api_target& t);
api_request get_fields(const api_target& t);
api_request get_users(const api_target& t, std::int64_t start_at,
                      std::int64_t max_results);
api_request get_groups(const api_target& t, std::int64_t start_at,
                       std::int64_t max_results);
api_request get_group_members(const api_target& t, std::string_view group_id,
                              std::int64_t start_at, std::int64_t max_results);
api_request get_application_roles(const api_target& t);
api_request get_projects(const api_target& t, std::int64_t start_at,
                         std::int64_t max_results);
api_request get_project_roles(const api_target& t, std::string_view key);
api_request get_project_role(const api_target& t, std::string_view key,
                             std::string_view role_id);
api_request get_project_permission_scheme(const api_target& t,
                                          std::string_view key);
api_request get_permission_scheme(const api_target& t,
                                  std::string_view scheme_id);
api_request get_project_security_scheme(const api_target& t,
                                        std::string_view key);
api_request get_security_level_members(const api_target& t,
                                       std::string_view scheme_id,
                                       std::string_view level_id,
                                       std::int64_t start_at,
                                       std::int64_t max_results);
/// POST /search/jql with fields=["id"] (ids only, big pages).
api_request search_ids(const api_target& t, std::string_view jql,
                       const std::optional<std::string>& next_page_token,
                       std::int64_t max_results);
/// POST /search/jql returning `fields` (e.g. {"updated"}) with each issue.
/// Jira may return fewer than max_results a page when fields are asked for.
api_request search_issues(const api_target& t, std::string_view jql,
                          const std::optional<std::string>& next_page_token,
                          std::int64_t max_results,
                          const std::vector<std::string>& fields);
/// POST /search/approximate-count.
api_request approximate_count(const api_target& t, std::string_view jql);
/// POST /issue/bulkfetch for up to 100 ids with `fields`.
api_request bulkfetch(const api_target& t, const std::vector<std::string>& ids,
                      const std::vector<std::string>& fields);
api_request get_comments(const api_target& t, std::string_view issue_id,
                         std::int64_t start_at, std::int64_t max_results);
/// GET /attachment/content/{id} (follows the 303 to the media host).
api_request get_attachment_content(const api_target& t,
                                   std::string_view attachment_id);

} // namespace jirasync::protocol
