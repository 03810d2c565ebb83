// Tolerance, strictness and hostile input of the Jira JSON models.
#include <catch2/catch.hpp>

#include "jira_test_util.hpp"
#include "protocol/jira/jira_models.hpp"

using namespace jirasync::protocol;
using jirasync::protocol::test::all_errors;

namespace {

boost::json::value js(std::string_view text) {
  auto r = parse_json(text);
  INFO(all_errors(r.errors));
  REQUIRE(r.ok());
  return std::move(r.value);
}

} // namespace

TEST_CASE("ids as numbers or strings, null vs absent", "[jira]") {
  auto r = parse_search_page(js(R"({"isLast": false, "nextPageToken": "t2",
    "issues": [
      {"id": 10001, "key": "A-1", "fields": {"security": {"id": 10100,
        "name": "Staff"}, "priority": null, "assignee": null,
        "reporter": {"accountId": "u1", "emailAddress": null,
                     "displayName": "U One", "active": true},
        "labels": [], "customfield_10001": null, "customfield_10002": 5,
        "parent": {"id": 7, "key": "A-0"}, "description": null}},
      {"id": "10002", "fields": {}},
      {"id": "10003", "extra": {"ignored": [1,2,3]}}
    ]})"));
  INFO(all_errors(r.errors));
  REQUIRE(r.ok());
  CHECK_FALSE(r.value.is_last);
  CHECK(r.value.next_page_token == "t2");
  REQUIRE(r.value.issues.size() == 3);
  const auto& a = r.value.issues[0];
  CHECK(a.id == "10001");
  CHECK(a.fields.security->id == "10100");
  CHECK(a.fields.security->name == "Staff");
  CHECK_FALSE(a.fields.priority);
  CHECK_FALSE(a.fields.assignee);
  REQUIRE(a.fields.reporter);
  CHECK_FALSE(a.fields.reporter->email); // null = hidden
  CHECK(a.fields.parent->id == "7");
  CHECK(a.fields.parent->key == "A-0");
  REQUIRE(a.fields.description);          // present ...
  CHECK(a.fields.description->is_null()); // ... and null
  CHECK(a.fields.custom_fields.size() == 1);
  CHECK(a.fields.custom_fields.at("customfield_10002").as_int64() == 5);
  CHECK(r.value.issues[1].has_fields);
  CHECK_FALSE(r.value.issues[1].key);
  CHECK_FALSE(r.value.issues[1].fields.description); // absent
  CHECK_FALSE(r.value.issues[2].has_fields);
}

TEST_CASE("a bad record is reported with record and field, others kept",
          "[jira]") {
  auto r = parse_search_page(js(R"({"issues": [
      {"id": "1", "key": "ABC-1", "fields": {"created": "2024-01-01T00:00:00.000+0000"}},
      {"key": "ABC-2", "fields": {}},
      {"id": "", "key": "ABC-5"},
      {"id": "4", "key": "ABC-12", "fields": {"created": "yesterday"}},
      {"id": 1.5, "key": "ABC-13"},
      {"id": "6", "fields": {"updated": 17}},
      42,
      {"id": "8", "key": "ABC-8", "fields": {"labels": ["ok", 3]}},
      {"id": "9", "key": "ABC-9", "fields": {"reporter": {"displayName": "x"}}}
    ], "isLast": true})"));
  CHECK_FALSE(r.fatal);
  REQUIRE(r.value.issues.size() == 1);
  CHECK(r.value.issues[0].id == "1");
  CHECK(r.value.issues[0].fields.created_ms == 1704067200000);
  std::vector<std::string> lines;
  for (const auto& e : r.errors)
    lines.push_back(e.to_string());
  CHECK(lines
        == std::vector<std::string>{
          "issue[1] (key ABC-2): id: missing",
          "issue[2] (key ABC-5): id: expected a non-empty string or integer "
          "id, got \"\"",
          "issue[3] (key ABC-12): fields.created: expected a Jira timestamp, "
          "got \"yesterday\"",
          "issue[4] (key ABC-13): id: expected a non-empty string or integer "
          "id, got a number",
          "issue[5] (id 6): fields.updated: expected a Jira timestamp, got a "
          "number",
          "issue[6]: expected an object, got a number",
          "issue[7] (key ABC-8): fields.labels[1]: expected a string, got a "
          "number",
          "issue[8] (key ABC-9): fields.reporter.accountId: missing",
        });
  // The structured parts too.
  CHECK(r.errors[2].record == "issue[3] (key ABC-12)");
  CHECK(r.errors[2].field == "fields.created");
}

TEST_CASE("bad sub-records are dropped, their parent kept", "[jira]") {
  auto r = parse_issue(js(R"({"id": "10", "key": "K-1", "fields": {
      "comment": {"comments": [
         {"id": "c1", "created": "2024-01-01T00:00:00Z", "body": null},
         {"id": "c2", "created": "not a time"},
         {"id": "c3", "created": "2024-01-01T00:00:00Z",
          "visibility": {"type": "group", "value": "staff",
                         "identifier": "gid-1"}}],
        "total": 25, "maxResults": 3, "startAt": 0},
      "attachment": [{"filename": "no-id.txt"},
                     {"id": 5, "filename": "a.txt", "size": 3}]}})"));
  CHECK_FALSE(r.fatal);
  CHECK(r.errors.size() == 2);
  CHECK(all_errors(r.errors)
        == "issue (key K-1): fields.comment.comments[1].created: expected a "
           "Jira timestamp, got \"not a time\"\n"
           "issue (key K-1): fields.attachment[0].id: missing\n");
  REQUIRE(r.value.fields.comment);
  CHECK(r.value.fields.comment->total == 25); // more than embedded
  REQUIRE(r.value.fields.comment->comments.size() == 2);
  CHECK(r.value.fields.comment->comments[1].id == "c3");
  CHECK(r.value.fields.comment->comments[1].visibility->identifier == "gid-1");
  CHECK(r.value.fields.comment->comments[0].updated_ms
        == r.value.fields.comment->comments[0].created_ms);
  REQUIRE(r.value.fields.attachments.size() == 1);
  CHECK(r.value.fields.attachments[0].id == "5");
}

TEST_CASE("permission holders of every type", "[jira]") {
  auto r = parse_permission_scheme(js(R"({"id": 1, "name": "S",
    "permissions": [
      {"id": 1, "permission": "BROWSE_PROJECTS", "holder": {"type": "anyone"}},
      {"id": 2, "permission": "BROWSE_PROJECTS", "holder": {"type": "applicationRole"}},
      {"id": 3, "permission": "BROWSE_PROJECTS", "holder": {"type": "applicationRole", "parameter": "jira-software"}},
      {"id": 4, "permission": "BROWSE_PROJECTS", "holder": {"type": "assignee"}},
      {"id": 5, "permission": "BROWSE_PROJECTS", "holder": {"type": "group", "parameter": "devs", "value": "g-1", "expand": "group", "group": {"name": "devs", "groupId": "g-1"}}},
      {"id": 6, "permission": "BROWSE_PROJECTS", "holder": {"type": "groupCustomField", "parameter": "customfield_10100"}},
      {"id": 7, "permission": "BROWSE_PROJECTS", "holder": {"type": "projectLead"}},
      {"id": 8, "permission": "BROWSE_PROJECTS", "holder": {"type": "projectRole", "parameter": 10002, "projectRole": {"id": 10002, "name": "Developers"}}},
      {"id": 9, "permission": "BROWSE_PROJECTS", "holder": {"type": "reporter"}},
      {"id": 10, "permission": "BROWSE_PROJECTS", "holder": {"type": "sd.customer.portal.only"}},
      {"id": 11, "permission": "BROWSE_PROJECTS", "holder": {"type": "user", "parameter": "acc-1", "user": {"accountId": "acc-1"}}},
      {"id": 12, "permission": "BROWSE_PROJECTS", "holder": {"type": "userCustomField", "parameter": "customfield_10200"}},
      {"id": 13, "permission": "BROWSE_PROJECTS", "holder": {"type": "somethingNew", "parameter": "x"}},
      {"id": 14, "permission": "BROWSE_PROJECTS", "holder": {"type": "group", "value": "g-only"}},
      {"id": 15, "permission": "BROWSE_PROJECTS", "holder": {"type": "group"}},
      {"id": 16, "permission": "BROWSE_PROJECTS", "holder": {"type": "user"}},
      {"id": 17, "permission": "BROWSE_PROJECTS"},
      {"id": 18, "holder": {"type": "anyone"}}
    ]})"));
  CHECK_FALSE(r.fatal);
  const auto& p = r.value.permissions;
  REQUIRE(p.size() == 14);
  CHECK(p[0].holder.type == holder_type::anyone);
  CHECK(p[1].holder.type == holder_type::application_role);
  CHECK_FALSE(p[1].holder.parameter);
  CHECK(p[2].holder.parameter == "jira-software");
  CHECK(p[3].holder.type == holder_type::assignee);
  CHECK(p[4].holder.group_id() == "g-1");
  CHECK(p[4].holder.group_name() == "devs");
  CHECK(p[4].holder.group->group_id == "g-1");
  CHECK(p[5].holder.type == holder_type::group_custom_field);
  CHECK(p[5].holder.parameter == "customfield_10100");
  CHECK(p[6].holder.type == holder_type::project_lead);
  CHECK(p[7].holder.role_id() == "10002");
  CHECK(p[7].holder.project_role_name == "Developers");
  CHECK(p[8].holder.type == holder_type::reporter);
  CHECK(p[9].holder.type == holder_type::sd_customer_portal_only);
  CHECK(p[10].holder.account_id() == "acc-1");
  CHECK(p[11].holder.type == holder_type::user_custom_field);
  CHECK(p[12].holder.type == holder_type::other);
  CHECK(p[12].holder.type_raw == "somethingNew");
  CHECK(p[13].holder.group_id() == "g-only");
  CHECK_FALSE(p[13].holder.group_name());
  // Accessors only answer for their own type.
  CHECK_FALSE(p[0].holder.group_id());
  CHECK_FALSE(p[4].holder.account_id());
  CHECK(all_errors(r.errors)
        == "permission scheme (id 1): permissions[14].holder.parameter: "
           "missing for holder type group\n"
           "permission scheme (id 1): permissions[15].holder.parameter: "
           "missing for holder type user\n"
           "permission scheme (id 1): permissions[16].holder: missing\n"
           "permission scheme (id 1): permissions[17].permission: missing\n");
  for (auto t :
       {holder_type::anyone, holder_type::application_role,
        holder_type::group_custom_field, holder_type::sd_customer_portal_only,
        holder_type::user_custom_field})
    CHECK(holder_type_from(to_string(t)) == t);
  CHECK(to_string(holder_type::other) == "other");
}

TEST_CASE("project role map: role ids from URLs", "[jira]") {
  auto r = parse_project_role_map(js(R"({
    "Administrators": "https://x.atlassian.net/rest/api/3/project/MKY/role/10002",
    "Developers": "https://x.atlassian.net/rest/api/3/project/MKY/role/10360/",
    "Odd": "https://x.atlassian.net/rest/api/3/project/MKY/role/abc",
    "Num": 5})"));
  CHECK_FALSE(r.fatal);
  REQUIRE(r.value.size() == 2);
  CHECK(r.value[0].name == "Administrators");
  CHECK(r.value[0].id == "10002");
  CHECK(r.value[1].id == "10360");
  REQUIRE(r.errors.size() == 2);
  CHECK(r.errors[0].record == "project roles (name Odd)");
  CHECK_THAT(r.errors[0].message, Catch::Contains("/role/<id>"));
  CHECK(r.errors[1].to_string()
        == "project roles (name Num): expected a role URL, got a number");
}

TEST_CASE("role actors: user actor without accountId dropped", "[jira]") {
  auto r = parse_project_role(js(R"({"id": 10360, "name": "Dev", "actors": [
      {"id": 1, "type": "atlassian-user-role-actor", "displayName": "X"},
      {"id": 2, "type": "atlassian-group-role-actor", "actorGroup": {"name": "g", "groupId": "gid"}},
      {"id": 3, "type": "atlassian-group-role-actor"},
      {"id": 4, "type": "atlassian-app-role-actor"}]})"));
  CHECK_FALSE(r.fatal);
  REQUIRE(r.value.actors.size() == 2);
  CHECK(r.value.actors[0].group_id == "gid");
  CHECK(r.value.actors[1].type == role_actor_type::other);
  CHECK(all_errors(r.errors)
        == "project role (id 10360): actors[0].actorUser.accountId: missing "
           "for a user actor\n"
           "project role (id 10360): actors[2].actorGroup: missing for a "
           "group actor\n");
}

TEST_CASE("security level members page", "[jira]") {
  auto r = parse_security_member_page(js(R"({"isLast": true, "maxResults": 50,
    "startAt": 0, "total": 3, "values": [
      {"id": 10000, "issueSecurityLevelId": "10020", "holder": {"type": "reporter"}},
      {"id": "10001", "issueSecurityLevelId": 10020, "holder": {"type": "group", "parameter": "staff", "value": "gid-staff"}},
      {"id": "10002", "holder": {"type": "anyone"}}]})"));
  CHECK_FALSE(r.fatal);
  REQUIRE(r.value.values.size() == 2);
  CHECK(r.value.page.total == 3);
  CHECK(r.value.values[0].id == "10000");
  CHECK(r.value.values[0].level_id == "10020");
  CHECK(r.value.values[0].holder.type == holder_type::reporter);
  CHECK(r.value.values[1].holder.group_id() == "gid-staff");
  CHECK(all_errors(r.errors)
        == "members[2] (id 10002): issueSecurityLevelId: missing\n");
}

TEST_CASE("page info defaults", "[jira]") {
  auto r = parse_group_page(js(R"({"startAt": 0, "maxResults": 2, "total": 5,
    "values": [{"groupId": "a", "name": "A"}, {"groupId": "b", "name": "B"}]})"));
  REQUIRE(r.ok());
  CHECK_FALSE(r.value.page.is_last); // 0 + 2 < 5
  auto last = parse_group_page(js(R"({"startAt": 4, "total": 5,
    "values": [{"groupId": "e", "name": "E"}]})"));
  CHECK(last.value.page.is_last);
  auto bad = parse_group_page(js(R"({"values": [{"name": "no id"}]})"));
  CHECK_FALSE(bad.fatal);
  CHECK(bad.value.values.empty());
  CHECK(all_errors(bad.errors) == "groups[0] (name no id): groupId: missing\n");
  auto shape = parse_group_page(js(R"([1, 2])"));
  CHECK(shape.fatal);
  CHECK(all_errors(shape.errors)
        == "group page: expected a JSON object, got an array\n");
  auto novalues = parse_group_page(js(R"({"isLast": true})"));
  CHECK(novalues.fatal);
  CHECK(all_errors(novalues.errors) == "group page: values: missing\n");
  auto badpage = parse_group_page(js(R"({"isLast": "maybe", "values": []})"));
  CHECK(badpage.fatal);
  CHECK(all_errors(badpage.errors)
        == "group page: isLast: expected a boolean, got \"maybe\"\n");
}

TEST_CASE("users: account types, hidden email, myself", "[jira]") {
  auto r = parse_users(js(R"([
    {"accountId": "a", "accountType": "atlassian", "emailAddress": "a@x", "displayName": "A", "active": true},
    {"accountId": "b", "accountType": "app", "displayName": "B", "active": true},
    {"accountId": "c", "accountType": "customer", "emailAddress": null, "displayName": "C", "active": false},
    {"accountId": "d", "accountType": "robot", "emailAddress": "", "displayName": "D"},
    {"displayName": "nobody"}])"));
  REQUIRE(r.value.size() == 4);
  CHECK(r.value[0].type == account_type::atlassian);
  CHECK(r.value[1].type == account_type::app);
  CHECK_FALSE(r.value[1].email);
  CHECK(r.value[2].type == account_type::customer);
  CHECK_FALSE(r.value[2].email);
  CHECK_FALSE(r.value[2].active);
  CHECK(r.value[3].type == account_type::unknown);
  CHECK(r.value[3].account_type_raw == "robot");
  CHECK_FALSE(r.value[3].email);
  CHECK(all_errors(r.errors) == "users[4]: accountId: missing\n");
  CHECK(to_string(account_type::customer) == "customer");

  auto me
    = parse_myself(js(R"({"accountId": "5b10", "emailAddress": "bot@acme.com",
    "displayName": "Bot", "timeZone": "Asia/Kolkata", "locale": "en_GB", "active": true})"));
  REQUIRE(me.ok());
  CHECK(me.value.time_zone == "Asia/Kolkata");
  CHECK(me.value.locale == "en_GB");
  auto anon = parse_myself(js(R"({"displayName": "x"})"));
  CHECK(anon.fatal);
  CHECK(all_errors(anon.errors) == "myself: accountId: missing\n");
}

TEST_CASE("bulkfetch: issues and issueErrors", "[jira]") {
  auto r = parse_bulkfetch(js(R"({"issues": [
      {"id": "10002", "key": "P-2", "fields": {"summary": "s"}},
      {"id": "10001", "key": "P-1"}],
    "issueErrors": [
      {"id": "10009", "status": 404, "errorMessages": ["Issue does not exist or you do not have permission to see it."]},
      {"errorMessage": "bad id", "id": 77},
      {"status": 403, "errors": {"issueIdsOrKeys": "too many"}}]})"));
  REQUIRE(r.ok());
  REQUIRE(r.value.issues.size() == 2);
  CHECK(r.value.issues[0].fields.summary == "s");
  REQUIRE(r.value.issue_errors.size() == 3);
  CHECK(r.value.issue_errors[0].id == "10009");
  CHECK(r.value.issue_errors[0].status == 404);
  CHECK(r.value.issue_errors[0].messages
        == std::vector<std::string>{
          "Issue does not exist or you do not have permission to see it."});
  CHECK(r.value.issue_errors[1].id == "77");
  CHECK(r.value.issue_errors[1].messages == std::vector<std::string>{"bad id"});
  CHECK_FALSE(r.value.issue_errors[2].id);
  CHECK(r.value.issue_errors[2].messages
        == std::vector<std::string>{"issueIdsOrKeys: too many"});
}

TEST_CASE("approximate count, oauth token, accessible resources", "[jira]") {
  auto c = parse_approximate_count(js(R"({"count": 1234})"));
  REQUIRE(c.ok());
  CHECK(c.value == 1234);
  CHECK(parse_approximate_count(js("{}")).fatal);

  auto t = parse_oauth_token(js(R"({"access_token": "AT", "refresh_token": "RT",
    "expires_in": 3600, "scope": "read:jira-work offline_access", "token_type": "Bearer"})"));
  REQUIRE(t.ok());
  CHECK(t.value.access_token == "AT");
  CHECK(t.value.refresh_token == "RT");
  CHECK(t.value.expires_in_secs == 3600);
  CHECK(t.value.scope == "read:jira-work offline_access");
  CHECK(t.value.token_type == "Bearer");
  auto t2
    = parse_oauth_token(js(R"({"access_token": "AT2", "expires_in": 60})"));
  REQUIRE(t2.ok());
  CHECK_FALSE(t2.value.refresh_token); // keep the old one
  CHECK(t2.value.expires_in_secs == 60);
  auto t3 = parse_oauth_token(js(R"({"token_type": "Bearer"})"));
  CHECK(t3.fatal);
  CHECK(all_errors(t3.errors) == "oauth token: access_token: missing\n");

  auto ar = parse_accessible_resources(js(R"([
    {"id": "1324a887-45db-1bf4-1e99-ef0ff456d421", "name": "acme",
     "url": "https://acme.atlassian.net", "scopes": ["read:jira-work", "read:jira-user"],
     "avatarUrl": "https://site-admin-avatar-cdn.prod.public.atl-paas.net/avatars/240/flag.png"},
    {"name": "no id"}])"));
  REQUIRE(ar.value.size() == 1);
  CHECK(ar.value[0].id == "1324a887-45db-1bf4-1e99-ef0ff456d421");
  CHECK(ar.value[0].url == "https://acme.atlassian.net");
  CHECK(ar.value[0].scopes.size() == 2);
  CHECK(ar.value[0].avatar_url);
  CHECK(ar.errors.size() == 1);
}

TEST_CASE("error bodies: Jira, gateway, OAuth, unknown", "[jira]") {
  auto j = parse_jira_error(
    R"({"errorMessages":["Field 'foo' does not exist or you do not have permission to view it."],"errors":{"jql":"bad clause","b":"second"}})",
    400);
  CHECK(j.shape == jira_error_shape::jira);
  CHECK(j.error_messages.size() == 1);
  CHECK(j.errors.at("jql") == "bad clause");
  CHECK(j.describe()
        == "HTTP 400: Field 'foo' does not exist or you do not have "
           "permission to view it. (b: second; jql: bad clause)");
  auto only_fields = parse_jira_error(
    R"({"errorMessages":[],"errors":{"summary":"required"}})", 400);
  CHECK(only_fields.describe() == "HTTP 400: summary: required");
  auto empty_jira
    = parse_jira_error(R"({"errorMessages":[],"errors":{}})", 404);
  CHECK(empty_jira.describe() == "HTTP 404: no error message");

  auto g = parse_jira_error(
    R"({"code":401,"message":"Unauthorized; scope does not match"})", 401);
  CHECK(g.shape == jira_error_shape::gateway);
  CHECK(g.code == 401);
  CHECK(g.describe()
        == "HTTP 401: Unauthorized; scope does not match (gateway code 401)");
  CHECK(g.detail() == "Unauthorized; scope does not match (gateway code 401)");

  auto o = parse_jira_error(
    R"({"error":"invalid_grant","error_description":"Unknown or invalid refresh token."})",
    403);
  CHECK(o.shape == jira_error_shape::oauth);
  CHECK(o.oauth_error == "invalid_grant");
  CHECK(o.describe()
        == "HTTP 403: invalid_grant: Unknown or invalid refresh token.");

  auto u = parse_jira_error("<html>\n<body>Bad Gateway</body></html>", 502);
  CHECK(u.shape == jira_error_shape::unknown);
  CHECK(u.describe() == "HTTP 502: <html> <body>Bad Gateway</body></html>");
  CHECK(parse_jira_error("", 503).describe() == "HTTP 503: empty body");
  CHECK(parse_jira_error(std::string(1000, 'x')).raw_excerpt.size() == 200);
  CHECK(parse_jira_error(std::string(1000, 'x')).describe().size() == 200);
}

TEST_CASE("hostile JSON: deep nesting fails its record, not a crash",
          "[jira][hostile]") {
  // 100,000 nested arrays inside an issue description.
  std::string deep = R"({"id": "1", "fields": {"description": )";
  deep += std::string(100000, '[');
  deep += std::string(100000, ']');
  deep += "}}";
  auto r = parse_text(deep, parse_issue);
  CHECK(r.fatal);
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].record == "issue (id 1)");
  CHECK_THAT(r.errors[0].field, Catch::StartsWith("/fields/description/0/0/0/")
                                  && Catch::EndsWith("(2000 levels)"));
  CHECK(r.errors[0].message
        == "nested deeper than 2000 levels (value dropped)");
  // An unterminated deep document is a truncated one.
  std::string deep_obj;
  for (int i = 0; i < 50000; ++i)
    deep_obj += R"({"a":)";
  auto r2 = parse_json(deep_obj);
  CHECK(r2.fatal);
  CHECK_THAT(r2.errors[0].message, Catch::Contains("incomplete"));
  CHECK(json_fault(deep_obj) == json_text_fault::truncated);
  // Just below the limit parses and is destroyed fine.
  std::string ok(json_max_depth - 1, '[');
  ok += std::string(json_max_depth - 1, ']');
  auto r3 = parse_json(ok);
  CHECK(r3.ok());
  CHECK(json_fault(ok) == json_text_fault::none);
  // ... also when copied out as an issue description and destroyed.
  std::string issue = R"({"id": "1", "fields": {"description": )";
  issue += std::string(json_max_depth - 3, '[');
  issue += std::string(json_max_depth - 3, ']');
  issue += "}}";
  auto r4 = parse_text(issue, parse_issue);
  REQUIRE(r4.ok());
  CHECK(r4.value.fields.description->is_array());
}

TEST_CASE("hostile JSON: one too-deep issue of a page fails alone",
          "[jira][hostile]") {
  // Issue 2 of 3 carries a custom field 2,001 (and one 100,000) levels
  // deep: the page is read, issues 1 and 3 are kept, issue 2 is named.
  for (std::size_t depth : {std::size_t{2001}, std::size_t{100000}}) {
    INFO("depth " << depth);
    std::string page = R"({"issues":[{"id":"1","key":"A-1","fields":{}},)";
    page += R"({"id":"2","key":"A-2","fields":{"customfield_1":)";
    page += std::string(depth, '[') + "\"x\"" + std::string(depth, ']');
    page += R"(}},{"id":"3","key":"A-3","fields":{}}],"issueErrors":[]})";
    auto r = parse_text(page, parse_bulkfetch);
    REQUIRE_FALSE(r.fatal);
    REQUIRE(r.value.issues.size() == 2);
    CHECK(r.value.issues[0].id == "1");
    CHECK(r.value.issues[1].id == "3");
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].record == "issue[1] (key A-2)");
    CHECK_THAT(r.errors[0].field,
               Catch::StartsWith("/issues/1/fields/customfield_1/0/0"));
    CHECK_THAT(r.errors[0].message, Catch::StartsWith("nested deeper than"));
    // Classified as usable, so a 200 with it is not retried.
    CHECK(json_fault(page) == json_text_fault::none);
  }
}

TEST_CASE("hostile JSON: invalid UTF-8 fails its record only",
          "[jira][hostile]") {
  std::string page = R"({"issues":[{"id":"1","key":"A-1","fields":{}},)";
  page += "{\"id\":\"2\",\"key\":\"A-2\",\"fields\":{\"summary\":\"bad "
          "\xff\xfe\"}}";
  page += R"(],"issueErrors":[]})";
  auto r = parse_text(page, parse_bulkfetch);
  REQUIRE_FALSE(r.fatal);
  REQUIRE(r.value.issues.size() == 1);
  CHECK(r.value.issues[0].id == "1");
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].to_string()
        == "issue[1] (key A-2): /issues/1/fields/summary: invalid UTF-8 in a "
           "string");
  // parse_json alone repairs the string and reports the defect.
  auto j = parse_json("[\"a\xff"
                      "b\"]");
  REQUIRE_FALSE(j.fatal);
  CHECK(j.value.get_array()[0].get_string()
        == "a\xEF\xBF\xBD"
           "b");
  REQUIRE(j.errors.size() == 1);
  CHECK(j.errors[0].field == "/0");
}

TEST_CASE("hostile JSON: truncated vs malformed bodies", "[jira][hostile]") {
  CHECK(json_fault(R"({"issues":[{"id":"1")") == json_text_fault::truncated);
  CHECK(json_fault(R"({"issues":[}])") == json_text_fault::malformed);
  CHECK(json_fault("<html>oops</html>") == json_text_fault::malformed);
  CHECK(json_fault(R"({"a":1})") == json_text_fault::none);
}

TEST_CASE("hostile JSON: garbage, truncation, trailing data", "[jira]") {
  for (std::string_view bad :
       {"", "{", "nul", "{\"a\":1,}", "[1] [2]", "{\"a\":1} x", "\xff\xfe",
        "{\"id\": \"1\" /* c */}"}) {
    INFO("input: " << bad);
    auto r = parse_text(bad, parse_issue);
    CHECK(r.fatal);
    REQUIRE(r.errors.size() == 1);
    CHECK_THAT(r.errors[0].message, Catch::StartsWith("invalid JSON"));
  }
  // Wrong top-level types everywhere: fatal, never a throw.
  auto n = js("42");
  CHECK(parse_users(n).fatal);
  CHECK(parse_search_page(n).fatal);
  CHECK(parse_bulkfetch(n).fatal);
  CHECK(parse_audit_page(n).fatal);
  CHECK(parse_comment_page(n).fatal);
  CHECK(parse_project_role_map(n).fatal);
  CHECK(parse_accessible_resources(n).fatal);
  CHECK(parse_issue(n).fatal);
  CHECK(parse_permission_schemes(n).fatal);
  CHECK(parse_security_schemes(n).fatal);
  CHECK(parse_fields(n).fatal);
  CHECK(parse_project_roles(n).fatal);
  CHECK(parse_search_page(js(R"({"isLast": true})")).fatal);
  // Huge numbers do not wrap.
  auto big
    = parse_search_page(js(R"({"issues": [{"id": 18446744073709551615}]})"));
  CHECK(big.value.issues.empty());
  CHECK(big.errors.size() == 1);
}

TEST_CASE("project page with expand=lead - security level scheme", "[jira]") {
  auto r = parse_project_page(js(R"({"isLast": false, "startAt": 0,
    "maxResults": 1, "total": 2, "values": [
      {"id": "10000", "key": "ABC", "name": "Alpha", "projectTypeKey": "software",
       "simplified": true, "style": "next-gen", "isPrivate": true,
       "lead": {"accountId": "lead-1", "displayName": "Lee", "active": true,
                "accountType": "atlassian"}},
      {"id": "10001", "name": "no key"}]})"));
  CHECK_FALSE(r.fatal);
  CHECK_FALSE(r.value.page.is_last);
  REQUIRE(r.value.values.size() == 1);
  const auto& p = r.value.values[0];
  CHECK(p.key == "ABC");
  CHECK(p.simplified);
  CHECK(p.style == "next-gen");
  CHECK(p.is_private == true);
  REQUIRE(p.lead);
  CHECK(p.lead->account_id == "lead-1");
  CHECK(all_errors(r.errors) == "projects[1] (id 10001): key: missing\n");

  auto s = parse_security_level_scheme(js(R"({"id": 10000, "name": "Default",
    "defaultSecurityLevelId": 10021, "levels": [
      {"id": "10021", "name": "Staff", "description": "staff only"},
      {"name": "no id"}]})"));
  CHECK_FALSE(s.fatal);
  CHECK(s.value.id == "10000");
  CHECK(s.value.default_level_id == "10021");
  REQUIRE(s.value.levels.size() == 1);
  CHECK(s.value.levels[0].description == "staff only");
  CHECK(all_errors(s.errors)
        == "security level scheme (id 10000): levels[1].id: missing\n");
}
