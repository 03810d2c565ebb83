// Mutations: cascades, moves, audit records, index lag bookkeeping.

#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include "sim/jql.hpp"
#include "sim/mutations.hpp"
#include "sim/truth.hpp"
#include "sim/workspace.hpp"
#include "tests/sim/truth_fixture.hpp"

using namespace jirasim;
using jirasim::test::tiny_workspace;

namespace {

workspace small() {
  workspace_params p;
  p.issues = 200;
  p.large_attachments = 0;
  p.attachment_issue_ratio = 0.5;
  return generate(p);
}

const issue* with_comments_and_attachments(const workspace& ws) {
  for (auto& i : ws.issues)
    if (!i.comments.empty() && !i.attachments.empty())
      return &i;
  return nullptr;
}

} // namespace

TEST_CASE("delete issue cascades and writes no audit record",
          "[sim][mutations]") {
  auto ws = small();
  auto* victim = with_comments_and_attachments(ws);
  REQUIRE(victim);
  auto id = victim->id;
  auto key = victim->key;
  auto comment_id = victim->comments.front().id;
  auto attachment_id = victim->attachments.front().id;
  auto audit_before = ws.audit.size();
  auto issues_before = ws.issues.size();
  ws.now_ms += 1000;
  auto r = delete_issue(ws, id);
  REQUIRE(r.ok);
  CHECK(find_issue(ws, id) == nullptr);
  CHECK(find_issue_by_id_or_key(ws, key) == nullptr);
  CHECK(find_comment(ws, comment_id, nullptr) == nullptr);
  CHECK(find_attachment(ws, attachment_id, nullptr) == nullptr);
  CHECK(ws.comment_issue.count(comment_id) == 0);
  CHECK(ws.attachment_issue.count(attachment_id) == 0);
  CHECK(ws.audit.size() == audit_before);
  CHECK(ws.issues.size() < issues_before);
  CHECK(
    visible_account_ids(ws, {"comment", std::to_string(comment_id)}).empty());
  CHECK_FALSE(delete_issue(ws, id).ok);
}

TEST_CASE("deleting a parent deletes its subtasks", "[sim][mutations]") {
  auto ws = tiny_workspace();
  new_issue n;
  n.project = "P";
  n.summary = "sub";
  n.issue_type_id = 10004;
  n.parent_id = 10000;
  auto sub = create_issue(ws, n);
  REQUIRE(sub.ok);
  n.issue_type_id = 10002;
  auto child = create_issue(ws, n); // a non-subtask child
  REQUIRE(child.ok);
  REQUIRE(delete_issue(ws, 10000).ok);
  CHECK(find_issue(ws, sub.id) == nullptr);
  REQUIRE(find_issue(ws, child.id));
  CHECK(find_issue(ws, child.id)->parent_id == 0);
}

TEST_CASE("move keeps the id, changes the key and resolves the old key",
          "[sim][mutations]") {
  auto ws = tiny_workspace();
  ws.now_ms = 1700000000000;
  auto r = move_issue(ws, 10001, "Q");
  REQUIRE(r.ok);
  CHECK(r.id == 10001);
  CHECK(r.key == "Q-2");
  auto* i = find_issue(ws, 10001);
  CHECK(i->key == "Q-2");
  CHECK(i->project_id == 2);
  CHECK(find_issue_by_id_or_key(ws, "P-2") == i);
  CHECK(find_issue_by_id_or_key(ws, "Q-2") == i);
  // Q has no issue security scheme: the level is dropped.
  CHECK(i->security_level_id == 0);
  CHECK(i->updated_ms == ws.now_ms);
  CHECK_FALSE(move_issue(ws, 10001, "Q").ok);
  CHECK_FALSE(move_issue(ws, 10001, "NOPE").ok);
}

TEST_CASE("config changes append audit records like Jira's",
          "[sim][mutations]") {
  auto ws = tiny_workspace();
  ws.now_ms = 1700000005000;
  auto n0 = ws.audit.size();
  REQUIRE(add_group_member(ws, "g-dev", "a2").ok);
  REQUIRE(ws.audit.size() == n0 + 1);
  CHECK(ws.audit.back().category == "group management");
  CHECK(ws.audit.back().summary == "User added to group");
  CHECK(ws.audit.back().object_item.name == "g-dev");
  CHECK(ws.audit.back().associated_items.at(0).id == "a2");
  CHECK(ws.audit.back().created_ms == ws.now_ms);
  CHECK(ws.audit.back().author_account_id == "a0");
  REQUIRE(remove_group_member(ws, "gid-dev", "a2").ok);
  CHECK(ws.audit.back().summary == "User removed from group");
  auto g = add_permission_grant(ws, 100, "BROWSE_PROJECTS",
                                holder{"group", "g-dev", "gid-dev"});
  REQUIRE(g.ok);
  CHECK(ws.audit.back().category == "permissions");
  CHECK(ws.audit.back().summary == "Permission scheme updated");
  CHECK(ws.audit.back().object_item.id == "100");
  REQUIRE(remove_permission_grant(ws, 100, g.id).ok);
  CHECK_FALSE(remove_permission_grant(ws, 100, g.id).ok);
  auto m = add_security_level_member(ws, 300, holder{"assignee", "", ""});
  REQUIRE(m.ok);
  CHECK(ws.audit.back().category == "permissions");
  REQUIRE(remove_security_level_member(ws, 300, m.id).ok);
  REQUIRE(add_role_actor(ws, "P", 10100, "a7", "").ok);
  CHECK(ws.audit.back().summary == "Project roles changed");
  CHECK(ws.audit.back().changed_values.at(0).changed_to == "a2, a7");
  REQUIRE(set_email_hidden(ws, "a1", true).ok);
  CHECK(ws.audit.back().category == "user management");
  REQUIRE(deactivate_user(ws, "a1").ok);
  CHECK(ws.audit.back().summary == "User deactivated");
  CHECK(ws.audit.size() == n0 + 9);
  for (size_t k = 1; k < ws.audit.size(); ++k)
    CHECK(ws.audit[k - 1].id < ws.audit[k].id);
  // Issue and comment changes are not audited.
  auto n1 = ws.audit.size();
  issue_update u;
  u.summary = "changed";
  REQUIRE(update_issue(ws, 10000, u).ok);
  REQUIRE(add_comment(ws, 10000, "", std::nullopt).ok);
  CHECK(ws.audit.size() == n1);
  // Errors are values and change nothing.
  CHECK_FALSE(add_group_member(ws, "no-such-group", "a1").ok);
  CHECK_FALSE(add_group_member(ws, "g-dev", "nobody").ok);
  CHECK(ws.audit.size() == n1);
}

TEST_CASE("grant and member edits: Jira's changed values, errors as values",
          "[sim][mutations]") {
  auto ws = tiny_workspace();
  using cv = audit_changed_value;
  auto same = [](const cv& a, const cv& b) {
    return a.field_name == b.field_name && a.changed_from == b.changed_from
           && a.changed_to == b.changed_to;
  };
  auto values_are = [&](std::vector<cv> want) {
    auto& got = ws.audit.back().changed_values;
    REQUIRE(got.size() == want.size());
    for (size_t k = 0; k < got.size(); ++k)
      CHECK(same(got[k], want[k]));
  };
  auto epoch = ws.acl_epoch;
  // Group members: sorted, duplicate / absent rejected, nothing changed.
  REQUIRE(add_group_member(ws, "g-dev", "a3").ok);
  CHECK(find_group_by_name(ws, "g-dev")->members
        == std::vector<user_ix>{1, 3, 4});
  CHECK(ws.acl_epoch == epoch + 1);
  auto n = ws.audit.size();
  auto dup = add_group_member(ws, "gid-dev", "a3");
  CHECK(dup.error == "Cannot add user. User is already a member of 'g-dev'");
  CHECK(remove_group_member(ws, "g-dev", "a2").error
        == "User is not a member of 'g-dev'");
  CHECK(ws.audit.size() == n);
  CHECK(ws.acl_epoch == epoch + 1);
  // Permission grants: the permission, holder type label and parameter.
  auto g = add_permission_grant(ws, 100, "BROWSE_PROJECTS",
                                holder{"group", "g-dev", "gid-dev"});
  REQUIRE(g.ok);
  CHECK(find_permission_scheme(ws, 100)->grants.back().id == g.id);
  values_are({{"Permission", "", "BROWSE_PROJECTS"},
              {"Type", "", "Group"},
              {"Value", "", "g-dev"}});
  REQUIRE(remove_permission_grant(ws, 100, g.id).ok);
  values_are({{"Permission", "BROWSE_PROJECTS", ""},
              {"Type", "Group", ""},
              {"Value", "g-dev", ""}});
  CHECK(remove_permission_grant(ws, 100, g.id).error
        == "Permission grant " + std::to_string(g.id)
             + " does not exist in scheme 100");
  CHECK(add_permission_grant(ws, 999, "X", holder{"anyone", "", ""}).error
        == "Permission scheme 999 does not exist.");
  // Security level members: type label and value, the level as object.
  auto m = add_security_level_member(ws, 300, holder{"assignee", "", ""});
  REQUIRE(m.ok);
  CHECK(ws.audit.back().summary == "Issue security level updated");
  CHECK(ws.audit.back().object_item.type_name == "SECURITY_LEVEL");
  CHECK(ws.audit.back().object_item.id == "300");
  values_are({{"Type", "", "Current assignee"}, {"Value", "", ""}});
  REQUIRE(remove_security_level_member(ws, 300, m.id).ok);
  values_are({{"Type", "Current assignee", ""}, {"Value", "", ""}});
  CHECK(remove_security_level_member(ws, 300, m.id).error
        == "Security level member " + std::to_string(m.id)
             + " does not exist.");
  // Role actors: the whole list before and after, the project associated.
  REQUIRE(add_role_actor(ws, "P", 10100, "", "gid-dev").ok);
  values_are({{"Groups", "gid-role", "gid-dev, gid-role"}});
  CHECK(ws.audit.back().associated_items.at(0).type_name == "PROJECT");
  CHECK(add_role_actor(ws, "P", 10100, "", "gid-dev").error
        == "The actor is already in the role.");
  REQUIRE(remove_role_actor(ws, "P", 10100, "a2", "").ok);
  values_are({{"Users", "a2", ""}});
  CHECK(remove_role_actor(ws, "P", 10100, "a2", "").error
        == "The actor is not in the role.");
  // A role without actors in the project gets its first one.
  REQUIRE(add_role_actor(ws, "Q", 10002, "a1", "").ok);
  CHECK(find_role_actors(*find_project_by_id_or_key(ws, "Q"), 10002)
          ->user_account_ids
        == std::vector<std::string>{"a1"});
  // Profile flags: labels of the old and new value; email visibility does
  // not change who sees what.
  auto before_email = ws.acl_epoch;
  REQUIRE(set_email_hidden(ws, "a1", true).ok);
  values_are({{"Email visibility", "Anyone", "Only you"}});
  CHECK(ws.acl_epoch == before_email);
  CHECK(set_email_hidden(ws, "a1", true).error
        == "Email visibility is already set.");
  REQUIRE(set_user_active(ws, "a1", false).ok);
  values_are({{"Active / Inactive", "Active", "Inactive"}});
  CHECK(ws.acl_epoch == before_email + 1);
  CHECK(set_user_active(ws, "a1", false).error == "User is already inactive.");
}

TEST_CASE("issue updates bump updated and respect index lag",
          "[sim][mutations]") {
  auto ws = tiny_workspace();
  ws.now_ms = 1700000000000;
  ws.index_lag_ms = 5000;
  auto before = find_issue(ws, 10000)->updated_ms;
  issue_update u;
  u.summary = "new summary";
  u.labels = std::vector<std::string>{"x"};
  u.assignee_account_id = "";
  auto epoch = ws.acl_epoch;
  REQUIRE(update_issue(ws, 10000, u).ok);
  auto* i = find_issue(ws, 10000);
  CHECK(i->summary == "new summary");
  CHECK(i->assignee == no_user);
  CHECK(i->updated_ms == ws.now_ms);
  CHECK(ws.acl_epoch > epoch);
  // JQL sees the old version until the lag has passed.
  CHECK(index_view(*i, ws.now_ms).updated_ms == before);
  CHECK(index_view(*i, ws.now_ms + 4999).updated_ms == before);
  CHECK(index_view(*i, ws.now_ms + 5000).updated_ms == ws.now_ms);
  // An invalid change is rejected whole.
  issue_update bad;
  bad.summary = "should not apply";
  bad.security_level_id = 424242;
  CHECK_FALSE(update_issue(ws, 10000, bad).ok);
  CHECK(i->summary == "new summary");
  // Explicit description replaces the lazy one; null clears it.
  issue_update d;
  d.description = boost::json::parse(
    R"({"type":"doc","version":1,"content":[{"type":"paragraph","content":[{"type":"text","text":"hi"}]}]})");
  REQUIRE(update_issue(ws, 10000, d).ok);
  CHECK(issue_description(ws, *i) == *d.description);
  d.description = nullptr;
  REQUIRE(update_issue(ws, 10000, d).ok);
  CHECK(issue_description(ws, *i).is_null());
}

TEST_CASE("created issues are invisible to JQL until indexed",
          "[sim][mutations]") {
  auto ws = tiny_workspace();
  ws.now_ms = 1700000000000;
  ws.index_lag_ms = 2000;
  new_issue n;
  n.project = "Q";
  n.summary = "fresh";
  auto r = create_issue(ws, n);
  REQUIRE(r.ok);
  CHECK(r.key == "Q-2");
  CHECK(r.id == 10003);
  auto* i = find_issue(ws, r.id);
  CHECK_FALSE(index_view(*i, ws.now_ms).present);
  CHECK(index_view(*i, ws.now_ms + 2000).present);
  CHECK(i->reporter == ws.api_user);
  CHECK(ws.issues.back().id == r.id);
}

TEST_CASE("attachment changes keep existing lazy bodies stable",
          "[sim][mutations]") {
  auto ws = small();
  auto* i0 = with_comments_and_attachments(ws);
  REQUIRE(i0);
  auto id = i0->id;
  auto desc = issue_description(ws, *i0);
  auto body = comment_body(ws, *i0, i0->comments.front());
  ws.now_ms += 60000;
  auto a = add_attachment(ws, id, "new.txt", "text/plain", 123, "");
  REQUIRE(a.ok);
  auto* i = find_issue(ws, id);
  CHECK(issue_description(ws, *i) == desc);
  CHECK(comment_body(ws, *i, i->comments.front()) == body);
  CHECK(i->attachments.back().filename == "new.txt");
  CHECK(i->updated_ms == ws.now_ms);
  const attachment* found = nullptr;
  CHECK(find_attachment(ws, a.id, &found) == i);
  CHECK(found->size_bytes == 123);
  REQUIRE(delete_attachment(ws, a.id).ok);
  CHECK(find_attachment(ws, a.id, nullptr) == nullptr);
  CHECK(issue_description(ws, *i) == desc);
}

TEST_CASE("comment add/update/delete", "[sim][mutations]") {
  auto ws = tiny_workspace();
  ws.now_ms = 1700000000000;
  auto r = add_comment(ws, 10000, "a2", std::nullopt);
  REQUIRE(r.ok);
  const comment* c = nullptr;
  REQUIRE(find_comment(ws, r.id, &c));
  CHECK(c->author == 2);
  CHECK(find_issue(ws, 10000)->updated_ms == ws.now_ms);
  auto body1 = comment_body(ws, *find_issue(ws, 10000), *c);
  ws.now_ms += 1000;
  REQUIRE(
    update_comment(ws, r.id, std::nullopt, *group_visibility(ws, "g-dev")).ok);
  REQUIRE(find_comment(ws, r.id, &c));
  CHECK(c->visibility.type == visibility_type::group);
  CHECK(c->visibility.identifier == "gid-dev");
  CHECK(c->updated_ms == ws.now_ms);
  CHECK(comment_body(ws, *find_issue(ws, 10000), *c) != body1);
  REQUIRE(delete_comment(ws, r.id).ok);
  CHECK(find_comment(ws, r.id, nullptr) == nullptr);
  CHECK_FALSE(delete_comment(ws, r.id).ok);
  CHECK_FALSE(add_comment(ws, 99999, "", std::nullopt).ok);
}
