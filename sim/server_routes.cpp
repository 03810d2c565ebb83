// The one table of REST endpoints: method, path under /rest/api/3, handler
// and burst class (docs/jira-cloud-api.md "Rate limits": GET 100/s with the
// overrides GET issue 150, attachment content 300, project role 200; writes
// 100).
#include "sim/server_handlers.hpp"
#include "sim/server_http.hpp"

namespace jirasim {

route::route(std::string_view m, std::string_view p, api_fn f, burst_class b)
    : method(m), path(p), fn(f), burst(b), name(method + " " + path) {
  for (auto s : split_nonempty(path, '/'))
    segments.emplace_back(s);
}

bool route::match(std::string_view m, const std::vector<std::string_view>& segs,
                  std::vector<std::string>& args) const {
  if (m != method || segs.size() != segments.size())
    return false;
  args.clear();
  for (std::size_t i = 0; i < segments.size(); ++i) {
    if (segments[i] == "{}")
      args.emplace_back(segs[i]);
    else if (segments[i] != segs[i])
      return false;
  }
  return true;
}

const std::vector<route>& api_routes() {
  using b = burst_class;
  static const std::vector<route> table{
    // Identities and site.
    {"GET", "/myself", myself, b::get_default},
    {"GET", "/users/search", users_search, b::get_default},
    {"GET", "/field", field_list, b::get_default},
    {"GET", "/group/bulk", group_bulk, b::get_default},
    {"GET", "/group/member", group_member, b::get_default},
    {"GET", "/auditing/record", audit_records, b::get_default},
    // Projects, permissions, roles, issue security.
    {"GET", "/project/search", project_search, b::get_default},
    {"GET", "/project/{}/permissionscheme", project_permission_scheme,
     b::get_default},
    {"GET", "/permissionscheme/{}", permission_scheme_by_id, b::get_default},
    {"GET", "/project/{}/role", project_roles, b::get_project_role},
    {"GET", "/project/{}/role/{}", project_role, b::get_project_role},
    {"GET", "/project/{}/issuesecuritylevelscheme", project_security_scheme,
     b::get_default},
    {"GET", "/issuesecurityschemes/level/member", security_level_members,
     b::get_default},
    {"GET", "/issuesecurityschemes/{}/members", security_scheme_members,
     b::get_default},
    // Search and issues (/search is gone: 410).
    {"GET", "/search/jql", search_jql, b::get_default},
    {"POST", "/search/jql", search_jql, b::write},
    {"GET", "/search", search_removed, b::get_default},
    {"POST", "/search", search_removed, b::write},
    {"POST", "/search/approximate-count", approximate_count, b::write},
    {"POST", "/issue/bulkfetch", bulkfetch, b::write},
    {"GET", "/issue/{}", get_issue, b::get_issue},
    {"GET", "/issue/{}/comment", issue_comments, b::get_default},
    // Attachments.
    {"GET", "/attachment/content/{}", attachment_content,
     b::get_attachment_content},
    {"GET", "/attachment/meta", attachment_meta, b::get_default},
    {"GET", "/attachment/{}", attachment_by_id, b::get_default},
  };
  return table;
}

} // namespace jirasim
