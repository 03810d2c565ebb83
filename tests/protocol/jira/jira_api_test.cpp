#include "protocol/jira/jira_api.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

using namespace jirasync::protocol;

TEST_CASE("api-token target: base URL and Basic header", "[jira][jira_api]") {
  CHECK(base64_encode("") == "");
  CHECK(base64_encode("f") == "Zg==");
  CHECK(base64_encode("fo") == "Zm8=");
  CHECK(base64_encode("foo") == "Zm9v");
  CHECK(base64_encode("bot@acme.com:tok") == "Ym90QGFjbWUuY29tOnRvaw==");
  auto t = make_api_token_target("https://acme.atlassian.net/", "a@b.c", "x");
  CHECK(t.api_base == "https://acme.atlassian.net/rest/api/3");
  CHECK(t.authorization == "Basic " + base64_encode("a@b.c:x"));
}

TEST_CASE("request builders: paths, params, bodies", "[jira][jira_api]") {
  api_target t{"https://h/rest/api/3", "Basic QQ=="};
  auto u = get_users(t, 1000, 1000);
  CHECK(u.http.method == "GET");
  CHECK(u.http.url
        == "https://h/rest/api/3/users/search?startAt=1000&maxResults=1000");
  REQUIRE(!u.http.headers.empty());
  CHECK(u.http.headers.front().first == "Authorization");
  CHECK(u.http.headers.front().second == "Basic QQ==");
  auto m = get_group_members(t, "a b/c", 0, 50);
  CHECK(m.http.url
        == "https://h/rest/api/3/group/member?groupId=a%20b%2Fc"
           "&includeInactiveUsers=true&startAt=0&maxResults=50");
  auto s = search_ids(t, "project = \"A\"", std::string{"tok"}, 5000);
  CHECK(s.http.method == "POST");
  CHECK(s.http.url == "https://h/rest/api/3/search/jql");
  auto body = boost::json::parse(s.http.body).as_object();
  CHECK(body.at("jql").as_string() == "project = \"A\"");
  CHECK(body.at("nextPageToken").as_string() == "tok");
  CHECK(body.at("maxResults").as_int64() == 5000);
  CHECK(body.at("fields").as_array().size() == 1);
  auto b = bulkfetch(t, {"1", "2"}, {"summary"});
  auto bb = boost::json::parse(b.http.body).as_object();
  CHECK(bb.at("issueIdsOrKeys").as_array().size() == 2);
  CHECK(b.cost == 3);
  CHECK(b.cls == endpoint_class::bulkfetch);
  CHECK(get_permission_scheme(t, "10").http.url
        == "https://h/rest/api/3/permissionscheme/10?expand=permissions");
  CHECK(get_attachment_content(t, "7").cls
        == endpoint_class::attachment_content);
}

TEST_CASE("request builders: class and cost from the endpoint table",
          "[jira][jira_api]") {
  api_target t{"https://h/rest/api/3", "Basic QQ=="};
  using ec = endpoint_class;
  struct row {
    api_request r;
    ec cls;
    std::int64_t cost;
  };
  for (const auto& [r, cls, cost] : {
         row{get_myself(t), ec::myself, 3},
         row{get_fields(t), ec::fields, 2},
         row{get_users(t, 0, 100), ec::users_search, 201},
         row{get_groups(t, 0, 50), ec::group_bulk, 101},
         row{get_group_members(t, "g", 0, 50), ec::group_member, 101},
         row{get_application_roles(t), ec::application_roles, 3},
         row{get_projects(t, 0, 50), ec::project_search, 51},
         row{get_project_roles(t, "P"), ec::project_roles, 3},
         row{get_project_role(t, "P", "10002"), ec::project_role, 3},
         row{get_project_permission_scheme(t, "P"), ec::permission_scheme, 3},
         row{get_permission_scheme(t, "1"), ec::permission_scheme, 3},
         row{get_project_security_scheme(t, "P"), ec::security_levels, 3},
         row{get_security_level_members(t, "1", "2", 0, 50),
             ec::security_members, 101},
         row{search_ids(t, "x", std::nullopt, 500), ec::search_jql, 501},
         row{approximate_count(t, "x"), ec::approximate_count, 1},
         row{bulkfetch(t, {"1", "2", "3"}, {}), ec::bulkfetch, 4},
         // Comments: their own 100/s bucket (they used to go to the issue
         // bucket at 150/s while costed at 100/s), 1 point per comment.
         row{get_comments(t, "10001", 0, 100), ec::comments, 101},
         row{get_attachment_content(t, "7"), ec::attachment_content, 2},
       }) {
    INFO(r.label);
    CHECK(r.cls == cls);
    CHECK(r.cost == cost);
    // The table's classifier agrees with the builder.
    CHECK(classify_path(r.http.method, r.http.url) == cls);
    CHECK(r.http.method == info(cls).method);
  }
}
