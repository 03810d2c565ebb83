#include "sim/faults.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

using namespace jirasim;

TEST_CASE("hostile fault kinds are opt-in and spoil one record",
          "[sim][hostile]") {
  auto all = all_fault_kinds();
  for (auto k : hostile_fault_kinds()) {
    CHECK(std::find(all.begin(), all.end(), k) == all.end());
    CHECK(fault_from_string(to_string(k)) == k);
  }
  std::string bulk
    = R"({"issues":[{"id":"1","fields":{"summary":"a"}},{"id":"2","fields":{}}]})";
  REQUIRE(spoil_deep_json(bulk, 3));
  CHECK(
    bulk
    == R"({"issues":[{"id":"1","fields":{"customfield_99999":[[[1]]],"summary":"a"}},{"id":"2","fields":{}}]})");
  std::string empty_fields = R"({"issues":[{"id":"1","fields":{}}]})";
  REQUIRE(spoil_deep_json(empty_fields, 1));
  CHECK(empty_fields
        == R"({"issues":[{"id":"1","fields":{"customfield_99999":[1]}}]})");
  std::string none = R"({"issues":[]})";
  CHECK_FALSE(spoil_deep_json(none));
  std::string page
    = R"({"comments":[{"id":"7","created":"2024-01-02T10:11:12.123+0000"},{"id":"8","created":"2024-01-02T10:11:12.123+0000"}]})";
  REQUIRE(spoil_comment(page));
  CHECK(
    page
    == R"({"comments":[{"id":"7","created":"yesterday"},{"id":"8","created":"2024-01-02T10:11:12.123+0000"}]})");
}
