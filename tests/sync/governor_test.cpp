#include "sync/governor.hpp"

#include <catch2/catch.hpp>

using namespace jirasync::sync;

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

TEST_CASE("503 with Retry-After pauses every endpoint class",
          "[jira][governor]") {
  governor g{governor_options{}};
  REQUIRE(g.try_acquire("a", 1, 0).granted);
  completion c = ok_completion("a");
  c.status = 503;
  c.retry_after_ms = 3000;
  g.on_complete(c, 100);
  CHECK(g.paused_until_ms() == 3100);
  auto r = g.try_acquire("b", 1, 1000);
  CHECK_FALSE(r.granted);
  REQUIRE(r.retry_at_ms);
  CHECK(*r.retry_at_ms == 3100);
  CHECK(g.try_acquire("b", 1, 3100).granted);
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

namespace {

/// A quota server like jira-sim's: `limit` points per window, a request is
/// refused (429) once the window's points are spent, charged its real cost
/// when answered; every answer carries Limit / Remaining / reset (t=).
struct fake_quota {
  std::int64_t limit;
  std::int64_t window_ms;
  std::int64_t spent = 0;
  std::int64_t window_index = 0;
  int refused = 0;

  void roll(std::int64_t now) {
    if (now / window_ms != window_index) {
      window_index = now / window_ms;
      spent = 0;
    }
  }
  std::int64_t reset_at() const {
    return (window_index + 1) * window_ms;
  }
  bool admit(std::int64_t now) {
    roll(now);
    if (spent >= limit) {
      ++refused;
      return false;
    }
    return true;
  }
  completion answer(const std::string& bucket, std::int64_t estimate,
                    std::int64_t real_cost, std::int64_t now) {
    roll(now);
    spent += real_cost;
    completion c;
    c.bucket = bucket;
    c.status = 200;
    c.latency_ms = 40;
    c.cost_points = estimate;
    c.limit = limit;
    c.remaining = std::max<std::int64_t>(0, limit - spent);
    c.quota_reset_at_ms = reset_at();
    return c;
  }
};

struct pending_request {
  std::string bucket;
  std::int64_t estimate;
  std::int64_t real_cost;
  std::int64_t done_at;
};

} // namespace

TEST_CASE("quota reserve: costs above the estimates never reach a lockout",
          "[jira][governor]") {
  governor_options o;
  o.initial_concurrency = 8;
  o.max_concurrency = 8;
  o.points_reserve_fraction = 0.05;
  o.points_reserve_min = 100;
  governor g{o};
  // 20,000 points per 60 s window; "search" is estimated at 50 points but
  // charged 150, "get" estimated 2 but charged 3.
  fake_quota server{20'000, 60'000};
  std::vector<pending_request> flying;
  std::int64_t now = 10 * 60'000;
  std::int64_t served = 0;
  std::int64_t first_wait_at = -1;
  std::int64_t first_wait_until = -1;
  int sent_after_reset = 0;
  std::int64_t lowest_remaining = server.limit;
  int n = 0;
  for (; now < 10 * 60'000 + 150'000; now += 10) {
    // answers due now
    for (auto i = flying.begin(); i != flying.end();) {
      if (i->done_at > now) {
        ++i;
        continue;
      }
      auto c = server.answer(i->bucket, i->estimate, i->real_cost, now);
      lowest_remaining
        = std::min(lowest_remaining, server.limit - server.spent);
      g.on_complete(c, now);
      ++served;
      i = flying.erase(i);
    }
    // send as much as the governor allows
    for (;;) {
      bool search = n % 4 == 0;
      std::string bucket = search ? "search" : "get";
      std::int64_t est = search ? 50 : 2;
      auto r = g.try_acquire(bucket, est, now);
      if (!r.granted) {
        if (r.retry_at_ms && *r.retry_at_ms > now + 1000 && first_wait_at < 0) {
          first_wait_at = now;
          first_wait_until = *r.retry_at_ms;
        }
        break;
      }
      ++n;
      REQUIRE(server.admit(now)); // never a 429
      if (first_wait_until > 0 && now >= first_wait_until)
        ++sent_after_reset;
      flying.push_back({bucket, est, search ? 150 : 3, now + 40});
    }
  }
  CHECK(server.refused == 0);
  CHECK(g.stats().responses_429 == 0);
  // The reserve was kept: the server never went below zero, and the
  // governor stopped while more than the in-flight cost was left.
  CHECK(lowest_remaining >= 0);
  CHECK(g.stats().reserve_waits > 0);
  // It waited for the window reset (11 * 60 s), then went on.
  REQUIRE(first_wait_at > 0);
  CHECK(first_wait_at < 11 * 60'000);
  CHECK(first_wait_until == 11 * 60'000);
  CHECK(sent_after_reset > 0);
  CHECK(served > 300);
  // The learned ratios approach the real ones (3 and 1.5).
  CHECK(g.cost_ratio("search") == Approx(3.0).margin(0.1));
  CHECK(g.cost_ratio("get") == Approx(1.5).margin(0.1));
}

TEST_CASE("learned cost ratio converges from single-class samples",
          "[jira][governor]") {
  governor_options o;
  o.cost_ratio_alpha = 0.2;
  governor g{o};
  CHECK(g.cost_ratio("search") == Approx(1.0));
  std::int64_t remaining = 400'000;
  std::int64_t now = 1'000;
  for (int i = 0; i < 40; ++i) {
    REQUIRE(g.try_acquire("search", 100, now).granted);
    remaining -= 250; // charged 2.5x the estimate
    completion c = ok_completion("search");
    c.cost_points = 100;
    c.limit = 500'000;
    c.remaining = remaining;
    c.quota_reset_at_ms = 3'600'000;
    g.on_complete(c, now);
    now += 100;
  }
  // first sample needs a previous figure; then EMA towards 2.5
  CHECK(g.cost_ratio("search") == Approx(2.5).margin(0.01));
  // an unseen class uses the global ratio
  CHECK(g.cost_ratio("other") == Approx(2.5).margin(0.01));
  CHECK(g.quota_limit() == 500'000);
  // reservations use the ratio: 100 estimated -> 250 reserved
  REQUIRE(g.try_acquire("search", 100, now).granted);
  CHECK(g.in_flight_cost() == Approx(250).margin(1));
  // reserve = 5% of the LIMIT (25,000), not of the remaining: with
  // remaining 390,000 - 250 in flight a 364,000-point request is refused
  auto r = g.try_acquire("search", 146'000, now); // 365,000 after ratio
  CHECK_FALSE(r.granted);
  REQUIRE(r.retry_at_ms);
  CHECK(*r.retry_at_ms == 3'600'000);
  CHECK(g.try_acquire("search", 100'000, now).granted); // 250,000 fits
}
