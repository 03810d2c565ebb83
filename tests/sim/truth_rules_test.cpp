// Truth rules on a hand-built workspace: each expected list below is derived
// by hand from the fixture's definition (truth_fixture.hpp), not by the code.

#include <catch2/catch.hpp>

#include "sim/mutations.hpp"
#include "sim/truth.hpp"
#include "tests/sim/truth_fixture.hpp"

using namespace jirasim;
using jirasim::test::tiny_workspace;

namespace {

using ids = std::vector<std::string>;

void set_browse(workspace& ws, std::vector<holder> hs) {
  auto& s = ws.permission_schemes.front();
  s.grants.clear();
  int64_t n = 1;
  for (auto& h : hs)
    s.grants.push_back({n++, "BROWSE_PROJECTS", h});
  // A non-browse grant must never matter.
  s.grants.push_back({n++, "CREATE_ISSUES", holder{"anyone", "", ""}});
  ++ws.acl_epoch;
}

ids issue_viewers(const workspace& ws, const char* key) {
  return visible_account_ids(ws, {"issue", key});
}

} // namespace

TEST_CASE("each BROWSE_PROJECTS holder type grants exactly its users",
          "[sim][truth]") {
  auto ws = tiny_workspace();
  struct row {
    holder h;
    ids expect;
  };
  std::vector<row> rows = {
    // Everyone active of type atlassian; never dave (inactive), bot, cust.
    {{"anyone", "", ""}, {"a0", "a1", "a2", "a3", "a7", "a8"}},
    {{"applicationRole", "", ""}, {"a0", "a1", "a2", "a3", "a7", "a8"}},
    {{"applicationRole", "jira-software", ""}, {"a1", "a2", "a3"}},
    {{"applicationRole", "no-such-product", ""}, {}},
    {{"group", "g-dev", "gid-dev"}, {"a1"}},
    {{"group", "g-empty", "gid-empty"}, {}},
    // bob directly, carol through the g-role group actor.
    {{"projectRole", "10100", "10100"}, {"a2", "a3"}},
    {{"projectRole", "10002", "10002"}, {}},
    {{"user", "a3", "a3"}, {"a3"}},
    {{"user", "a4", "a4"}, {}}, // inactive
    {{"projectLead", "", ""}, {"a7"}},
    {{"reporter", "", ""}, {"a8"}},
    {{"assignee", "", ""}, {"a2"}},
    {{"groupCustomField", "customfield_1", ""}, {}},
  };
  for (auto& r : rows) {
    INFO("holder " << r.h.type << " " << r.h.parameter);
    set_browse(ws, {r.h});
    CHECK(issue_viewers(ws, "P-1") == r.expect);
    // Account-id entry point agrees with the list.
    for (auto& u : ws.users) {
      bool listed = std::find(r.expect.begin(), r.expect.end(), u.account_id)
                    != r.expect.end();
      CHECK(can_see_issue(ws, u.account_id, *find_issue(ws, 10000)) == listed);
    }
  }
}

TEST_CASE("grants are a union - a reporter grant shows the project to all",
          "[sim][truth]") {
  auto ws = tiny_workspace();
  set_browse(ws, {{"group", "g-dev", "gid-dev"},
                  {"user", "a3", "a3"},
                  {"reporter", "", ""}});
  // The issue: g-dev (alice; dave inactive) + carol + its reporter frank.
  CHECK(issue_viewers(ws, "P-1") == ids{"a1", "a3", "a8"});
  // The project itself: with no issue in context Jira counts the reporter
  // grant as held by every user, so every active atlassian account (not
  // dave, inactive; not the bot nor the customer).
  CHECK(visible_account_ids(ws, {"project", "1"})
        == ids{"a0", "a1", "a2", "a3", "a7", "a8"});
  CHECK(can_browse_project(ws, "a2", ws.projects[0]));
  CHECK_FALSE(can_browse_project(ws, "a4", ws.projects[0]));
  CHECK_FALSE(can_browse_project(ws, "a5", ws.projects[0]));
  // Bob sees the project but not P-1 (he is its assignee, not reporter).
  CHECK_FALSE(can_see_issue(ws, "a2", *find_issue(ws, 10000)));
}

TEST_CASE("project browse: static holders only, unless reporter or assignee",
          "[sim][truth]") {
  auto ws = tiny_workspace();
  set_browse(ws, {{"group", "g-dev", "gid-dev"}, {"user", "a3", "a3"}});
  CHECK(visible_account_ids(ws, {"project", "1"}) == ids{"a1", "a3"});
  CHECK_FALSE(can_browse_project(ws, "a8", ws.projects[0]));
  set_browse(ws, {{"assignee", "", ""}});
  CHECK(visible_account_ids(ws, {"project", "1"})
        == ids{"a0", "a1", "a2", "a3", "a7", "a8"});
  CHECK(issue_viewers(ws, "P-1") == ids{"a2"});
  // Q-1 is unassigned: nobody sees it, though everybody sees Q.
  CHECK(visible_account_ids(ws, {"issue", "Q-1"}).empty());
  CHECK(can_browse_project(ws, "a8", ws.projects[1]));
  // Project-level permissions other than Browse stay literal.
  CHECK_FALSE(has_project_permission(ws, 8, ws.projects[0], "BROWSE_PROJECTS"));
}

TEST_CASE("security level intersects with browse", "[sim][truth]") {
  auto ws = tiny_workspace();
  // Level 300 = {group g-dev, reporter} -> alice (g-dev), frank (reporter);
  // dave is in g-dev but inactive.
  set_browse(ws, {{"anyone", "", ""}});
  CHECK(issue_viewers(ws, "P-2") == ids{"a1", "a8"});
  // Browse through the role only: {bob, carol} ∩ {alice, frank} = {}.
  set_browse(ws, {{"projectRole", "10100", "10100"}});
  CHECK(issue_viewers(ws, "P-2").empty());
  // Browse to reporter + g-dev: {frank, alice} ∩ level = {alice, frank}.
  set_browse(ws, {{"reporter", "", ""}, {"group", "g-dev", "gid-dev"}});
  CHECK(issue_viewers(ws, "P-2") == ids{"a1", "a8"});
  // Unknown level id: fail closed.
  find_issue(ws, 10001)->security_level_id = 999;
  ++ws.acl_epoch;
  set_browse(ws, {{"anyone", "", ""}});
  CHECK(issue_viewers(ws, "P-2").empty());
}

TEST_CASE("comment visibility intersects with the issue", "[sim][truth]") {
  auto ws = tiny_workspace();
  set_browse(ws, {{"anyone", "", ""}});
  auto r1 = add_comment(ws, 10000, "a1", std::nullopt,
                        *group_visibility(ws, "g-role"));
  auto r2
    = add_comment(ws, 10000, "a1", std::nullopt, *role_visibility(ws, 10100));
  auto r3 = add_comment(ws, 10001, "a1", std::nullopt,
                        *group_visibility(ws, "g-dev"));
  auto r4 = add_comment(ws, 10000, "a1", std::nullopt);
  REQUIRE((r1.ok && r2.ok && r3.ok && r4.ok));
  auto c = [&](int64_t id) {
    return visible_account_ids(ws, {"comment", std::to_string(id)});
  };
  CHECK(c(r1.id) == ids{"a3"});
  CHECK(c(r2.id) == ids{"a2", "a3"});
  // Level {alice, frank} ∩ g-dev {alice} = alice.
  CHECK(c(r3.id) == ids{"a1"});
  CHECK(c(r4.id) == ids{"a0", "a1", "a2", "a3", "a7", "a8"});
  // Attachments follow their issue.
  auto a = add_attachment(ws, 10001, "x.txt", "text/plain", 10, "a1");
  REQUIRE(a.ok);
  CHECK(visible_account_ids(ws, {"attachment", std::to_string(a.id)})
        == ids{"a1", "a8"});
}

TEST_CASE("inactive users see nothing - role via group actor follows group",
          "[sim][truth]") {
  auto ws = tiny_workspace();
  set_browse(ws, {{"projectRole", "10100", "10100"}});
  CHECK(issue_viewers(ws, "P-1") == ids{"a2", "a3"});
  REQUIRE(add_group_member(ws, "g-role", "a7").ok);
  CHECK(issue_viewers(ws, "P-1") == ids{"a2", "a3", "a7"});
  REQUIRE(deactivate_user(ws, "a3").ok);
  CHECK(issue_viewers(ws, "P-1") == ids{"a2", "a7"});
  CHECK_FALSE(can_see_issue(ws, "a3", *find_issue(ws, 10000)));
  CHECK_FALSE(can_see_issue(ws, "nobody", *find_issue(ws, 10000)));
}

TEST_CASE("visibility_cache agrees with brute force and follows epochs",
          "[sim][truth]") {
  auto ws = tiny_workspace();
  visibility_cache cache;
  set_browse(ws, {{"group", "g-dev", "gid-dev"}, {"assignee", "", ""}});
  auto& i = *find_issue(ws, 10000);
  CHECK(cache.issue_viewers(ws, i) == std::vector<user_ix>{1, 2});
  REQUIRE(add_group_member(ws, "g-dev", "a8").ok);
  CHECK(cache.issue_viewers(ws, i) == std::vector<user_ix>{1, 2, 8});
  for (auto& is : ws.issues)
    for (user_ix u = 0; u < ws.users.size(); ++u)
      CHECK(cache.can_see_issue(ws, u, is) == can_see_issue(ws, u, is));
}
