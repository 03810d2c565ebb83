#include <catch2/catch.hpp>

#include "protocol/jira/jira_time.hpp"

#include "common/time_format.hpp"

using namespace jirasync::protocol;
using jirasync::common::format_rfc3339_ms;

TEST_CASE("Jira timestamps in every offset style", "[jira]") {
  // Expected values computed independently (Python datetime.fromisoformat).
  CHECK(parse_jira_time_ms("2022-06-09T16:29:31.871-0700") == 1654817371871);
  CHECK(parse_jira_time_ms("2022-06-09T16:29:31.871-07:00") == 1654817371871);
  CHECK(parse_jira_time_ms("2022-06-09T23:29:31.871Z") == 1654817371871);
  CHECK(parse_jira_time_ms("2022-06-09T23:29:31.871+0000") == 1654817371871);
  CHECK(parse_jira_time_ms("2024-01-02T10:11:12.123+05:30") == 1704170472123);
  CHECK(parse_jira_time_ms("2024-01-02T10:11:12.123+0530") == 1704170472123);
  CHECK(parse_jira_time_ms("2020-12-03T14:05:20.974+0100") == 1607000720974);
}

TEST_CASE("Jira timestamps without millis, with micros, date-only", "[jira]") {
  CHECK(parse_jira_time_ms("2022-06-09T23:29:31Z") == 1654817371000);
  CHECK(parse_jira_time_ms("2022-06-09T23:29Z") == 1654817340000);
  CHECK(parse_jira_time_ms("2022-06-09T23:29:31.8Z") == 1654817371800);
  // Digits beyond millis are truncated (never rounded into the future).
  CHECK(parse_jira_time_ms("2022-06-09T23:29:31.871999Z") == 1654817371871);
  CHECK(parse_jira_time_ms("2024-02-29") == 1709164800000);
  CHECK(parse_jira_time_ms("1970-01-01") == 0);
  CHECK(parse_jira_time_ms("1969-12-31T23:59:59.999Z") == -1);
}

TEST_CASE("invalid Jira timestamps are rejected, not guessed", "[jira]") {
  for (const char* bad :
       {"", "yesterday", "2022-06-09T16:29:31.871", "2022-06-09 16:29:31Z",
        "2023-02-29", "2022-13-01", "2022-06-31", "2022-06-09T24:00:00Z",
        "2022-06-09T23:60:00Z", "2022-06-09T23:59:60Z", "2022-06-09T23:59Z ",
        "2022-06-09T23:59:59.Z", "2022-06-09T23:59:59+2500",
        "2022-06-09T23:59:59+07:0", "22-06-09", "2022-6-9", "2022-06-09Z",
        "2022-06-09T23:59:59.1234567890Z", "+2022-06-09T00:00:00Z"}) {
    INFO("input: \"" << bad << "\"");
    CHECK_FALSE(parse_jira_time_ms(bad).has_value());
  }
  CHECK(describe_bad_time("yesterday")
        == "expected a Jira timestamp, got \"yesterday\"");
}

TEST_CASE("Jira timestamps round-trip through the RFC 3339 export form",
          "[jira]") {
  auto ms = parse_jira_time_ms("2022-12-08T02:22:18.889-0800");
  REQUIRE(ms);
  CHECK(format_rfc3339_ms(*ms) == "2022-12-08T10:22:18.889Z");
  CHECK(parse_jira_time_ms(format_rfc3339_ms(*ms)) == ms);
}
