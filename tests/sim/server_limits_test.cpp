// Rate limits: the token-bucket and quota maths (pure), then 429s with
// Jira's headers over real sockets, and the Retry-After honoured counter.
#include "server_fixture.hpp"

#include "sim/limits.hpp"

#include <catch2/catch.hpp>

#include <thread>

using namespace simtest;
using namespace jirasim;

TEST_CASE("burst buckets follow Jira's documented rates", "[sim]") {
  CHECK(burst_rate(burst_class::get_default) == 100);
  CHECK(burst_rate(burst_class::get_issue) == 150);
  CHECK(burst_rate(burst_class::get_attachment_content) == 300);
  CHECK(burst_rate(burst_class::get_project_role) == 200);
  limits_options o;
  o.quota_points = 0;
  o.burst_scale = 0.1; // GET 10/s
  rate_limiter rl{o};
  std::int64_t t = 1'000'000;
  for (int i = 0; i < 10; ++i)
    CHECK(rl.admit("GET /x", burst_class::get_default, t).allowed);
  auto d = rl.admit("GET /x", burst_class::get_default, t);
  CHECK_FALSE(d.allowed);
  CHECK(d.reason == "jira-burst-based");
  CHECK(d.retry_after_secs == 1);
  // Another endpoint has its own bucket.
  CHECK(rl.admit("GET /y", burst_class::get_default, t).allowed);
  // 100 ms later one token (10/s) is back.
  CHECK(rl.admit("GET /x", burst_class::get_default, t + 100).allowed);
  CHECK_FALSE(rl.admit("GET /x", burst_class::get_default, t + 100).allowed);
  // Issue GETs have 15/s at this scale.
  for (int i = 0; i < 15; ++i)
    CHECK(rl.admit("GET /i", burst_class::get_issue, t).allowed);
  CHECK_FALSE(rl.admit("GET /i", burst_class::get_issue, t).allowed);
}

TEST_CASE("points quota denies everything until the window resets", "[sim]") {
  limits_options o;
  o.burst_enabled = false;
  o.quota_points = 100;
  o.window_secs = 60;
  rate_limiter rl{o};
  std::int64_t t = 60'000 * 1000 + 5'000; // 5 s into a window
  auto d = rl.admit("GET /x", burst_class::get_default, t);
  REQUIRE(d.allowed);
  auto has = [](const header_list& h, const std::string& k) {
    return find_header(h, k).has_value();
  };
  CHECK(find_header(d.headers, "X-RateLimit-Limit")
        == std::optional<std::string_view>("100"));
  CHECK(find_header(d.headers, "X-RateLimit-Remaining")
        == std::optional<std::string_view>("100"));
  CHECK(find_header(d.headers, "Beta-RateLimit-Policy")
        == std::optional<std::string_view>("\"tenant-app-quota\";q=100;w=60"));
  rl.spend(85, t);
  auto near = rl.quota_headers(t);
  CHECK(find_header(near, "X-RateLimit-NearLimit")
        == std::optional<std::string_view>("true"));
  CHECK(find_header(near, "Beta-RateLimit")
        == std::optional<std::string_view>("\"tenant-app-quota\";r=15;t=55"));
  rl.spend(15, t);
  auto denied = rl.admit("GET /other", burst_class::get_default, t + 1000);
  CHECK_FALSE(denied.allowed);
  CHECK(denied.reason == "jira-quota-tenant-based");
  CHECK(denied.retry_after_secs == 54);
  CHECK(has(denied.headers, "X-RateLimit-Reset"));
  CHECK(find_header(denied.headers, "X-RateLimit-Reset")
        == std::optional<std::string_view>(iso8601_utc(1001LL * 60'000)));
  // Next window: allowed again.
  CHECK(
    rl.admit("GET /other", burst_class::get_default, 61'000 * 1000).allowed);
}

TEST_CASE("429s over HTTP carry Retry-After and RateLimit-Reason", "[sim]") {
  SECTION("burst") {
    auto o = small_options();
    o.limits.burst_enabled = true;
    o.limits.burst_scale = 0.05; // GET 5/s
    sim_fixture f{o};
    int ok = 0, limited = 0;
    client_response last;
    for (int i = 0; i < 12; ++i) {
      auto r = f.get("/rest/api/3/myself");
      if (r.status == 200)
        ++ok;
      if (r.status == 429) {
        ++limited;
        last = r;
      }
    }
    CHECK(ok >= 5);
    CHECK(limited >= 1);
    CHECK(last.header("Retry-After") == std::optional<std::string_view>("1"));
    CHECK(last.header("RateLimit-Reason")
          == std::optional<std::string_view>("jira-burst-based"));
    auto stats = f.control("GET", "/_sim/stats");
    CHECK(stats.at("rate_limited_by_reason")
            .at("jira-burst-based")
            .to_number<std::uint64_t>()
          == static_cast<std::uint64_t>(limited));
    // Ignoring the Retry-After shows up in the stats (requests right after
    // the 429 are within the grace, so wait past it first).
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    f.get("/rest/api/3/myself");
    stats = f.control("GET", "/_sim/stats");
    CHECK(stats.at("arrived_during_retry_after").to_number<std::uint64_t>()
          >= 1);
  }
  SECTION("quota, with its headers, until the window resets") {
    auto o = small_options();
    o.limits.quota_points = 30;
    o.limits.window_secs = 3600;
    sim_fixture f{o};
    auto first = f.get("/rest/api/3/myself");
    REQUIRE(first.status == 200);
    CHECK(first.header("X-RateLimit-Limit")
          == std::optional<std::string_view>("30"));
    CHECK(first.header("Beta-RateLimit-Policy").has_value());
    client_response r;
    for (int i = 0; i < 40 && r.status != 429; ++i)
      r = f.get("/rest/api/3/users/search?maxResults=5");
    REQUIRE(r.status == 429);
    CHECK(r.header("RateLimit-Reason")
          == std::optional<std::string_view>("jira-quota-tenant-based"));
    CHECK(r.header("Retry-After").has_value());
    CHECK(r.header("X-RateLimit-Reset").has_value());
    // Every endpoint is denied now.
    CHECK(f.get("/rest/api/3/field").status == 429);
    // Advance the sim clock past the window: allowed again.
    f.control("POST", "/_sim/clock", R"({"advance_ms":3600000})");
    CHECK(f.get("/rest/api/3/field").status == 200);
  }
}
