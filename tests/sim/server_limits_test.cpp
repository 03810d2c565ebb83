// Rate limits as Jira sends them (Atlassian's "Rate limiting" guide for Jira
// Cloud, tests/fixtures/jira-cloud/rate-limit-headers-2026.txt): X-RateLimit-*
// for the burst bucket of the endpoint class, the points quota and its
// Beta-RateLimit* headers for OAuth traffic only, 429s by reason, the
// options and the quirks seen in the wild. First the pure maths with an
// injected clock, then the same over real sockets.
#include "server_fixture.hpp"

#include "sim/limits.hpp"
#include "sim/truth.hpp"

#include <catch2/catch.hpp>

#include <thread>

using namespace simtest;
using namespace jirasim;

namespace {

using opt_header = std::optional<std::string_view>;

opt_header header(const header_list& h, std::string_view name) {
  return find_header(h, name);
}

bool has_any_quota_header(const header_list& h) {
  for (auto& [k, v] : h)
    if (k.find("RateLimit-Policy") != std::string::npos
        || k.rfind("Beta-", 0) == 0 || k.rfind("X-Beta-", 0) == 0
        || k == "RateLimit")
      return true;
  return false;
}

// 2026-03-26T16:25:28Z, the time of the capture's r=0 response; the
// hourly window ends at 17:00:00Z, 2072 s later.
constexpr std::int64_t capture_ms = 1774542328000;
constexpr std::int64_t window_end_ms = capture_ms + 2072 * 1000;

limits_options quota_only(std::int64_t points) {
  limits_options o;
  o.burst_enabled = false;
  o.quota_points = points;
  o.window_secs = 3600;
  return o;
}

} // namespace

TEST_CASE("burst: X-RateLimit-* describe the endpoint's own bucket",
          "[sim][limits]") {
  CHECK(burst_rate(burst_class::get_default) == 100);
  CHECK(burst_rate(burst_class::get_issue) == 150);
  CHECK(burst_rate(burst_class::get_attachment_content) == 300);
  CHECK(burst_rate(burst_class::get_project_role) == 200);
  CHECK(burst_rate(burst_class::write) == 100);
  limits_options o;
  o.quota_points = 0;
  o.burst_scale = 0.1; // GET 10/s
  rate_limiter rl{o};
  std::int64_t t = capture_ms;
  auto first
    = rl.admit("GET /x", burst_class::get_default, traffic::api_token, t);
  REQUIRE(first.allowed);
  auto h = rl.headers(first, traffic::api_token, t);
  CHECK(header(h, "X-RateLimit-Limit") == opt_header("10"));
  CHECK(header(h, "X-RateLimit-Remaining") == opt_header("9"));
  CHECK_FALSE(header(h, "X-RateLimit-NearLimit"));
  CHECK_FALSE(header(h, "Retry-After"));
  CHECK_FALSE(has_any_quota_header(h));
  admission a;
  for (int i = 0; i < 8; ++i)
    a = rl.admit("GET /x", burst_class::get_default, traffic::api_token, t);
  // 1 token of 10 left: below 20 %.
  h = rl.headers(a, traffic::api_token, t);
  CHECK(header(h, "X-RateLimit-Remaining") == opt_header("1"));
  CHECK(header(h, "X-RateLimit-NearLimit") == opt_header("true"));
  REQUIRE(rl.admit("GET /x", burst_class::get_default, traffic::api_token, t)
            .allowed);
  auto denied
    = rl.admit("GET /x", burst_class::get_default, traffic::api_token, t);
  REQUIRE_FALSE(denied.allowed);
  CHECK(denied.reason == "jira-burst-based");
  h = rl.headers(denied, traffic::api_token, t);
  CHECK(header(h, "Retry-After") == opt_header("1"));
  CHECK(header(h, "RateLimit-Reason") == opt_header("jira-burst-based"));
  // A token is back 100 ms later; the reset is rounded up to the second.
  CHECK(header(h, "X-RateLimit-Reset") == opt_header("2026-03-26T16:25:29Z"));
  CHECK(header(h, "X-RateLimit-Limit") == opt_header("10"));
  CHECK(header(h, "X-RateLimit-Remaining") == opt_header("0"));
  CHECK(header(h, "X-RateLimit-NearLimit") == opt_header("true"));
  // Only that endpoint is slowed down.
  CHECK(rl.admit("GET /y", burst_class::get_default, traffic::api_token, t)
          .allowed);
  CHECK(
    rl.admit("GET /x", burst_class::get_default, traffic::api_token, t + 100)
      .allowed);
  CHECK_FALSE(
    rl.admit("GET /x", burst_class::get_default, traffic::api_token, t + 100)
      .allowed);
}

TEST_CASE("burst: each endpoint class has Jira's capacity, times the scale",
          "[sim][limits]") {
  struct row {
    burst_class c;
    const char* full;
    const char* half;
  };
  for (auto r : {row{burst_class::get_default, "100", "50"},
                 row{burst_class::get_issue, "150", "75"},
                 row{burst_class::get_attachment_content, "300", "150"},
                 row{burst_class::get_project_role, "200", "100"},
                 row{burst_class::write, "100", "50"}}) {
    for (double scale : {1.0, 0.5}) {
      limits_options o;
      o.quota_points = 0;
      o.burst_scale = scale;
      rate_limiter rl{o};
      auto a = rl.admit("k", r.c, traffic::oauth, capture_ms);
      auto h = rl.headers(a, traffic::oauth, capture_ms);
      CHECK(header(h, "X-RateLimit-Limit")
            == opt_header(scale == 1.0 ? r.full : r.half));
    }
  }
}

TEST_CASE("quota: API-token (Basic) traffic is not under it", "[sim][limits]") {
  rate_limiter rl{quota_only(5)};
  CHECK_FALSE(rl.quota_applies(traffic::api_token));
  CHECK(rl.quota_applies(traffic::oauth));
  for (int i = 0; i < 20; ++i) {
    auto a = rl.admit("GET /x", burst_class::get_default, traffic::api_token,
                      capture_ms);
    REQUIRE(a.allowed);
    rl.spend(3, traffic::api_token, capture_ms);
    CHECK_FALSE(
      has_any_quota_header(rl.headers(a, traffic::api_token, capture_ms)));
  }
  CHECK(rl.spent(capture_ms) == 0);

  SECTION("unless --quota-for-all") {
    auto o = quota_only(5);
    o.quota_for_all = true;
    rate_limiter all{o};
    CHECK(all.quota_applies(traffic::api_token));
    REQUIRE(
      all.admit("k", burst_class::get_default, traffic::api_token, capture_ms)
        .allowed);
    all.spend(5, traffic::api_token, capture_ms);
    auto d = all.admit("k", burst_class::get_default, traffic::api_token,
                       capture_ms);
    CHECK_FALSE(d.allowed);
    CHECK(d.reason == "jira-quota-tenant-based");
    // Quota headers still only for OAuth unless asked for.
    CHECK_FALSE(
      has_any_quota_header(all.headers(d, traffic::api_token, capture_ms)));
  }
}

TEST_CASE("quota: OAuth responses carry the hourly points headers",
          "[sim][limits]") {
  rate_limiter rl{quota_only(100)};
  auto a
    = rl.admit("GET /x", burst_class::get_default, traffic::oauth, capture_ms);
  REQUIRE(a.allowed);
  rl.spend(10, traffic::oauth, capture_ms);
  auto h = rl.headers(a, traffic::oauth, capture_ms);
  CHECK(header(h, "Beta-RateLimit-Policy")
        == opt_header(R"("tenant-app-quota";q=100;w=3600)"));
  CHECK(header(h, "Beta-RateLimit")
        == opt_header(R"("tenant-app-quota";r=90;t=2072)"));
  CHECK_FALSE(header(h, "X-Beta-RateLimit-NearLimit"));
  CHECK_FALSE(header(h, "X-Beta-RateLimit-Reason"));
  CHECK_FALSE(header(h, "X-Beta-RateLimit-Reset"));
  // The burst limit is off here: no bucket to describe.
  CHECK_FALSE(header(h, "X-RateLimit-Limit"));
  CHECK_FALSE(header(h, "Retry-After"));

  // Below 20 % (the capture: r=17842 of q=100100 with NearLimit + Reason).
  rl.spend(75, traffic::oauth, capture_ms);
  h = rl.headers(a, traffic::oauth, capture_ms);
  CHECK(header(h, "Beta-RateLimit")
        == opt_header(R"("tenant-app-quota";r=15;t=2072)"));
  CHECK(header(h, "X-Beta-RateLimit-NearLimit") == opt_header("true"));
  CHECK(header(h, "X-Beta-RateLimit-Reason")
        == opt_header("jira-quota-tenant-based"));

  // Spent: every OAuth request is denied until the window resets.
  rl.spend(15, traffic::oauth, capture_ms);
  for (auto c :
       {burst_class::get_default, burst_class::get_issue, burst_class::write}) {
    auto d = rl.admit("any", c, traffic::oauth, capture_ms + 1000);
    REQUIRE_FALSE(d.allowed);
    CHECK(d.reason == "jira-quota-tenant-based");
    CHECK(d.retry_after_secs == 2071);
  }
  auto d = rl.admit("GET /y", burst_class::get_default, traffic::oauth,
                    capture_ms + 1000);
  h = rl.headers(d, traffic::oauth, capture_ms + 1000);
  CHECK(header(h, "Retry-After") == opt_header("2071"));
  CHECK(header(h, "RateLimit-Reason") == opt_header("jira-quota-tenant-based"));
  CHECK(header(h, "X-RateLimit-Reset") == opt_header("2026-03-26T17:00:00Z"));
  CHECK(header(h, "Beta-RateLimit-Policy")
        == opt_header(R"("tenant-app-quota";q=100;w=3600)"));
  CHECK(header(h, "Beta-RateLimit")
        == opt_header(R"("tenant-app-quota";r=0;t=2071)"));
  CHECK(header(h, "X-Beta-RateLimit-Reason")
        == opt_header("jira-quota-tenant-based"));
  CHECK(header(h, "X-Beta-RateLimit-Reset") == opt_header("2026-03-26T17:00Z"));
  CHECK_FALSE(header(h, "X-Beta-RateLimit-NearLimit"));
  // API-token traffic is not held back by the app quota.
  CHECK(rl.admit("GET /y", burst_class::get_default, traffic::api_token,
                 capture_ms + 1000)
          .allowed);
  // The next window: allowed again, full quota.
  auto next = rl.admit("GET /y", burst_class::get_default, traffic::oauth,
                       window_end_ms);
  REQUIRE(next.allowed);
  CHECK(
    header(rl.headers(next, traffic::oauth, window_end_ms), "Beta-RateLimit")
    == opt_header(R"("tenant-app-quota";r=100;t=3600)"));

  SECTION("global scope") {
    auto o = quota_only(1);
    o.quota_scope = "global";
    rate_limiter g{o};
    g.spend(1, traffic::oauth, capture_ms);
    auto gd
      = g.admit("k", burst_class::get_default, traffic::oauth, capture_ms);
    CHECK(gd.reason == "jira-quota-global-based");
    auto gh = g.headers(gd, traffic::oauth, capture_ms);
    CHECK(header(gh, "Beta-RateLimit-Policy")
          == opt_header(R"("global-app-quota";q=1;w=3600)"));
    CHECK(header(gh, "X-Beta-RateLimit-Reason")
          == opt_header("jira-quota-global-based"));
  }
}

TEST_CASE("quota headers: for any traffic, un-prefixed, or none",
          "[sim][limits]") {
  SECTION("--quota-headers-for-all") {
    auto o = quota_only(100);
    o.quota_headers_for_all = true;
    rate_limiter rl{o};
    auto a
      = rl.admit("k", burst_class::get_default, traffic::api_token, capture_ms);
    rl.spend(7, traffic::api_token, capture_ms); // not charged
    auto h = rl.headers(a, traffic::api_token, capture_ms);
    CHECK(header(h, "Beta-RateLimit-Policy")
          == opt_header(R"("tenant-app-quota";q=100;w=3600)"));
    CHECK(header(h, "Beta-RateLimit")
          == opt_header(R"("tenant-app-quota";r=100;t=2072)"));
  }
  SECTION("--unprefixed-quota-headers") {
    auto o = quota_only(100);
    o.unprefixed_quota_headers = true;
    rate_limiter rl{o};
    auto a
      = rl.admit("k", burst_class::get_default, traffic::oauth, capture_ms);
    rl.spend(4, traffic::oauth, capture_ms);
    auto h = rl.headers(a, traffic::oauth, capture_ms);
    CHECK(header(h, "RateLimit-Policy")
          == opt_header(R"("tenant-app-quota";q=100;w=3600)"));
    CHECK(header(h, "RateLimit")
          == opt_header(R"("tenant-app-quota";r=96;t=2072)"));
    CHECK_FALSE(header(h, "Beta-RateLimit-Policy"));
    CHECK_FALSE(header(h, "Beta-RateLimit"));
  }
  SECTION("--no-rate-limit-headers: only what a 429 needs") {
    limits_options o;
    o.send_headers = false;
    o.burst_scale = 0.01; // 1/s
    o.quota_points = 100;
    rate_limiter rl{o};
    auto a
      = rl.admit("k", burst_class::get_default, traffic::oauth, capture_ms);
    REQUIRE(a.allowed);
    CHECK(rl.headers(a, traffic::oauth, capture_ms).empty());
    auto d
      = rl.admit("k", burst_class::get_default, traffic::oauth, capture_ms);
    REQUIRE_FALSE(d.allowed);
    auto h = rl.headers(d, traffic::oauth, capture_ms);
    CHECK(h.size() == 3);
    CHECK(header(h, "Retry-After") == opt_header("1"));
    CHECK(header(h, "RateLimit-Reason") == opt_header("jira-burst-based"));
    CHECK(header(h, "X-RateLimit-Reset") == opt_header("2026-03-26T16:25:29Z"));
  }
}

TEST_CASE("quirks: the inconsistencies of the 2026 capture once r=0",
          "[sim][limits]") {
  auto o = quota_only(100);
  o.quirks = true;
  rate_limiter rl{o};
  auto a = rl.admit("k", burst_class::get_default, traffic::oauth, capture_ms);
  rl.spend(90, traffic::oauth, capture_ms);
  // Before the quota is spent nothing is odd.
  auto h = rl.headers(a, traffic::oauth, capture_ms);
  CHECK(header(h, "Beta-RateLimit-Policy")
        == opt_header(R"("tenant-app-quota";q=100;w=3600)"));
  CHECK(header(h, "Beta-RateLimit")
        == opt_header(R"("tenant-app-quota";r=10;t=2072)"));
  rl.spend(10, traffic::oauth, capture_ms);
  auto d = rl.admit("k", burst_class::get_default, traffic::oauth, capture_ms);
  REQUIRE_FALSE(d.allowed);
  h = rl.headers(d, traffic::oauth, capture_ms);
  // 1. The policy header is gone.
  CHECK_FALSE(header(h, "Beta-RateLimit-Policy"));
  // 2. t= disagrees with the reset: 2072 s are left, t says 2072 + 720.
  CHECK(header(h, "Beta-RateLimit")
        == opt_header(R"("tenant-app-quota";r=0;t=2792)"));
  // 3. The reset names the start of the window, in the past.
  CHECK(header(h, "X-Beta-RateLimit-Reset") == opt_header("2026-03-26T16:00Z"));
  CHECK(header(h, "X-Beta-RateLimit-Reason")
        == opt_header("jira-quota-tenant-based"));
  // Retry-After and X-RateLimit-Reset stay true.
  CHECK(header(h, "Retry-After") == opt_header("2072"));
  CHECK(header(h, "X-RateLimit-Reset") == opt_header("2026-03-26T17:00:00Z"));
}

TEST_CASE("over HTTP: Basic vs OAuth headers, burst vs quota 429s",
          "[sim][limits]") {
  SECTION("every response describes its endpoint's burst bucket") {
    auto o = small_options();
    o.limits.burst_enabled = true;
    o.limits.quota_points = 1000;
    sim_fixture f{o};
    std::string key, project;
    std::int64_t attachment_id = 0;
    f.app->read([&](const workspace& ws) {
      for (auto& i : ws.issues)
        if (!i.attachments.empty() && can_see_issue(ws, ws.api_user, i)) {
          key = i.key;
          attachment_id = i.attachments.front().id;
          project = find_project(ws, i.project_id)->key;
          break;
        }
    });
    REQUIRE(attachment_id != 0);
    struct row {
      std::string path;
      const char* limit;
    };
    for (auto& r : {row{"/rest/api/3/myself", "100"},
                    row{"/rest/api/3/issue/" + key, "150"},
                    row{"/rest/api/3/attachment/content/"
                          + std::to_string(attachment_id) + "?redirect=false",
                        "300"},
                    row{"/rest/api/3/project/" + project + "/role", "200"}}) {
      INFO(r.path);
      auto basic = f.get(r.path);
      REQUIRE(basic.status == 200);
      CHECK(basic.header("X-RateLimit-Limit") == opt_header(r.limit));
      auto remaining
        = std::stoi(std::string(*basic.header("X-RateLimit-Remaining")));
      CHECK(remaining < std::stoi(r.limit));
      CHECK(remaining >= std::stoi(r.limit) - 2);
      // API-token traffic: no quota headers at all.
      CHECK_FALSE(basic.header("Beta-RateLimit-Policy"));
      CHECK_FALSE(basic.header("Beta-RateLimit"));
      CHECK_FALSE(basic.header("X-Beta-RateLimit-NearLimit"));
    }
    // OAuth traffic: the same bucket headers plus the quota. Basic requests
    // above cost the OAuth quota nothing; /myself costs 1 + 2 x 1 user.
    auto token = f.oauth_token();
    auto oauth = f.get_oauth("/rest/api/3/myself", token);
    REQUIRE(oauth.status == 200);
    CHECK(oauth.header("X-RateLimit-Limit") == opt_header("100"));
    CHECK(oauth.header("Beta-RateLimit-Policy")
          == opt_header(R"("tenant-app-quota";q=1000;w=3600)"));
    auto state = std::string(oauth.header("Beta-RateLimit").value_or(""));
    CHECK(state.rfind(R"("tenant-app-quota";r=997;t=)", 0) == 0);
    auto t = std::stoll(state.substr(state.find(";t=") + 3));
    CHECK(t > 0);
    CHECK(t <= 3600);
  }
  SECTION("burst 429: that endpoint only, with its bucket's headers") {
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
    CHECK(last.header("Retry-After") == opt_header("1"));
    CHECK(last.header("RateLimit-Reason") == opt_header("jira-burst-based"));
    CHECK(last.header("X-RateLimit-Reset").has_value());
    CHECK(last.header("X-RateLimit-Limit") == opt_header("5"));
    CHECK(last.header("X-RateLimit-Remaining") == opt_header("0"));
    CHECK(last.header("X-RateLimit-NearLimit") == opt_header("true"));
    CHECK_FALSE(last.header("Beta-RateLimit"));
    // Another endpoint has its own bucket.
    CHECK(f.get("/rest/api/3/field").status == 200);
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
  SECTION("quota 429: OAuth denied everywhere until the reset, Basic not") {
    auto o = small_options();
    o.limits.quota_points = 30;
    o.limits.window_secs = 3600;
    o.oauth.access_token_ttl_secs = 3 * 3600; // outlives the clock jump
    sim_fixture f{o};
    auto token = f.oauth_token();
    client_response r;
    for (int i = 0; i < 40 && r.status != 429; ++i)
      r = f.get_oauth("/rest/api/3/users/search?maxResults=5", token);
    REQUIRE(r.status == 429);
    CHECK(r.header("RateLimit-Reason")
          == opt_header("jira-quota-tenant-based"));
    CHECK(r.header("Retry-After").has_value());
    CHECK(r.header("X-RateLimit-Reset").has_value());
    CHECK(r.header("X-Beta-RateLimit-Reset").has_value());
    auto state = std::string(r.header("Beta-RateLimit").value_or(""));
    CHECK(state.rfind(R"("tenant-app-quota";r=0;t=)", 0) == 0);
    // Every OAuth endpoint is denied now; API-token traffic is not.
    CHECK(f.get_oauth("/rest/api/3/field", token).status == 429);
    CHECK(f.get("/rest/api/3/field").status == 200);
    // Advance the sim clock past the window: allowed again.
    f.control("POST", "/_sim/clock", R"({"advance_ms":3600000})");
    CHECK(f.get_oauth("/rest/api/3/field", token).status == 200);
  }
  SECTION("another tenant empties the app's global pool: the next OAuth "
          "request gets a quota 429") {
    auto o = small_options();
    o.limits.quota_points = 1000;
    o.limits.quota_scope = "global";
    o.limits.window_secs = 60;
    sim_fixture f{o};
    auto token = f.oauth_token();
    auto before = f.get_oauth("/rest/api/3/field", token);
    REQUIRE(before.status == 200);
    CHECK(before.header("Beta-RateLimit-Policy")
          == opt_header(R"("global-app-quota";q=1000;w=60)"));
    auto spent = f.control("POST", "/_sim/limits/spend", R"({"points":999})");
    CHECK(spent.at("spent").to_number<std::int64_t>() >= 1000);
    auto r = f.get_oauth("/rest/api/3/field", token);
    REQUIRE(r.status == 429);
    CHECK(r.header("RateLimit-Reason")
          == opt_header("jira-quota-global-based"));
    auto retry = std::stoll(std::string(r.header("Retry-After").value_or("0")));
    CHECK(retry >= 1);
    CHECK(retry <= 60);
    CHECK(f.get("/rest/api/3/field").status == 200); // Basic: no quota
    f.control("POST", "/_sim/clock", R"({"advance_ms":60000})");
    CHECK(f.get_oauth("/rest/api/3/field", token).status == 200);
  }
  SECTION("--quota-for-all: API-token traffic is charged too") {
    auto o = small_options();
    o.limits.quota_points = 30;
    o.limits.quota_for_all = true;
    sim_fixture f{o};
    client_response r;
    for (int i = 0; i < 40 && r.status != 429; ++i)
      r = f.get("/rest/api/3/users/search?maxResults=5");
    REQUIRE(r.status == 429);
    CHECK(r.header("RateLimit-Reason")
          == opt_header("jira-quota-tenant-based"));
    CHECK_FALSE(r.header("Beta-RateLimit"));
  }
}
