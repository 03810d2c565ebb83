#include "protocol/jira/jira_api.hpp"

#include <boost/json.hpp>

namespace jirasync::protocol {

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

api_request make(const api_target& t, std::string method, std::string path,
                 std::string bucket, std::int64_t cost, std::string label) {
  api_request r;
  r.http.method = std::move(method);
  r.http.url = t.api_base + path;
  r.http.headers.emplace_back("Authorization", t.authorization);
  r.http.headers.emplace_back("Accept", "application/json");
  r.bucket = std::move(bucket);
  r.cost = cost;
  r.label = std::move(label);
  return r;
}

api_request make_post(const api_target& t, std::string path,
                      const boost::json::value& body, std::string bucket,
                      std::int64_t cost, std::string label) {
  auto r = make(t, "POST", std::move(path), std::move(bucket), cost,
                std::move(label));
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
  return make(t, "GET", "/myself", "get", 3, "myself");
}

api_request get_fields(const api_target& t) {
  return make(t, "GET", "/field", "get", 1, "fields");
}

api_request get_users(const api_target& t, std::int64_t s, std::int64_t m) {
  return make(t, "GET", "/users/search?" + page_params(s, m), "get", 1 + 2 * m,
              "users");
}

api_request get_groups(const api_target& t, std::int64_t s, std::int64_t m) {
  return make(t, "GET", "/group/bulk?" + page_params(s, m), "get", 1 + 2 * m,
              "groups");
}

api_request get_group_members(const api_target& t, std::string_view group_id,
                              std::int64_t s, std::int64_t m) {
  return make(t, "GET",
              "/group/member?groupId=" + url_encode(group_id)
                + "&includeInactiveUsers=true&" + page_params(s, m),
              "get", 1 + 2 * m, "group members " + std::string{group_id});
}

api_request get_application_roles(const api_target& t) {
  return make(t, "GET", "/applicationrole", "get", 3, "application roles");
}

api_request get_projects(const api_target& t, std::int64_t s, std::int64_t m) {
  return make(t, "GET", "/project/search?expand=lead&" + page_params(s, m),
              "get", 1 + m, "projects");
}

api_request get_project_roles(const api_target& t, std::string_view key) {
  return make(t, "GET", "/project/" + url_encode(key) + "/role", "project_role",
              3, "roles of " + std::string{key});
}

api_request get_project_role(const api_target& t, std::string_view key,
                             std::string_view role_id) {
  return make(t, "GET",
              "/project/" + url_encode(key) + "/role/" + url_encode(role_id),
              "project_role", 3,
              "role " + std::string{role_id} + " of " + std::string{key});
}

api_request get_project_permission_scheme(const api_target& t,
                                          std::string_view key) {
  return make(t, "GET", "/project/" + url_encode(key) + "/permissionscheme",
              "get", 3, "permission scheme of " + std::string{key});
}

api_request get_permission_scheme(const api_target& t,
                                  std::string_view scheme_id) {
  return make(t, "GET",
              "/permissionscheme/" + url_encode(scheme_id)
                + "?expand=permissions",
              "get", 3, "permission scheme " + std::string{scheme_id});
}

api_request get_project_security_scheme(const api_target& t,
                                        std::string_view key) {
  return make(t, "GET",
              "/project/" + url_encode(key) + "/issuesecuritylevelscheme",
              "get", 3, "security scheme of " + std::string{key});
}

api_request get_security_level_members(const api_target& t,
                                       std::string_view scheme_id,
                                       std::string_view level_id,
                                       std::int64_t s, std::int64_t m) {
  return make(t, "GET",
              "/issuesecurityschemes/level/member?schemeId="
                + url_encode(scheme_id) + "&levelId=" + url_encode(level_id)
                + "&" + page_params(s, m),
              "get", 3, "security level " + std::string{level_id});
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
  return make_post(t, "/search/jql", body, "post_search", 1 + max_results / 100,
                   "search ids");
}

api_request approximate_count(const api_target& t, std::string_view jql) {
  boost::json::object body;
  body["jql"] = jql;
  return make_post(t, "/search/approximate-count", body, "post_search", 1,
                   "approximate count");
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
  return make_post(t, "/issue/bulkfetch", body, "post_bulkfetch",
                   1 + static_cast<std::int64_t>(ids.size()), "bulkfetch");
}

api_request get_comments(const api_target& t, std::string_view issue_id,
                         std::int64_t s, std::int64_t m) {
  return make(t, "GET",
              "/issue/" + url_encode(issue_id) + "/comment?orderBy=created&"
                + page_params(s, m),
              "get_issue", 2, "comments of issue " + std::string{issue_id});
}

api_request get_attachment_content(const api_target& t,
                                   std::string_view attachment_id) {
  auto r
    = make(t, "GET", "/attachment/content/" + url_encode(attachment_id),
           "attachment_content", 2, "attachment " + std::string{attachment_id});
  r.http.headers.pop_back(); // Accept: application/json does not fit bytes
  r.http.headers.emplace_back("Accept", "*/*");
  return r;
}

} // namespace jirasync::protocol
