#include "common/time_format.hpp"

#include <catch2/catch.hpp>

#include <chrono>

#include <date/tz.h>

#include "protocol/jira/jira_time.hpp"
#include "protocol/jira/jql.hpp"

using namespace jirasync::protocol;

namespace {

std::int64_t ms(const char* rfc3339) {
  auto v = parse_jira_time_ms(rfc3339);
  REQUIRE(v);
  return *v;
}

std::string lower(const char* t, const char* zone) {
  return format_jql_time(ms(t), zone, minute_rounding::down);
}

std::string upper(const char* t, const char* zone) {
  return format_jql_time(ms(t), zone, minute_rounding::up);
}

// Every instant (UTC ms) the literal "yyyy/MM/dd HH:mm" can mean in `zone`
// (independent of the code under test: straight from the tz database).
std::vector<std::int64_t> readings(const std::string& literal,
                                   const char* zone) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0;
  REQUIRE(std::sscanf(literal.c_str(), "%d/%d/%d %d:%d", &y, &mo, &d, &h, &mi)
          == 5);
  auto day = date::local_days{date::year{y} / mo / d};
  date::local_seconds l
    = day + std::chrono::hours{h} + std::chrono::minutes{mi};
  const auto* z = date::locate_zone(zone);
  auto info = z->get_info(l);
  auto to_ms = [&](std::chrono::seconds off) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
             (l - off).time_since_epoch())
      .count();
  };
  std::vector<std::int64_t> out{to_ms(info.first.offset)};
  if (info.result != date::local_info::unique)
    out.push_back(to_ms(info.second.offset));
  return out;
}

} // namespace

TEST_CASE("JQL time literals on both sides of UTC", "[jira]") {
  // Expected local times from Python zoneinfo.
  const char* t = "2024-01-15T18:07:42.500Z";
  CHECK(lower(t, "UTC") == "2024/01/15 18:07");
  CHECK(upper(t, "UTC") == "2024/01/15 18:08");
  CHECK(lower(t, "America/Los_Angeles") == "2024/01/15 10:07");
  CHECK(upper(t, "America/Los_Angeles") == "2024/01/15 10:08");
  CHECK(lower(t, "Asia/Kolkata") == "2024/01/15 23:37");
  CHECK(upper(t, "Asia/Kolkata") == "2024/01/15 23:38");
  CHECK(lower(t, "Pacific/Auckland") == "2024/01/16 07:07"); // NZDT +13
  CHECK(lower("2024-07-15T18:07:00Z", "Pacific/Auckland")
        == "2024/07/16 06:07");                                 // NZST +12
  CHECK(lower(t, "Australia/Lord_Howe") == "2024/01/16 05:07"); // +11
  CHECK(lower("2024-07-15T18:07:42.500Z", "Australia/Lord_Howe")
        == "2024/07/16 04:37"); // +10:30
  // Exact minutes stay put in both directions; the date rolls over.
  CHECK(lower("2024-01-15T20:00:00Z", "Asia/Kolkata") == "2024/01/16 01:30");
  CHECK(upper("2024-01-15T20:00:00Z", "Asia/Kolkata") == "2024/01/16 01:30");
  // One millisecond past the minute rounds up to the next one.
  CHECK(upper("2024-01-15T20:00:00.001Z", "Asia/Kolkata")
        == "2024/01/16 01:31");
}

TEST_CASE("JQL literals across a DST fall-back are conservative", "[jira]") {
  // 2024-11-03 in Los Angeles: 01:00-01:59 happens twice (PDT, then PST).
  const char* la = "America/Los_Angeles";
  // 08:30Z is 01:30 PDT (first pass). "01:30" could be read as 09:30Z,
  // which would skip an hour of changes: the lower bound backs off to the
  // last unambiguous minute before the fold.
  CHECK(lower("2024-11-03T08:30:00Z", la) == "2024/11/03 00:59");
  // 09:30Z is 01:30 PST (second pass): both readings are <= it.
  CHECK(lower("2024-11-03T09:30:00Z", la) == "2024/11/03 01:30");
  // Upper bounds: every reading must be >= the instant.
  CHECK(upper("2024-11-03T08:30:00Z", la) == "2024/11/03 01:30");
  CHECK(upper("2024-11-03T09:30:00Z", la) == "2024/11/03 02:00");
  // Lord Howe falls back half an hour (+11 -> +10:30) at 2024-04-06T15:00Z.
  const char* lh = "Australia/Lord_Howe";
  CHECK(lower("2024-04-06T14:45:00Z", lh) == "2024/04/07 01:29");
  CHECK(lower("2024-04-06T15:15:00Z", lh) == "2024/04/07 01:45");
}

TEST_CASE("JQL literals across a DST spring-forward", "[jira]") {
  // 2024-03-10 in Los Angeles: 02:00-02:59 does not exist.
  const char* la = "America/Los_Angeles";
  CHECK(lower("2024-03-10T09:59:30Z", la) == "2024/03/10 01:59");
  CHECK(upper("2024-03-10T09:59:30Z", la) == "2024/03/10 03:00");
  CHECK(lower("2024-03-10T10:00:00Z", la) == "2024/03/10 03:00");
  // Lord Howe springs forward half an hour (02:00 -> 02:30, +10:30 -> +11).
  CHECK(upper("2024-10-05T15:29:30Z", "Australia/Lord_Howe")
        == "2024/10/06 02:30");
  // A non-existent local time is never written.
  for (std::int64_t t = ms("2024-03-10T08:00:00Z");
       t <= ms("2024-03-10T12:00:00Z"); t += 60'000 + 1234) {
    for (auto r : {minute_rounding::down, minute_rounding::up}) {
      auto lit = format_jql_time(t, la, r);
      INFO(lit);
      CHECK(lit.substr(11, 2) != "02");
    }
  }
}

TEST_CASE("JQL literals: no record lost at any instant (property)", "[jira]") {
  // Around both 2024 DST changes in three zones, every minute-ish instant:
  // lower literal readings are all <= t and upper ones all >= t, and the
  // widening stays under 2 hours.
  struct span {
    const char* zone;
    const char* from;
    const char* to;
  };
  for (const auto& s : {span{"America/Los_Angeles", "2024-11-03T07:00:00Z",
                             "2024-11-03T11:00:00Z"},
                        span{"America/Los_Angeles", "2024-03-10T08:00:00Z",
                             "2024-03-10T12:00:00Z"},
                        span{"Australia/Lord_Howe", "2024-04-06T13:30:00Z",
                             "2024-04-06T16:30:00Z"},
                        span{"Australia/Lord_Howe", "2024-10-05T14:00:00Z",
                             "2024-10-05T17:00:00Z"},
                        span{"Pacific/Auckland", "2024-04-06T12:00:00Z",
                             "2024-04-06T16:00:00Z"}}) {
    for (std::int64_t t = ms(s.from); t <= ms(s.to); t += 47'000 + 123) {
      auto lo = format_jql_time(t, s.zone, minute_rounding::down);
      auto hi = format_jql_time(t, s.zone, minute_rounding::up);
      INFO(s.zone << " t=" << jirasync::common::format_rfc3339_ms(t)
                  << " lo=" << lo << " hi=" << hi);
      for (auto r : readings(lo, s.zone)) {
        CHECK(r <= t);
        CHECK(t - r < 2 * 3'600'000);
      }
      for (auto r : readings(hi, s.zone)) {
        CHECK(r >= t);
        CHECK(r - t < 2 * 3'600'000);
      }
    }
  }
}

TEST_CASE("JQL: unknown time zone falls back to UTC with a flag", "[jira]") {
  bool fb = false;
  CHECK(format_jql_time(ms("2024-01-15T18:07:42Z"), "Mars/Olympus_Mons",
                        minute_rounding::down, &fb)
        == "2024/01/15 18:07");
  CHECK(fb);
  CHECK(format_jql_time(ms("2024-01-15T18:07:42Z"), "Asia/Kolkata",
                        minute_rounding::down, &fb)
        == "2024/01/15 23:37");
  CHECK_FALSE(fb);
  jql_query q;
  q.project_keys = {"A"};
  q.updated_from_ms = ms("2024-01-15T18:07:42Z");
  q.time_zone = "";
  auto r = build_jql(q);
  REQUIRE(r.ok());
  CHECK(r.time_zone_fallback);
  CHECK(r.jql
        == "project = \"A\" AND updated >= \"2024/01/15 18:07\" ORDER BY "
           "updated ASC, id ASC");
  q.time_zone = "UTC";
  CHECK_FALSE(build_jql(q).time_zone_fallback);
}

TEST_CASE("JQL: exact queries", "[jira]") {
  jql_query q;
  q.project_keys = {"ABC"};
  q.updated_from_ms = ms("2024-01-15T18:07:42.500Z");
  q.time_zone = "America/Los_Angeles";
  auto r = build_jql(q);
  REQUIRE(r.ok());
  CHECK_FALSE(r.time_zone_fallback);
  CHECK(
    r.jql
    == R"(project = "ABC" AND updated >= "2024/01/15 10:07" ORDER BY updated ASC, id ASC)");

  // Overlap window: 5 minutes subtracted before rounding down.
  q.overlap_minutes = 5;
  q.updated_to_ms = ms("2024-01-16T00:00:00.001Z");
  CHECK(
    build_jql(q).jql
    == R"(project = "ABC" AND updated >= "2024/01/15 10:02" AND updated <= "2024/01/15 16:01" ORDER BY updated ASC, id ASC)");

  jql_query multi;
  multi.project_keys = {"A", "B"};
  multi.created_from_ms = ms("2023-01-01T00:00:00Z");
  multi.created_to_ms = ms("2023-12-31T23:59:59.999Z");
  multi.order = jql_order::id;
  CHECK(
    build_jql(multi).jql
    == R"(project in ("A", "B") AND created >= "2023/01/01 00:00" AND created <= "2024/01/01 00:00" ORDER BY id ASC)");

  jql_query recon;
  recon.project_keys = {"ABC"};
  recon.id_greater_than = 10099;
  recon.order = jql_order::id;
  CHECK(build_jql(recon).jql
        == R"(project = "ABC" AND id > 10099 ORDER BY id ASC)");

  jql_query range;
  range.project_keys = {"ABC"};
  range.id_at_least = 10099;
  range.id_below = 20000;
  range.order = jql_order::id;
  CHECK(build_jql(range).jql
        == R"(project = "ABC" AND id >= 10099 AND id < 20000 ORDER BY id ASC)");
  jql_query open_range;
  open_range.project_keys = {"ABC"};
  open_range.id_at_least = 20000;
  open_range.order = jql_order::id;
  CHECK(build_jql(open_range).jql
        == R"(project = "ABC" AND id >= 20000 ORDER BY id ASC)");

  jql_query ids;
  ids.ids_in = {"10001", "10002"};
  ids.order = jql_order::none;
  CHECK(build_jql(ids).jql == "id in (10001, 10002)");

  jql_query notin;
  notin.project_keys = {"X", "Y"};
  notin.project_op = project_scope_op::not_in;
  notin.updated_from_ms = ms("2024-01-01T00:00:00Z");
  CHECK(
    build_jql(notin).jql
    == R"(project not in ("X", "Y") AND updated >= "2024/01/01 00:00" ORDER BY updated ASC, id ASC)");
}

TEST_CASE("JQL: refuses unbounded queries and bad input", "[jira]") {
  jql_query none;
  auto r = build_jql(none);
  CHECK_FALSE(r.ok());
  CHECK(r.jql.empty());
  CHECK_THAT(*r.error, Catch::Contains("unbounded"));

  // `project not in` is no restriction on its own.
  jql_query notin;
  notin.project_keys = {"X"};
  notin.project_op = project_scope_op::not_in;
  CHECK_FALSE(build_jql(notin).ok());

  jql_query bad_id;
  bad_id.project_keys = {"A"};
  bad_id.ids_in = {"10001", "1) OR (1=1"};
  auto b = build_jql(bad_id);
  CHECK_FALSE(b.ok());
  CHECK(*b.error == R"(issue id must be all digits, got "1) OR (1=1")");

  jql_query empty_key;
  empty_key.project_keys = {""};
  CHECK_FALSE(build_jql(empty_key).ok());

  jql_query neg;
  neg.project_keys = {"A"};
  neg.overlap_minutes = -1;
  CHECK_FALSE(build_jql(neg).ok());

  // A bound alone is enough.
  jql_query bound_only;
  bound_only.updated_from_ms = 0;
  CHECK(build_jql(bound_only).jql
        == R"(updated >= "1970/01/01 00:00" ORDER BY updated ASC, id ASC)");
}

TEST_CASE("JQL quoting: keys always quoted, escapes", "[jira]") {
  CHECK(jql_quote("ABC") == R"("ABC")");
  CHECK(jql_quote(R"(a"b)") == R"("a\"b")");
  CHECK(jql_quote(R"(a\b)") == R"("a\\b")");
  CHECK(jql_quote("a\nb\tc\rd") == R"("a\nb\tc\rd")");
  CHECK(jql_quote(std::string("a\x01z", 3)) == R"("a\u0001z")");
  CHECK(jql_quote("ünï") == "\"ünï\"");
  // Reserved words and injection attempts stay inside the literal.
  jql_query q;
  q.project_keys = {"AND", R"(X" OR project != "Y)", "ORDER"};
  auto r = build_jql(q);
  REQUIRE(r.ok());
  CHECK(
    r.jql
    == R"(project in ("AND", "X\" OR project != \"Y", "ORDER") ORDER BY updated ASC, id ASC)");
}

TEST_CASE("JQL: extreme bounds are clamped, not overflowed", "[jira]") {
  jql_query q;
  q.project_keys = {"A"};
  q.updated_from_ms = INT64_MIN;
  q.updated_to_ms = INT64_MAX;
  q.overlap_minutes = 10;
  q.time_zone = "Pacific/Auckland";
  auto r = build_jql(q);
  REQUIRE(r.ok());
  CHECK_THAT(r.jql, Catch::Contains(R"(updated >= "0001/01/01 )"));
  CHECK_THAT(r.jql, Catch::Contains(R"(updated <= "9998/12/31 )"));
}
