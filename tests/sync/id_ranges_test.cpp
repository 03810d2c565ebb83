#include "sync/id_ranges.hpp"
#include "sync/issue_scope.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace jirasync;
using namespace jirasync::sync;

namespace {

/// "base", "base+1", ... as decimal ids (already in id order).
std::vector<std::string> ids(std::int64_t base, std::size_t n,
                             std::int64_t step = 1) {
  std::vector<std::string> out;
  for (std::size_t k = 0; k < n; ++k)
    out.push_back(std::to_string(base + static_cast<std::int64_t>(k) * step));
  return out;
}

using strings = std::vector<std::string>;

} // namespace

TEST_CASE("numeric ids: decimal only, compared as numbers", "[sync]") {
  CHECK(numeric_id("10001") == 10001);
  CHECK(numeric_id("0") == 0);
  CHECK_FALSE(numeric_id(""));
  CHECK_FALSE(numeric_id("ABC-1"));
  CHECK_FALSE(numeric_id("-5"));
  CHECK_FALSE(numeric_id("+5"));
  CHECK_FALSE(numeric_id("12a"));
  CHECK_FALSE(numeric_id("1234567890123456789")); // 19 digits
  id_range r{9, 100};
  // "10" > "9" and "99" < "100" numerically; as text both would fail.
  CHECK(r.contains("10"));
  CHECK(r.contains("99"));
  CHECK(r.contains("9"));
  CHECK_FALSE(r.contains("100"));
  CHECK_FALSE(r.contains("8"));
  CHECK_FALSE(r.contains("ABC-1"));
  CHECK(id_range{}.contains("ABC-1"));
  CHECK(id_range{std::nullopt, 10}.contains("0"));
  CHECK(id_range{10, std::nullopt}.contains("99999999"));
}

TEST_CASE("id ranges: one open range up to per_range stored ids", "[sync]") {
  CHECK(plan_id_ranges({}, 5000) == std::vector<id_range>{id_range{}});
  CHECK(plan_id_ranges(ids(10000, 5000), 5000)
        == std::vector<id_range>{id_range{}});
  CHECK(plan_id_ranges(ids(10000, 9000), 0)
        == std::vector<id_range>{id_range{}});
  // A stored id that is not a number: no numeric range could hold it.
  auto odd = ids(10000, 20);
  odd.push_back("ABC-1");
  CHECK(plan_id_ranges(odd, 5) == std::vector<id_range>{id_range{}});
}

TEST_CASE("id ranges: chunk boundaries of the stored ids", "[sync]") {
  // PLAT's shape in the L bench: 16,985 ids -> 4 ranges of 5,000 stored
  // ids (the last one 1,985 plus whatever was created since).
  auto stored = ids(10000, 16985, 3);
  auto r = plan_id_ranges(stored, 5000);
  REQUIRE(r.size() == 4);
  CHECK(r[0] == id_range{std::nullopt, 10000 + 5000 * 3});
  CHECK(r[1] == id_range{10000 + 5000 * 3, 10000 + 10000 * 3});
  CHECK(r[2] == id_range{10000 + 10000 * 3, 10000 + 15000 * 3});
  CHECK(r[3] == id_range{10000 + 15000 * 3, std::nullopt});
  // Exactly two chunks: the second range is the open one.
  auto two = plan_id_ranges(ids(1, 10), 5);
  REQUIRE(two.size() == 2);
  CHECK(two[0] == id_range{std::nullopt, 6});
  CHECK(two[1] == id_range{6, std::nullopt});
  // Ids of different lengths: numeric order, boundaries by value.
  strings mixed{"7", "98", "99", "100", "1000", "10000"};
  auto m = plan_id_ranges(mixed, 2);
  REQUIRE(m.size() == 3);
  CHECK(m[0] == id_range{std::nullopt, 99});
  CHECK(m[1] == id_range{99, 1000});
  CHECK(m[2] == id_range{1000, std::nullopt});
  // Every stored id is in exactly one range.
  for (const auto& id : stored) {
    int n = 0;
    for (const auto& x : r)
      n += x.contains(id) ? 1 : 0;
    CHECK(n == 1);
  }
}

TEST_CASE("range JQL: the project's listing restricted to the range",
          "[sync]") {
  config::filters_config f;
  auto mid = project_range_jql(f, "PLAT", "UTC", id_range{25000, 40000});
  REQUIRE(mid.ok());
  CHECK(
    mid.jql
    == R"(project = "PLAT" AND id >= 25000 AND id < 40000 ORDER BY id ASC)");
  auto last = project_range_jql(f, "PLAT", "UTC", id_range{40000, {}});
  CHECK(last.jql == R"(project = "PLAT" AND id >= 40000 ORDER BY id ASC)");
  auto first = project_range_jql(f, "PLAT", "UTC", id_range{{}, 25000});
  CHECK(first.jql == R"(project = "PLAT" AND id < 25000 ORDER BY id ASC)");
  // The whole range is today's single listing.
  CHECK(project_range_jql(f, "PLAT", "UTC", id_range{}).jql
        == project_jql(f, "PLAT", "UTC").jql);
}

TEST_CASE("ranged listing: same result as one listing, decided at the end",
          "[sync]") {
  // Stored 10..29; in Jira 12 and 25 were deleted, 31 and 32 created, 5
  // moved in (an old id below every boundary).
  auto stored = ids(10, 20);
  auto ranges = plan_id_ranges(stored, 7);
  REQUIRE(ranges.size() == 3); // [-inf,17) [17,24) [24,+inf)
  id_listing l{stored, ranges};
  REQUIRE(l.ranges() == 3);

  // The ranges answer in any order, in pages of 4.
  CHECK(l.take_page(2, {"24", "26", "27", "28"}, false).empty());
  CHECK(l.take_page(1, {"17", "18", "19", "20"}, false).empty());
  CHECK(l.take_page(0, {"5", "10", "11", "13"}, false) == strings{"5"});
  CHECK_FALSE(l.complete());
  CHECK(l.gone().empty()); // nothing is decided on a partial listing
  CHECK(l.take_page(0, {"14", "15", "16"}, true).empty());
  CHECK(l.take_page(2, {"29", "31", "32"}, true) == strings{"31", "32"});
  CHECK(l.done(0));
  CHECK_FALSE(l.done(1));
  CHECK_FALSE(l.complete());
  CHECK(l.gone().empty());
  CHECK(l.take_page(1, {"21", "22", "23"}, true).empty());
  REQUIRE(l.complete());
  CHECK(l.gone() == strings{"12", "25"});
  CHECK(l.stray() == 0);

  // The same listing as one chain gives the same answer.
  id_listing one{stored, {id_range{}}};
  std::vector<std::string> fetch;
  for (auto& x : one.take_page(0, {"5", "10", "11", "13", "14", "15"}, false))
    fetch.push_back(x);
  for (auto& x :
       one.take_page(0, {"16", "17", "18", "19", "20", "21", "22"}, false))
    fetch.push_back(x);
  for (auto& x :
       one.take_page(0, {"23", "24", "26", "27", "28", "29", "31", "32"}, true))
    fetch.push_back(x);
  CHECK(fetch == strings{"5", "31", "32"});
  CHECK(one.gone() == strings{"12", "25"});
}

TEST_CASE("ranged listing: an empty range and a lost one", "[sync]") {
  auto stored = ids(100, 6);
  id_listing l{stored, plan_id_ranges(stored, 2)}; // [,102) [102,104) [104,)
  REQUIRE(l.ranges() == 3);
  // Everything of the middle range was deleted: an empty last page.
  CHECK(l.take_page(1, {}, true).empty());
  CHECK(l.take_page(0, {"100", "101"}, true).empty());
  // The last range never answers (failed): no deletion is decided.
  CHECK_FALSE(l.complete());
  CHECK(l.gone().empty());
  CHECK(l.take_page(2, {"104", "105"}, true).empty());
  CHECK(l.gone() == strings{"102", "103"});
}

TEST_CASE("ranged listing: ids outside their range are left to it", "[sync]") {
  // A server that ignored the bounds answers every range with everything:
  // each range keeps its own ids, the result is still exact.
  auto stored = ids(1, 6);
  id_listing l{stored, plan_id_ranges(stored, 3)}; // [,4) [4,)
  strings all{"1", "2", "4", "5", "6", "7"};       // 3 deleted, 7 new
  CHECK(l.take_page(0, all, true).empty());
  CHECK(l.take_page(1, all, true) == strings{"7"});
  CHECK(l.stray() == 6);
  CHECK(l.gone() == strings{"3"});
  // A page for a range that is done changes nothing.
  CHECK(l.take_page(0, {"0"}, true).empty());
  CHECK(l.gone() == strings{"3"});
}

TEST_CASE("ranged listing: restarted as one range fetches nothing twice",
          "[sync]") {
  auto stored = ids(1, 6);
  id_listing l{stored, plan_id_ranges(stored, 3)};
  CHECK(l.take_page(0, {"0", "1", "2"}, true) == strings{"0"});
  // The server refused range 1: the project is listed in one chain.
  auto one = l.as_single_range();
  REQUIRE(one.ranges() == 1);
  CHECK(one.range(0) == id_range{});
  CHECK_FALSE(one.complete());
  CHECK(one.take_page(0, {"0", "1", "2", "4", "5", "6", "9"}, true)
        == strings{"9"});
  CHECK(one.gone() == strings{"3"});
}
