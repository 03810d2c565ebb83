// The request rules of the admin endpoints: bearer token, /feed and /sync
// query parameters.
#include "service/admin_api.hpp"

#include <catch2/catch.hpp>

using namespace jirasync::service;
using namespace std::chrono_literals;

TEST_CASE("bearer_matches wants exactly 'Bearer TOKEN'", "[service]") {
  CHECK(bearer_matches("Bearer s3cret", "s3cret"));
  CHECK_FALSE(bearer_matches(std::nullopt, "s3cret"));
  CHECK_FALSE(bearer_matches("Bearer s3cre", "s3cret"));
  CHECK_FALSE(bearer_matches("Bearer s3cretX", "s3cret"));
  CHECK_FALSE(bearer_matches("Bearer S3cret", "s3cret"));
  CHECK_FALSE(bearer_matches("bearer s3cret", "s3cret"));
  CHECK_FALSE(bearer_matches("Basic s3cret", "s3cret"));
  CHECK_FALSE(bearer_matches("Bearer ", ""));
  CHECK_FALSE(bearer_matches("s3cret", "s3cret"));
}

TEST_CASE("parse_feed_query reads since, limit and wait", "[service]") {
  auto q = parse_feed_query("since=42&limit=10&wait=30", 60s);
  REQUIRE(q.has_value());
  CHECK(q->since == 42);
  CHECK(q->limit == 10);
  CHECK(q->wait == 30s);
  auto d = parse_feed_query("", 60s);
  REQUIRE(d.has_value());
  CHECK(d->since == 0);
  CHECK(d->limit == 0);
  CHECK(d->wait == 0s);
  CHECK(parse_feed_query("since=-1", 60s).error().message
        == "since: expected a non-negative integer, got \"-1\"");
  CHECK(parse_feed_query("since=abc", 60s).error().message
        == "since: expected a non-negative integer, got \"abc\"");
  CHECK(parse_feed_query("wait=61", 60s).error().message
        == "wait: at most 60 seconds");
  CHECK(parse_feed_query("sinse=1", 60s).error().message
        == "unknown parameter \"sinse\" (expected since, limit, wait)");
}

TEST_CASE("parse_full_flag", "[service]") {
  CHECK(parse_full_flag("").value() == false);
  CHECK(parse_full_flag("full=1").value() == true);
  CHECK(parse_full_flag("full=true").value() == true);
  CHECK(parse_full_flag("full=0").value() == false);
  CHECK(parse_full_flag("full=maybe").error().message
        == "full: expected 1 or 0, got \"maybe\"");
  CHECK(parse_full_flag("fool=1").error().code
        == jirasync::common::errc::invalid_argument);
}
