#include "sync/issue_scope.hpp"

#include <catch2/catch.hpp>

using namespace jirasync;
using namespace jirasync::sync;

TEST_CASE("project key filter: in / not in", "[sync]") {
  config::filters_config f;
  CHECK(project_in_scope(f, "ABC"));
  f.project_keys = {"ABC", "DEF"};
  CHECK(project_in_scope(f, "ABC"));
  CHECK_FALSE(project_in_scope(f, "XYZ"));
  f.project_keys_op = config::keys_op::not_in;
  CHECK_FALSE(project_in_scope(f, "ABC"));
  CHECK(project_in_scope(f, "XYZ"));
}

TEST_CASE("project JQL carries the date filters in the user's zone", "[sync]") {
  config::filters_config f;
  auto plain = project_jql(f, "ABC", "UTC");
  REQUIRE(plain.ok());
  CHECK(plain.jql.find("project = \"ABC\"") != std::string::npos);
  CHECK(plain.jql.find("updated") == std::string::npos);
  f.modified_after = config::parse_date_bound("2024-01-02");
  f.created_before = config::parse_date_bound("2024-03-01T10:00:00Z");
  auto q = project_jql(f, "ABC", "Europe/Berlin");
  REQUIRE(q.ok());
  // 2024-01-02T00:00Z is 01:00 in Berlin (CET).
  CHECK(q.jql.find("updated >= \"2024/01/02 01:00\"") != std::string::npos);
  CHECK(q.jql.find("created <= \"2024/03/01 11:00\"") != std::string::npos);
}

TEST_CASE("within_filters applies the exact bounds the minute literals "
          "widen",
          "[sync]") {
  config::filters_config f;
  f.modified_after = config::parse_date_bound("2024-01-02T10:00:30Z");
  f.created_before = config::parse_date_bound("2024-03-01T00:00:00Z");
  REQUIRE(f.modified_after);
  REQUIRE(f.created_before);
  auto after = f.modified_after->utc_ms;
  auto before = f.created_before->utc_ms;
  protocol::jira_issue i;
  i.fields.created_ms = after - 60'000;
  i.fields.updated_ms = after; // on the bound: in
  CHECK(within_filters(f, i));
  i.fields.updated_ms = after - 1; // same minute, 1 ms early: out
  CHECK_FALSE(within_filters(f, i));
  // No `updated`: falls back to `created`.
  i.fields.updated_ms.reset();
  i.fields.created_ms = after + 5;
  CHECK(within_filters(f, i));
  i.fields.created_ms = before + 1;
  CHECK_FALSE(within_filters(f, i));
  CHECK(within_filters(config::filters_config{}, protocol::jira_issue{}));
}

TEST_CASE("incremental JQL: checkpoint minus overlap, ordered for a "
          "low-water mark",
          "[sync]") {
  config::filters_config f;
  // 2024-07-01T12:00:30Z = 05:00:30 in Los Angeles (PDT, UTC-7).
  auto since = config::parse_date_bound("2024-07-01T12:00:30Z")->utc_ms;
  auto q = incremental_jql(f, "ABC", "America/Los_Angeles", since, 10);
  REQUIRE(q.ok());
  CHECK(q.jql
        == "project = \"ABC\" AND updated >= \"2024/07/01 04:50\" ORDER BY "
           "updated ASC, id ASC");
  // A later filter bound wins over the checkpoint (and gets no overlap).
  f.modified_after = config::parse_date_bound("2024-07-02");
  auto later = incremental_jql(f, "ABC", "UTC", since, 10);
  REQUIRE(later.ok());
  CHECK(later.jql.find("updated >= \"2024/07/02 00:00\"") != std::string::npos);
  CHECK(later.jql.find("2024/07/01") == std::string::npos);

  auto hw = high_water_jql(config::filters_config{}, "ABC", "UTC");
  REQUIRE(hw.ok());
  CHECK(hw.jql == "project = \"ABC\" ORDER BY updated DESC");
}
