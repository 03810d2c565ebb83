#include "sync/page_builder.hpp"

#include <catch2/catch.hpp>

#include <set>
#include <variant>

using namespace jirasync;
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
  d->universe = {"u1", "u2", "u3"};
  d->group_members["g-dev"] = {"u1", "u2"};
  d->group_members["g-ops"] = {"u2"};
  d->group_id_by_name["dev"] = "g-dev";
  d->group_id_by_name["ops"] = "g-ops";
  return d;
}

project_access make_access() {
  project_access p;
  p.project_id = "100";
  p.project_key = "ABC";
  p.browse_holders = {holder(holder_type::group, "dev", "g-dev"),
                      holder(holder_type::reporter)};
  return p;
}

jira_project make_project() {
  jira_project p;
  p.id = "100";
  p.key = "ABC";
  p.name = "Alpha";
  return p;
}

jira_attachment attachment(std::string id, std::string name) {
  jira_attachment a;
  a.id = std::move(id);
  a.filename = std::move(name);
  a.mime_type = "text/plain";
  a.size_bytes = 3;
  return a;
}

jira_issue issue(std::string id, std::string key, std::int64_t updated) {
  jira_issue i;
  i.id = std::move(id);
  i.key = std::move(key);
  i.has_fields = true;
  i.fields.summary = "S";
  i.fields.created_ms = 1000;
  i.fields.updated_ms = updated;
  i.fields.project = project_ref{"100", "ABC", "Alpha"};
  return i;
}

jira_comment comment(std::string id) {
  jira_comment c;
  c.id = std::move(id);
  c.created_ms = 1;
  c.updated_ms = 1;
  return c;
}

template<class T>
std::vector<T> of_type(const storage::write_batch_spec& spec) {
  std::vector<T> out;
  for (const auto& r : spec.upserts)
    if (const auto* v = std::get_if<T>(&r))
      out.push_back(*v);
  return out;
}

} // namespace

TEST_CASE("a bulkfetch answer becomes work and named failures", "[sync]") {
  bulkfetch_result answer;
  auto a = issue("1", "ABC-1", 5000);
  comment_page embedded;
  embedded.total = 3;
  embedded.comments = {comment("c1"), comment("c2")};
  a.fields.comment = embedded;
  auto b = issue("2", "ABC-2", 6000);
  comment_page all;
  all.total = 1;
  all.comments = {comment("c3")};
  b.fields.comment = all;
  auto old = issue("3", "ABC-3", 10); // before modified_after
  answer.issues = {a, b, old};
  bulk_issue_error refused;
  refused.id = "4";
  refused.status = 403;
  refused.messages = {"not allowed", "really"};
  bulk_issue_error deleted; // listed while the index lagged, gone now
  deleted.id = "5";
  deleted.status = 404;
  deleted.messages = {"Issue does not exist or you do not have permission "
                      "to see it."};
  answer.issue_errors = {refused, deleted};
  std::vector<parse_error> dropped{
    {"issue[2] (key ABC-9)", "fields.created", "expected a Jira timestamp"}};
  config::filters_config f;
  f.modified_after = config::date_bound{100, false};

  auto chunk = chunk_from_bulkfetch(answer, dropped, f, "ABC", true);
  REQUIRE(chunk.issues.size() == 2);
  CHECK(chunk.issues[0].issue.id == "1");
  CHECK(chunk.issues[0].comments.size() == 2);
  CHECK(chunk.issues[0].more_comments_from == std::optional<std::int64_t>{2});
  CHECK_FALSE(chunk.issues[0].issue.fields.comment);
  CHECK(chunk.issues[1].comments.size() == 1);
  CHECK_FALSE(chunk.issues[1].more_comments_from);
  REQUIRE(chunk.failures.size() == 2);
  CHECK(chunk.failures[0].to_string()
        == "project ABC: bulkfetch: issue[2] (key ABC-9): fields.created: "
           "expected a Jira timestamp");
  CHECK(chunk.failures[0].code == common::errc::invalid_input);
  CHECK(chunk.failures[1].to_string() == "issue 4: not allowed; really");
  CHECK(chunk.failures[1].code == common::errc::permission_denied);
  // 404 and outside the exact date bounds: removed, not failed.
  CHECK(chunk.gone == std::vector<std::string>{"5", "3"});

  // Without comment indexing nothing is taken or fetched.
  auto bare = chunk_from_bulkfetch(answer, {}, f, "ABC", false);
  REQUIRE(bare.issues.size() == 2);
  CHECK(bare.issues[0].comments.empty());
  CHECK_FALSE(bare.issues[0].more_comments_from);
}

TEST_CASE("a failed bulkfetch names its id range", "[sync]") {
  auto e = failed_bulkfetch(
    {"10001", "10002", "10100"}, "ABC",
    common::make_error(common::errc::unavailable,
                       "bulkfetch: HTTP 503 after 6 attempt(s)"));
  CHECK(e.record == "issues 10001..10100 of ABC");
  CHECK(e.to_string()
        == "issues 10001..10100 of ABC: bulkfetch: HTTP 503 after 6 "
           "attempt(s)");
  CHECK(e.code == common::errc::unavailable);
}

TEST_CASE("a chunk becomes one batch with its ACLs and failures", "[sync]") {
  auto dir = make_dir();
  acl_resolver resolver{dir};
  acl_memo memo{resolver};
  auto access = make_access();
  auto project = make_project();
  mapping_context mapping{"https://acme.example", {}};
  page_context ctx{project, access, memo, mapping, true};

  std::vector<issue_work> work(3);
  // Issue 1: reporter u3 (not in dev), a restricted comment, two
  // attachments: one downloaded, one failed.
  work[0].issue = issue("1", "ABC-1", 5000);
  jira_user u3;
  u3.account_id = "u3";
  work[0].issue.fields.reporter = u3;
  work[0].issue.fields.attachments
    = {attachment("a1", "notes.txt"), attachment("a2", "big.bin"),
       attachment("a3", "huge.iso")};
  auto restricted = comment("c1");
  restricted.visibility = comment_visibility{"group", "ops", "g-ops"};
  work[0].comments = {restricted, comment("c2")};
  work[0].downloads.emplace("a1",
                            attachment_content{false, std::string(64, 'a')});
  work[0].downloads.emplace(
    "a2",
    common::make_error(common::errc::unavailable, "HTTP 503", "attachment a2"));
  work[0].downloads.emplace("a3", attachment_content{true, ""});
  // Issue 2: plain.
  work[1].issue = issue("2", "ABC-2", 7000);
  // Issue 3: its comment page failed.
  work[2].issue = issue("3", "ABC-3", 9000);
  work[2].error = common::make_error(common::errc::unavailable,
                                     "comments: HTTP 500", "issue ABC-3");

  auto page = build_page(ctx, work);
  CHECK(page.issues == 2);
  CHECK(page.comments == 2);
  CHECK(page.attachments == 1);
  CHECK(page.attachments_skipped == 1);
  CHECK(page.max_updated_ms == 7000);
  CHECK(page.last_issue_id == "2");
  REQUIRE(page.failures.size() == 2);
  CHECK(page.failures[0].to_string()
        == "attachment a2 of issue ABC-1: HTTP 503");
  CHECK(page.failures[1].to_string() == "issue ABC-3: comments: HTTP 500");

  auto issues = of_type<storage::issue_record>(page.spec);
  auto comments = of_type<storage::comment_record>(page.spec);
  auto atts = of_type<storage::attachment_record>(page.spec);
  REQUIRE(issues.size() == 2);
  REQUIRE(comments.size() == 2);
  REQUIRE(atts.size() == 1);
  // Issue 1: dev members + its reporter; issue 2: dev members only.
  auto acl1 = storage::make_acl(false, {"u1", "u2", "u3"});
  auto acl2 = storage::make_acl(false, {"u1", "u2"});
  auto ops = storage::make_acl(false, {"u2"});
  CHECK(issues[0].acl == acl1.id);
  CHECK(issues[1].acl == acl2.id);
  // The restricted comment sees only the ops group within the issue ACL.
  CHECK(comments[0].acl == ops.id);
  CHECK(comments[1].acl == acl1.id);
  CHECK(atts[0].id == "a1");
  CHECK(atts[0].sha256 == std::string(64, 'a'));
  CHECK(atts[0].acl == acl1.id);
  // Every ACL named is in the batch, once.
  REQUIRE(page.spec.acls.size() == 3);
  std::set<std::string> ids;
  for (const auto& a : page.spec.acls)
    ids.insert(a.id);
  CHECK(ids == std::set<std::string>{acl1.id, acl2.id, ops.id});

  // A batch that cannot be committed fails its issues (not twice).
  auto lost = lost_page(
    work, common::make_error(common::errc::io_error, "store: disk full"));
  REQUIRE(lost.size() == 2);
  CHECK(lost[0].to_string() == "issue ABC-1: store: disk full");
  CHECK(lost[1].to_string() == "issue ABC-2: store: disk full");
}

TEST_CASE("comments are left out when not indexed", "[sync]") {
  auto dir = make_dir();
  acl_resolver resolver{dir};
  acl_memo memo{resolver};
  auto access = make_access();
  auto project = make_project();
  mapping_context mapping{"https://acme.example", {}};
  page_context ctx{project, access, memo, mapping, false};
  std::vector<issue_work> work(1);
  work[0].issue = issue("1", "ABC-1", 5000);
  work[0].comments = {comment("c1")};
  auto page = build_page(ctx, work);
  CHECK(page.issues == 1);
  CHECK(page.comments == 0);
  CHECK(of_type<storage::comment_record>(page.spec).empty());
}

TEST_CASE("project batch: readable projects only, with their ACL", "[sync]") {
  auto dir = make_dir();
  std::vector<jira_project> projects{make_project(), make_project()};
  projects[1].id = "101";
  projects[1].key = "DEF";
  auto access = std::make_shared<project_access>(make_access());
  auto spec = build_project_batch(projects, {access, nullptr}, dir);
  auto recs = of_type<storage::project_record>(spec);
  REQUIRE(recs.size() == 1);
  CHECK(recs[0].key == "ABC");
  // Project viewers: the scheme grants BROWSE to the reporter, so the
  // project itself is visible to every user (u3 too, not in dev).
  auto acl = storage::make_acl(false, {"u1", "u2", "u3"});
  CHECK(recs[0].acl == acl.id);
  REQUIRE(spec.acls.size() == 1);
  CHECK(spec.acls[0] == acl);
}

namespace {

boost::json::value nested_array(std::size_t levels) {
  boost::json::value v = 1;
  for (std::size_t i = 0; i < levels; ++i) {
    boost::json::array a;
    a.push_back(std::move(v));
    v = std::move(a);
  }
  return v;
}

/// ADF: a doc with `levels` nested blockquotes (one ADF level each).
boost::json::value deep_adf(std::size_t levels) {
  boost::json::object text{{"type", "text"}, {"text", "deep"}};
  boost::json::object node{{"type", "paragraph"},
                           {"content", boost::json::array{text}}};
  for (std::size_t i = 0; i < levels; ++i)
    node = boost::json::object{{"type", "blockquote"},
                               {"content", boost::json::array{node}}};
  return boost::json::object{
    {"type", "doc"}, {"version", 1}, {"content", boost::json::array{node}}};
}

} // namespace

TEST_CASE("a record beyond the limits fails alone, named, with its field",
          "[sync][hostile]") {
  auto dir = make_dir();
  acl_resolver resolver{dir};
  acl_memo memo{resolver};
  auto access = make_access();
  auto project = make_project();
  mapping_context mapping{"https://acme.example",
                          {{"customfield_10010", "Deep field"}}};
  page_context ctx{project, access, memo, mapping, true};
  std::vector<issue_work> work(3);
  work[0].issue = issue("1", "ABC-1", 5000);
  // Issue 2: a custom field 70 levels deep (the problem of issue 11: it
  // was stored, then unreadable). It fails with its comment and its
  // attachment; issues 1 and 3 are written.
  work[1].issue = issue("2", "ABC-2", 6000);
  work[1].issue.fields.custom_fields["customfield_10010"] = nested_array(70);
  work[1].comments = {comment("c1")};
  work[1].issue.fields.attachments = {attachment("a1", "n.txt")};
  work[1].downloads.emplace("a1",
                            attachment_content{false, std::string(64, 'a')});
  // Issue 3: a 10 MB string in a comment: the comment fails alone.
  work[2].issue = issue("3", "ABC-3", 7000);
  auto big = comment("c2");
  big.body = std::string(10 << 20, 'x');
  work[2].comments = {big, comment("c3")};

  auto page = build_page(ctx, work);
  CHECK(page.issues == 2);
  CHECK(page.comments == 1);
  CHECK(page.attachments == 0);
  REQUIRE(page.failures.size() == 2);
  CHECK(page.failures[0].record == "issue ABC-2");
  CHECK(page.failures[0].code == common::errc::invalid_input);
  CHECK_THAT(page.failures[0].message,
             Catch::StartsWith("custom_fields.Deep field[0]")
               && Catch::EndsWith("nested deeper than 64 levels"));
  CHECK(page.failures[1].to_string()
        == "comment c2 of issue ABC-3: markdown: string of 10485760 bytes, "
           "longer than 8388608");
  auto issues = of_type<storage::issue_record>(page.spec);
  REQUIRE(issues.size() == 2);
  CHECK(issues[0].id == "1");
  CHECK(issues[1].id == "3");
  auto comments = of_type<storage::comment_record>(page.spec);
  REQUIRE(comments.size() == 1);
  CHECK(comments[0].id == "c3");
  // The cursor only covers what is written.
  CHECK(page.max_updated_ms == 7000);
  // No ACL of the failed issue is left in the batch.
  for (const auto& a : page.spec.acls)
    CHECK_FALSE(a.id.empty());
}

TEST_CASE("what the ADF converter cuts reaches the page as named warnings",
          "[sync][hostile]") {
  auto dir = make_dir();
  acl_resolver resolver{dir};
  acl_memo memo{resolver};
  auto access = make_access();
  auto project = make_project();
  mapping_context mapping{"https://acme.example", {}};
  page_context ctx{project, access, memo, mapping, true};
  std::vector<issue_work> work(2);
  // 300 ADF levels: over the converter's 256, cut (the old code dropped
  // the diagnostic).
  work[0].issue = issue("1", "ABC-1", 5000);
  work[0].issue.fields.description = deep_adf(300);
  work[1].issue = issue("2", "ABC-2", 6000);
  auto c = comment("c9");
  c.body = boost::json::object{
    {"type", "doc"},
    {"version", 1},
    {"content", boost::json::array{boost::json::object{{"type", "bogus"}}}}};
  work[1].comments = {c};
  auto page = build_page(ctx, work);
  CHECK(page.issues == 2);
  CHECK(page.comments == 1);
  CHECK(page.failures.empty());
  REQUIRE(page.warnings.size() == 2);
  CHECK(page.warnings[0].record == "issue ABC-1");
  CHECK_THAT(page.warnings[0].message,
             Catch::StartsWith("description: adf: nesting deeper than 256 "
                               "levels at ")
               && Catch::EndsWith("; deeper content cut"));
  CHECK(page.warnings[1].to_string()
        == "comment c9 of issue ABC-2: body: adf: unknown node type "
           "\"bogus\" (left out)");
}
