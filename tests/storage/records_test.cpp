#include "storage/records.hpp"

#include "storage_test_util.hpp"

#include <boost/json.hpp>

#include <catch2/catch.hpp>

using namespace jirasync::storage;
using namespace jirasync::storage::test;
namespace json = boost::json;

TEST_CASE("ACL ids are content addressed", "[storage]") {
  // Expected ids: sha256sum of the canonical text, first 32 hex digits.
  auto a = make_acl(false, {"u2", "u1", "u2"});
  CHECK(a.users == std::vector<std::string>{"u1", "u2"});
  CHECK(a.id == "324aad5ab4852ced5c046c7f1905e856");
  CHECK(make_acl(false, {"u1", "u2"}).id == a.id);
  CHECK(make_acl(true, {}).id == "4ff65f09516368368f69a5baf54554b9");
  CHECK(make_acl(true, {"u1", "u2"}).id != a.id);
  CHECK(make_acl(false, {"u1"}).id != a.id);
  CHECK(to_line(a)
        == R"({"type":"acl","id":"324aad5ab4852ced5c046c7f1905e856",)"
           R"("anyone":false,"users":["u1","u2"]})");
}

TEST_CASE("issue export line matches docs/export-format.md", "[storage]") {
  auto i = make_issue("10042", "ABC-7", "324aad5ab4852ced5c046c7f1905e856");
  i.priority = "High";
  i.labels = {"backend", "urgent"};
  i.parent_key = "ABC-1";
  i.reporter = alice_ref();
  i.assignee = user_ref{"557058:abc", std::nullopt, "Hidden Bob"};
  i.updated_ms = 1704190333000;
  i.security_level = "Staff";
  i.custom_fields["Story Points"] = 3;
  i.custom_fields["Epic Name"] = "Q1";
  CHECK(to_line(any_record{i})
        == R"({"type":"issue","id":"10042","key":"ABC-7","project_key":"ABC",)"
           R"("summary":"Summary of ABC-7","markdown":"Body","status":"To Do",)"
           R"("status_category":"new","priority":"High",)"
           R"("labels":["backend","urgent"],"issue_type":"Task",)"
           R"("parent_key":"ABC-1","reporter":{"account_id":)"
           R"("5b10a2844c20165700ede21g","email":"alice@example.com",)"
           R"("display_name":"Alice"},"assignee":{"account_id":"557058:abc",)"
           R"("email":null,"display_name":"Hidden Bob"},)"
           R"("created":"2024-01-02T10:11:12.123Z",)"
           R"("updated":"2024-01-02T10:12:13.000Z","security_level":"Staff",)"
           R"("custom_fields":{"Epic Name":"Q1","Story Points":3},)"
           R"("url":"https://acme.atlassian.net/browse/ABC-7",)"
           R"("acl":"324aad5ab4852ced5c046c7f1905e856"})");
  SECTION("nulls where the export format says null") {
    auto j = make_issue("1", "ABC-1", "x");
    CHECK(to_line(any_record{j})
          == R"({"type":"issue","id":"1","key":"ABC-1","project_key":"ABC",)"
             R"("summary":"Summary of ABC-1","markdown":"Body",)"
             R"("status":"To Do","status_category":"new","priority":null,)"
             R"("labels":[],"issue_type":"Task","parent_key":null,)"
             R"("reporter":null,"assignee":null,)"
             R"("created":"2024-01-02T10:11:12.123Z",)"
             R"("updated":"2024-01-02T10:11:12.123Z","security_level":null,)"
             R"("custom_fields":{},)"
             R"("url":"https://acme.atlassian.net/browse/ABC-1","acl":"x"})");
  }
  SECTION("stored form round-trips, export form drops internals") {
    auto back = issue_from_json(to_stored_json(i));
    REQUIRE(back);
    CHECK(*back == i);
    auto exported = issue_from_json(to_json(i));
    REQUIRE(exported);
    CHECK(exported->project_id.empty());
  }
}

TEST_CASE("comment, attachment, project, user, group lines", "[storage]") {
  auto c = make_comment("20001", "10042", "A1");
  c.author = alice_ref();
  c.visibility = comment_visibility{"role", "Developers"};
  CHECK(to_line(any_record{c})
        == R"({"type":"comment","id":"20001","issue_id":"10042",)"
           R"("author":{"account_id":"5b10a2844c20165700ede21g",)"
           R"("email":"alice@example.com","display_name":"Alice"},)"
           R"("markdown":"A comment","created":"2024-01-02T10:11:12.123Z",)"
           R"("updated":"2024-01-02T10:11:12.123Z",)"
           R"("visibility":{"type":"role","identifier":"Developers"},)"
           R"("acl":"A1"})");
  c.visibility.reset();
  c.author.reset();
  CHECK(to_line(any_record{c})
        == R"({"type":"comment","id":"20001","issue_id":"10042",)"
           R"("author":null,"markdown":"A comment",)"
           R"("created":"2024-01-02T10:11:12.123Z",)"
           R"("updated":"2024-01-02T10:11:12.123Z","visibility":null,)"
           R"("acl":"A1"})");

  auto a = make_attachment("30001", "10042", "A1", 1234);
  a.text = "hello";
  a.content_stored = true;
  CHECK(to_line(any_record{a})
        == R"({"type":"attachment","id":"30001","issue_id":"10042",)"
           R"("filename":"a.txt","mime_type":"text/plain","size":1234,)"
           R"("sha256":")"
             + std::string(64, 'a')
             + R"(",)"
               R"("created":"2024-01-02T10:11:12.123Z","author":null,)"
               R"("text":"hello","acl":"A1"})");
  auto a2 = attachment_from_json(to_stored_json(a));
  REQUIRE(a2);
  CHECK(*a2 == a);

  auto p = make_project("10000", "ABC", "A1");
  p.lead = alice_ref();
  CHECK(to_line(any_record{p})
        == R"({"type":"project","id":"10000","key":"ABC",)"
           R"("name":"Project ABC","lead":{"account_id":)"
           R"("5b10a2844c20165700ede21g","email":"alice@example.com",)"
           R"("display_name":"Alice"},"acl":"A1"})");

  user_record u{"557058:abc", std::nullopt, "Bob", false, "app"};
  CHECK(to_line(any_record{u})
        == R"({"type":"user","id":"557058:abc","account_id":"557058:abc",)"
           R"("email":null,"display_name":"Bob","active":false,)"
           R"("account_type":"app"})");

  group_record g{"g-1", "jira-users", {"u2", "u1"}};
  CHECK(to_line(any_record{g})
        == R"({"type":"group","id":"g-1","name":"jira-users",)"
           R"("members":["u1","u2"]})");

  for (const any_record& r :
       {any_record{u}, any_record{p}, any_record{c}, any_record{a}}) {
    auto back = record_from_json(to_stored_json(r));
    REQUIRE(back);
    CHECK(*back == r);
  }
}

TEST_CASE("fingerprints follow content", "[storage]") {
  auto i = make_issue("1", "ABC-1", "x");
  auto f1 = fingerprint(any_record{i});
  CHECK(f1.size() == 64);
  CHECK(fingerprint(any_record{i}) == f1);
  i.summary = "changed";
  CHECK(fingerprint(any_record{i}) != f1);
  CHECK(key_of(any_record{i}) == record_key{record_type::issue, "1"});
  CHECK(acl_of(any_record{i}) == "x");
  CHECK_FALSE(acl_of(any_record{user_record{}}));
}

TEST_CASE("from_json rejects missing or mistyped fields", "[storage]") {
  CHECK_FALSE(issue_from_json(json::parse(R"({"type":"issue","id":"1"})")));
  CHECK_FALSE(user_from_json(json::parse(
    R"({"account_id":1,"display_name":"x","account_type":"atlassian"})")));
  CHECK_FALSE(record_from_json(json::parse(R"({"type":"acl","id":"a"})")));
  CHECK_FALSE(record_from_json(json::parse(R"([1,2])")));
}
