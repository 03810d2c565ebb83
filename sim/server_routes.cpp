// The one table of REST endpoints: method, path under /rest/api/3, handler,
// burst class (Atlassian's "Rate limiting" guide for Jira Cloud: GET 100/s with
// the overrides GET issue 150, attachment content 300, project role 200; writes
// 100) and the permission the operation requires (the "Permissions
// required" line of each operation in Jira's REST v3 reference).
#include "sim/server_handlers.hpp"
#include "sim/server_http.hpp"

namespace jirasim {

route::route(std::string_view m, std::string_view p, api_fn f, burst_class b,
             access a)
    : method(m), path(p), fn(f), burst(b), needs(a), name(method + " " + path) {
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

std::optional<api_result> forbidden(const route& rt, const api_call& c) {
  bool admin = c.is_admin();
  bool ok = true;
  switch (rt.needs) {
    case access::jira:
      break;
    case access::browse_users:
      ok = has_global_permission(c.ws, c.caller, "USER_PICKER");
      break;
    case access::browse_users_or_admin:
      ok = admin || has_global_permission(c.ws, c.caller, "USER_PICKER");
      break;
    case access::admin:
      ok = admin;
      break;
    case access::project_admin: {
      auto* p = find_project_by_id_or_key(c.ws, c.args.at(0));
      if (!p || !can_browse_project(c.ws, c.caller, *p))
        break; // the handler answers 404
      ok = admin
           || has_project_permission(c.ws, c.caller, *p, "ADMINISTER_PROJECTS");
      break;
    }
  }
  if (ok)
    return std::nullopt;
  return error_result(403, forbidden_message);
}

const std::vector<route>& api_routes() {
  using b = burst_class;
  using a = access;
  static const std::vector<route> table{
    // Identities and site. myself, field: "Permission to access Jira";
    // users/search, group/bulk: "Browse users and groups"; group/member:
    // "Browse users and groups or Administer Jira"; auditing/record,
    // applicationrole: "Administer Jira".
    {"GET", "/myself", myself, b::get_default},
    {"GET", "/users/search", users_search, b::get_default, a::browse_users},
    {"GET", "/field", field_list, b::get_default},
    {"GET", "/group/bulk", group_bulk, b::get_default, a::browse_users},
    {"GET", "/group/member", group_member, b::get_default,
     a::browse_users_or_admin},
    {"GET", "/auditing/record", audit_records, b::get_default, a::admin},
    {"GET", "/applicationrole", application_roles, b::get_default, a::admin},
    // Projects, permissions, roles, issue security. project/search and
    // permissionscheme/{id}: "Permission to access Jira"; a project's
    // permission scheme, issue security scheme and roles: "Administer Jira
    // or Administer projects"; security level members: "Administer Jira".
    {"GET", "/project/search", project_search, b::get_default},
    {"GET", "/project/{}/permissionscheme", project_permission_scheme,
     b::get_default, a::project_admin},
    {"GET", "/permissionscheme/{}", permission_scheme_by_id, b::get_default},
    {"GET", "/project/{}/role", project_roles, b::get_project_role,
     a::project_admin},
    {"GET", "/project/{}/role/{}", project_role, b::get_project_role,
     a::project_admin},
    {"GET", "/project/{}/issuesecuritylevelscheme", project_security_scheme,
     b::get_default, a::project_admin},
    {"GET", "/issuesecurityschemes/level/member", security_level_members,
     b::get_default, a::admin},
    {"GET", "/issuesecurityschemes/{}/members", security_scheme_members,
     b::get_default, a::admin},
    // Search and issues (/search is gone: 410): what the caller may browse.
    {"GET", "/search/jql", search_jql, b::get_default},
    {"POST", "/search/jql", search_jql, b::write},
    {"GET", "/search", search_removed, b::get_default},
    {"POST", "/search", search_removed, b::write},
    {"POST", "/search/approximate-count", approximate_count, b::write},
    {"POST", "/issue/bulkfetch", bulkfetch, b::write},
    {"GET", "/issue/{}", get_issue, b::get_issue},
    {"GET", "/issue/{}/comment", issue_comments, b::get_default},
    // Attachments: those of issues the caller may see.
    {"GET", "/attachment/content/{}", attachment_content,
     b::get_attachment_content},
    {"GET", "/attachment/meta", attachment_meta, b::get_default},
    {"GET", "/attachment/{}", attachment_by_id, b::get_default},
  };
  return table;
}

} // namespace jirasim
