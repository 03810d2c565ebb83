// Authentication, permission filtering (a restricted user sees fewer
// issues, restricted comments are omitted), attachments (303 + media,
// redirect=false, Range, 403/404).
#include "server_fixture.hpp"

#include "sim/truth.hpp"

#include <catch2/catch.hpp>

using namespace simtest;
using namespace jirasim;

namespace {

/// An active human user (not the API user) who sees fewer issues.
struct restricted {
  std::string account_id, basic;
  std::size_t visible = 0;
};

restricted pick_restricted(sim_fixture& f, std::size_t admin_visible) {
  auto users = f.control("GET", "/_sim/users").as_array();
  restricted best;
  for (auto& u : users) {
    auto& o = u.as_object();
    if (o.at("api_user").as_bool() || !o.at("active").as_bool()
        || o.at("account_type").as_string() != "atlassian")
      continue;
    auto id = std::string(o.at("account_id").as_string());
    auto vis = f.control("GET", "/_sim/visible?account_id=" + id);
    auto n = vis.at("issues").as_array().size();
    if (n > 0 && n < admin_visible
        && (best.account_id.empty() || n < best.visible)) {
      best.account_id = id;
      best.visible = n;
    }
  }
  auto cred
    = f.control("GET", "/_sim/credentials?account_id=" + best.account_id);
  best.basic = basic_auth(std::string(cred.at("email").as_string()),
                          std::string(cred.at("api_token").as_string()));
  return best;
}

std::size_t count_all(sim_fixture& f, const std::string& basic) {
  auto r = f.get_as("/rest/api/3/search/jql?jql=id%20%3E%200&maxResults=5000",
                    basic);
  REQUIRE(r.status == 200);
  return simtest::parse(r.body).at("issues").as_array().size();
}

} // namespace

TEST_CASE("wrong credentials get Jira's 401", "[sim]") {
  sim_fixture f;
  auto r = f.get_as("/rest/api/3/myself", basic_auth(f.email, "wrong-token"));
  CHECK(r.status == 401);
  CHECK(r.body == "Client must be authenticated to access this resource.");
  CHECK(f.client->get("/rest/api/3/myself").status == 401);
  CHECK(f.get("/rest/api/3/myself").status == 200);
}

TEST_CASE("a restricted user sees only what Jira would show them", "[sim]") {
  sim_fixture f;
  auto admin_n = count_all(f, f.auth);
  auto user = pick_restricted(f, admin_n);
  REQUIRE_FALSE(user.account_id.empty());
  auto n = count_all(f, user.basic);
  CHECK(n == user.visible);
  CHECK(n < admin_n);
  // An issue the admin sees but the user does not: 404 for the user.
  auto all
    = f.get_json("/rest/api/3/search/jql?jql=id%20%3E%200&maxResults=5000");
  auto mine = f.get_as(
    "/rest/api/3/search/jql?jql=id%20%3E%200&maxResults=5000", user.basic);
  std::set<std::string> seen;
  auto mine_v = simtest::parse(mine.body);
  for (auto& i : mine_v.at("issues").as_array())
    seen.insert(std::string(i.at("id").as_string()));
  std::string hidden;
  for (auto& i : all.at("issues").as_array())
    if (!seen.count(std::string(i.at("id").as_string())))
      hidden = i.at("id").as_string();
  REQUIRE_FALSE(hidden.empty());
  auto r = f.get_as("/rest/api/3/issue/" + hidden, user.basic);
  CHECK(r.status == 404);
  CHECK(f.get("/rest/api/3/issue/" + hidden).status == 200);
  // Audit log is admin-only.
  CHECK(f.get_as("/rest/api/3/auditing/record", user.basic).status == 403);
}

TEST_CASE("restricted comments are omitted for outsiders", "[sim]") {
  sim_fixture f;
  // Restrict a new comment to a group the restricted user is not in.
  auto admin_n = count_all(f, f.auth);
  auto user = pick_restricted(f, admin_n);
  auto mine = simtest::parse(
    f.get_as("/rest/api/3/search/jql?jql=id%20%3E%200&maxResults=1", user.basic)
      .body);
  REQUIRE(mine.at("issues").as_array().size() == 1);
  auto id = std::string(mine.at("issues").as_array()[0].at("id").as_string());
  auto users = f.control("GET", "/_sim/users").as_array();
  std::set<std::string> user_groups;
  std::vector<std::string> all_groups;
  for (auto& u : users) {
    for (auto& g : u.at("groups").as_array()) {
      all_groups.emplace_back(g.as_string());
      if (u.at("account_id").as_string() == user.account_id)
        user_groups.insert(std::string(g.as_string()));
    }
  }
  std::string outsider_group;
  for (auto& g : all_groups)
    if (!user_groups.count(g))
      outsider_group = g;
  REQUIRE_FALSE(outsider_group.empty());
  auto before_user = simtest::parse(
    f.get_as("/rest/api/3/issue/" + id + "/comment", user.basic).body);
  auto before_admin = f.get_json("/rest/api/3/issue/" + id + "/comment");
  auto m = f.control("POST", "/_sim/mutate",
                     R"({"op":"add_comment","issue":")" + id
                       + R"(","visibility":{"type":"group","value":")"
                       + outsider_group + R"("}})");
  REQUIRE(m.at("ok").as_bool());
  auto after_user = simtest::parse(
    f.get_as("/rest/api/3/issue/" + id + "/comment", user.basic).body);
  auto after_admin = f.get_json("/rest/api/3/issue/" + id + "/comment");
  CHECK(after_user.at("total").as_int64()
        == before_user.at("total").as_int64());
  bool admin_in_group = false;
  for (auto& u : users)
    if (u.at("api_user").as_bool())
      for (auto& g : u.at("groups").as_array())
        admin_in_group |= g.as_string() == outsider_group;
  CHECK(after_admin.at("total").as_int64()
        == before_admin.at("total").as_int64() + (admin_in_group ? 1 : 0));
  if (admin_in_group) {
    auto& last = after_admin.at("comments").as_array().back();
    CHECK(last.at("visibility").at("type").as_string() == "group");
    CHECK(last.at("visibility").at("value").as_string() == outsider_group);
  }
}

TEST_CASE("a project granting Browse to the reporter is listed - its issues "
          "stay per issue",
          "[sim]") {
  sim_fixture f;
  // The first project gets a scheme of its own granting Browse projects to
  // the reporter only; the API user reports exactly one of its issues.
  std::string key, mine, other;
  f.app->write([&](workspace& ws) {
    ws.permission_schemes.push_back(
      {99001,
       "Reporter only",
       "",
       {{1, "BROWSE_PROJECTS", holder{"reporter", "", ""}}}});
    auto& p = ws.projects.front();
    p.permission_scheme_id = 99001;
    key = p.key;
    user_ix someone = ws.api_user == 1 ? 2 : 1;
    for (auto& i : ws.issues) {
      if (i.project_id != p.id)
        continue;
      i.security_level_id = 0;
      if (mine.empty()) {
        i.reporter = ws.api_user;
        mine = std::to_string(i.id);
      } else {
        if (i.reporter == ws.api_user)
          i.reporter = someone;
        if (other.empty())
          other = std::to_string(i.id);
      }
    }
    ++ws.acl_epoch;
  });
  REQUIRE_FALSE(other.empty());
  // Listed by project/search (Jira: a reporter grant makes the project
  // visible to all users).
  auto projects = f.get_json("/rest/api/3/project/search?maxResults=100");
  std::set<std::string> keys;
  for (auto& p : projects.at("values").as_array())
    keys.insert(std::string(p.at("key").as_string()));
  CHECK(keys.count(key) == 1);
  CHECK(f.get("/rest/api/3/project/" + key + "/permissionscheme").status
        == 200);
  // JQL names it and returns only the API user's own issue.
  auto page = f.get_json("/rest/api/3/search/jql?jql=project%20%3D%20" + key
                         + "&maxResults=5000");
  auto& issues = page.at("issues").as_array();
  REQUIRE(issues.size() == 1);
  CHECK(issues[0].at("id").as_string() == mine);
  CHECK(f.get("/rest/api/3/issue/" + mine).status == 200);
  CHECK(f.get("/rest/api/3/issue/" + other).status == 404);
  // The control API agrees.
  auto vis = f.control(
    "GET", "/_sim/visible?account_id="
             + std::string(
               f.get_json("/rest/api/3/myself").at("accountId").as_string()));
  bool listed = false;
  for (auto& k : vis.at("projects").as_array())
    listed = listed || k.as_string() == key;
  CHECK(listed);
}

TEST_CASE("comments page and embedded page", "[sim]") {
  sim_fixture f;
  // The heavy-comment issues have 45 comments: 20 embedded.
  std::string heavy;
  auto all = f.get_json(
    "/rest/api/3/search/jql?jql=id%20%3E%200&maxResults=100&fields=comment");
  std::string token;
  for (;;) {
    for (auto& i : all.at("issues").as_array())
      if (i.at("fields").at("comment").at("total").as_int64() > 20)
        heavy = i.at("id").as_string();
    if (!heavy.empty() || all.at("isLast").as_bool())
      break;
    all = f.get_json(
      "/rest/api/3/search/"
      "jql?jql=id%20%3E%200&maxResults=100&fields=comment&nextPageToken="
      + std::string(all.at("nextPageToken").as_string()));
  }
  REQUIRE_FALSE(heavy.empty());
  auto issue = f.get_json("/rest/api/3/issue/" + heavy + "?fields=comment");
  auto& emb = issue.at("fields").at("comment");
  CHECK(emb.at("comments").as_array().size() == 20);
  CHECK(emb.at("maxResults").as_int64() == 20);
  auto total = emb.at("total").as_int64();
  CHECK(total > 20);
  auto p1 = f.get_json("/rest/api/3/issue/" + heavy + "/comment?maxResults=30");
  CHECK(p1.at("total").as_int64() == total);
  CHECK(p1.at("comments").as_array().size() == 30);
  auto p2 = f.get_json("/rest/api/3/issue/" + heavy
                       + "/comment?startAt=30&maxResults=30");
  CHECK(static_cast<std::int64_t>(p2.at("comments").as_array().size())
        == total - 30);
  auto rev = f.get_json("/rest/api/3/issue/" + heavy
                        + "/comment?orderBy=-created&maxResults=1");
  CHECK(rev.at("comments").as_array()[0].at("id")
        == p2.at("comments").as_array().back().at("id"));
}

TEST_CASE("attachment content: 303 to a signed media URL, bytes, Range",
          "[sim]") {
  sim_fixture f;
  // Find an attachment through the API.
  json::value att;
  auto page = f.get_json(
    "/rest/api/3/search/jql?jql=id%20%3E%200&maxResults=100&fields=attachment");
  for (auto& i : page.at("issues").as_array())
    for (auto& a : i.at("fields").at("attachment").as_array())
      if (att.is_null() && a.at("size").as_int64() > 100)
        att = a;
  REQUIRE(att.is_object());
  auto id = std::to_string(att.at("id").as_int64());
  auto size = att.at("size").as_int64();
  auto r = f.get("/rest/api/3/attachment/content/" + id);
  REQUIRE(r.status == 303);
  auto loc = std::string(*r.header("Location"));
  CHECK(loc.find("token=") != std::string::npos);
  auto path = loc.substr(loc.find("/_media/"));
  // The media URL needs no Authorization.
  auto media = f.client->get(path);
  REQUIRE(media.status == 200);
  CHECK(static_cast<std::int64_t>(media.body.size()) == size);
  auto direct
    = f.get("/rest/api/3/attachment/content/" + id + "?redirect=false");
  REQUIRE(direct.status == 200);
  CHECK(direct.body == media.body);
  auto part
    = f.client->get("/rest/api/3/attachment/content/" + id + "?redirect=false",
                    {{"Authorization", f.auth}, {"Range", "bytes=10-19"}});
  CHECK(part.status == 206);
  CHECK(part.body == media.body.substr(10, 10));
  CHECK(
    part.header("Content-Range")
    == std::optional<std::string_view>("bytes 10-19/" + std::to_string(size)));
  // A tampered or expired token is refused.
  auto tampered = path;
  tampered[tampered.find("token=") + 6] ^= 1;
  CHECK(f.client->get(tampered).status == 401);
  f.control("POST", "/_sim/clock", R"({"advance_ms":601000})");
  CHECK(f.client->get(path).status == 401);
  CHECK(f.get("/rest/api/3/attachment/content/99999999").status == 404);
}
