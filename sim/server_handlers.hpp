#pragma once
// Internal to jira-sim's server side: what a REST handler gets and returns,
// the route table, and the JSON renderers shared by handlers_*.cpp.
// Shapes follow the real captures in tests/fixtures/jira-cloud/.

#include "sim/limits.hpp"
#include "sim/server.hpp"
#include "sim/server_app.hpp"
#include "sim/truth.hpp"
#include "sim/workspace.hpp"

#include <boost/json.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace jirasim {

/// Comments Jira embeds in an issue's `comment` field (the rest is paged
/// with GET /issue/{id}/comment); the 20 of the real captures.
inline constexpr std::size_t embedded_comment_cap = 20;

namespace json = boost::json;

/// One authenticated REST call.
struct api_call {
  const workspace& ws;
  jira_app& app;
  const http_request& req;
  user_ix caller = no_user;
  /// Prefix of `self` links: "https://127.0.0.1:P" (Basic) or
  /// "https://127.0.0.1:P/ex/jira/<cloudId>" (OAuth).
  std::string base;
  /// The path's {} segments, in order.
  std::vector<std::string> args;
  std::int64_t now_ms = 0;
  /// The caller's profile time zone (dates in responses and JQL).
  std::string tz;
  /// Per-thread permission cache (valid for this workspace).
  visibility_cache* vis = nullptr;

  const user& me() const {
    return ws.users[caller];
  }
  /// Holds "Administer Jira".
  bool is_admin() const;
};

/// A handler's result: the response and the number of objects in it (for
/// the points quota: 1 + core + 2 * identity; and for latency).
struct api_result {
  http_response res;
  std::size_t core = 0;
  std::size_t identity = 0;
};

using api_fn = api_result (*)(api_call&);

/// What a caller needs beyond a login, as the "Permissions required" line of
/// the operation in Jira's REST reference (developer.atlassian.com, Jira
/// Cloud platform REST API v3) says. Checked before the handler runs.
enum class access : std::uint8_t {
  /// "Permission to access Jira": any logged-in user (handlers still filter
  /// by what the caller may browse).
  jira,
  /// "Browse users and groups global permission".
  browse_users,
  /// "Browse users and groups" or "Administer Jira".
  browse_users_or_admin,
  /// "Administer Jira global permission".
  admin,
  /// "Administer Jira global permission or Administer projects project
  /// permission" for the project named by the first path argument (a
  /// project the caller cannot browse is left to the handler's 404).
  project_admin,
};

/// The 403 text. The body shape {"errorMessages":[...],"errors":{}} is
/// documented; the words follow issue 14's observation of real Jira
/// ("Administrator privileges are required") [full text UNVERIFIED].
inline constexpr std::string_view forbidden_message
  = "You are not authorized to perform this action. Administrator "
    "privileges are required.";

/// One REST endpoint. The table of them (server_routes.cpp) is the one place
/// a path is written: matching, the stats key and the burst bucket all come
/// from it.
struct route {
  route(std::string_view method, std::string_view path, api_fn fn,
        burst_class burst, access needs = access::jira);
  std::string method;
  /// Under /rest/api/3, e.g. "/issue/{}/comment": {} matches one segment.
  std::string path;
  api_fn fn = nullptr;
  burst_class burst = burst_class::get_default;
  access needs = access::jira;
  /// "GET /issue/{}/comment": the stats key and the burst bucket's name.
  std::string name;
  /// `path` split at '/', for matching.
  std::vector<std::string> segments;

  /// Does `method` + the path segments after /rest/api/3 match? Fills
  /// `args` with the {} segments.
  bool match(std::string_view method, const std::vector<std::string_view>& segs,
             std::vector<std::string>& args) const;
};

/// Every REST endpoint the simulator serves, in matching order.
const std::vector<route>& api_routes();

/// Jira's 403 when the caller of `c` lacks what `rt` needs; nullopt when
/// the call may proceed.
std::optional<api_result> forbidden(const route& rt, const api_call& c);

// --- the REST handlers (one per route) ---------------------------------------

// handlers_users.cpp
api_result myself(api_call& c);
api_result users_search(api_call& c);
api_result field_list(api_call& c);
api_result group_bulk(api_call& c);
api_result group_member(api_call& c);
api_result audit_records(api_call& c);
api_result application_roles(api_call& c);
// handlers_projects.cpp
api_result project_search(api_call& c);
api_result project_permission_scheme(api_call& c);
api_result permission_scheme_by_id(api_call& c);
api_result project_roles(api_call& c);
api_result project_role(api_call& c);
api_result project_security_scheme(api_call& c);
api_result security_scheme_members(api_call& c);
api_result security_level_members(api_call& c);
// handlers_issues.cpp
api_result search_jql(api_call& c);
api_result search_removed(api_call& c);
api_result approximate_count(api_call& c);
api_result bulkfetch(api_call& c);
api_result get_issue(api_call& c);
api_result issue_comments(api_call& c);
// handlers_attachments.cpp
api_result attachment_content(api_call& c);
api_result attachment_meta(api_call& c);
api_result attachment_by_id(api_call& c);

// --- small helpers -----------------------------------------------------------

api_result json_result(int status, const json::value& v, std::size_t core = 0,
                       std::size_t identity = 0);
api_result error_result(int status, std::string_view message);

/// Integer query parameter with default and clamping; nullopt on garbage.
std::optional<std::int64_t> int_param(const http_request& r,
                                      std::string_view key, std::int64_t def);
bool bool_param(const http_request& r, std::string_view key, bool def);
/// The window of a paged request (Jira's startAt / maxResults).
struct page_request {
  std::int64_t start = 0;
  /// After the endpoint's cap.
  std::int64_t max = 0;
  /// The 400 answer when a parameter is not a number or out of range.
  std::optional<api_result> error;
  /// Items [start, start + max) of `n`, each made by `make(index)`.
  template<class Make>
  json::array values(std::size_t n, Make make) const {
    json::array out;
    for (auto i = start; i < static_cast<std::int64_t>(n)
                         && static_cast<std::int64_t>(out.size()) < max;
         ++i)
      out.push_back(make(static_cast<std::size_t>(i)));
    return out;
  }
  /// Whether a page holding `count` items ends the `total`.
  bool is_last(std::size_t count, std::size_t total) const {
    return start + static_cast<std::int64_t>(count)
           >= static_cast<std::int64_t>(total);
  }
};

/// Reads `start_key` (default 0) and `max_key` (default `def`, at least
/// `min`, capped at `cap`).
page_request read_page(const http_request& r, std::int64_t def,
                       std::int64_t cap, std::int64_t min = 0,
                       std::string_view start_key = "startAt",
                       std::string_view max_key = "maxResults");

/// Appends Jira's PageBean fields maxResults, startAt, total, isLast and
/// `values` to `o` (after any self / nextPage already in it); returns the
/// number of values.
std::size_t page_bean(json::object& o, const page_request& pg,
                      std::size_t total, json::array values);

/// Every value of a (possibly repeated, comma-separated) parameter.
std::vector<std::string> list_param(const http_request& r,
                                    std::string_view key);

// --- renderers
// -----------------------------------------------------------------

json::object avatar_urls(std::string_view seed);
/// UserDetails as in issue fields / comments (emailAddress omitted when
/// hidden; timeZone included).
json::object user_json(const api_call& c, user_ix u);
/// null when u == no_user.
json::value user_or_null(const api_call& c, user_ix u);
json::object project_json(const api_call& c, const project& p, bool with_lead,
                          bool with_description);
/// Short project reference used inside issue fields.
json::object project_ref_json(const api_call& c, const project& p);
json::object holder_json(const holder& h);
json::object attachment_json(const api_call& c, const attachment& a);
json::object comment_json(const api_call& c, const issue& i, const comment& k);
/// Jira time in the caller's zone: "2022-06-09T16:29:31.871-0700".
std::string jira_time(const api_call& c, std::int64_t ms);

/// Which fields an issue response carries.
struct field_selection {
  bool all = false; // *all / *navigable
  std::vector<std::string> include;
  std::vector<std::string> exclude;
  bool id_only() const {
    return !all && include.size() == 1 && include[0] == "id";
  }
  bool wants(std::string_view f) const;
};
field_selection parse_fields(const std::vector<std::string>& raw,
                             bool default_all);
/// {expand,id,self,key,fields{...}} for the selection; `objects` counts the
/// extra objects rendered (comments, attachments).
json::object issue_json(api_call& c, const issue& i, const field_selection& f,
                        std::size_t& objects);

} // namespace jirasim
