// An API user without "Administer Jira" (--no-admin): 403 exactly where
// Jira's REST v3 reference requires Administer Jira (or Administer projects
// for a project's configuration), while content and identities stay
// readable; "Browse users and groups" kept to admins; /applicationrole;
// hidden-email users in the workspace and the ground truth.
#include "server_fixture.hpp"

#include "sim/server_handlers.hpp"
#include "sim/truth.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <set>
#include <sstream>

using namespace simtest;
using namespace jirasim;

namespace {

sim_options no_admin_options() {
  auto o = small_options();
  o.workspace.api_user_admin = false;
  return o;
}

/// The 403 of a missing permission: Jira's error body shape, one message.
void check_forbidden(const client_response& r) {
  CHECK(r.status == 403);
  auto body = simtest::parse(r.body).as_object();
  REQUIRE(body.at("errorMessages").as_array().size() == 1);
  CHECK(body.at("errorMessages").as_array()[0].as_string()
        == forbidden_message);
  CHECK(body.at("errors").as_object().empty());
}

struct sample {
  std::string issue_key, comment_issue, project_key, role_id;
  std::int64_t attachment_id = 0;
  /// A project the API user may browse but not administer, and one it may
  /// browse, with a permission scheme granting ADMINISTER_PROJECTS to the
  /// Administrators role it is not an actor of.
  std::string plain_project;
};

sample pick(sim_fixture& f) {
  sample s;
  f.app->read([&](const workspace& ws) {
    auto u = ws.api_user;
    for (auto& i : ws.issues) {
      if (!can_see_issue(ws, u, i))
        continue;
      if (s.issue_key.empty())
        s.issue_key = i.key;
      if (s.attachment_id == 0 && !i.attachments.empty())
        s.attachment_id = i.attachments.front().id;
      if (s.comment_issue.empty() && !i.comments.empty())
        s.comment_issue = i.key;
    }
    for (auto& p : ws.projects)
      if (can_browse_project(ws, u, p)
          && !has_project_permission(ws, u, p, "ADMINISTER_PROJECTS")
          && p.permission_scheme_id == 10000) {
        s.plain_project = p.key;
        break;
      }
    s.role_id = std::to_string(ws.roles.front().id);
  });
  return s;
}

} // namespace

TEST_CASE(
  "jira-sim --no-admin: the API user is in no admin group, the truth is whole",
  "[sim][admin]") {
  auto ws_admin = generate(small_options().workspace);
  auto ws = generate(no_admin_options().workspace);
  CHECK(has_global_permission(ws_admin, ws_admin.api_user, "ADMINISTER"));
  CHECK_FALSE(has_global_permission(ws, ws.api_user, "ADMINISTER"));
  for (auto& g : ws.groups)
    if (g.name == "site-admins" || g.name.rfind("jira-admins-", 0) == 0) {
      CHECK_FALSE(is_member(g, ws.api_user));
      CHECK(is_member(g, 1)); // someone still administers the site
    }
  // Only the admin groups changed: same users, projects, issues.
  CHECK(ws.users.size() == ws_admin.users.size());
  CHECK(ws.issues.size() == ws_admin.issues.size());
  // The truth still says who may see what for every user: it holds issues
  // the non-admin API user cannot see.
  std::size_t hidden_from_bot = 0;
  for (auto& i : ws.issues)
    if (!can_see_issue(ws, ws.api_user, i))
      ++hidden_from_bot;
  CHECK(hidden_from_bot > 0);
  std::ostringstream truth;
  truth_options t;
  t.attachments = false;
  write_truth(ws, truth, t);
  std::size_t truth_issues = 0;
  std::istringstream lines{truth.str()};
  for (std::string line; std::getline(lines, line);)
    if (line.find("\"type\":\"issue\"") != std::string::npos)
      ++truth_issues;
  CHECK(truth_issues == ws.issues.size());
}

TEST_CASE("jira-sim --no-admin: 403 where Jira requires Administer Jira",
          "[sim][admin]") {
  sim_fixture f{no_admin_options()};
  auto s = pick(f);
  REQUIRE_FALSE(s.plain_project.empty());
  // Administer Jira.
  check_forbidden(f.get("/rest/api/3/auditing/record"));
  check_forbidden(f.get("/rest/api/3/applicationrole"));
  check_forbidden(f.get("/rest/api/3/issuesecurityschemes/10000/members"));
  check_forbidden(f.get(
    "/rest/api/3/issuesecurityschemes/level/member?schemeId=10000&levelId="
    "10100"));
  // Administer Jira or Administer projects: a project the bot only browses.
  auto p = "/rest/api/3/project/" + s.plain_project;
  check_forbidden(f.get(p + "/permissionscheme"));
  check_forbidden(f.get(p + "/issuesecuritylevelscheme"));
  check_forbidden(f.get(p + "/role"));
  check_forbidden(f.get(p + "/role/" + s.role_id));
  // A project the bot cannot browse stays a 404, not a 403.
  CHECK(f.get("/rest/api/3/project/NOPE/permissionscheme").status == 404);
  // Over OAuth the same.
  auto token = f.oauth_token();
  check_forbidden(f.get_oauth("/rest/api/3/auditing/record", token));
  // A 403 is still a request: counted, charged, rate limited.
  auto stats = f.control("GET", "/_sim/stats");
  CHECK(stats.at("requests_by_endpoint")
          .at("GET /auditing/record")
          .to_number<std::uint64_t>()
        == 2);

  SECTION("Administer projects opens that project's configuration") {
    // Make the bot an actor of the Administrators role, which scheme 10000
    // grants ADMINISTER_PROJECTS.
    std::string account;
    f.app->read([&](const workspace& ws) {
      account = ws.users[ws.api_user].account_id;
    });
    auto m = f.control("POST", "/_sim/mutate",
                       R"({"op":"add_role_actor","project":")" + s.plain_project
                         + R"(","role_id":10002,"account_id":")" + account
                         + R"("})");
    REQUIRE(m.at("ok").as_bool());
    CHECK(f.get(p + "/permissionscheme").status == 200);
    CHECK(f.get(p + "/role").status == 200);
    CHECK(f.get(p + "/role/" + s.role_id).status == 200);
    // Global ones stay closed.
    check_forbidden(f.get("/rest/api/3/auditing/record"));
  }
}

TEST_CASE(
  "jira-sim --no-admin: content, identities and configuration stay readable",
  "[sim][admin]") {
  sim_fixture f{no_admin_options()};
  auto s = pick(f);
  REQUIRE_FALSE(s.issue_key.empty());
  REQUIRE(s.attachment_id != 0);
  REQUIRE_FALSE(s.comment_issue.empty());
  std::vector<std::string> paths{
    "/rest/api/3/myself", "/rest/api/3/field", "/rest/api/3/project/search",
    "/rest/api/3/search/jql?jql=id%20%3E%200&fields=summary",
    "/rest/api/3/issue/" + s.issue_key,
    "/rest/api/3/issue/" + s.comment_issue + "/comment",
    "/rest/api/3/attachment/" + std::to_string(s.attachment_id),
    "/rest/api/3/attachment/content/" + std::to_string(s.attachment_id)
      + "?redirect=false",
    // "Browse users and groups" comes with product access by default.
    "/rest/api/3/users/search?maxResults=1000", "/rest/api/3/group/bulk",
    // "Permission to access Jira" for a scheme by id.
    "/rest/api/3/permissionscheme/10000?expand=permissions"};
  for (auto& path : paths) {
    INFO(path);
    CHECK(f.get(path).status == 200);
  }
  auto projects = f.get_json("/rest/api/3/project/search");
  CHECK(projects.at("values").as_array().size() > 0);
  auto gid = std::string(f.get_json("/rest/api/3/group/bulk")
                           .at("values")
                           .as_array()[0]
                           .at("groupId")
                           .as_string());
  CHECK(f.get("/rest/api/3/group/member?groupId=" + gid).status == 200);
}

TEST_CASE("jira-sim --browse-users-admins-only: users and groups need an admin",
          "[sim][admin]") {
  auto o = no_admin_options();
  o.workspace.browse_users_admins_only = true;
  sim_fixture f{o};
  check_forbidden(f.get("/rest/api/3/users/search"));
  check_forbidden(f.get("/rest/api/3/group/bulk"));
  check_forbidden(f.get("/rest/api/3/group/member?groupname=jira-users"));
  CHECK(f.get("/rest/api/3/myself").status == 200);
  // An administrator still may.
  auto admin = small_options();
  admin.workspace.browse_users_admins_only = true;
  sim_fixture fa{admin};
  CHECK(fa.get("/rest/api/3/users/search").status == 200);
  CHECK(fa.get("/rest/api/3/group/bulk").status == 200);
}

TEST_CASE("applicationrole: products with their groups and seats",
          "[sim][admin]") {
  sim_fixture f;
  auto roles = f.get_json("/rest/api/3/applicationrole");
  REQUIRE(roles.is_array());
  std::map<std::string, std::vector<std::string>> groups;
  std::map<std::string, std::set<user_ix>> users;
  std::map<std::string, std::string> group_ids;
  f.app->read([&](const workspace& ws) {
    for (auto& ar : ws.application_roles) {
      groups[ar.key] = ar.group_names;
      for (auto& n : ar.group_names) {
        auto* g = find_group_by_name(ws, n);
        REQUIRE(g);
        group_ids[n] = g->group_id;
        for (auto u : g->members)
          if (ws.users[u].active && ws.users[u].type == account_type::atlassian)
            users[ar.key].insert(u);
      }
    }
  });
  REQUIRE(roles.as_array().size() == groups.size());
  REQUIRE(groups.count("jira-software"));
  for (auto& v : roles.as_array()) {
    auto& r = v.as_object();
    // The keys and types of the documented example ("Get all application
    // roles", Jira Cloud REST v3).
    for (auto* k : {"key", "name", "userCountDescription"})
      CHECK(r.at(k).is_string());
    for (auto* k :
         {"groups", "groupDetails", "defaultGroups", "defaultGroupsDetails"})
      CHECK(r.at(k).is_array());
    for (auto* k : {"numberOfSeats", "remainingSeats", "userCount"})
      CHECK(r.at(k).is_int64());
    for (auto* k :
         {"selectedByDefault", "defined", "hasUnlimitedSeats", "platform"})
      CHECK(r.at(k).is_bool());
    auto key = std::string(r.at("key").as_string());
    INFO(key);
    std::vector<std::string> names;
    for (auto& g : r.at("groups").as_array())
      names.emplace_back(g.as_string());
    CHECK(names == groups.at(key));
    auto& details = r.at("groupDetails").as_array();
    REQUIRE(details.size() == names.size());
    for (std::size_t k = 0; k < names.size(); ++k) {
      CHECK(details[k].at("name").as_string() == names[k]);
      CHECK(details[k].at("groupId").as_string() == group_ids.at(names[k]));
    }
    CHECK(r.at("userCount").as_int64()
          == static_cast<std::int64_t>(users.at(key).size()));
    CHECK(r.at("numberOfSeats").as_int64() - r.at("remainingSeats").as_int64()
          == r.at("userCount").as_int64());
  }
}

TEST_CASE("hidden-email users exist and the truth shows them", "[sim][admin]") {
  sim_fixture f;
  std::set<std::string> hidden;
  f.app->read([&](const workspace& ws) {
    for (auto& u : ws.users)
      if (u.type == account_type::atlassian && u.email_hidden)
        hidden.insert(u.account_id);
  });
  // 20 % of the 30 humans (drawn among those besides the API user): 6.
  CHECK(hidden.size() == 6);
  // users/search: no emailAddress exactly for them (atlassian accounts).
  auto users = f.get_json("/rest/api/3/users/search?maxResults=1000");
  std::set<std::string> without_email;
  for (auto& v : users.as_array()) {
    auto& o = v.as_object();
    if (o.at("accountType").as_string() == "atlassian"
        && !o.contains("emailAddress"))
      without_email.insert(std::string(o.at("accountId").as_string()));
  }
  CHECK(without_email == hidden);
  // The truth: "email": null for exactly those atlassian accounts.
  auto r = f.client->get("/_sim/truth");
  REQUIRE(r.status == 200);
  std::set<std::string> null_email;
  std::istringstream lines{r.body};
  for (std::string line; std::getline(lines, line);) {
    if (line.find("\"type\":\"user\"") == std::string::npos)
      continue;
    auto o = simtest::parse(line).as_object();
    if (o.at("account_type").as_string() == "atlassian"
        && o.at("email").is_null())
      null_email.insert(std::string(o.at("account_id").as_string()));
  }
  CHECK(null_email == hidden);
}
