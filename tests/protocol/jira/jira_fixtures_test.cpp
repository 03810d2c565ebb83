// Every file of tests/fixtures/jira-cloud/ parsed, with values read from it.
#include <algorithm>
#include <catch2/catch.hpp>

#include "jira_test_util.hpp"
#include "protocol/jira/jira_models.hpp"

using namespace jirasync::protocol;
using jirasync::protocol::test::all_errors;
using jirasync::protocol::test::load_fixture;

namespace {

template<class T>
void require_clean(const parsed<T>& r) {
  INFO(all_errors(r.errors));
  REQUIRE_FALSE(r.fatal);
  REQUIRE(r.errors.empty());
}

std::size_t count_type(const std::vector<permission_grant>& grants,
                       holder_type t) {
  return static_cast<std::size_t>(
    std::count_if(grants.begin(), grants.end(), [&](const auto& g) {
      return g.holder.type == t;
    }));
}

} // namespace

TEST_CASE("fixture airbytehq issues: a full v3 issue", "[jira]") {
  auto doc = load_fixture("airbytehq__issues.json");
  // The capture is a search-style page without isLast/nextPageToken.
  auto r = parse_search_page(doc);
  require_clean(r);
  CHECK(r.value.is_last);
  CHECK_FALSE(r.value.next_page_token);
  REQUIRE(r.value.issues.size() == 1);
  const auto& is = r.value.issues[0];
  CHECK(is.id == "10627");
  CHECK(is.key == "TESTKEY13-1");
  CHECK(is.self == "https://airbyteio.atlassian.net/rest/api/3/issue/10627");
  REQUIRE(is.has_fields);
  const auto& f = is.fields;
  CHECK(f.summary == "My Summary");
  REQUIRE(f.status);
  CHECK(f.status->name == "To Do");
  CHECK(f.status->category_key == "new");
  REQUIRE(f.priority);
  CHECK(f.priority->name == "Low");
  CHECK(f.priority->id == "4");
  CHECK(f.labels == std::vector<std::string>{"test"});
  CHECK(f.issue_type == "Epic");
  REQUIRE(f.project);
  CHECK(f.project->id == "10016");
  CHECK(f.project->key == "TESTKEY13");
  CHECK(f.project->name == "Test project 13");
  CHECK_FALSE(f.parent);
  CHECK_FALSE(f.security); // "security": null
  // 2022-06-09T16:29:31.871-0700 and 2022-12-08T02:22:18.889-0800
  CHECK(f.created_ms == 1654817371871);
  CHECK(f.updated_ms == 1670494938889);
  REQUIRE(f.reporter);
  CHECK(f.reporter->account_id == "5fc9e78d2730d800760becc4");
  CHECK(f.reporter->email == "integration-test@airbyte.io");
  CHECK(f.reporter->type == account_type::atlassian);
  CHECK(f.reporter->time_zone == "America/Los_Angeles");
  REQUIRE(f.assignee);
  CHECK(f.assignee->display_name == "integration test");
  REQUIRE(f.creator);
  REQUIRE(f.description);
  REQUIRE(f.description->is_object());
  CHECK(f.description->at("type").as_string() == "doc");
  REQUIRE(f.comment);
  CHECK(f.comment->total == 0);
  CHECK(f.comment->comments.empty());
  CHECK(f.attachments.empty());
  // Only non-null customfield_* kept: 10017, 10018, 10019, 10011, 10012,
  // 10013, 10009, 10003 are non-null in the capture.
  CHECK(f.custom_fields.size() == 8);
  CHECK(f.custom_fields.at("customfield_10011").as_string()
        == "EPIC NAME TEXT");
  CHECK(f.custom_fields.at("customfield_10012").at("value").as_string()
        == "To Do");
  CHECK(f.custom_fields.count("customfield_10030") == 0);
  CHECK(f.custom_fields.at("customfield_10003").as_array().size() == 1);
}

TEST_CASE("fixture airbytehq issue_comments", "[jira]") {
  auto r = parse_comment_page(load_fixture("airbytehq__issue_comments.json"));
  require_clean(r);
  REQUIRE(r.value.comments.size() == 2);
  CHECK(r.value.total == 2); // no total in the capture: list size
  const auto& c = r.value.comments[0];
  CHECK(c.id == "10755");
  REQUIRE(c.author);
  CHECK(c.author->account_id == "5fc9e78d2730d800760becc4");
  REQUIRE(c.update_author);
  CHECK(c.created_ms == 1652785615076); // 2022-05-17T04:06:55.076-0700
  CHECK(c.updated_ms == 1652785615076);
  CHECK(c.jsd_public == true);
  CHECK_FALSE(c.visibility);
  CHECK(c.body.at("content").at(0).at("content").at(0).at("text").as_string()
        == "Closed");
  CHECK(r.value.comments[1].id == "10521");
}

TEST_CASE("fixture airbytehq issue_fields", "[jira]") {
  auto r = parse_fields(load_fixture("airbytehq__issue_fields.json"));
  require_clean(r);
  REQUIRE(r.value.size() == 3);
  CHECK(r.value[0].id == "statuscategorychangedate");
  CHECK(r.value[0].name == "Status Category Changed");
  REQUIRE(r.value[0].schema);
  CHECK(r.value[0].schema->type == "datetime");
  CHECK(r.value[1].custom); // issuetype flagged custom in this capture
  CHECK(r.value[2].id == "parent");
  CHECK_FALSE(r.value[2].schema); // no schema member
}

TEST_CASE("fixture airbytehq issue_security_schemes (numeric ids)", "[jira]") {
  auto r = parse_security_schemes(
    load_fixture("airbytehq__issue_security_schemes.json"));
  require_clean(r);
  REQUIRE(r.value.size() == 2);
  CHECK(r.value[0].id == "10001");
  CHECK(r.value[0].name == "Security scheme 2");
  CHECK_FALSE(r.value[0].default_level_id);
  CHECK(r.value[1].id == "10000");
  CHECK(r.value[1].default_level_id == "10002");
}

TEST_CASE("fixture airbytehq permissions: not a scheme shape", "[jira]") {
  // GET /mypermissions-like catalogue: the connector does not use it; as a
  // permission scheme it is rejected with a clear error.
  auto r = parse_permission_scheme(load_fixture("airbytehq__permissions.json"));
  CHECK(r.fatal);
  CHECK_THAT(all_errors(r.errors),
             Catch::Contains("permission scheme: id: missing"));
}

TEST_CASE("fixture airbytehq project_permissions: security levels", "[jira]") {
  auto r = parse_security_level_scheme(
    load_fixture("airbytehq__project_permissions.json"));
  require_clean(r);
  CHECK_FALSE(r.value.id);
  REQUIRE(r.value.levels.size() == 2);
  CHECK(r.value.levels[0].id == "100000");
  CHECK(r.value.levels[0].name == "Reporter Only");
  CHECK(r.value.levels[1].description
        == "Only internal staff can see this issue.");
}

TEST_CASE("fixture airbytehq projects", "[jira]") {
  auto r = parse_project_page(load_fixture("airbytehq__projects.json"));
  require_clean(r);
  REQUIRE(r.value.values.size() == 2);
  CHECK(r.value.page.is_last); // no isLast, no total, no nextPage
  CHECK(r.value.values[0].id == "1");
  CHECK(r.value.values[0].key == "Project1");
  CHECK(r.value.values[0].name == "integration-tests");
  CHECK(r.value.values[0].project_type_key == "software");
  CHECK(r.value.values[0].style == "classic");
  CHECK(r.value.values[0].is_private == false);
  CHECK_FALSE(r.value.values[0].lead);
  CHECK(r.value.values[1].name == "Test project 13");
}

TEST_CASE("fixture airbytehq users", "[jira]") {
  auto r = parse_users(load_fixture("airbytehq__users.json"));
  require_clean(r);
  REQUIRE(r.value.size() == 2);
  CHECK(r.value[0].account_id == "1");
  CHECK(r.value[1].account_id == "2");
  CHECK(r.value[0].email == "integration-test@airbyte.io");
  CHECK(r.value[0].active); // absent -> true
}

TEST_CASE("fixture airbytehq users_groups_detailed: hidden email, app user",
          "[jira]") {
  auto r = parse_users(load_fixture("airbytehq__users_groups_detailed.json"));
  require_clean(r);
  REQUIRE(r.value.size() == 2);
  CHECK(r.value[0].email == "integration-test@airbyte.io");
  CHECK(r.value[0].locale == "en_US");
  CHECK(r.value[1].account_id == "557058:f58131cb-b67d-43c7-b30d-6b58d40bd077");
  CHECK(r.value[1].type == account_type::app);
  CHECK(r.value[1].account_type_raw == "app");
  CHECK_FALSE(r.value[1].email); // absent: hidden
  CHECK(r.value[1].display_name == "Automation for Jira");
}

TEST_CASE("fixture andygrunwald all_fields", "[jira]") {
  auto r = parse_fields(load_fixture("andygrunwald__all_fields.json"));
  require_clean(r);
  REQUIRE(r.value.size() == 2);
  CHECK(r.value[0].id == "description");
  CHECK_FALSE(r.value[0].key);
  CHECK(r.value[1].key == "summary");
  CHECK(r.value[1].schema->system == "summary");
}

TEST_CASE("fixture andygrunwald all_permissionschemes", "[jira]") {
  auto r = parse_permission_schemes(
    load_fixture("andygrunwald__all_permissionschemes.json"));
  require_clean(r);
  REQUIRE(r.value.size() == 2);
  CHECK(r.value[0].id == "10100");
  CHECK(r.value[0].name == "Default Permission Scheme");
  CHECK(r.value[0].permissions.size() == 66);
  CHECK(r.value[1].id == "10000");
  CHECK(r.value[1].name == "Default software scheme");
  CHECK(r.value[1].permissions.size() == 81);
  std::size_t roles = 0, groups = 0, apps = 0, assignees = 0;
  for (const auto& s : r.value) {
    roles += count_type(s.permissions, holder_type::project_role);
    groups += count_type(s.permissions, holder_type::group);
    apps += count_type(s.permissions, holder_type::application_role);
    assignees += count_type(s.permissions, holder_type::assignee);
  }
  CHECK(roles == 110);
  CHECK(groups == 23);
  CHECK(apps == 11);
  CHECK(assignees == 3);
}

TEST_CASE("fixture andygrunwald permissionscheme: BROWSE_PROJECTS holders",
          "[jira]") {
  auto r = parse_permission_scheme(
    load_fixture("andygrunwald__permissionscheme.json"));
  require_clean(r);
  CHECK(r.value.id == "10100");
  CHECK(r.value.name == "Default Permission Scheme");
  REQUIRE(r.value.permissions.size() == 66);
  CHECK(count_type(r.value.permissions, holder_type::project_role) == 44);
  CHECK(count_type(r.value.permissions, holder_type::group) == 17);
  CHECK(count_type(r.value.permissions, holder_type::application_role) == 5);
  std::vector<const permission_grant*> browse;
  for (const auto& g : r.value.permissions)
    if (g.permission == "BROWSE_PROJECTS")
      browse.push_back(&g);
  REQUIRE(browse.size() == 2);
  CHECK(browse[0]->holder.type == holder_type::project_role);
  CHECK(browse[0]->holder.role_id() == "10302");
  CHECK(browse[0]->holder.expand == "projectRole");
  CHECK(browse[1]->holder.type == holder_type::group);
  CHECK(browse[1]->holder.group_name() == "FooBarGroup");
  CHECK_FALSE(browse[1]->holder.group_id()); // old capture: name only
  // The first grant, by id (a number in the capture).
  CHECK(r.value.permissions[0].id == "10520");
  CHECK(r.value.permissions[0].permission == "MANAGE_WATCHERS");
  // applicationRole without parameter = any logged-in user.
  auto app = std::find_if(
    r.value.permissions.begin(), r.value.permissions.end(), [](const auto& g) {
      return g.holder.type == holder_type::application_role;
    });
  REQUIRE(app != r.value.permissions.end());
  CHECK_FALSE(app->holder.parameter);
}

TEST_CASE("fixture andygrunwald all_roles", "[jira]") {
  auto r = parse_project_roles(load_fixture("andygrunwald__all_roles.json"));
  require_clean(r);
  REQUIRE(r.value.size() == 2);
  CHECK(r.value[0].id == "10002");
  CHECK(r.value[0].name == "Administrator");
  REQUIRE(r.value[0].actors.size() == 1);
  CHECK(r.value[0].actors[0].type == role_actor_type::group);
  CHECK(r.value[0].actors[0].group_name == "jira-administrators");
  CHECK_FALSE(r.value[0].actors[0].group_id);
  CHECK(r.value[1].id == "10222");
  CHECK(r.value[1].actors.empty());
}

TEST_CASE("fixture andygrunwald role", "[jira]") {
  auto r = parse_project_role(load_fixture("andygrunwald__role.json"));
  require_clean(r);
  CHECK(r.value.id == "10002");
  CHECK(r.value.description == "Administrator description");
  REQUIRE(r.value.actors.size() == 1);
  CHECK(r.value.actors[0].id == "10002");
  CHECK(r.value.actors[0].display_name == "jira-administrators");
}

TEST_CASE("fixture andygrunwald role_actors: group and user actors", "[jira]") {
  auto r = parse_project_role(load_fixture("andygrunwald__role_actors.json"));
  require_clean(r);
  CHECK(r.value.id == "10360");
  CHECK(r.value.name == "Developers");
  REQUIRE(r.value.actors.size() == 2);
  CHECK(r.value.actors[0].type == role_actor_type::group);
  CHECK(r.value.actors[0].type_raw == "atlassian-group-role-actor");
  CHECK(r.value.actors[0].group_name == "jira-developers");
  CHECK(r.value.actors[0].group_id == "952d12c3-5b5b-4d04-bb32-44d383afc4b2");
  CHECK(r.value.actors[1].type == role_actor_type::user);
  CHECK(r.value.actors[1].account_id == "5b10a2844c20165700ede21g");
  CHECK(r.value.actors[1].display_name == "Mia Krystof");
}

TEST_CASE("fixture ankitpokhrel fields", "[jira]") {
  auto r = parse_fields(load_fixture("ankitpokhrel__fields.json"));
  require_clean(r);
  REQUIRE(r.value.size() == 3);
  CHECK(r.value[0].schema->type == "array");
  CHECK(r.value[0].schema->items == "version");
  CHECK(r.value[1].id == "customfield_10111");
  CHECK(r.value[1].custom);
  CHECK(r.value[1].schema->custom
        == "com.atlassian.jpo:jpo-custom-field-original-story-points");
  CHECK(r.value[1].schema->custom_id == 10111);
  CHECK(r.value[2].name == "Time Spent");
}

TEST_CASE("fixture ankitpokhrel issue: no id, reporter without accountId",
          "[jira]") {
  // A trimmed capture: no id and an abbreviated reporter. The parser keeps
  // what it could read but refuses to call the record usable.
  auto r = parse_issue(load_fixture("ankitpokhrel__issue.json"));
  CHECK(r.fatal);
  auto text = all_errors(r.errors);
  CHECK_THAT(text, Catch::Contains("issue (key TEST-1): id: missing"));
  CHECK_THAT(text, Catch::Contains(
                     "issue (key TEST-1): fields.reporter.accountId: missing"));
  CHECK(r.value.key == "TEST-1");
  CHECK(r.value.fields.summary == "Bug summary");
  CHECK(r.value.fields.created_ms == 1607000720974); // 14:05:20.974+0100
  CHECK_FALSE(r.value.fields.assignee);              // null
  CHECK(r.value.fields.priority->name == "Medium");
  CHECK(r.value.fields.priority->id.empty());
  CHECK(r.value.fields.status->name == "To Do");
  CHECK(r.value.fields.status->category_key.empty());
  CHECK(r.value.fields.description->at("type").as_string() == "doc");
}

TEST_CASE("fixture ankitpokhrel search: records without id are reported",
          "[jira]") {
  auto r = parse_search_page(load_fixture("ankitpokhrel__search.json"));
  CHECK_FALSE(r.fatal); // the page itself is fine
  CHECK(r.value.issues.empty());
  CHECK(r.value.is_last);
  auto text = all_errors(r.errors);
  CHECK_THAT(text, Catch::Contains("issue[0] (key TEST-1): id: missing"));
  CHECK_THAT(text, Catch::Contains("issue[1] (key TEST-2): id: missing"));
  CHECK_THAT(text, Catch::Contains("issue[2] (key TEST-3): id: missing"));
}

TEST_CASE("fixture ankitpokhrel search pages: nextPageToken", "[jira]") {
  auto p1 = parse_search_page(load_fixture("ankitpokhrel__search_page1.json"));
  CHECK_FALSE(p1.fatal);
  CHECK_FALSE(p1.value.is_last);
  CHECK(p1.value.next_page_token == "token-page-2");
  CHECK(p1.errors.size() == 4); // id + reporter.accountId, for 2 issues
  auto p2 = parse_search_page(load_fixture("ankitpokhrel__search_page2.json"));
  CHECK(p2.value.is_last);
  CHECK_FALSE(p2.value.next_page_token); // "" normalised to absent
  CHECK_THAT(all_errors(p2.errors), Catch::Contains("issue[0] (key TEST-3)"));
  auto p3 = parse_search_page(load_fixture("ankitpokhrel__search_page3.json"));
  CHECK(p3.value.is_last);
  CHECK_THAT(all_errors(p3.errors),
             Catch::Contains("issue[0] (key TEST-4): id: missing"));
}

TEST_CASE("fixture ankitpokhrel users: active flag", "[jira]") {
  auto r = parse_users(load_fixture("ankitpokhrel__users.json"));
  require_clean(r);
  REQUIRE(r.value.size() == 2);
  CHECK(r.value[0].account_id == "5fb82376aca10c006949f35b");
  CHECK(r.value[0].email == "jane@domain.tld");
  CHECK(r.value[0].active);
  CHECK_FALSE(r.value[1].active);
  CHECK(r.value[1].type == account_type::unknown); // no accountType
}

TEST_CASE("fixture ctreminiom bulk-groups", "[jira]") {
  auto r = parse_group_page(load_fixture("ctreminiom__bulk-groups.json"));
  require_clean(r);
  CHECK(r.value.page.is_last);
  CHECK(r.value.page.total == 2);
  CHECK(r.value.page.max_results == 10);
  REQUIRE(r.value.values.size() == 2);
  CHECK(r.value.values[0].name == "jdog-developers");
  CHECK(r.value.values[0].group_id == "276f955c-63d7-42c8-9520-92d01dca0625");
  CHECK(r.value.values[1].name == "juvenal-bot");
}

TEST_CASE("fixture ctreminiom attachment metadata and settings", "[jira]") {
  auto r = parse_attachment(
    load_fixture("ctreminiom__get-attachment-metadata.json"));
  require_clean(r);
  CHECK(r.value.id == "10000"); // a number in the capture
  CHECK(r.value.filename == "picture.jpg");
  CHECK(r.value.size_bytes == 23123);
  CHECK(r.value.mime_type == "image/jpeg");
  CHECK(r.value.created_ms == 1611299907064); // 2021-01-22T07:18:27.064+0000
  CHECK(r.value.content_url
        == "https://your-domain.atlassian.net/jira/secure/attachments/10000/"
           "picture.jpg");
  REQUIRE(r.value.author);
  CHECK(r.value.author->account_id == "5b10a2844c20165700ede21g");
  CHECK_FALSE(r.value.author->active);
  CHECK_FALSE(r.value.author->email);

  auto s = parse_attachment_settings(
    load_fixture("ctreminiom__get-attachment-settings.json"));
  require_clean(s);
  CHECK(s.value.enabled);
  CHECK(s.value.upload_limit_bytes == 1000000);
}

TEST_CASE("fixture ctreminiom audit records (288 real records)", "[jira]") {
  auto r = parse_audit_page(load_fixture("ctreminiom__get-audit-records.json"));
  require_clean(r);
  CHECK(r.value.offset == 0);
  CHECK(r.value.limit == 1000);
  CHECK(r.value.total == 288);
  REQUIRE(r.value.records.size() == 288);
  const auto& first = r.value.records.front();
  CHECK(first.id == "10287");
  CHECK(first.summary == "Workflow updated");
  CHECK(first.category == "workflows");
  CHECK(first.created_ms == 1614231276218); // 2021-02-25T05:34:36.218+0000
  CHECK(first.author_account_id == "5b86be50b8e3cb5895860d6d");
  REQUIRE(first.object_item);
  CHECK(first.object_item->type_name == "WORKFLOW");
  const auto& last = r.value.records.back();
  CHECK(last.id == "10000");
  CHECK(last.summary == "Custom field created");
  CHECK(last.created_ms == 1609551832544); // 2021-01-02T01:43:52.544+0000
  std::size_t permissions = 0, groups = 0, with_parent = 0;
  for (const auto& rec : r.value.records) {
    permissions += rec.category == "permissions";
    groups += rec.object_item && rec.object_item->type_name == "GROUP";
    with_parent += rec.object_item && rec.object_item->parent_id.has_value();
  }
  CHECK(permissions == 125);
  CHECK(groups == 54);
  CHECK(with_parent == 61);
  auto roles = std::find_if(r.value.records.begin(), r.value.records.end(),
                            [](const auto& x) {
                              return x.id == "10265";
                            });
  REQUIRE(roles != r.value.records.end());
  CHECK(roles->summary == "Project roles changed");
  REQUIRE(roles->changed_values.size() == 1);
  CHECK(roles->changed_values[0].field_name == "Users");
  REQUIRE(roles->associated_items.size() == 1);
  CHECK(roles->associated_items[0].id == "10000");
  CHECK(roles->associated_items[0].type_name == "PROJECT");
}

TEST_CASE("fixture ctreminiom issue comments (role visibility)", "[jira]") {
  auto r
    = parse_comment_page(load_fixture("ctreminiom__get-issue-comments.json"));
  require_clean(r);
  CHECK(r.value.start_at == 0);
  CHECK(r.value.max_results == 1);
  CHECK(r.value.total == 1);
  REQUIRE(r.value.comments.size() == 14);
  const auto& c = r.value.comments[0];
  CHECK(c.id == "10000");
  CHECK(c.created_ms == 1614303903821); // 2021-02-26T01:45:03.821+0000
  REQUIRE(c.visibility);
  CHECK(c.visibility->type == "role");
  CHECK(c.visibility->value == "Administrators");
  CHECK_FALSE(c.visibility->identifier);
}

TEST_CASE("fixture ctreminiom get-issue: old shape, comment array", "[jira]") {
  auto r = parse_issue(load_fixture("ctreminiom__get-issue.json"));
  require_clean(r);
  CHECK(r.value.id == "10002");
  CHECK(r.value.key == "ED-1");
  const auto& f = r.value.fields;
  CHECK_FALSE(f.created_ms); // not in this capture
  REQUIRE(f.project);
  CHECK(f.project->key == "EX");
  REQUIRE(f.attachments.size() == 1);
  CHECK(f.attachments[0].id == "10000");
  CHECK(f.attachments[0].created_ms == 1614149027075);
  CHECK(f.attachments[0].filename == "picture.jpg");
  REQUIRE(f.comment);
  REQUIRE(f.comment->comments.size() == 1);
  CHECK(f.comment->total == 1);
  CHECK(f.comment->comments[0].visibility->value == "Administrators");
  CHECK(f.description->at("content")
          .at(0)
          .at("content")
          .at(0)
          .at("text")
          .as_string()
        == "Main order flow broken");
}

TEST_CASE("fixture ctreminiom permission scheme (group holder)", "[jira]") {
  auto r = parse_permission_scheme(
    load_fixture("ctreminiom__get-permission-scheme.json"));
  require_clean(r);
  CHECK(r.value.id == "10000");
  CHECK(r.value.name == "Example permission scheme");
  REQUIRE(r.value.permissions.size() == 1);
  const auto& g = r.value.permissions[0];
  CHECK(g.permission == "ADMINISTER_PROJECTS");
  CHECK(g.holder.type == holder_type::group);
  CHECK(g.holder.type_raw == "group");
  CHECK(g.holder.group_name() == "jira-core-users");
  // As a project's scheme reference ({id, name}) the same body works too.
  auto ref = parse_permission_scheme_ref(
    load_fixture("ctreminiom__get-permission-scheme.json"));
  require_clean(ref);
  CHECK(ref.value.id == "10000");
}

TEST_CASE("fixture ctreminiom project role", "[jira]") {
  auto r
    = parse_project_role(load_fixture("ctreminiom__get-project-role.json"));
  require_clean(r);
  CHECK(r.value.id == "10360");
  REQUIRE(r.value.actors.size() == 2);
  CHECK(r.value.actors[0].group_name == "jira-developers");
  CHECK(r.value.actors[1].account_id == "5b10a2844c20165700ede21g");
}

TEST_CASE("fixture ctreminiom project security levels", "[jira]") {
  auto r = parse_security_level_scheme(
    load_fixture("ctreminiom__get-project-security-levels.json"));
  require_clean(r);
  REQUIRE(r.value.levels.size() == 2);
  CHECK(r.value.levels[0].id == "100000");
  CHECK(r.value.levels[1].name == "Staff Only");
}

TEST_CASE("fixture ctreminiom group members", "[jira]") {
  auto r
    = parse_group_member_page(load_fixture("ctreminiom__group-members.json"));
  require_clean(r);
  CHECK_FALSE(r.value.page.is_last);
  CHECK(r.value.page.start_at == 3);
  CHECK(r.value.page.total == 5);
  CHECK(r.value.page.next_page
        == "https://your-domain.atlassian.net/rest/api/3/group/member?"
           "groupname=jira-administrators&includeInactiveUsers=false&"
           "startAt=4&maxResults=2");
  REQUIRE(r.value.values.size() == 2);
  CHECK(r.value.values[0].account_id == "5b10a2844c20165700ede21g");
  CHECK(r.value.values[0].email == "mia@example.com");
  CHECK(r.value.values[0].time_zone == "Australia/Sydney");
  CHECK(r.value.values[1].display_name == "Will");
  CHECK_FALSE(r.value.values[1].active);
}

TEST_CASE("fixture ctreminiom search-users", "[jira]") {
  auto r = parse_users(load_fixture("ctreminiom__search-users.json"));
  require_clean(r);
  REQUIRE(r.value.size() == 2);
  CHECK(r.value[0].display_name == "Mia Krystof");
  CHECK(r.value[1].account_id == "5b10ac8d82e05b22cc7d4ef5");
  CHECK_FALSE(r.value[1].email); // absent
}
