#include "sync/record_mapping.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

using namespace jirasync::protocol;
using namespace jirasync::sync;

TEST_CASE("custom values are normalized", "[jira][record_mapping]") {
  namespace json = boost::json;
  CHECK(normalize_custom_value(json::parse(R"({"value":"High","id":"1"})"))
        == json::value("High"));
  CHECK(normalize_custom_value(json::parse(R"([{"accountId":"a"},null])"))
        == json::parse(R"(["a"])"));
  CHECK(normalize_custom_value(json::value(3.5)) == json::value(3.5));
  CHECK(normalize_custom_value(json::value("2024-01-02"))
        == json::value("2024-01-02"));
}

TEST_CASE("an issue maps to the export record", "[jira][record_mapping]") {
  jira_issue i;
  i.id = "10001";
  i.key = "ABC-1";
  auto& f = i.fields;
  f.summary = "Hello";
  f.status = issue_status{"In Progress", "indeterminate"};
  f.priority = issue_priority{"High", "2"};
  f.labels = {"a", "b"};
  f.issue_type = "Bug";
  f.project = project_ref{"100", "ABC", "Alpha"};
  f.parent = issue_ref{"9", "ABC-0"};
  jira_user rep;
  rep.account_id = "u1";
  rep.display_name = "Ann";
  rep.email = "ann@x";
  f.reporter = rep;
  f.created_ms = 1000;
  f.updated_ms = 2000;
  f.security = security_level_ref{"7", "Secret"};
  f.custom_fields["customfield_1"] = boost::json::parse(R"({"value":"X"})");
  f.custom_fields["customfield_2"] = nullptr;
  mapping_context ctx{"https://acme.example", {{"customfield_1", "Team"}}};
  auto r = to_issue_record(i, ctx, "acl1");
  CHECK(r.id == "10001");
  CHECK(r.key == "ABC-1");
  CHECK(r.project_key == "ABC");
  CHECK(r.project_id == "100");
  CHECK(r.status_category == "indeterminate");
  CHECK(r.priority == std::optional<std::string>{"High"});
  CHECK(r.parent_key == std::optional<std::string>{"ABC-0"});
  REQUIRE(r.reporter);
  CHECK(r.reporter->email == std::optional<std::string>{"ann@x"});
  CHECK_FALSE(r.assignee);
  CHECK(r.security_level == std::optional<std::string>{"Secret"});
  CHECK(r.custom_fields.size() == 1);
  CHECK(r.custom_fields.at("Team") == boost::json::value("X"));
  CHECK(r.url == "https://acme.example/browse/ABC-1");
  CHECK(r.acl == "acl1");
  CHECK(r.created_ms == 1000);
  CHECK(r.updated_ms == 2000);
}

TEST_CASE("comments and attachments map", "[jira][record_mapping]") {
  jira_comment c;
  c.id = "5";
  c.created_ms = 10;
  c.updated_ms = 20;
  c.visibility = comment_visibility{"group", "dev", std::string{"g-1"}};
  auto r = to_comment_record(c, "10001", {}, "a");
  CHECK(r.issue_id == "10001");
  REQUIRE(r.visibility);
  CHECK(r.visibility->type == "group");
  CHECK(r.visibility->identifier == "g-1");
  jira_attachment a;
  a.id = "77";
  a.filename = "x.txt";
  a.mime_type = "text/plain";
  a.size_bytes = 3;
  auto ar = to_attachment_record(a, "10001", std::string(64, 'a'), "acl");
  CHECK(ar.sha256 == std::string(64, 'a'));
  CHECK(ar.content_stored);
}
