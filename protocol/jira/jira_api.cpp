#include "protocol/jira/jira_api.hpp"

#include <boost/json.hpp>

namespace jirasync::protocol {

using ec = endpoint_class;

/// Unpaged answers holding one object (a scheme, a role, the caller).
constexpr std::int64_t one_object = 1;

std::string base64_encode(std::string_view in) {
  static constexpr char tbl[]
    = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    auto n = (static_cast<unsigned char>(in[i]) << 16)
             | (static_cast<unsigned char>(in[i + 1]) << 8)
             | static_cast<unsigned char>(in[i + 2]);
    out += tbl[(n >> 18) & 63];
    out += tbl[(n >> 12) & 63];
    out += tbl[(n >> 6) & 63];
    out += tbl[n & 63];
  }
  if (i + 1 == in.size()) {
    auto n = static_cast<unsigned char>(in[i]) << 16;
    out += tbl[(n >> 18) & 63];
    out += tbl[(n >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    auto n = (static_cast<unsigned char>(in[i]) << 16)
             | (static_cast<unsigned char>(in[i + 1]) << 8);
    out += tbl[(n >> 18) & 63];
    out += tbl[(n >> 12) & 63];
    out += tbl[(n >> 6) & 63];
    out += '=';
  }
  return out;
}

std::string url_encode(std::string_view v) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : v) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_'
        || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

api_target make_api_token_target(std::string_view site, std::string_view email,
                                 std::string_view api_token) {
  std::string base{site};
  while (!base.empty() && base.back() == '/')
    base.pop_back();
  std::string cred{email};
  cred += ':';
  cred += api_token;
  return api_target{base + "/rest/api/3", "Basic " + base64_encode(cred)};
}

namespace {

// Every request takes its class, method and cost from the
// endpoint table: `objects` is how many objects the answer can hold (the
// page size), or our guess for unpaged answers (the governor learns the
// real ratio from the quota headers).
api_request make(const api_target& t, endpoint_class cls, std::string path,
                 std::int64_t objects, std::string label) {
  const auto& e = info(cls);
  api_request r;
  r.http.method = std::string{e.method};
  r.http.url = t.api_base + path;
  r.http.headers.emplace_back("Authorization", t.authorization);
  r.http.headers.emplace_back("Accept", "application/json");
  r.cls = cls;
  r.cost = estimated_points(cls, objects);
  r.label = std::move(label);
  return r;
}

api_request make_post(const api_target& t, endpoint_class cls, std::string path,
                      const boost::json::value& body, std::int64_t objects,
                      std::string label) {
  auto r = make(t, cls, std::move(path), objects, std::move(label));
  r.http.headers.emplace_back("Content-Type", "application/json");
  r.http.body = boost::json::serialize(body);
  return r;
}

std::string page_params(std::int64_t start_at, std::int64_t max_results) {
  return "startAt=" + std::to_string(start_at)
         + "&maxResults=" + std::to_string(max_results);
}

} // namespace

std::vector<std::string> issue_fields_needed() {
  return {"summary",   "description", "status",   "priority", "labels",
          "issuetype", "project",     "parent",   "reporter", "assignee",
          "created",   "updated",     "security", "comment",  "attachment"};
}

api_request get_myself(const api_target& t) {
  return make(t, ec::myself, "/myself", one_object, "myself");
}

api_request get_fields(const api_target& t) {
  return make(t, ec::fields, "/field", one_object, "fields");
}

api_request get_users(const api_target& t, std::int64_t s, std::int64_t m) {
  return make(t, ec::users_search, "/users/search?" + page_params(s, m), m,
              "users");
}

api_request get_groups(const api_target& t, std::int64_t s, std::int64_t m) {
  return make(t, ec::group_bulk, "/group/bulk?" + page_params(s, m), m,
              "groups");
}

api_request get_group_members(const api_target& t, std::string_view group_id,
                              std::int64_t s, std::int64_t m) {
  return make(t, ec::group_member,
              "/group/member?groupId=" + url_encode(group_id)
                + "&includeInactiveUsers=true&" + page_params(s, m),
              m, "group members " + std::string{group_id});
}

api_request get_application_roles(const api_target& t) {
  return make(t, ec::application_roles, "/applicationrole", one_object,
              "application roles");
}

api_request get_projects(const api_target& t, std::int64_t s, std::int64_t m) {
  return make(t, ec::project_search,
              "/project/search?expand=lead&" + page_params(s, m), m,
              "projects");
}

api_request get_project_roles(const api_target& t, std::string_view key) {
  return make(t, ec::project_roles, "/project/" + url_encode(key) + "/role",
              one_object, "roles of " + std::string{key});
}

api_request get_project_role(const api_target& t, std::string_view key,
                             std::string_view role_id) {
  return make(t, ec::project_role,
              "/project/" + url_encode(key) + "/role/" + url_encode(role_id),
              one_object,
              "role " + std::string{role_id} + " of " + std::string{key});
}

api_request get_project_permission_scheme(const api_target& t,
                                          std::string_view key) {
  return make(t, ec::permission_scheme,
              "/project/" + url_encode(key) + "/permissionscheme", one_object,
              "permission scheme of " + std::string{key});
}

api_request get_permission_scheme(const api_target& t,
                                  std::string_view scheme_id) {
  return make(t, ec::permission_scheme,
              "/permissionscheme/" + url_encode(scheme_id)
                + "?expand=permissions",
              one_object, "permission scheme " + std::string{scheme_id});
}

api_request get_project_security_scheme(const api_target& t,
                                        std::string_view key) {
  return make(t, ec::security_levels,
              "/project/" + url_encode(key) + "/issuesecuritylevelscheme",
              one_object, "security scheme of " + std::string{key});
}

api_request get_security_level_members(const api_target& t,
                                       std::string_view scheme_id,
                                       std::string_view level_id,
                                       std::int64_t s, std::int64_t m) {
  return make(t, ec::security_members,
              "/issuesecurityschemes/level/member?schemeId="
                + url_encode(scheme_id) + "&levelId=" + url_encode(level_id)
                + "&" + page_params(s, m),
              m, "security level " + std::string{level_id});
}

api_request search_ids(const api_target& t, std::string_view jql,
                       const std::optional<std::string>& token,
                       std::int64_t max_results) {
  boost::json::object body;
  body["jql"] = jql;
  body["fields"] = boost::json::array{"id"};
  body["maxResults"] = max_results;
  if (token)
    body["nextPageToken"] = *token;
  return make_post(t, ec::search_jql, "/search/jql", body, max_results,
                   "search ids");
}

api_request search_issues(const api_target& t, std::string_view jql,
                          const std::optional<std::string>& token,
                          std::int64_t max_results,
                          const std::vector<std::string>& fields) {
  boost::json::object body;
  body["jql"] = jql;
  boost::json::array f;
  for (const auto& x : fields)
    f.emplace_back(x);
  body["fields"] = std::move(f);
  body["maxResults"] = max_results;
  if (token)
    body["nextPageToken"] = *token;
  return make_post(t, ec::search_jql, "/search/jql", body, max_results,
                   "search issues");
}

api_request approximate_count(const api_target& t, std::string_view jql) {
  boost::json::object body;
  body["jql"] = jql;
  return make_post(t, ec::approximate_count, "/search/approximate-count", body,
                   0, "approximate count");
}

api_request bulkfetch(const api_target& t, const std::vector<std::string>& ids,
                      const std::vector<std::string>& fields) {
  boost::json::object body;
  boost::json::array a;
  for (const auto& id : ids)
    a.emplace_back(id);
  body["issueIdsOrKeys"] = std::move(a);
  boost::json::array f;
  for (const auto& x : fields)
    f.emplace_back(x);
  body["fields"] = std::move(f);
  return make_post(t, ec::bulkfetch, "/issue/bulkfetch", body,
                   static_cast<std::int64_t>(ids.size()), "bulkfetch");
}

api_request get_comments(const api_target& t, std::string_view issue_id,
                         std::int64_t s, std::int64_t m) {
  return make(t, ec::comments,
              "/issue/" + url_encode(issue_id) + "/comment?orderBy=created&"
                + page_params(s, m),
              m, "comments of issue " + std::string{issue_id});
}

api_request get_attachment_content(const api_target& t,
                                   std::string_view attachment_id) {
  auto r = make(t, ec::attachment_content,
                "/attachment/content/" + url_encode(attachment_id), one_object,
                "attachment " + std::string{attachment_id});
  r.http.headers.pop_back(); // Accept: application/json does not fit bytes
  r.http.headers.emplace_back("Accept", "*/*");
  return r;
}

} // namespace jirasync::protocol
