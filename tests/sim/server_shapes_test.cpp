// Every endpoint's response has the keys and JSON value types of the real
// Jira Cloud captures (tests/fixtures/jira-cloud/).
#include "server_fixture.hpp"

#include <catch2/catch.hpp>

using namespace simtest;

namespace {

void require_same_shape(const json::value& ours, const json::value& real,
                        const std::set<std::string>& ignore = {}) {
  std::vector<std::string> diffs;
  shape_diff(ours, real, "$", diffs, ignore);
  INFO("ours: " << json::serialize(ours).substr(0, 1500));
  for (auto& d : diffs)
    INFO(d);
  CHECK(diffs.empty());
  if (!diffs.empty())
    FAIL_CHECK(diffs.front());
}

} // namespace

TEST_CASE("response shapes match the real Jira Cloud captures", "[sim]") {
  sim_fixture f;

  SECTION("users/search is a bare array of users") {
    auto ours = f.get_json("/rest/api/3/users/search?maxResults=1000");
    REQUIRE(ours.is_array());
    CHECK(ours.as_array().size() > 30); // humans + app + customer accounts
    require_same_shape(ours, load_fixture("ctreminiom__search-users.json"));
    require_same_shape(ours, load_fixture("airbytehq__users.json"));
    require_same_shape(ours, load_fixture("ankitpokhrel__users.json"));
    auto real0 = load_fixture("airbytehq__users.json").as_array()[0];
    // emailAddress is hidden for some users: only the others are checked.
    CHECK(missing_keys(ours.as_array()[0], real0, {"emailAddress"}).empty());
  }
  SECTION("myself carries timeZone, groups and applicationRoles") {
    auto ours = f.get_json("/rest/api/3/myself");
    auto real
      = load_fixture("airbytehq__users_groups_detailed.json").as_array()[0];
    require_same_shape(ours, real);
    CHECK(missing_keys(ours, real).empty());
    CHECK(ours.at("timeZone").as_string() == "America/Los_Angeles");
  }
  SECTION("field") {
    auto ours = f.get_json("/rest/api/3/field");
    require_same_shape(ours, load_fixture("airbytehq__issue_fields.json"));
    require_same_shape(ours, load_fixture("andygrunwald__all_fields.json"));
    require_same_shape(ours, load_fixture("ankitpokhrel__fields.json"));
  }
  SECTION("group/bulk and group/member") {
    auto bulk = f.get_json("/rest/api/3/group/bulk?maxResults=50");
    auto real = load_fixture("ctreminiom__bulk-groups.json");
    require_same_shape(bulk, real);
    CHECK(missing_keys(bulk, real).empty());
    auto gid
      = std::string(bulk.at("values").as_array()[0].at("groupId").as_string());
    auto mem
      = f.get_json("/rest/api/3/group/member?groupId=" + gid + "&maxResults=2");
    auto rm = load_fixture("ctreminiom__group-members.json");
    require_same_shape(mem, rm);
    CHECK(missing_keys(mem, rm, {"nextPage"}).empty());
  }
  SECTION("project/search with expand=lead") {
    auto ours
      = f.get_json("/rest/api/3/project/search?expand=lead,description");
    auto real = load_fixture("airbytehq__projects.json");
    require_same_shape(ours, real);
    auto p0 = ours.at("values").as_array()[0];
    CHECK(missing_keys(p0, real.at("values").as_array()[0]).empty());
    CHECK(p0.as_object().contains("lead"));
  }
  SECTION("permission schemes, roles, issue security") {
    auto projects = f.get_json("/rest/api/3/project/search");
    std::string key;
    for (auto& p : projects.at("values").as_array()) {
      auto k = std::string(p.at("key").as_string());
      auto r = f.get("/rest/api/3/project/" + k + "/issuesecuritylevelscheme");
      if (r.status == 200) {
        key = k;
        auto levels = simtest::parse(r.body);
        require_same_shape(
          levels, load_fixture("ctreminiom__get-project-security-levels.json"));
        require_same_shape(levels,
                           load_fixture("airbytehq__project_permissions.json"));
        auto sid = std::to_string(levels.at("id").as_int64());
        auto members
          = f.get_json("/rest/api/3/issuesecurityschemes/" + sid + "/members");
        CHECK(members.at("values").as_array().size() > 0);
        auto lid
          = std::string(levels.at("levels").as_array()[0].at("id").as_string());
        auto members2
          = f.get_json("/rest/api/3/issuesecurityschemes/level/member?schemeId="
                       + sid + "&levelId=" + lid);
        CHECK(members2.at("total").as_int64()
              <= members.at("total").as_int64());
        break;
      }
    }
    CHECK_FALSE(key.empty());
    auto ps = f.get_json("/rest/api/3/project/" + key + "/permissionscheme");
    auto id = std::to_string(ps.at("id").as_int64());
    auto full = f.get_json("/rest/api/3/permissionscheme/" + id
                           + "?expand=permissions");
    require_same_shape(full,
                       load_fixture("ctreminiom__get-permission-scheme.json"));
    require_same_shape(full,
                       load_fixture("andygrunwald__permissionscheme.json"));
    bool browse = false;
    for (auto& g : full.at("permissions").as_array())
      browse |= g.at("permission").as_string() == "BROWSE_PROJECTS";
    CHECK(browse);
    auto roles = f.get_json("/rest/api/3/project/" + key + "/role");
    REQUIRE(roles.as_object().size() > 0);
    auto url = std::string(roles.as_object().begin()->value().as_string());
    auto role = f.get_json(url.substr(url.find("/rest/")));
    require_same_shape(role, load_fixture("ctreminiom__get-project-role.json"));
    require_same_shape(role, load_fixture("andygrunwald__role_actors.json"));
    CHECK(missing_keys(role, load_fixture("andygrunwald__role_actors.json"))
            .empty());
  }
  SECTION("issue, comments, attachments") {
    auto ids
      = f.get_json("/rest/api/3/search/jql?jql=id%20%3E%200&maxResults=5000");
    REQUIRE(ids.at("issues").as_array().size() > 10);
    // An issue with comments and attachments.
    json::value with_both;
    for (auto& i : ids.at("issues").as_array()) {
      auto id = std::string(i.at("id").as_string());
      auto full = f.get_json("/rest/api/3/issue/" + id);
      auto& fl = full.at("fields").as_object();
      if (fl.at("comment").at("total").as_int64() > 0
          && !fl.at("attachment").as_array().empty()) {
        with_both = full;
        break;
      }
    }
    REQUIRE(with_both.is_object());
    auto real
      = load_fixture("airbytehq__issues.json").at("issues").as_array()[0];
    require_same_shape(with_both, real);
    require_same_shape(
      with_both, load_fixture("ctreminiom__get-issue.json"),
      {"comment"}); // an array in that mock, an object in Jira v3
    auto id = std::string(with_both.at("id").as_string());
    auto comments = f.get_json("/rest/api/3/issue/" + id + "/comment");
    require_same_shape(comments,
                       load_fixture("airbytehq__issue_comments.json"));
    require_same_shape(comments,
                       load_fixture("ctreminiom__get-issue-comments.json"));
    auto att = with_both.at("fields").at("attachment").as_array()[0];
    auto meta = f.get_json("/rest/api/3/attachment/"
                           + std::to_string(att.at("id").as_int64()));
    require_same_shape(
      meta, load_fixture("ctreminiom__get-attachment-metadata.json"));
    require_same_shape(
      f.get_json("/rest/api/3/attachment/meta"),
      load_fixture("ctreminiom__get-attachment-settings.json"));
  }
  SECTION("search/jql pages") {
    auto page
      = f.get_json("/rest/api/3/search/jql?jql=id%20%3E%200&maxResults=2"
                   "&fields=summary,status,priority,labels,assignee,reporter,"
                   "created,updated,issuetype,resolution");
    require_same_shape(page, load_fixture("ankitpokhrel__search_page1.json"));
    CHECK(missing_keys(page, load_fixture("ankitpokhrel__search_page1.json"))
            .empty());
  }
  SECTION("auditing/record") {
    auto ours = f.get_json("/rest/api/3/auditing/record?limit=50");
    require_same_shape(ours,
                       load_fixture("ctreminiom__get-audit-records.json"));
    CHECK(ours.at("records").as_array().size() > 0);
  }
}
