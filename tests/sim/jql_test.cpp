// JQL subset: parsing, errors, time zones (DST), boundedness, ordering,
// index lag.

#include <catch2/catch.hpp>

#include "sim/jql.hpp"
#include "sim/mutations.hpp"
#include "sim/sim_time.hpp"
#include "tests/sim/truth_fixture.hpp"

using namespace jirasim;
using jirasim::test::tiny_workspace;

namespace {

constexpr auto la = "America/Los_Angeles";

std::string error_of(const workspace& ws, std::string_view q,
                     std::string_view tz = la) {
  auto r = compile_jql(ws, q, tz);
  if (auto* e = std::get_if<jql_error>(&r))
    return e->message;
  return {};
}

std::vector<int64_t> run(const workspace& ws, std::string_view q,
                         std::string_view tz = la) {
  auto r = compile_jql(ws, q, tz);
  if (auto* e = std::get_if<jql_error>(&r)) {
    FAIL("unexpected JQL error: " << e->message);
    return {};
  }
  return run_jql(ws, std::get<jql_compiled>(r), ws.now_ms);
}

// 2024-01-02T10:11:12.123Z etc. built from parts, checked independently.
millis utc(int y, unsigned mo, unsigned d, unsigned h, unsigned mi,
           unsigned s = 0, unsigned ms = 0) {
  return *local_to_utc_ms("UTC", y, mo, d, h, mi) + s * 1000 + ms;
}

} // namespace

TEST_CASE("local time conversion is DST-correct", "[sim][jql]") {
  // Known epoch values (Los Angeles: PST = UTC-8, PDT = UTC-7; 2024 DST
  // starts 2024-03-10 02:00 local, ends 2024-11-03 02:00 local).
  CHECK(utc(2024, 1, 1, 0, 0) == 1704067200000);
  CHECK(*local_to_utc_ms(la, 2024, 3, 10, 1, 59) == utc(2024, 3, 10, 9, 59));
  CHECK(*local_to_utc_ms(la, 2024, 3, 10, 3, 0) == utc(2024, 3, 10, 10, 0));
  // In the gap: shifted forward by the gap (02:30 -> 03:30 PDT).
  CHECK(*local_to_utc_ms(la, 2024, 3, 10, 2, 30) == utc(2024, 3, 10, 10, 30));
  // In the fold: the earlier instant (01:30 PDT).
  CHECK(*local_to_utc_ms(la, 2024, 11, 3, 1, 30) == utc(2024, 11, 3, 8, 30));
  CHECK(*local_to_utc_ms(la, 2024, 11, 3, 3, 0) == utc(2024, 11, 3, 11, 0));
  CHECK_FALSE(local_to_utc_ms("Not/AZone", 2024, 1, 1, 0, 0));
  CHECK_FALSE(local_to_utc_ms(la, 2024, 2, 30, 0, 0));
}

TEST_CASE("JQL dates are read in the caller's time zone", "[sim][jql]") {
  auto ws = tiny_workspace();
  ws.now_ms = utc(2024, 12, 1, 0, 0);
  // Updated at 09:59:59.999Z (01:59 PST) and 10:00:00.000Z (03:00 PDT).
  find_issue(ws, 10000)->updated_ms = utc(2024, 3, 10, 9, 59, 59, 999);
  find_issue(ws, 10001)->updated_ms = utc(2024, 3, 10, 10, 0);
  find_issue(ws, 10002)->updated_ms = utc(2024, 3, 10, 17, 0);
  CHECK(run(ws, R"(project = P AND updated >= "2024/03/10 03:00")")
        == std::vector<int64_t>{10001});
  CHECK(run(ws, R"(project = P AND updated >= "2024/03/10 01:59")")
        == std::vector<int64_t>{10001, 10000});
  CHECK(run(ws, R"(project = P AND updated > "2024/03/10 01:59")")
        == std::vector<int64_t>{10001, 10000});
  CHECK(run(ws, R"(project = P AND updated < "2024/03/10 03:00")")
        == std::vector<int64_t>{10000});
  // The same literal in UTC means 03:00Z: both P issues are later.
  CHECK(run(ws, R"(project = P AND updated >= "2024/03/10 03:00")", "UTC")
        == std::vector<int64_t>{10001, 10000});
  // Date-only and dash formats; 2024-03-10 00:00 PST = 08:00Z.
  CHECK(run(ws, R"(updated >= "2024-03-10" ORDER BY id ASC)")
        == std::vector<int64_t>{10000, 10001, 10002});
  // "2024-03-10 09:00" after the switch is PDT: 16:00Z.
  CHECK(run(ws, R"(updated >= 2024-03-10 AND updated <= "2024-03-10 09:00")")
        == std::vector<int64_t>{10001, 10000});
  CHECK(run(ws, R"(updated >= "2024-03-10 09:30")")
        == std::vector<int64_t>{10002});
  CHECK(run(ws, R"(updated >= "2024/3/11")").empty());
  CHECK(error_of(ws, R"(updated >= "yesterday")").find("Date value 'yesterday'")
        == 0);
}

TEST_CASE("project, id and key clauses", "[sim][jql]") {
  auto ws = tiny_workspace();
  ws.now_ms = utc(2024, 1, 1, 0, 0);
  CHECK(run(ws, "project = P ORDER BY id ASC")
        == std::vector<int64_t>{10000, 10001});
  CHECK(run(ws, R"(project = "Q")") == std::vector<int64_t>{10002});
  CHECK(run(ws, "project = 2") == std::vector<int64_t>{10002});
  // Keys are case-insensitive; default order is id descending.
  CHECK(run(ws, "project = p") == std::vector<int64_t>{10001, 10000});
  CHECK(run(ws, "project in (P, Q) ORDER BY id")
        == std::vector<int64_t>{10000, 10001, 10002});
  CHECK(run(ws, "project not in (P)") == std::vector<int64_t>{10002});
  CHECK(run(ws, "project != P") == std::vector<int64_t>{10002});
  CHECK(run(ws, R"(project = "Project Q")") == std::vector<int64_t>{10002});
  CHECK(run(ws, "id = 10001") == std::vector<int64_t>{10001});
  CHECK(run(ws, "id in (10000, 10002, 99999) ORDER BY id ASC")
        == std::vector<int64_t>{10000, 10002});
  CHECK(run(ws, "id > 10000 ORDER BY id ASC")
        == std::vector<int64_t>{10001, 10002});
  CHECK(run(ws, "id >= 10001 AND id <= 10001") == std::vector<int64_t>{10001});
  // jirasync's reconciliation ranges: `id >= a AND id < b`, the last one
  // open (Jira's `id` field takes >, >=, <, <= and compares numerically:
  // support.atlassian.com/jira-software-cloud/docs/jql-fields/, "Issue
  // key", whose aliases are id, issue, key).
  CHECK(run(ws, "project = P AND id >= 10000 AND id < 10001 ORDER BY id ASC")
        == std::vector<int64_t>{10000});
  CHECK(run(ws, "project = P AND id >= 10001 ORDER BY id ASC")
        == std::vector<int64_t>{10001});
  CHECK(run(ws, "project = P AND id < 10001 ORDER BY id ASC")
        == std::vector<int64_t>{10000});
  CHECK(run(ws, "project = P AND id >= 10001 AND id < 10001").empty());
  // Numeric, not text: 9999 < 10000 although "9999" > "10000".
  CHECK(run(ws, "id >= 9999 AND id < 10001 ORDER BY id ASC")
        == std::vector<int64_t>{10000});
  CHECK(run(ws, "key = P-2") == std::vector<int64_t>{10001});
  CHECK(run(ws, "issuekey in (P-1, Q-1) ORDER BY key ASC")
        == std::vector<int64_t>{10000, 10002});
  CHECK(run(ws, "issuekey > P-1") == std::vector<int64_t>{10001});
  CHECK(run(ws, "project = P AND NOT id = 10000")
        == std::vector<int64_t>{10001});
  CHECK(run(ws, "(project = Q OR id = 10000) ORDER BY id ASC")
        == std::vector<int64_t>{10000, 10002});
  CHECK(run(ws, "project = Q or key = P-1 order by key desc")
        == std::vector<int64_t>{10002, 10000});
  CHECK(error_of(ws, "project = NOPE")
        == "The value 'NOPE' does not exist for the field 'project'.");
  CHECK(error_of(ws, "key = P-99")
        == "An issue with key 'P-99' does not exist for field 'key'.");
  // Old keys of moved issues still resolve.
  REQUIRE(move_issue(ws, 10000, "Q").ok);
  CHECK(run(ws, "key = P-1") == std::vector<int64_t>{10000});
}

TEST_CASE("JQL errors read like Jira's", "[sim][jql]") {
  auto ws = tiny_workspace();
  CHECK(error_of(ws, "") == std::string{jql_unbounded_message});
  CHECK(error_of(ws, "   ") == std::string{jql_unbounded_message});
  CHECK(error_of(ws, "ORDER BY updated DESC")
        == std::string{jql_unbounded_message});
  CHECK(error_of(ws, "foo = 1")
        == "Field 'foo' does not exist or you do not have permission to view "
           "it.");
  CHECK(error_of(ws, "project = P ORDER BY bar")
        == "Field 'bar' does not exist or you do not have permission to view "
           "it.");
  CHECK(error_of(ws, "status = Done").find("not supported")
        != std::string::npos);
  auto e1 = error_of(ws, "project = P AND (id = 1");
  CHECK(e1
        == "Error in the JQL Query: Expecting ')' but got 'EOF'. (line 1, "
           "character 24)");
  auto e2 = error_of(ws, R"(project = "P)");
  CHECK(e2.rfind("Error in the JQL Query: The quoted string 'P' has not been "
                 "completed.",
                 0)
        == 0);
  auto e3 = error_of(ws, "project P");
  CHECK(e3.rfind("Error in the JQL Query: Expecting operator but got 'P'.", 0)
        == 0);
  auto e4 = error_of(ws, "project = P foo");
  CHECK(e4
        == "Error in the JQL Query: Expecting either 'OR' or 'AND' but got "
           "'foo'. (line 1, character 13)");
  CHECK(error_of(ws, "project = P AND").rfind("Error in the JQL Query:", 0)
        == 0);
  CHECK(error_of(ws, "project > P")
        == "The operator '>' is not supported by the 'project' field.");
  CHECK(error_of(ws, "project = P %")
          .rfind("Error in the JQL Query: The character '%' is a reserved JQL "
                 "character.",
                 0)
        == 0);
  // Parse succeeds for each supported shape.
  CHECK(std::holds_alternative<jql_query>(parse_jql(
    R"(project in ("A", 'B', 10000) AND updated >= "2024/01/01 10:00" ORDER BY updated ASC, key DESC)")));
}

TEST_CASE("ordering and default order", "[sim][jql]") {
  auto ws = tiny_workspace();
  ws.now_ms = utc(2024, 1, 1, 0, 0);
  find_issue(ws, 10000)->updated_ms = 3000;
  find_issue(ws, 10001)->updated_ms = 1000;
  find_issue(ws, 10002)->updated_ms = 2000;
  CHECK(run(ws, "id >= 10000 ORDER BY updated ASC")
        == std::vector<int64_t>{10001, 10002, 10000});
  CHECK(run(ws, "id >= 10000 ORDER BY updated DESC")
        == std::vector<int64_t>{10000, 10002, 10001});
  CHECK(run(ws, "id >= 10000") == std::vector<int64_t>{10002, 10001, 10000});
  find_issue(ws, 10002)->updated_ms = 1000;
  // Ties on updated broken by id in the first key's direction.
  CHECK(run(ws, "id >= 10000 ORDER BY updated ASC")
        == std::vector<int64_t>{10001, 10002, 10000});
  CHECK(run(ws, "id >= 10000 ORDER BY created DESC")
        == std::vector<int64_t>{10002, 10001, 10000});
}

TEST_CASE("JQL respects the index lag", "[sim][jql]") {
  auto ws = tiny_workspace();
  ws.now_ms = utc(2024, 6, 1, 12, 0);
  ws.index_lag_ms = 10000;
  issue_update u;
  u.summary = "x";
  REQUIRE(update_issue(ws, 10002, u).ok);
  std::string q = R"(project = Q AND updated >= "2024/06/01 04:59")";
  // 2024-06-01 04:59 PDT = 11:59Z: the new `updated` is 12:00Z, but the
  // index still has the old one.
  CHECK(run(ws, q).empty());
  ws.now_ms += 10000;
  CHECK(run(ws, q) == std::vector<int64_t>{10002});
  // A moved issue is found under its old project until indexed.
  ws.now_ms += 1000;
  REQUIRE(move_issue(ws, 10002, "P").ok);
  CHECK(run(ws, "project = Q") == std::vector<int64_t>{10002});
  CHECK(run(ws, "project = P ORDER BY id ASC")
        == std::vector<int64_t>{10000, 10001});
  ws.now_ms += 10000;
  CHECK(run(ws, "project = Q").empty());
  CHECK(run(ws, "project = P ORDER BY id ASC")
        == std::vector<int64_t>{10000, 10001, 10002});
}

TEST_CASE("projects the caller cannot browse read as missing", "[sim][jql]") {
  auto ws = tiny_workspace();
  // Scheme 100 (P and Q): only group g-dev (alice) may browse.
  ws.permission_schemes.front().grants
    = {{1, "BROWSE_PROJECTS", holder{"group", "g-dev", "gid-dev"}}};
  auto as = [&](user_ix u, const char* q) -> std::string {
    auto r = compile_jql(ws, q, "UTC", u);
    if (auto* e = std::get_if<jql_error>(&r))
      return e->message;
    return "ok";
  };
  CHECK(as(1, "project = P") == "ok");
  CHECK(as(2, "project = P")
        == "The value 'P' does not exist for the field 'project'.");
  // Reporter grants make the project nameable.
  ws.permission_schemes.front().grants.push_back(
    {2, "BROWSE_PROJECTS", holder{"reporter", "", ""}});
  CHECK(as(2, "project in (P, Q)") == "ok");
  // Without a caller every project resolves.
  CHECK(std::holds_alternative<jql_compiled>(
    compile_jql(ws, "project = P", "UTC")));
}
