#include "sync/access_builder.hpp"
#include "sync/directory_builder.hpp"

#include <catch2/catch.hpp>

#include <variant>

using namespace jirasync;
using namespace jirasync::protocol;
using namespace jirasync::sync;

namespace {

jira_user user(std::string id, account_type type, bool active) {
  jira_user u;
  u.account_id = std::move(id);
  u.type = type;
  u.active = active;
  u.display_name = "U";
  return u;
}

} // namespace

TEST_CASE("a user page: every user stored, active atlassians in the "
          "universe",
          "[sync]") {
  auto page = build_user_page({user("b", account_type::atlassian, true),
                               user("app", account_type::app, true),
                               user("gone", account_type::atlassian, false),
                               user("cust", account_type::customer, true),
                               user("a", account_type::atlassian, true)});
  CHECK(page.spec.upserts.size() == 5);
  CHECK(std::holds_alternative<storage::user_record>(page.spec.upserts[0]));
  CHECK(page.universe == std::vector<std::string>{"b", "a"});
  // None of them has an email: the three atlassian accounts (active or not)
  // count as hidden, app and customer accounts do not.
  CHECK(page.hidden_email == 3);
  auto with = user("m", account_type::atlassian, true);
  with.email = "m@example.com";
  CHECK(build_user_page({with}).hidden_email == 0);
  std::vector<std::string> all{"b", "a", "c", "a"};
  finish_universe(all);
  CHECK(all == std::vector<std::string>{"a", "b", "c"});
}

TEST_CASE("groups and their members enter the directory", "[sync]") {
  identity_directory dir;
  add_group_names(dir, {{"g-1", "dev"}, {"g-2", "ops"}});
  CHECK(dir.group_id_by_name.at("dev") == "g-1");
  CHECK(dir.group_id_by_name.at("ops") == "g-2");
  auto rec = add_group_members(dir, {"g-1", "dev"}, {"u2", "u1", "u2"});
  CHECK(rec.id == "g-1");
  CHECK(rec.name == "dev");
  CHECK(rec.members == std::vector<std::string>{"u1", "u2"});
  CHECK(dir.group_members.at("g-1") == rec.members);
}

TEST_CASE("application roles: ids from groupDetails, else names", "[sync]") {
  identity_directory dir;
  add_group_names(dir, {{"g-1", "jira-software-users"}, {"g-3", "agents"}});
  application_role sw;
  sw.key = "jira-software";
  sw.group_details = std::vector<jira_group>{{"g-1", "jira-software-users"},
                                             {"g-2", "testers"}};
  sw.group_names = {"ignored-when-details-exist"};
  application_role sd;
  sd.key = "jira-servicedesk";
  sd.group_names = {"agents", "no-such-group"};
  add_application_roles(dir, {sw, sd});
  CHECK(dir.app_role_groups.at("jira-software")
        == std::vector<std::string>{"g-1", "g-2"});
  CHECK(dir.app_role_groups.at("jira-servicedesk")
        == std::vector<std::string>{"g-3"});
}

TEST_CASE("without /applicationrole no product group is guessed",
          "[sync][permissions]") {
  identity_directory dir;
  add_group_names(
    dir, {{"g-sw", "jira-software-users"}, {"g-core", "jira-core-users"}});
  dir.app_role_groups["stale"] = {"g-sw"};
  application_roles_unknown(
    dir, access_gap{"application roles", "Administer Jira", "HTTP 403"});
  // Not even the default group names: a product grants nothing.
  CHECK(dir.app_role_groups.empty());
  CHECK_FALSE(dir.app_roles_known);
  REQUIRE(dir.gaps.size() == 1);
  CHECK(dir.gaps[0].missing_permission == "Administer Jira");
}

TEST_CASE("without group members groups grant nothing - without users the "
          "universe is the API user",
          "[sync][permissions]") {
  identity_directory dir;
  dir.group_members["g-1"] = {"u1"};
  groups_unknown(dir, access_gap{"groups", "Browse users and groups", "403"});
  CHECK(dir.group_members.empty());
  CHECK_FALSE(dir.groups_known);
  jira_user me;
  me.account_id = "bot";
  me.type = account_type::atlassian;
  CHECK(universe_of_api_user(me) == std::vector<std::string>{"bot"});
  me.active = false;
  CHECK(universe_of_api_user(me).empty());
  me.active = true;
  me.type = account_type::app;
  CHECK(universe_of_api_user(me).empty());
}

TEST_CASE("browse holders: only BROWSE_PROJECTS grants", "[sync]") {
  permission_scheme s;
  s.id = "1";
  permission_grant browse;
  browse.permission = "BROWSE_PROJECTS";
  browse.holder.type = holder_type::group;
  browse.holder.parameter = "dev";
  permission_grant edit;
  edit.permission = "EDIT_ISSUES";
  edit.holder.type = holder_type::anyone;
  s.permissions = {edit, browse};
  auto h = browse_holders(s);
  REQUIRE(h.size() == 1);
  CHECK(h[0].type == holder_type::group);
  CHECK(h[0].parameter == std::optional<std::string>{"dev"});
}
