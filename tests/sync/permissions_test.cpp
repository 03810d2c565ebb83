#include "sync/permissions.hpp"

#include <catch2/catch.hpp>

using namespace jirasync::protocol;
using namespace jirasync::sync;

namespace {

permission_holder holder(holder_type t, std::optional<std::string> param = {},
                         std::optional<std::string> value = {}) {
  permission_holder h;
  h.type = t;
  h.type_raw = std::string{to_string(t)};
  h.parameter = std::move(param);
  h.value = std::move(value);
  return h;
}

std::shared_ptr<identity_directory> make_dir() {
  auto d = std::make_shared<identity_directory>();
  // u9 is not in the universe (inactive or app account).
  d->universe = {"u1", "u2", "u3", "u4", "u5", "u6"};
  d->group_members["g-dev"] = {"u1", "u2", "u9"};
  d->group_members["g-ops"] = {"u3"};
  d->group_members["g-sw"] = {"u5"};
  d->group_id_by_name["dev"] = "g-dev";
  d->group_id_by_name["ops"] = "g-ops";
  d->app_role_groups["jira-software"] = {"g-sw"};
  return d;
}

project_access make_project() {
  project_access p;
  p.project_id = "100";
  p.project_key = "P";
  p.lead_account_id = "u4";
  project_role devs;
  devs.id = "10001";
  devs.name = "Developers";
  role_actor ga;
  ga.type = role_actor_type::group;
  ga.group_name = "ops"; // name only: resolved through the directory
  role_actor ua;
  ua.type = role_actor_type::user;
  ua.account_id = "u6";
  devs.actors = {ga, ua};
  p.roles["10001"] = devs;
  return p;
}

} // namespace

TEST_CASE("browse holders expand to active atlassian users",
          "[jira][permissions]") {
  auto dir = make_dir();
  acl_resolver r{dir};
  auto p = make_project();
  p.browse_holders
    = {holder(holder_type::group, "dev", "g-dev"),
       holder(holder_type::project_role, "10001"),
       holder(holder_type::project_lead), holder(holder_type::user, "u9"),
       holder(holder_type::group_custom_field, "cf_1")};
  auto acl = r.project_acl(p);
  CHECK_FALSE(acl.anyone);
  CHECK(acl.users == std::vector<std::string>{"u1", "u2", "u3", "u4", "u6"});
}

TEST_CASE("anyone and application roles", "[jira][permissions]") {
  auto dir = make_dir();
  acl_resolver r{dir};
  auto p = make_project();
  p.browse_holders = {holder(holder_type::anyone)};
  auto acl = r.project_acl(p);
  CHECK(acl.anyone);
  CHECK(acl.users == dir->universe);
  auto q = make_project();
  q.project_id = "101";
  q.browse_holders = {holder(holder_type::application_role, "jira-software")};
  CHECK(r.project_acl(q).users == std::vector<std::string>{"u5"});
  auto s = make_project();
  s.project_id = "102";
  s.browse_holders = {holder(holder_type::application_role)};
  CHECK(r.project_acl(s).users == dir->universe);
  CHECK_FALSE(r.project_acl(s).anyone);
}

TEST_CASE("reporter/assignee, security levels and comment visibility",
          "[jira][permissions]") {
  auto dir = make_dir();
  acl_resolver r{dir};
  auto p = make_project();
  p.browse_holders
    = {holder(holder_type::anyone), holder(holder_type::reporter)};
  p.level_members["7"] = {holder(holder_type::group, "dev", "g-dev"),
                          holder(holder_type::assignee)};
  SECTION("project ACL: the universe (anyone, and a reporter grant)") {
    CHECK(r.project_acl(p).users == dir->universe);
  }
  SECTION("unsecured issue keeps the anyone flag") {
    auto a = r.issue_acl(p, std::string{"u1"}, std::nullopt, std::nullopt);
    CHECK(a.anyone);
    CHECK(a.users == dir->universe);
  }
  SECTION("a level narrows and drops the anyone flag") {
    auto a
      = r.issue_acl(p, std::string{"u3"}, std::string{"u5"}, std::string{"7"});
    CHECK_FALSE(a.anyone);
    CHECK(a.users == std::vector<std::string>{"u1", "u2", "u5"});
    // the assignee only counts when in the universe
    auto b = r.issue_acl(p, std::nullopt, std::string{"u9"}, std::string{"7"});
    CHECK(b.users == std::vector<std::string>{"u1", "u2"});
  }
  SECTION("comment visibility by group and by role") {
    auto issue = r.issue_acl(p, std::nullopt, std::nullopt, std::nullopt);
    comment_visibility g{"group", "dev", std::string{"g-dev"}};
    auto c = r.comment_acl(p, issue, g);
    CHECK_FALSE(c.anyone);
    CHECK(c.users == std::vector<std::string>{"u1", "u2"});
    comment_visibility role{"role", "Developers", std::nullopt};
    CHECK(r.comment_acl(p, issue, role).users
          == std::vector<std::string>{"u3", "u6"});
    comment_visibility role_id{"role", "Developers", std::string{"10001"}};
    CHECK(r.comment_acl(p, issue, role_id).users
          == std::vector<std::string>{"u3", "u6"});
    CHECK(r.comment_acl(p, issue, std::nullopt) == issue);
  }
}

TEST_CASE("a reporter or assignee grant shows the project to the universe, "
          "the issue to its reporter or assignee only",
          "[sync][permissions]") {
  auto dir = make_dir();
  dir->api_user = "u2";
  acl_resolver r{dir};
  auto p = make_project();
  p.browse_holders = {holder(holder_type::group, "ops", "g-ops"),
                      holder(holder_type::reporter)};
  // Jira checks the project with no issue in context and counts the
  // reporter grant as held by everyone: the project record is visible to
  // every active atlassian user, not only to ops (u3).
  auto project = r.project_acl(p);
  CHECK_FALSE(project.anyone);
  CHECK(project.users == dir->universe);
  // Its issues stay per issue: ops + the reporter (+ the API user, who
  // fetched it).
  CHECK(r.issue_acl(p, std::string{"u5"}, std::string{"u6"}, std::nullopt).users
        == std::vector<std::string>{"u2", "u3", "u5"});
  auto q = make_project();
  q.project_id = "101";
  q.browse_holders = {holder(holder_type::assignee)};
  CHECK(r.project_acl(q).users == dir->universe);
  CHECK(r.issue_acl(q, std::string{"u5"}, std::string{"u6"}, std::nullopt).users
        == std::vector<std::string>{"u2", "u6"});
  // Without such a grant the project keeps its static holders.
  auto s = make_project();
  s.project_id = "102";
  s.browse_holders = {holder(holder_type::group, "ops", "g-ops")};
  CHECK(r.project_acl(s).users == std::vector<std::string>{"u3"});
  // An unreadable scheme still shows the project to nobody.
  auto t = make_project();
  t.project_id = "103";
  t.browse_holders = {holder(holder_type::reporter)};
  t.browse_known = false;
  CHECK(r.project_acl(t) == acl_set{});
}

// --- fail safe: unknown parts never widen an ACL ----------------------------

TEST_CASE("an unknown permission scheme leaves the API user only",
          "[sync][permissions]") {
  auto dir = make_dir();
  dir->api_user = "u2";
  acl_resolver r{dir};
  auto p = make_project();
  // What the scheme would grant had it been readable is irrelevant.
  p.browse_holders = {holder(holder_type::anyone)};
  p.browse_known = false;
  auto issue
    = r.issue_acl(p, std::string{"u1"}, std::string{"u3"}, std::nullopt);
  CHECK_FALSE(issue.anyone);
  // Not the reporter u1 nor the assignee u3: the scheme may not grant them.
  CHECK(issue.users == std::vector<std::string>{"u2"});
  // The project ACL itself: nobody (the API user may see no issue of it).
  CHECK(r.project_acl(p) == acl_set{});
  // A restricted comment: at most the API user, who read it.
  comment_visibility g{"group", "ops", std::string{"g-ops"}};
  CHECK(r.comment_acl(p, issue, g).users == std::vector<std::string>{"u2"});
}

TEST_CASE("unknown level members: a secured issue gets the API user, an "
          "unsecured one stays exact",
          "[sync][permissions]") {
  auto dir = make_dir();
  dir->api_user = "u6";
  acl_resolver r{dir};
  auto p = make_project();
  p.browse_holders = {holder(holder_type::group, "dev", "g-dev"),
                      holder(holder_type::project_role, "10001")};
  p.levels_known = false;
  p.level_names["7"] = "Staff";
  auto open = r.issue_acl(p, std::nullopt, std::nullopt, std::nullopt);
  CHECK(open.users == std::vector<std::string>{"u1", "u2", "u3", "u6"});
  auto secured = r.issue_acl(p, std::nullopt, std::nullopt, std::string{"7"});
  CHECK(secured.users == std::vector<std::string>{"u6"});
  // A level that is not listed at all (scheme changed meanwhile) likewise.
  p.levels_known = true;
  acl_resolver r2{dir};
  CHECK(r2.issue_acl(p, std::nullopt, std::nullopt, std::string{"99"}).users
        == std::vector<std::string>{"u6"});
}

TEST_CASE("unknown roles, groups and products grant nothing",
          "[sync][permissions]") {
  auto dir = make_dir();
  auto p = make_project();
  p.browse_holders = {holder(holder_type::project_role, "10001"),
                      holder(holder_type::application_role, "jira-software"),
                      holder(holder_type::user, "u5")};
  SECTION("roles unknown") {
    p.roles.clear();
    p.roles_known = false;
    acl_resolver r{dir};
    CHECK(r.project_acl(p).users == std::vector<std::string>{"u5"});
  }
  SECTION("products unknown") {
    dir->app_role_groups.clear();
    dir->app_roles_known = false;
    acl_resolver r{dir};
    CHECK(r.project_acl(p).users == std::vector<std::string>{"u3", "u5", "u6"});
  }
}

TEST_CASE("the API user is added only when it is in the universe",
          "[sync][permissions]") {
  auto dir = make_dir();
  dir->api_user = "u9"; // inactive or an app account
  acl_resolver r{dir};
  auto p = make_project();
  p.browse_known = false;
  CHECK(r.issue_acl(p, std::nullopt, std::nullopt, std::nullopt).users.empty());
}

TEST_CASE("unknown holder and visibility types are counted and grant nothing",
          "[sync][permissions]") {
  auto dir = make_dir();
  acl_resolver r{dir};
  auto p = make_project();
  auto odd = holder(holder_type::other, "x");
  odd.type_raw = "fancyNewHolder";
  p.browse_holders = {odd, holder(holder_type::user, "u1"), odd};
  auto issue = r.issue_acl(p, std::nullopt, std::nullopt, std::nullopt);
  CHECK(issue.users == std::vector<std::string>{"u1"});
  CHECK(r.unknown().holders == 2);
  CHECK(r.unknown().holder_example == "fancyNewHolder");
  comment_visibility v{"portal", "customers", std::nullopt};
  CHECK(r.comment_acl(p, issue, v).users.empty());
  CHECK(r.unknown().visibilities == 1);
  CHECK(r.unknown().visibility_example == "portal");
}
