#include "protocol/governor.hpp"

#include <catch2/catch.hpp>

using namespace jirasync::protocol;

namespace {

completion ok_completion(const std::string& bucket) {
  completion c;
  c.bucket = bucket;
  c.status = 200;
  c.latency_ms = 10;
  return c;
}

} // namespace

TEST_CASE("token bucket limits bursts per endpoint class", "[jira][governor]") {
  governor_options o;
  o.buckets.push_back({"get", 10, 5});
  o.initial_concurrency = 100;
  o.max_concurrency = 100;
  governor g{o};
  std::int64_t now = 1'000'000;
  for (int i = 0; i < 5; ++i)
    REQUIRE(g.try_acquire("get", 1, now).granted);
  auto r = g.try_acquire("get", 1, now);
  CHECK_FALSE(r.granted);
  CHECK(r.rate_limited);
  REQUIRE(r.retry_at_ms);
  CHECK(*r.retry_at_ms == now + 100); // 10 tokens/s -> one every 100 ms
  CHECK(g.try_acquire("get", 1, now + 100).granted);
  // another class has its own bucket
  CHECK(g.try_acquire("other", 1, now).granted);
}

TEST_CASE("concurrency window blocks until a completion", "[jira][governor]") {
  governor_options o;
  o.initial_concurrency = 2;
  governor g{o};
  CHECK(g.try_acquire("x", 1, 0).granted);
  CHECK(g.try_acquire("x", 1, 0).granted);
  auto r = g.try_acquire("x", 1, 0);
  CHECK_FALSE(r.granted);
  CHECK_FALSE(r.retry_at_ms);
  CHECK_FALSE(r.rate_limited);
  g.on_complete(ok_completion("x"), 5);
  CHECK(g.in_flight() == 1);
  CHECK(g.try_acquire("x", 1, 5).granted);
}

TEST_CASE("AIMD: 429 halves the window, successes grow it",
          "[jira][governor]") {
  governor_options o;
  o.initial_concurrency = 8;
  o.decrease_interval_ms = 1000;
  governor g{o};
  REQUIRE(g.try_acquire("x", 1, 0).granted);
  completion c = ok_completion("x");
  c.status = 429;
  c.retry_after_ms = 2000;
  g.on_complete(c, 10);
  CHECK(g.concurrency() == Approx(4));
  // a second 429 within the decrease interval does not halve again
  REQUIRE(g.try_acquire("y", 1, 20).granted);
  completion c2 = ok_completion("y");
  c2.status = 429;
  c2.retry_after_ms = 2000;
  g.on_complete(c2, 20);
  CHECK(g.concurrency() == Approx(4));
  // burst 429 blocks its own bucket for Retry-After, others go on
  auto blocked = g.try_acquire("x", 1, 100);
  CHECK_FALSE(blocked.granted);
  REQUIRE(blocked.retry_at_ms);
  CHECK(*blocked.retry_at_ms == 2010);
  CHECK(g.try_acquire("z", 1, 100).granted);
  g.on_complete(ok_completion("z"), 110);
  CHECK(g.concurrency() == Approx(4.25));
  // slow responses count as congestion
  REQUIRE(g.try_acquire("z", 1, 5000).granted);
  completion slow = ok_completion("z");
  slow.latency_ms = 60'000;
  g.on_complete(slow, 5000);
  CHECK(g.concurrency() == Approx(2.125));
  CHECK(g.stats().responses_429 == 2);
}

TEST_CASE("quota 429 pauses every request until the reset",
          "[jira][governor]") {
  governor g{governor_options{}};
  REQUIRE(g.try_acquire("a", 1, 0).granted);
  completion c = ok_completion("a");
  c.status = 429;
  c.quota_reason = true;
  c.retry_after_ms = 1000;
  c.reset_at_ms = 60'000;
  g.on_complete(c, 100);
  CHECK(g.paused_until_ms() == 60'000);
  auto r = g.try_acquire("b", 1, 30'000);
  CHECK_FALSE(r.granted);
  REQUIRE(r.retry_at_ms);
  CHECK(*r.retry_at_ms == 60'000);
  CHECK(g.try_acquire("b", 1, 60'000).granted);
}

TEST_CASE("points budget per UTC hour and X-RateLimit-Remaining",
          "[jira][governor]") {
  governor_options o;
  o.points_per_hour = 10;
  o.initial_concurrency = 100;
  o.max_concurrency = 100;
  governor g{o};
  std::int64_t t = 7'200'000; // start of an hour
  CHECK(g.try_acquire("a", 6, t).granted);
  CHECK(g.try_acquire("a", 4, t).granted);
  auto r = g.try_acquire("a", 1, t + 10);
  CHECK_FALSE(r.granted);
  REQUIRE(r.retry_at_ms);
  CHECK(*r.retry_at_ms == 10'800'000);
  CHECK(g.try_acquire("a", 1, 10'800'000).granted);

  governor h{governor_options{}};
  REQUIRE(h.try_acquire("a", 1, 0).granted);
  completion c = ok_completion("a");
  c.remaining = 20; // 5% reserve -> 19 usable
  c.reset_at_ms = 50'000;
  h.on_complete(c, 10);
  CHECK(h.try_acquire("a", 19, 20).granted);
  auto blocked = h.try_acquire("a", 1, 30);
  CHECK_FALSE(blocked.granted);
  REQUIRE(blocked.retry_at_ms);
  CHECK(*blocked.retry_at_ms == 50'000);
}
