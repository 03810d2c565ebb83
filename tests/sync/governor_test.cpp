#include "sync/governor.hpp"

#include "common/time_format.hpp"
#include "protocol/jira/rate_limit.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <string>
#include <utility>
#include <vector>

using namespace jirasync::sync;
using jirasync::protocol::endpoint_class;
using jirasync::protocol::parse_rate_limit_headers;
using headers = std::vector<std::pair<std::string, std::string>>;
using ec = endpoint_class;

namespace {

/// 2023-11-14T22:13:20Z: an epoch-ms clock like the actors'.
constexpr std::int64_t t0 = 1'700'000'000'000;

std::chrono::system_clock::time_point tp(std::int64_t ms) {
  return std::chrono::system_clock::time_point{std::chrono::milliseconds{ms}};
}

/// ISO 8601 as X-Beta-RateLimit-Reset sends it (minute precision).
std::string iso_minute(std::int64_t ms) {
  return jirasync::common::format_rfc3339_ms(ms - ms % 60'000);
}

response_report answer(ec cls, int status, const headers& h, std::int64_t now,
                       std::int64_t latency = 50, std::int64_t estimate = 0) {
  response_report r;
  r.cls = cls;
  r.status = status;
  r.latency_ms = latency;
  r.estimated_cost = estimate;
  r.headers = parse_rate_limit_headers(h, tp(now));
  return r;
}

/// Grants the run's first request (the probe) and answers it with `h`.
void probe_once(governor& g, ec cls, const headers& h, std::int64_t now) {
  auto r = g.try_acquire(cls, 1, now);
  REQUIRE(r.granted);
  REQUIRE(r.probe);
  g.on_response(answer(cls, 200, h, now), now);
}

/// The longest wait the governor imposes on any class right now (asking
/// once per class), with the refusal that says so.
std::pair<std::int64_t, wait_info> longest_wait(governor& g, std::int64_t now,
                                                std::vector<ec> classes) {
  std::pair<std::int64_t, wait_info> out{0, {}};
  for (auto cls : classes) {
    auto r = g.try_acquire(cls, 1, now);
    if (r.granted) {
      g.on_response(answer(cls, 200, {}, now), now);
      continue;
    }
    INFO(r.wait.text);
    CHECK(r.wait.until_ms > now); // every wait ends in the future
    if (r.wait.until_ms - now > out.first)
      out = {r.wait.until_ms - now, r.wait};
  }
  return out;
}

const std::vector<ec> some_classes
  = {ec::bulkfetch, ec::comments, ec::search_jql, ec::attachment_content};

const headers real_burst
  = {{"X-RateLimit-Limit", "350"}, {"X-RateLimit-Remaining", "349"}};

const headers real_quota
  = {{"X-RateLimit-Limit", "350"},
     {"X-RateLimit-Remaining", "349"},
     {"Beta-RateLimit-Policy", R"("tenant-app-quota";q=100100;w=3600)"},
     {"Beta-RateLimit", R"("tenant-app-quota";r=17842;t=2107)"}};

} // namespace

TEST_CASE("350/349 burst headers never make it wait more than a second",
          "[sync][governor]") {
  // What real Jira sends to API-token traffic. These figures used to be
  // taken as an hourly quota below its 500-point reserve: the first answer
  // stalled the sync until the next full hour.
  governor g{governor_options{}};
  std::int64_t now = t0;
  probe_once(g, ec::issue_get, real_burst, now);
  CHECK_FALSE(g.quota().known());
  std::int64_t longest = 0;
  int granted = 0;
  for (; now < t0 + 5'000; ++now) {
    for (;;) {
      auto r = g.try_acquire(ec::issue_get, 2, now);
      if (!r.granted) {
        longest = std::max(longest, r.wait.until_ms - now);
        CHECK(r.wait.until_ms > now);
        break;
      }
      ++granted;
      g.on_response(answer(ec::issue_get, 200, real_burst, now, 1), now);
    }
  }
  CHECK(longest <= 1'000);
  CHECK(longest < 20); // in fact one token at 142.5/s
  // GET issue: 150/s documented (X-RateLimit-Limit 350 is not lower),
  // paced at 95%: about 712 in 5 s plus the first half-second burst.
  CHECK(granted >= 700);
  CHECK(granted <= 800);
  CHECK(g.stats().responses_429 == 0);
  CHECK(g.stats().unexplained_waits == 0);
}

TEST_CASE("real quota headers: paced over the window, never a stall",
          "[sync][governor]") {
  governor g{governor_options{}};
  std::int64_t now = t0;
  probe_once(g, ec::bulkfetch, real_quota, now);
  REQUIRE(g.quota().known());
  CHECK(g.quota().limit() == 100100);
  CHECK(g.quota().remaining() == 17842);
  REQUIRE(g.quota().reset_at_ms());
  CHECK(*g.quota().reset_at_ms() == now + 2'107'000);
  // Reserve: 5% of q (5005 points), not a fixed 500.
  CHECK(g.quota().reserve_points() == Approx(5005));
  // (17842 - 5005) points over 2107 s: about 6.1 points/s.
  REQUIRE(g.quota().pace_per_sec(now));
  CHECK(*g.quota().pace_per_sec(now) == Approx(12837.0 / 2107).epsilon(0.01));
  // A head start of 10% of the points above the reserve (1283.7) goes at
  // once: 13 bulkfetches of 101 points, the 13th into debt (-29.3). Then
  // the even pace, (17842 - 5005) / 2107 s = 6.09/s: the next request
  // waits ~4.8 s for the points, and says so.
  int bulk = 0;
  while (g.try_acquire(ec::bulkfetch, 101, now).granted) {
    ++bulk;
    g.on_response(answer(ec::bulkfetch, 200, {}, now, 50, 101), now);
  }
  CHECK(bulk == 13);
  auto r = g.try_acquire(ec::search_jql, 1, now);
  REQUIRE_FALSE(r.granted);
  CHECK(r.wait.reason == wait_reason::quota_pacing);
  CHECK_FALSE(r.wait.cls);
  CHECK_FALSE(r.wait.unexplained);
  CHECK(r.wait.until_ms - now > 4'700);
  CHECK(r.wait.until_ms - now < 4'900);
  CHECK(r.wait.text.find("quota pacing") != std::string::npos);
  CHECK(r.wait.text.find("q=100100") != std::string::npos);
  CHECK(g.try_acquire(ec::search_jql, 1, r.wait.until_ms).granted);
}

TEST_CASE("a quota 429 with t=2107 pauses everything ~2107 s and says so",
          "[sync][governor]") {
  governor g{governor_options{}};
  std::int64_t now = t0;
  probe_once(g, ec::bulkfetch, real_quota, now);
  REQUIRE(g.try_acquire(ec::comments, 11, now).granted);
  g.on_response(answer(ec::comments, 429,
                       {{"X-RateLimit-Limit", "350"},
                        {"X-RateLimit-Remaining", "300"},
                        {"RateLimit-Reason", "jira-quota-tenant-based"},
                        {"Beta-RateLimit", R"("tenant-app-quota";r=0;t=2107)"},
                        {"Retry-After", "2107"}},
                       now),
                now);
  auto w = g.next_wait(now);
  CHECK(w.reason == wait_reason::quota_429);
  CHECK_FALSE(w.cls);
  CHECK_FALSE(w.unexplained);
  CHECK(w.until_ms == now + 2'107'000);
  CHECK(w.text.find("jira-quota-tenant-based") != std::string::npos);
  CHECK(w.text.find("2107 s") != std::string::npos);
  // Every class, for the whole of it.
  auto [longest, lw] = longest_wait(g, now + 1'000'000, some_classes);
  CHECK(longest == 1'107'000);
  // The summary's longest wait: announced at the first refusal, with why.
  CHECK(g.stats().longest_wait_ms == 1'107'000);
  CHECK(g.stats().longest_wait.reason == wait_reason::quota_429);
  CHECK(g.stats().longest_wait.text.find("jira-quota-tenant-based")
        != std::string::npos);
  for (auto cls : some_classes) {
    auto r = g.try_acquire(cls, 1, now + 2'106'999);
    CHECK_FALSE(r.granted);
    CHECK(r.wait.reason == wait_reason::quota_429);
  }
  // At the reset one request probes; the rest follow its answer.
  auto end = now + 2'107'000;
  auto p = g.try_acquire(ec::bulkfetch, 101, end);
  REQUIRE(p.granted);
  CHECK(p.probe);
  auto held = g.try_acquire(ec::comments, 11, end);
  CHECK_FALSE(held.granted);
  CHECK(held.wait.reason == wait_reason::probe);
  CHECK(held.wait.until_ms == end + 50); // one bulkfetch latency
  g.on_response(
    answer(ec::bulkfetch, 200,
           {{"Beta-RateLimit", R"("tenant-app-quota";r=100000;t=3599)"}},
           end + 50),
    end + 50);
  CHECK(g.try_acquire(ec::comments, 11, end + 50).granted);
  CHECK(g.stats().responses_429_by_reason[static_cast<std::size_t>(
          jirasync::protocol::rate_limit_reason::quota_tenant)]
        == 1);
}

TEST_CASE("a probe that is never answered: another one after the cap",
          "[sync][governor]") {
  governor g{governor_options{}};
  std::int64_t now = t0;
  auto p = g.try_acquire(ec::bulkfetch, 1, now);
  REQUIRE(p.granted);
  REQUIRE(p.probe);
  // Until the cap every other request waits, looking again every second
  // (no latency known yet).
  auto r = g.try_acquire(ec::comments, 1, now + 30'000);
  CHECK(r.wait.reason == wait_reason::probe);
  CHECK(r.wait.until_ms == now + 31'000);
  auto last = g.try_acquire(ec::comments, 1, now + 59'500);
  CHECK(last.wait.until_ms == now + 60'000);
  auto again = g.try_acquire(ec::comments, 1, now + 60'000);
  REQUIRE(again.granted);
  CHECK(again.probe);
  CHECK(g.stats().probes == 2);
}

TEST_CASE("policy header missing once r=0: wait for t=, keep q",
          "[sync][governor]") {
  governor g{governor_options{}};
  std::int64_t now = t0;
  probe_once(g, ec::bulkfetch, real_quota, now);
  REQUIRE(g.try_acquire(ec::bulkfetch, 101, now).granted);
  // A 200 whose policy header is gone and whose r is 0.
  g.on_response(answer(ec::bulkfetch, 200,
                       {{"X-RateLimit-Limit", "350"},
                        {"X-RateLimit-Remaining", "348"},
                        {"Beta-RateLimit", R"("tenant-app-quota";r=0;t=1200)"}},
                       now),
                now);
  CHECK(g.quota().limit() == 100100);
  auto [longest, w] = longest_wait(g, now, some_classes);
  CHECK(longest == 1'200'000);
  CHECK(w.reason == wait_reason::quota_reserve);
  CHECK_FALSE(w.unexplained);
  CHECK(w.text.find("r=0") != std::string::npos);
  CHECK(w.text.find("q=100100") != std::string::npos);
  // The media host is no Jira API: it goes on.
  CHECK(g.try_acquire(ec::media_download, 0, now).granted);
}

TEST_CASE("t= disagreeing with X-Beta-RateLimit-Reset: the earlier, then a "
          "probe",
          "[sync][governor]") {
  governor g{governor_options{}};
  std::int64_t now = t0 + 30'000; // 22:13:50
  probe_once(g, ec::bulkfetch, real_quota, now);
  REQUIRE(g.try_acquire(ec::comments, 11, now).granted);
  // t= says 2107 s; the header says 22:26:00 (730 s).
  g.on_response(answer(ec::comments, 429,
                       {{"RateLimit-Reason", "jira-quota-global-based"},
                        {"Beta-RateLimit", R"("tenant-app-quota";r=0;t=2107)"},
                        {"X-Beta-RateLimit-Reset", iso_minute(t0 + 760'000)}},
                       now),
                now);
  auto w = g.next_wait(now);
  CHECK(w.reason == wait_reason::quota_429);
  CHECK_FALSE(w.unexplained);
  CHECK(w.until_ms == t0 + 760'000);
  CHECK(w.text.find("disagree") != std::string::npos);
  auto [longest, lw] = longest_wait(g, now, some_classes);
  CHECK(longest == 730'000);
  // Then one probe; if the window is still spent, its own answer rules.
  auto p = g.try_acquire(ec::search_jql, 1, t0 + 760'000);
  REQUIRE(p.granted);
  CHECK(p.probe);
}

TEST_CASE("a reset in the past is capped at the configured maximum and "
          "re-probed",
          "[sync][governor]") {
  governor_options o;
  o.max_unexplained_wait_ms = 45'000;
  governor g{o};
  std::int64_t now = t0 + 30'000;
  probe_once(g, ec::bulkfetch, real_quota, now);
  REQUIRE(g.try_acquire(ec::comments, 11, now).granted);
  g.on_response(answer(ec::comments, 429,
                       {{"RateLimit-Reason", "jira-quota-tenant-based"},
                        {"Beta-RateLimit", R"("tenant-app-quota";r=0)"},
                        {"X-Beta-RateLimit-Reset", iso_minute(t0 - 300'000)}},
                       now),
                now);
  auto w = g.next_wait(now);
  CHECK(w.reason == wait_reason::quota_429);
  CHECK(w.unexplained);
  CHECK(w.until_ms == now + 45'000);
  CHECK(w.text.find("in the past") != std::string::npos);
  CHECK(w.text.find("probe") != std::string::npos);
  auto [longest, lw] = longest_wait(g, now, some_classes);
  CHECK(longest == 45'000);
  CHECK(g.stats().unexplained_waits == 1);
  // At the cap: exactly one request goes, the others wait for it.
  auto end = now + 45'000;
  auto p = g.try_acquire(ec::bulkfetch, 101, end);
  REQUIRE(p.granted);
  CHECK(p.probe);
  for (auto cls : some_classes) {
    auto r = g.try_acquire(cls, 1, end + 10);
    CHECK_FALSE(r.granted);
    CHECK(r.wait.reason == wait_reason::probe);
    // Look again after about one latency; another probe at the latest.
    CHECK(r.wait.until_ms == end + 10 + 50);
    CHECK(r.wait.text.find("another goes after 45 s") != std::string::npos);
  }
  // A success without quota figures shows the window has points again.
  g.on_response(answer(ec::bulkfetch, 200, {}, end + 60), end + 60);
  CHECK(g.try_acquire(ec::comments, 11, end + 60).granted);
}

TEST_CASE("quota figures without any future reset: capped, then probed",
          "[sync][governor]") {
  governor g{governor_options{}};
  std::int64_t now = t0;
  probe_once(g, ec::bulkfetch, real_quota, now);
  // A 200 with r=0 and a past reset: the reserve is reached but nothing
  // says until when.
  REQUIRE(g.try_acquire(ec::bulkfetch, 101, now).granted);
  g.on_response(answer(ec::bulkfetch, 200,
                       {{"Beta-RateLimit", R"("tenant-app-quota";r=0)"},
                        {"X-Beta-RateLimit-Reset", iso_minute(t0 - 120'000)}},
                       now),
                now);
  auto [longest, w] = longest_wait(g, now, some_classes);
  CHECK(longest == 60'000);
  CHECK(w.reason == wait_reason::quota_reserve);
  CHECK(w.unexplained);
  // Asking again later does not move the deadline.
  auto later = g.try_acquire(ec::comments, 11, now + 30'000);
  CHECK(later.wait.until_ms == now + 60'000);
  auto p = g.try_acquire(ec::comments, 11, now + 60'000);
  REQUIRE(p.granted);
  CHECK(p.probe);
}

TEST_CASE("a jira-burst-based 429 slows only that class", "[sync][governor]") {
  governor g{governor_options{}};
  std::int64_t now = t0;
  probe_once(g, ec::bulkfetch, real_burst, now);
  probe_once(g, ec::comments, real_burst, now);
  auto comments_rate = g.rate_per_sec(ec::comments, now);
  auto bulk_rate = g.rate_per_sec(ec::bulkfetch, now);
  CHECK(comments_rate == Approx(95));
  REQUIRE(g.try_acquire(ec::comments, 1, now).granted);
  g.on_response(answer(ec::comments, 429,
                       {{"X-RateLimit-Limit", "350"},
                        {"X-RateLimit-Remaining", "0"},
                        {"RateLimit-Reason", "jira-burst-based"},
                        {"Retry-After", "2"}},
                       now),
                now);
  // comments: paused for Retry-After, then at half its rate.
  auto r = g.try_acquire(ec::comments, 1, now + 10);
  CHECK_FALSE(r.granted);
  CHECK(r.wait.reason == wait_reason::burst_429);
  REQUIRE(r.wait.cls);
  CHECK(*r.wait.cls == ec::comments);
  CHECK(r.wait.until_ms == now + 2'000);
  CHECK(r.wait.text.find("jira-burst-based") != std::string::npos);
  CHECK(g.rate_per_sec(ec::comments, now) == Approx(comments_rate / 2));
  CHECK(g.next_wait(now + 10).reason == wait_reason::burst_429);
  // Everyone else keeps its rate and goes on.
  CHECK(g.rate_per_sec(ec::bulkfetch, now) == Approx(bulk_rate));
  int bulk = 0;
  for (std::int64_t t = now; t < now + 2'000; ++t)
    while (true) {
      auto b = g.try_acquire(ec::bulkfetch, 1, t);
      if (!b.granted) {
        CHECK(b.wait.reason != wait_reason::burst_429);
        break;
      }
      ++bulk;
      g.on_response(answer(ec::bulkfetch, 200, real_burst, t, 1), t);
    }
  CHECK(bulk >= 190); // 95/s for 2 s
  // After the pause: one comments probe first, the rest after its answer.
  auto p = g.try_acquire(ec::comments, 1, now + 2'000);
  REQUIRE(p.granted);
  CHECK(p.probe);
  auto q = g.try_acquire(ec::comments, 1, now + 2'001);
  CHECK(q.wait.reason == wait_reason::probe);
  g.on_response(answer(ec::comments, 200, real_burst, now + 2'050),
                now + 2'050);
  // The rate climbs back linearly (burst_recovery_ms: 10 s from 0).
  CHECK(g.rate_per_sec(ec::comments, now + 3'000)
        == Approx(comments_rate * 0.8));
  CHECK(g.rate_per_sec(ec::comments, now + 5'000) == Approx(comments_rate));
  auto s = g.stats();
  CHECK(s.classes[static_cast<std::size_t>(ec::comments)].responses_429 == 1);
  CHECK(s.classes[static_cast<std::size_t>(ec::bulkfetch)].responses_429 == 0);
  CHECK(s.responses_429_by_reason[static_cast<std::size_t>(
          jirasync::protocol::rate_limit_reason::burst)]
        == 1);
}

TEST_CASE("a burst 429 without Retry-After: short capped waits, doubling",
          "[sync][governor]") {
  governor_options o;
  o.max_unexplained_wait_ms = 5'000;
  governor g{o};
  std::int64_t now = t0;
  probe_once(g, ec::comments, real_burst, now);
  std::vector<std::int64_t> waits;
  for (int i = 0; i < 5; ++i) {
    auto r = g.try_acquire(ec::comments, 1, now);
    REQUIRE(r.granted);
    g.on_response(answer(ec::comments, 429,
                         {{"RateLimit-Reason", "jira-burst-based"},
                          {"X-RateLimit-Reset", iso_minute(t0 - 60'000)}},
                         now),
                  now);
    auto w = g.next_wait(now);
    CHECK(w.reason == wait_reason::burst_429);
    CHECK(w.unexplained);
    waits.push_back(w.until_ms - now);
    now = w.until_ms;
  }
  CHECK(waits == std::vector<std::int64_t>{1'000, 2'000, 4'000, 5'000, 5'000});
  // A success ends the streak.
  auto r = g.try_acquire(ec::comments, 1, now);
  REQUIRE(r.granted);
  g.on_response(answer(ec::comments, 200, real_burst, now), now);
  REQUIRE(g.try_acquire(ec::comments, 1, now).granted);
  g.on_response(
    answer(ec::comments, 429, {{"RateLimit-Reason", "jira-burst-based"}}, now),
    now);
  CHECK(g.next_wait(now).until_ms == now + 1'000);
}

TEST_CASE("503 with Retry-After pauses every endpoint class",
          "[sync][governor]") {
  governor g{governor_options{}};
  std::int64_t now = t0;
  probe_once(g, ec::bulkfetch, real_burst, now);
  REQUIRE(g.try_acquire(ec::bulkfetch, 1, now).granted);
  g.on_response(answer(ec::bulkfetch, 503, {{"Retry-After", "3"}}, now + 100),
                now + 100);
  CHECK(g.paused_until_ms() == now + 3'100);
  auto [longest, w] = longest_wait(g, now + 1'000, some_classes);
  CHECK(longest == 2'100);
  CHECK(w.reason == wait_reason::service_unavailable);
  CHECK(w.text.find("503") != std::string::npos);
  // A 503 without Retry-After is the retry policy's business only.
  governor h{governor_options{}};
  probe_once(h, ec::bulkfetch, real_burst, now);
  REQUIRE(h.try_acquire(ec::bulkfetch, 1, now).granted);
  h.on_response(answer(ec::bulkfetch, 503, {}, now), now);
  CHECK(h.paused_until_ms() == 0);
  CHECK(h.try_acquire(ec::comments, 1, now).granted);
}

TEST_CASE("stated waits are capped at the longest trusted figure",
          "[sync][governor]") {
  governor g{governor_options{}};
  std::int64_t now = t0;
  probe_once(g, ec::bulkfetch, real_quota, now);
  REQUIRE(g.try_acquire(ec::comments, 1, now).granted);
  g.on_response(
    answer(ec::comments, 429,
           {{"RateLimit-Reason", "jira-quota-tenant-based"},
            {"Beta-RateLimit", R"("tenant-app-quota";r=0;t=864000)"}},
           now),
    now);
  auto w = g.next_wait(now);
  CHECK(w.until_ms == now + 3'600'000);
  CHECK(w.text.find("capped") != std::string::npos);
}

TEST_CASE("token bucket per endpoint class, configured rates",
          "[sync][governor]") {
  governor_options o;
  o.buckets.push_back({"bulkfetch", 10, 5});
  o.burst_rate_margin = 1.0;
  o.initial_concurrency = 100;
  governor g{o};
  std::int64_t now = t0;
  probe_once(g, ec::bulkfetch, {}, now);
  for (int i = 0; i < 4; ++i) {
    REQUIRE(g.try_acquire(ec::bulkfetch, 1, now).granted);
    g.on_response(answer(ec::bulkfetch, 200, {}, now, 1), now);
  }
  auto r = g.try_acquire(ec::bulkfetch, 1, now);
  CHECK_FALSE(r.granted);
  CHECK(r.wait.rate_limited());
  CHECK(r.wait.reason == wait_reason::burst_pacing);
  CHECK(r.wait.until_ms == now + 100); // 10 tokens/s -> one every 100 ms
  CHECK(g.try_acquire(ec::bulkfetch, 1, now + 100).granted);
  // Another class has its own bucket (after its own probe).
  probe_once(g, ec::comments, {}, now);
  CHECK(g.try_acquire(ec::comments, 1, now).granted);
}

TEST_CASE("X-RateLimit-Limit lowers the bucket - Remaining empties ours",
          "[sync][governor]") {
  governor g{governor_options{}};
  std::int64_t now = t0;
  // A server with a quarter of the documented rate says so.
  probe_once(g, ec::bulkfetch,
             {{"X-RateLimit-Limit", "25"}, {"X-RateLimit-Remaining", "24"}},
             now);
  CHECK(g.rate_per_sec(ec::bulkfetch, now) == Approx(25 * 0.95));
  // A larger figure never raises the documented rate.
  probe_once(g, ec::comments, real_burst, now);
  CHECK(g.rate_per_sec(ec::comments, now) == Approx(95));
  // Another client drained the server's bucket: ours follows.
  REQUIRE(g.try_acquire(ec::comments, 1, now).granted);
  g.on_response(
    answer(ec::comments, 200,
           {{"X-RateLimit-Limit", "100"}, {"X-RateLimit-Remaining", "0"}}, now),
    now);
  auto r = g.try_acquire(ec::comments, 1, now);
  CHECK_FALSE(r.granted);
  CHECK(r.wait.reason == wait_reason::burst_pacing);
  CHECK(r.wait.until_ms - now <= 11);
}

TEST_CASE("concurrency per class from Little's law", "[sync][governor]") {
  governor_options o;
  o.initial_concurrency = 2;
  governor g{o};
  std::int64_t now = t0;
  // Before a latency is known: initial_concurrency (the probe aside).
  CHECK(g.concurrency_limit(ec::bulkfetch, now) == 2);
  auto p = g.try_acquire(ec::bulkfetch, 1, now);
  REQUIRE(p.granted);
  CHECK(p.probe);
  auto held = g.try_acquire(ec::bulkfetch, 1, now);
  CHECK_FALSE(held.granted);
  CHECK(held.wait.reason == wait_reason::probe);
  g.on_response(answer(ec::bulkfetch, 200, {}, now, 200), now);
  // Latency samples converge (EWMA) and the limit follows rate x latency:
  // 95/s x 0.2 s x 1.5 headroom = 28.5 -> 29.
  for (int i = 0; i < 60; ++i) {
    REQUIRE(g.try_acquire(ec::bulkfetch, 1, now).granted);
    g.on_response(answer(ec::bulkfetch, 200, {}, now, 200), now);
    now += 20;
  }
  CHECK(g.stats().classes[static_cast<std::size_t>(ec::bulkfetch)].latency_ms
        == Approx(200).margin(1));
  CHECK(g.concurrency_limit(ec::bulkfetch, now) == 29);
  // 40 ms: 95 x 0.04 x 1.5 = 5.7 -> 6.
  for (int i = 0; i < 60; ++i) {
    REQUIRE(g.try_acquire(ec::bulkfetch, 1, now).granted);
    g.on_response(answer(ec::bulkfetch, 200, {}, now, 40), now);
    now += 20;
  }
  CHECK(g.concurrency_limit(ec::bulkfetch, now) == 6);
  // Slow answers: bounded by the class cap.
  for (int i = 0; i < 60; ++i) {
    REQUIRE(g.try_acquire(ec::bulkfetch, 1, now).granted);
    g.on_response(answer(ec::bulkfetch, 200, {}, now, 5'000), now);
    now += 20;
  }
  CHECK(g.concurrency_limit(ec::bulkfetch, now) == 128);
  // The limit holds: at 6 (40 ms) the 7th in flight waits for an answer.
  governor h{governor_options{}};
  probe_once(h, ec::attachment_content, {}, now);
  for (int i = 0; i < 30; ++i) {
    REQUIRE(h.try_acquire(ec::attachment_content, 2, now).granted);
    h.on_response(answer(ec::attachment_content, 200, {}, now, 20), now);
    now += 5;
  }
  // 285/s x 0.02 s x 1.5 = 8.55 -> 9.
  CHECK(h.concurrency_limit(ec::attachment_content, now) == 9);
  for (int i = 0; i < 9; ++i)
    REQUIRE(h.try_acquire(ec::attachment_content, 2, now).granted);
  auto r = h.try_acquire(ec::attachment_content, 2, now);
  CHECK_FALSE(r.granted);
  CHECK(r.wait.reason == wait_reason::concurrency);
  CHECK_FALSE(r.wait.rate_limited());
  REQUIRE(r.wait.cls);
  CHECK(r.wait.until_ms == now + 20);
  CHECK(h.stats()
          .classes[static_cast<std::size_t>(ec::attachment_content)]
          .peak_in_flight
        == 9);
  // The media host: no bucket, only its cap.
  for (int i = 0; i < 128; ++i)
    REQUIRE(h.try_acquire(ec::media_download, 0, now).granted);
  auto m = h.try_acquire(ec::media_download, 0, now);
  CHECK_FALSE(m.granted);
  CHECK(m.wait.reason == wait_reason::concurrency);
  CHECK(h.concurrency_limit(ec::media_download, now) == 128);
}

TEST_CASE("stats: time waited by reason, probes, peaks", "[sync][governor]") {
  governor g{governor_options{}};
  std::int64_t now = t0;
  probe_once(g, ec::comments, real_burst, now);
  REQUIRE(g.try_acquire(ec::comments, 1, now).granted);
  g.on_response(
    answer(ec::comments, 429,
           {{"RateLimit-Reason", "jira-burst-based"}, {"Retry-After", "2"}},
           now),
    now);
  // Held from the first refusal (now) to the next grant (now + 2000).
  CHECK_FALSE(g.try_acquire(ec::comments, 1, now).granted);
  CHECK_FALSE(g.try_acquire(ec::comments, 1, now + 1'000).granted);
  REQUIRE(g.try_acquire(ec::comments, 1, now + 2'000).granted);
  auto s = g.stats();
  CHECK(s.waited_ms[static_cast<std::size_t>(wait_reason::burst_429)] == 2'000);
  CHECK(s.waits[static_cast<std::size_t>(wait_reason::burst_429)] == 1);
  CHECK(s.probes == 2); // the run's first request and the re-probe
  CHECK(s.granted == 3);
  CHECK(s.pauses == 1);
  CHECK(s.responses_429 == 1);
  CHECK(s.classes[static_cast<std::size_t>(ec::comments)].requests == 3);
  CHECK(s.classes[static_cast<std::size_t>(ec::comments)].in_flight == 1);
  CHECK(s.peak_in_flight == 1);
  // A wait still open counts up to the last call.
  CHECK_FALSE(g.try_acquire(ec::comments, 1, now + 2'001).granted); // probe
  CHECK_FALSE(g.try_acquire(ec::comments, 1, now + 2'501).granted);
  CHECK(g.stats().waited_ms[static_cast<std::size_t>(wait_reason::probe)]
        == 500);
}

namespace {

/// A Jira for the simulation: a burst token bucket per endpoint class
/// (capacity = rate, as jira-sim models it), an optional points quota per
/// window, latency with jitter; headers as Jira sends them.
struct sim_jira {
  struct bucket {
    double rate = 0;
    double tokens = 0;
    std::int64_t at = 0;
  };
  std::array<bucket, jirasync::protocol::endpoint_class_count> buckets{};
  std::int64_t quota = 0; // 0 = no quota (API-token traffic)
  std::int64_t window_ms = 60'000;
  std::int64_t spent = 0;
  std::int64_t window = -1;
  std::int64_t lowest_remaining = INT64_MAX;
  std::array<int, jirasync::protocol::endpoint_class_count> burst_429{};
  int quota_429 = 0;
  /// (time, points) of every charge.
  std::vector<std::pair<std::int64_t, std::int64_t>> charges;

  void set_rate(ec cls, double rate, std::int64_t now) {
    buckets[static_cast<std::size_t>(cls)] = {rate, rate, now};
  }
  void roll(std::int64_t now) {
    if (now / window_ms != window) {
      window = now / window_ms;
      spent = 0;
    }
  }
  std::int64_t reset_secs(std::int64_t now) const {
    return ((window + 1) * window_ms - now + 999) / 1000;
  }
  /// Serves a request arriving at `now`: status and headers.
  std::pair<int, headers> serve(ec cls, std::int64_t real_cost,
                                std::int64_t now) {
    headers h;
    if (quota > 0) {
      roll(now);
      auto rem = std::max<std::int64_t>(0, quota - spent);
      h.push_back({"Beta-RateLimit-Policy",
                   "\"tenant-app-quota\";q=" + std::to_string(quota)
                     + ";w=" + std::to_string(window_ms / 1000)});
      if (rem < real_cost) {
        ++quota_429;
        h.push_back(
          {"Beta-RateLimit", "\"tenant-app-quota\";r=" + std::to_string(rem)
                               + ";t=" + std::to_string(reset_secs(now))});
        h.push_back({"RateLimit-Reason", "jira-quota-tenant-based"});
        h.push_back({"Retry-After", std::to_string(reset_secs(now))});
        return {429, h};
      }
    }
    auto& b = buckets[static_cast<std::size_t>(cls)];
    if (b.rate > 0) {
      b.tokens
        = std::min(b.rate, b.tokens + b.rate * double(now - b.at) / 1000.0);
      b.at = now;
      h.push_back({"X-RateLimit-Limit", std::to_string(std::llround(b.rate))});
      if (b.tokens < 1) {
        ++burst_429[static_cast<std::size_t>(cls)];
        h.push_back({"X-RateLimit-Remaining", "0"});
        h.push_back({"RateLimit-Reason", "jira-burst-based"});
        h.push_back({"Retry-After", "1"});
        return {429, h};
      }
      b.tokens -= 1;
      h.push_back({"X-RateLimit-Remaining",
                   std::to_string(static_cast<std::int64_t>(b.tokens))});
    }
    if (quota > 0) {
      spent += real_cost;
      charges.emplace_back(now, real_cost);
      auto rem = quota - spent;
      lowest_remaining = std::min(lowest_remaining, rem);
      h.push_back(
        {"Beta-RateLimit", "\"tenant-app-quota\";r=" + std::to_string(rem)
                             + ";t=" + std::to_string(reset_secs(now))});
    }
    return {200, h};
  }
};

struct flight {
  ec cls;
  std::int64_t estimate;
  std::int64_t real_cost;
  std::int64_t sent;
  std::int64_t arrive;
  std::int64_t answer;
  int status = 0;
  headers h;
  bool served = false;
};

/// Deterministic jitter in [0, span).
struct lcg {
  std::uint64_t x = 12345;
  std::int64_t next(std::int64_t span) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<std::int64_t>(
      (x >> 33) % static_cast<std::uint64_t>(std::max<std::int64_t>(span, 1)));
  }
};

struct sim_result {
  std::array<int, jirasync::protocol::endpoint_class_count> ok{};
  std::int64_t longest_rate_wait = 0;
  governor_stats stats;
};

/// Every class in `demand` always has work; each attachment_content answer
/// (a 303) is followed by a media_download. Runs [start, start + length).
sim_result run_sim(governor& g, sim_jira& jira, const std::vector<ec>& demand,
                   std::int64_t start, std::int64_t length,
                   std::int64_t (*estimate)(ec), double true_ratio) {
  sim_result out;
  std::vector<flight> flying;
  lcg rng;
  int media_owed = 0;
  for (std::int64_t now = start; now < start + length; ++now) {
    for (auto& f : flying)
      if (!f.served && f.arrive <= now) {
        auto [st, h] = jira.serve(
          f.cls, static_cast<std::int64_t>(static_cast<double>(f.real_cost)),
          now);
        f.status = st;
        f.h = std::move(h);
        f.served = true;
      }
    for (auto i = flying.begin(); i != flying.end();) {
      if (i->answer > now) {
        ++i;
        continue;
      }
      if (i->cls == ec::media_download)
        i->status = 200;
      g.on_response(
        answer(i->cls, i->status, i->h, now, i->answer - i->sent, i->estimate),
        now);
      if (i->status == 200) {
        ++out.ok[static_cast<std::size_t>(i->cls)];
        if (i->cls == ec::attachment_content)
          ++media_owed;
      }
      i = flying.erase(i);
    }
    auto send = [&](ec cls) {
      auto est = estimate(cls);
      auto r = g.try_acquire(cls, est, now);
      if (!r.granted) {
        if (r.wait.rate_limited())
          out.longest_rate_wait
            = std::max(out.longest_rate_wait, r.wait.until_ms - now);
        REQUIRE(r.wait.until_ms > now);
        return false;
      }
      flight f;
      f.cls = cls;
      f.estimate = est;
      f.real_cost
        = static_cast<std::int64_t>(static_cast<double>(est) * true_ratio);
      f.sent = now;
      if (cls == ec::media_download) {
        f.arrive = f.answer = now + 80 + rng.next(40);
        f.served = true;
      } else {
        // 50 ms +- 20 ms, half on the way there.
        auto latency = 30 + rng.next(41);
        f.arrive = now + latency / 2;
        f.answer = now + latency;
      }
      flying.push_back(std::move(f));
      return true;
    };
    // Round robin: each millisecond another class asks first.
    for (std::size_t k = 0; k < demand.size(); ++k)
      while (
        send(demand[(k + static_cast<std::size_t>(now)) % demand.size()])) {
      }
    while (media_owed > 0 && send(ec::media_download))
      --media_owed;
  }
  out.stats = g.stats();
  return out;
}

std::int64_t small_estimate(ec cls) {
  return cls == ec::media_download ? 0 : cls == ec::bulkfetch ? 101 : 2;
}

} // namespace

TEST_CASE("simulated Jira: burst buckets at their rate, no 429",
          "[sync][governor]") {
  // jira-sim with burst scale 0.25: X-RateLimit-Limit tells the governor
  // the real bucket after the first probe of each class.
  governor g{governor_options{}};
  sim_jira jira;
  std::int64_t start = t0;
  jira.set_rate(ec::bulkfetch, 25, start);
  jira.set_rate(ec::comments, 25, start);
  jira.set_rate(ec::attachment_content, 75, start);
  auto res
    = run_sim(g, jira, {ec::bulkfetch, ec::comments, ec::attachment_content},
              start, 20'000, small_estimate, 1.0);
  for (auto cls : {ec::bulkfetch, ec::comments, ec::attachment_content}) {
    INFO(jirasync::protocol::to_string(cls));
    CHECK(jira.burst_429[static_cast<std::size_t>(cls)] == 0);
    auto rate = jira.buckets[static_cast<std::size_t>(cls)].rate;
    auto achieved = res.ok[static_cast<std::size_t>(cls)] / 20.0;
    CHECK(achieved >= 0.93 * rate);
    CHECK(achieved <= 1.0 * rate + 1);
  }
  // Media downloads followed every attachment, within their cap.
  auto media = res.stats.classes[static_cast<std::size_t>(ec::media_download)];
  CHECK(res.ok[static_cast<std::size_t>(ec::media_download)]
        >= res.ok[static_cast<std::size_t>(ec::attachment_content)] - 16);
  CHECK(media.peak_in_flight <= 16);
  CHECK(res.stats.responses_429 == 0);
  CHECK(res.stats.unexplained_waits == 0);
  CHECK(res.longest_rate_wait <= 1'000);
}

TEST_CASE("simulated Jira: a points quota is paced, never spent out",
          "[sync][governor]") {
  // 6000 points a minute; requests really cost 1.5x their estimate.
  governor g{governor_options{}};
  sim_jira jira;
  std::int64_t start = t0 - t0 % 60'000; // a window boundary
  jira.quota = 6'000;
  jira.window_ms = 60'000;
  jira.set_rate(ec::bulkfetch, 100, start);
  jira.set_rate(ec::comments, 100, start);
  auto res = run_sim(g, jira, {ec::bulkfetch, ec::comments}, start, 150'000,
                     small_estimate, 1.5);
  CHECK(jira.quota_429 == 0);
  for (auto n : jira.burst_429)
    CHECK(n == 0);
  // The reserve held: remaining never reached 0.
  CHECK(jira.lowest_remaining > 0);
  // Each full window spent most of what lies above the reserve (300)...
  for (std::int64_t w = 0; w < 2; ++w) {
    std::int64_t whole = 0, first_half = 0;
    for (auto [t, pts] : jira.charges) {
      if ((t - start) / 60'000 != w)
        continue;
      whole += pts;
      if ((t - start) % 60'000 < 30'000)
        first_half += pts;
    }
    INFO("window " << w << ": " << whole << " points, " << first_half
                   << " in its first half");
    CHECK(whole >= 5'400);
    CHECK(whole <= 5'700);
    // ... spread over it, not spent in the first seconds.
    CHECK(first_half >= whole * 4 / 10);
    CHECK(first_half <= whole * 6 / 10);
  }
  CHECK(res.ok[static_cast<std::size_t>(ec::bulkfetch)] >= 40);
  CHECK(res.ok[static_cast<std::size_t>(ec::comments)] >= 40);
  // The learned ratio approaches the real one.
  CHECK(g.cost_ratio(ec::bulkfetch) == Approx(1.5).margin(0.15));
  // Every quota wait stated the reset or a pace; none was unexplained.
  CHECK(res.stats.unexplained_waits == 0);
  CHECK(res.longest_rate_wait <= 10'000);
}

TEST_CASE("learned cost ratio converges from single-class samples",
          "[sync][governor]") {
  governor g{governor_options{}};
  CHECK(g.cost_ratio(ec::search_jql) == Approx(1.0));
  std::int64_t remaining = 400'000;
  std::int64_t now = t0;
  // The reset 100 s ahead: 365,000 points to spread over it, far more than
  // this test spends, so pacing never holds it.
  constexpr std::int64_t reset = t0 + 100'000;
  auto quota_headers = [&] {
    return headers{
      {"Beta-RateLimit-Policy", R"("tenant-app-quota";q=500000;w=3600)"},
      {"Beta-RateLimit", "\"tenant-app-quota\";r=" + std::to_string(remaining)
                           + ";t=" + std::to_string((reset - now) / 1000)}};
  };
  for (int i = 0; i < 40; ++i) {
    REQUIRE(g.try_acquire(ec::search_jql, 100, now).granted);
    remaining -= 250; // charged 2.5x the estimate
    g.on_response(answer(ec::search_jql, 200, quota_headers(), now, 50, 100),
                  now);
    now += 100;
  }
  // The first sample needs a previous figure; then EMA towards 2.5.
  CHECK(g.cost_ratio(ec::search_jql) == Approx(2.5).margin(0.01));
  // An unseen class uses the global ratio.
  CHECK(g.cost_ratio(ec::comments) == Approx(2.5).margin(0.01));
  CHECK(g.quota().limit() == 500'000);
  // Reservations use the ratio: 100 estimated -> 250 reserved.
  REQUIRE(g.try_acquire(ec::search_jql, 100, now).granted);
  CHECK(g.quota().in_flight_cost() == Approx(250).margin(1));
  // Reserve = 5% of q (25,000): with 390,000 left and 250 in flight a
  // 365,000-point request is refused until the reset.
  auto r = g.try_acquire(ec::search_jql, 146'000, now);
  CHECK_FALSE(r.granted);
  CHECK(r.wait.reason == wait_reason::quota_reserve);
  // t= has whole seconds: the last answer (at now - 100) said 96 s.
  CHECK(r.wait.until_ms == now - 100 + 96'000);
}

TEST_CASE("describe_wait and governor_counters: what the log, the progress "
          "line and the run checkpoint say",
          "[sync][governor]") {
  wait_info w;
  CHECK(describe_wait(w).empty());
  w.reason = wait_reason::burst_429;
  w.cls = ec::comments;
  w.until_ms = t0 + 2'001; // 22:13:22.001 -> rounded up
  CHECK(describe_wait(w)
        == "waiting for burst_429 of comments until 22:13:23 UTC");
  w.cls.reset();
  w.reason = wait_reason::quota_429;
  w.until_ms = t0 + 120'000;
  CHECK(describe_wait(w) == "waiting for quota_429 until 22:15:20 UTC");

  governor g{governor_options{}};
  std::int64_t now = t0;
  probe_once(g, ec::comments, real_burst, now);
  REQUIRE(g.try_acquire(ec::comments, 1, now).granted);
  g.on_response(
    answer(ec::comments, 429,
           {{"RateLimit-Reason", "jira-burst-based"}, {"Retry-After", "2"}},
           now),
    now);
  CHECK_FALSE(g.try_acquire(ec::comments, 1, now).granted);
  REQUIRE(g.try_acquire(ec::comments, 1, now + 2'000).granted);
  auto c = governor_counters(g.stats());
  CHECK(c.at("granted") == 3);
  CHECK(c.at("responses_429") == 1);
  CHECK(c.at("429.jira-burst-based") == 1);
  CHECK(c.at("waited_ms.burst_429") == 2'000);
  CHECK(c.at("requests.comments") == 3);
  CHECK(c.at("429s.comments") == 1);
  CHECK(c.at("peak_in_flight.comments") == 1);
  CHECK(c.at("longest_wait_ms") == 2'000);
  // Classes without requests and reasons without 429s are left out.
  CHECK(c.count("requests.bulkfetch") == 0);
  CHECK(c.count("429.jira-quota-tenant-based") == 0);
}
