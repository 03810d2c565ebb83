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
  CHECK(b.bucket == "post_bulkfetch");
  CHECK(get_permission_scheme(t, "10").http.url
        == "https://h/rest/api/3/permissionscheme/10?expand=permissions");
  CHECK(get_attachment_content(t, "7").bucket == "attachment_content");
}
