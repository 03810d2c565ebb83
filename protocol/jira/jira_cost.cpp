#include "protocol/jira/jira_cost.hpp"

#include "common/ascii.hpp"

#include <algorithm>
#include <array>
#include <string>
#include <vector>

namespace jirasync::protocol {

namespace {

using ec = endpoint_class;

// One row per endpoint_class, in enum order (checked below).
constexpr std::array<endpoint_info, endpoint_class_count> table = {{
  {ec::users_search, "users_search", "GET", 100, 2, true},
  {ec::group_bulk, "group_bulk", "GET", 100, 2, true},
  {ec::group_member, "group_member", "GET", 100, 2, true},
  {ec::application_roles, "application_roles", "GET", 100, 2, true},
  {ec::project_search, "project_search", "GET", 100, 1, true},
  {ec::permission_scheme, "permission_scheme", "GET", 100, 2, true},
  {ec::project_roles, "project_roles", "GET", 100, 2, true},
  {ec::project_role, "project_role", "GET", 200, 2, true},
  {ec::security_levels, "security_levels", "GET", 100, 2, true},
  {ec::security_members, "security_members", "GET", 100, 2, true},
  {ec::myself, "myself", "GET", 100, 2, true},
  {ec::fields, "fields", "GET", 100, 1, true},
  {ec::search_jql, "search_jql", "POST", 100, 1, true},
  {ec::approximate_count, "approximate_count", "POST", 100, 0, true},
  {ec::bulkfetch, "bulkfetch", "POST", 100, 1, true},
  {ec::issue_get, "issue_get", "GET", 150, 1, true},
  {ec::comments, "comments", "GET", 100, 1, true},
  {ec::attachment_content, "attachment_content", "GET", 300, 1, true},
  {ec::attachment_meta, "attachment_meta", "GET", 100, 1, true},
  {ec::audit_records, "audit_records", "GET", 100, 1, true},
  {ec::oauth_token, "oauth_token", "POST", 10, 0, false},
  {ec::accessible_resources, "accessible_resources", "GET", 10, 0, false},
  {ec::media_download, "media_download", "GET", 0, 0, false},
  {ec::unknown, "unknown", "GET", 100, 2, true},
}};

constexpr bool table_in_order() {
  for (int i = 0; i < endpoint_class_count; ++i)
    if (static_cast<int>(table[i].cls) != i)
      return false;
  return true;
}
static_assert(table_in_order(), "endpoint table must follow the enum order");

std::vector<std::string_view> segments(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/')
      ++i;
    std::size_t start = i;
    while (i < path.size() && path[i] != '/')
      ++i;
    if (i > start)
      out.push_back(path.substr(start, i - start));
  }
  return out;
}

// Classifies the segments after /rest/api/{2,3}/.
endpoint_class classify_api(const std::vector<std::string_view>& s, bool get,
                            bool post) {
  auto n = s.size();
  auto is = [&](std::size_t i, std::string_view v) {
    return i < n && s[i] == v;
  };
  if (n == 0)
    return ec::unknown;
  if (n == 2 && is(0, "users") && is(1, "search") && get)
    return ec::users_search;
  if (n == 2 && is(0, "group") && is(1, "bulk") && get)
    return ec::group_bulk;
  if (n == 2 && is(0, "group") && is(1, "member") && get)
    return ec::group_member;
  if (n == 1 && is(0, "applicationrole") && get)
    return ec::application_roles;
  if (n == 2 && is(0, "project") && is(1, "search") && get)
    return ec::project_search;
  if (is(0, "project") && n >= 3 && get) {
    if (n == 3 && is(2, "permissionscheme"))
      return ec::permission_scheme;
    if (n == 3 && is(2, "role"))
      return ec::project_roles;
    if (n == 4 && is(2, "role"))
      return ec::project_role;
    if (n == 3 && (is(2, "issuesecuritylevelscheme") || is(2, "securitylevel")))
      return ec::security_levels;
    return ec::unknown;
  }
  if (is(0, "permissionscheme") && n <= 2 && get)
    return ec::permission_scheme;
  if (n == 1 && is(0, "role") && get)
    return ec::project_roles;
  if (is(0, "issuesecurityschemes") && get) {
    if ((n == 3 && is(2, "members"))
        || (n == 3 && is(1, "level") && is(2, "member")))
      return ec::security_members;
    if (n <= 2)
      return ec::security_levels;
    return ec::unknown;
  }
  if (n == 1 && is(0, "myself") && get)
    return ec::myself;
  if (n == 1 && is(0, "field") && get)
    return ec::fields;
  if (n == 2 && is(0, "search") && is(1, "jql") && (get || post))
    return ec::search_jql;
  if (n == 2 && is(0, "search") && is(1, "approximate-count") && post)
    return ec::approximate_count;
  if (is(0, "issue")) {
    if (n == 2 && is(1, "bulkfetch"))
      return post ? ec::bulkfetch : ec::unknown;
    if (n == 2 && get)
      return ec::issue_get;
    if (n == 3 && is(2, "comment") && get)
      return ec::comments;
    return ec::unknown;
  }
  if (is(0, "attachment") && get) {
    if (n == 3 && is(1, "content"))
      return ec::attachment_content;
    if (n == 2)
      return ec::attachment_meta; // /attachment/meta and /attachment/{id}
    return ec::unknown;
  }
  if (n == 2 && is(0, "auditing") && is(1, "record") && get)
    return ec::audit_records;
  return ec::unknown;
}

} // namespace

const endpoint_info& info(endpoint_class cls) {
  auto i = static_cast<int>(cls);
  if (i < 0 || i >= endpoint_class_count)
    return table[static_cast<int>(ec::unknown)];
  return table[i];
}

std::string_view to_string(endpoint_class cls) {
  return info(cls).name;
}

endpoint_class endpoint_class_from_name(std::string_view name) {
  for (const auto& e : table)
    if (e.name == name)
      return e.cls;
  return ec::unknown;
}

bool has_burst_bucket(endpoint_class cls) {
  return info(cls).burst_per_sec > 0;
}

std::int64_t points_cost(endpoint_class cls, std::int64_t objects_returned) {
  const auto& e = info(cls);
  if (!e.counts_points)
    return 0;
  // Clamped so that absurd counts cannot overflow.
  objects_returned
    = std::clamp<std::int64_t>(objects_returned, 0, 1'000'000'000'000);
  return 1 + e.object_weight * objects_returned;
}

std::int64_t estimated_points(endpoint_class cls,
                              std::int64_t expected_objects) {
  return points_cost(cls, expected_objects);
}

endpoint_class classify_path(std::string_view method, std::string_view path) {
  bool get = common::ascii_iequals(method, "GET");
  bool post = common::ascii_iequals(method, "POST");
  // Full URL -> path.
  if (auto scheme = path.find("://"); scheme != std::string_view::npos) {
    auto slash = path.find('/', scheme + 3);
    path = slash == std::string_view::npos ? std::string_view{}
                                           : path.substr(slash);
  }
  if (auto q = path.find_first_of("?#"); q != std::string_view::npos)
    path = path.substr(0, q);
  auto s = segments(path);
  // OAuth: /oauth/token and /oauth/token/accessible-resources.
  if (s.size() >= 2 && s[0] == "oauth" && s[1] == "token") {
    if (s.size() == 2 && post)
      return ec::oauth_token;
    if (s.size() == 3 && s[2] == "accessible-resources" && get)
      return ec::accessible_resources;
    return ec::unknown;
  }
  // Skip everything up to .../rest/api/{2,3}/ (site base or
  // /ex/jira/{cloudId}/ gateway prefix).
  for (std::size_t i = 0; i + 2 < s.size(); ++i) {
    if (s[i] == "rest" && s[i + 1] == "api"
        && (s[i + 2] == "2" || s[i + 2] == "3")) {
      std::vector<std::string_view> rest(s.begin() + i + 3, s.end());
      return classify_api(rest, get, post);
    }
  }
  return ec::unknown;
}

} // namespace jirasync::protocol
