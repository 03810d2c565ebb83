// `jirasync sync` in OAuth mode against jira-sim over TLS: `auth login`
// (the test as the browser), then full syncs through the gateway path with
// Bearer tokens, compared record by record with the sim's truth like the
// API-token runs - with access tokens that expire during the run, that the
// server stops accepting mid-run (401), a refresh token family revoked
// mid-run (invalid_grant: the run stops, exit 4, the state is recorded and
// shown, no retry loop), and a refresh whose answer was lost in a crash.
// Every output is searched for the client secret and the tokens.
#include "export_data.hpp"
#include "oauth_fixture.hpp"

#include <csignal>
#include <iostream>
#include <thread>

using namespace jirasync::testing;
using namespace jirasync::testing::oauth;
using namespace std::chrono_literals;

namespace {

/// The workspace of sync_integration_test (heavy comment pages, a large
/// attachment) at a size that takes the sync a few seconds.
std::vector<std::string> workspace(std::vector<std::string> extra = {}) {
  auto a = full_sync_workspace();
  a.insert(a.end(), extra.begin(), extra.end());
  return a;
}

struct run_output {
  int rc = -1;
  std::string out;
  std::string err;
};

run_output run(login_fixture& f, std::vector<std::string> args) {
  run_output r;
  r.rc = f.run(std::move(args), r.out, r.err);
  return r;
}

json::object sim_stats(login_fixture& f) {
  auto r = f.sim_call("GET", "/_sim/stats");
  REQUIRE(r.ok());
  return json::parse(r.response->body).as_object();
}

std::int64_t token_calls(const json::object& stats) {
  auto& by = stats.at("requests_by_endpoint").as_object();
  auto* n = by.if_contains("POST /oauth/token");
  return n ? n->to_number<std::int64_t>() : 0;
}

/// sync, then export; the export compared exactly with the truth.
void sync_exactly(login_fixture& f, const std::filesystem::path& cfg) {
  auto s = run(f, {"sync", "--config", cfg.string()});
  auto e = run(f, {"export", "--config", cfg.string()});
  check_exact(f.sim, s.rc, e.rc, e.out,
              "sync stdout:\n" + s.out + "\nsync stderr:\n" + s.err);
  CHECK(s.out.rfind("sync ok", 0) == 0);
}

/// Every token the token file has held, for the secret check.
void remember_tokens(login_fixture& f, std::vector<std::string>& secrets) {
  auto t = f.stored_tokens();
  secrets.emplace_back(t.at("access_token").as_string());
  secrets.emplace_back(t.at("refresh_token").as_string());
}

/// `jirasync auth login` with the test as the browser; the secrets so far
/// (client secret, authorization code, the login's tokens) for the check.
std::vector<std::string> logged_in(login_fixture& f,
                                   const std::filesystem::path& cfg) {
  std::vector<std::string> secrets{client_secret, log_in(f, cfg)};
  remember_tokens(f, secrets);
  return secrets;
}

} // namespace

TEST_CASE("oauth sync: auth login, then a full sync equals the sim's truth",
          "[integration][oauth]") {
  login_fixture f{workspace()};
  auto cfg = f.config();
  auto secrets = logged_in(f, cfg);
  REQUIRE(f.sim_call("POST", "/_sim/stats/reset").response->status == 200);

  // The config has no API token at all: every request is a Bearer request
  // to /ex/jira/{cloudId}/rest/api/3/... (the sim answers nothing else
  // without Basic credentials).
  sync_exactly(f, cfg);
  auto stats = sim_stats(f);
  INFO(json::serialize(stats));
  CHECK(stats.at("unauthorized").to_number<std::int64_t>() == 0);
  CHECK(token_calls(stats) == 0); // the login's token was good for an hour
  CHECK(stats.at("api_requests").to_number<std::int64_t>() > 100);
  // OAuth traffic is under the points quota: the sim counted it there.
  CHECK(stats.at("points_spent_in_window").to_number<std::int64_t>() > 0);
  CHECK(stats.at("rate_limited").to_number<std::int64_t>() == 0);

  auto st = run(f, {"status", "--config", cfg.string()});
  CHECK(st.rc == 0);
  CHECK(st.out.find("last sync: ok") != std::string::npos);
  CHECK(st.out.find("oauth login: ") != std::string::npos);
  CHECK(st.out.find("; access token valid until ") != std::string::npos);
  f.check_no_secret_anywhere(cfg, secrets);
}

TEST_CASE("oauth sync: access tokens that expire during the run are "
          "refreshed before they do",
          "[integration][oauth]") {
  // 2-second access tokens: the run outlives several of them.
  login_fixture f{
    workspace({"--access-token-ttl-secs", "2", "--latency-base-ms", "2"})};
  auto cfg = f.config();
  auto secrets = logged_in(f, cfg);
  std::string rt_login{f.stored_tokens().at("refresh_token").as_string()};
  REQUIRE(f.sim_call("POST", "/_sim/stats/reset").response->status == 200);

  auto started = std::chrono::steady_clock::now();
  sync_exactly(f, cfg);
  auto secs
    = std::chrono::duration<double>(std::chrono::steady_clock::now() - started)
        .count();
  auto stats = sim_stats(f);
  INFO("run took " << secs << " s; " << json::serialize(stats));
  REQUIRE(secs > 2.5); // the run did outlive a token
  // Refreshed in each token's last quarter: about one refresh per 1.5 s,
  // one at a time (never two for the same token).
  auto calls = token_calls(stats);
  CHECK(calls >= 1);
  CHECK(calls <= static_cast<std::int64_t>(secs / 1.5) + 2);
  CHECK(stats.at("oauth_families_revoked").to_number<std::int64_t>() == 0);
  // The rotated refresh token is the one on disk.
  auto t = f.stored_tokens();
  CHECK(t.at("refresh_token").as_string() != rt_login);
  CHECK(t.at("generation").to_number<std::int64_t>() == calls + 1);
  CHECK(mode_of(f.token_file()) == 0600);
  remember_tokens(f, secrets);
  f.check_no_secret_anywhere(cfg, secrets);
}

TEST_CASE("oauth sync: the server stops accepting the access token mid-run "
          "(401): one refresh, the run completes exactly",
          "[integration][oauth]") {
  login_fixture f{workspace({"--latency-base-ms", "2"})};
  auto cfg = f.config();
  auto secrets = logged_in(f, cfg);
  REQUIRE(f.sim_call("POST", "/_sim/stats/reset").response->status == 200);

  auto sync = std::make_unique<background_process>(
    std::vector<std::string>{JIRASYNC_BIN, "sync", "--config", cfg.string()},
    f.dir.path() / "sync401.out", f.dir.path() / "sync401.err");
  // Once the run is under way, the sim's clock jumps two hours: every
  // access token it issued is dead, while jirasync still holds its token
  // for valid (its own clock says so).
  bool jumped = false;
  for (int i = 0; i < 1000 && !jumped; ++i) {
    if (sim_stats(f).at("api_requests").to_number<std::int64_t>() >= 40) {
      REQUIRE(f.sim_call("POST", "/_sim/clock", R"({"advance_ms":7200000})")
                .response->status
              == 200);
      jumped = true;
    }
    std::this_thread::sleep_for(10ms);
  }
  REQUIRE(jumped);
  std::string out, err;
  int rc = f.finish(*sync, out, err);
  auto e = run(f, {"export", "--config", cfg.string()});
  check_exact(f.sim, rc, e.rc, e.out,
              "sync stdout:\n" + out + "\nsync stderr:\n" + err);
  auto stats = sim_stats(f);
  INFO(json::serialize(stats));
  CHECK(stats.at("unauthorized").to_number<std::int64_t>() > 0);
  // One refresh for all the requests refused with the old token.
  CHECK(token_calls(stats) == 1);
  CHECK(f.stored_tokens().at("generation").to_number<std::int64_t>() == 2);
  remember_tokens(f, secrets);
  f.check_no_secret_anywhere(cfg, secrets);
}

TEST_CASE("oauth sync: a refresh token family revoked mid-run stops the "
          "run with the re-authentication state, once",
          "[integration][oauth]") {
  login_fixture f{workspace({"--latency-base-ms", "2"})};
  auto cfg = f.config();
  auto secrets = logged_in(f, cfg);
  std::string rt1{f.stored_tokens().at("refresh_token").as_string()};

  // Two hours later a check rotates rt1 out (the access token had died);
  // eleven minutes after that, rt1 is past Atlassian's 10-minute reuse
  // leeway while the check's access token is still good.
  REQUIRE(f.sim_call("POST", "/_sim/clock", R"({"advance_ms":7200000})")
            .response->status
          == 200);
  REQUIRE(run(f, {"auth", "status", "--config", cfg.string(), "--check"}).rc
          == 0);
  remember_tokens(f, secrets);
  REQUIRE(f.sim_call("POST", "/_sim/clock", R"({"advance_ms":660000})")
            .response->status
          == 200);
  REQUIRE(f.sim_call("POST", "/_sim/stats/reset").response->status == 200);

  auto sync = std::make_unique<background_process>(
    std::vector<std::string>{JIRASYNC_BIN, "sync", "--config", cfg.string()},
    f.dir.path() / "revoked.out", f.dir.path() / "revoked.err");
  // Once the run is under way, someone replays rt1 long after its
  // rotation: Atlassian revokes the whole family, the run's tokens
  // included.
  bool replayed = false;
  for (int i = 0; i < 1000 && !replayed; ++i) {
    auto stats = sim_stats(f);
    if (stats.at("api_requests").to_number<std::int64_t>() >= 40) {
      json::object replay{{"grant_type", "refresh_token"},
                          {"client_id", client_id},
                          {"client_secret", client_secret},
                          {"refresh_token", rt1}};
      auto r = f.sim_call("POST", "/oauth/token", json::serialize(replay));
      REQUIRE(r.ok());
      REQUIRE(r.response->status == 403);
      replayed = true;
    }
    std::this_thread::sleep_for(10ms);
  }
  REQUIRE(replayed);
  std::string out, err;
  int rc = f.finish(*sync, out, err);
  INFO("stdout:\n" << out << "\nstderr:\n" << err);
  CHECK(rc == 4);
  CHECK(out.rfind("sync failed", 0) == 0);
  std::string reason = "the refresh token was refused (HTTP 403 "
                       "invalid_grant: Unknown or invalid refresh token.): it "
                       "expired (unused for 90 days, or older than 365 days), "
                       "was revoked, or was reused after rotation; "
                       "re-authenticate with `jirasync auth login`";
  CHECK(out.find("  error: " + reason) != std::string::npos);
  CHECK(err.find("jirasync: sync failed: " + reason) != std::string::npos);
  auto stats = sim_stats(f);
  INFO(json::serialize(stats));
  // Our replay and the run's one refused refresh: no retry loop.
  CHECK(token_calls(stats) == 2);
  CHECK(stats.at("oauth_families_revoked").to_number<std::int64_t>() == 1);

  // Recorded: the token file, `status` (text and JSON), `auth status`.
  auto t = f.stored_tokens();
  REQUIRE(t.contains("reauth_reason"));
  CHECK(t.at("reauth_reason").as_string() == reason);
  auto st = run(f, {"status", "--config", cfg.string()});
  CHECK(st.rc == 0);
  CHECK(st.out.find("last sync: failed") != std::string::npos);
  CHECK(st.out.find("  error: " + reason) != std::string::npos);
  CHECK(st.out.find("oauth login: RE-AUTHENTICATION REQUIRED since ")
        != std::string::npos);
  auto js = run(f, {"status", "--config", cfg.string(), "--json"});
  REQUIRE(js.rc == 0);
  auto login = json::parse(js.out).as_object().at("oauth_login").as_object();
  CHECK(login.at("state").as_string() == "reauth_required");
  CHECK(login.at("reason").as_string() == reason);
  CHECK(run(f, {"auth", "status", "--config", cfg.string()}).rc == 1);

  // The next run stops at once: no token request, exit 4.
  REQUIRE(f.sim_call("POST", "/_sim/stats/reset").response->status == 200);
  auto again = run(f, {"sync", "--config", cfg.string()});
  CHECK(again.rc == 4);
  CHECK(again.err.find("re-authenticate with `jirasync auth login`")
        != std::string::npos);
  auto after = sim_stats(f);
  CHECK(token_calls(after) == 0);
  CHECK(after.at("api_requests").to_number<std::int64_t>() == 0);

  // A new login clears the state and the sync works again.
  remember_tokens(f, secrets);
  secrets.push_back(log_in(f, cfg));
  sync_exactly(f, cfg);
  remember_tokens(f, secrets);
  f.check_no_secret_anywhere(cfg, secrets);
}

TEST_CASE("oauth sync: a rotation lost in a crash is recovered within the "
          "reuse leeway - a run killed at any moment leaves a usable login",
          "[integration][oauth]") {
  login_fixture f{
    workspace({"--access-token-ttl-secs", "1", "--latency-base-ms", "2"})};
  auto cfg = f.config();
  auto secrets = logged_in(f, cfg);
  std::string rt1{f.stored_tokens().at("refresh_token").as_string()};

  // A process refreshed with rt1 (so Atlassian rotated it out) and died
  // before storing the answer: the file still holds rt1 and an access
  // token that has expired meanwhile.
  std::this_thread::sleep_for(1500ms);
  json::object lost{{"grant_type", "refresh_token"},
                    {"client_id", client_id},
                    {"client_secret", client_secret},
                    {"refresh_token", rt1}};
  auto r = f.sim_call("POST", "/oauth/token", json::serialize(lost));
  REQUIRE(r.ok());
  REQUIRE(r.response->status == 200);
  auto lost_tokens = json::parse(r.response->body).as_object();
  secrets.emplace_back(lost_tokens.at("access_token").as_string());
  secrets.emplace_back(lost_tokens.at("refresh_token").as_string());
  // Within the 10-minute leeway the stored rt1 still works once.
  sync_exactly(f, cfg);
  CHECK(f.stored_tokens().at("refresh_token").as_string() != rt1);
  CHECK(sim_stats(f).at("oauth_families_revoked").to_number<std::int64_t>()
        == 0);
  remember_tokens(f, secrets);

  // SIGKILL a run that refreshes every ~0.75 s, twice, at different
  // moments: whatever it was doing, the next run completes.
  for (auto delay : {900ms, 1700ms}) {
    auto killed = std::make_unique<background_process>(
      std::vector<std::string>{JIRASYNC_BIN, "sync", "--config", cfg.string()},
      f.dir.path() / "killed.out", f.dir.path() / "killed.err");
    std::this_thread::sleep_for(delay);
    killed->signal(SIGKILL);
    auto rc = killed->wait_exit(10s);
    REQUIRE(rc.has_value());
    remember_tokens(f, secrets);
  }
  sync_exactly(f, cfg);
  CHECK(sim_stats(f).at("oauth_families_revoked").to_number<std::int64_t>()
        == 0);
  CHECK(mode_of(f.token_file()) == 0600);
  remember_tokens(f, secrets);
  f.check_no_secret_anywhere(cfg, secrets);
}

namespace {

/// Jira's global pool is 65,000 points per hour (Atlassian, "Rate
/// limiting", 2026: "global pool 65,000 points shared by all tenants of an
/// app"); a large site's full sync spends many such windows. Scaled to this
/// 700-issue workspace (~5,700 points, priced as Jira prices them): 8,000
/// points per 60 s window. The run needs most of a window, so the governor
/// must spread it: it may spend a head start of a tenth of the points above
/// the reserve (760) at once, then 7,600 points per 60 s (127 points/s), so
/// a run that would end within ~38 s unpaced must pace. (With 65,000 points
/// it needs less than the head start and never paces. An ids page is
/// reserved for a full page, 5,001 points, so the pool must hold more than
/// that above the reserve.)
constexpr std::int64_t pool_points = 8'000;
constexpr std::int64_t window_secs = 60;

/// Moves the sim's clock to the start of its next quota window (windows
/// are aligned to multiples of their length on the sim's clock), so a run
/// started now has the whole window before it.
void to_window_start(login_fixture& f) {
  auto r = f.sim_call("POST", "/_sim/clock", "{}");
  REQUIRE(r.ok());
  REQUIRE(r.response->status == 200);
  auto now
    = json::parse(r.response->body).at("now_ms").to_number<std::int64_t>();
  auto into = now % (window_secs * 1000);
  auto a = f.sim_call("POST", "/_sim/clock",
                      R"({"advance_ms":)"
                        + std::to_string(window_secs * 1000 - into + 50) + "}");
  REQUIRE(a.ok());
  REQUIRE(a.response->status == 200);
}

/// 429s of `stats` whose reason is a quota (jira-quota-*-based).
std::int64_t quota_429s(const json::object& stats) {
  std::int64_t n = 0;
  for (const auto& [reason, count] :
       stats.at("rate_limited_by_reason").as_object())
    if (std::string_view(reason).rfind("jira-quota-", 0) == 0)
      n += count.to_number<std::int64_t>();
  return n;
}

} // namespace

// Under a points quota whose window the run needs most of (pool_points
// above): paced by the Beta-RateLimit headers, no quota 429; a quota 429
// anyway pauses everything until the stated reset.
TEST_CASE("oauth sync: paced under the points quota",
          "[integration][oauth][quota]") {
  login_fixture f{
    workspace({"--quota-points", std::to_string(pool_points),
               "--quota-window-secs", std::to_string(window_secs),
               "--quota-scope", "global", "--latency-base-ms", "2"})};
  auto cfg = f.config();
  auto secrets = logged_in(f, cfg);
  REQUIRE(f.sim_call("POST", "/_sim/stats/reset").response->status == 200);
  to_window_start(f);

  // 1. Paced: the run never reaches r=0, so it never meets a quota 429.
  auto s = run(f, {"sync", "--config", cfg.string()});
  auto e = run(f, {"export", "--config", cfg.string()});
  check_exact(f.sim, s.rc, e.rc, e.out,
              "sync stdout:\n" + s.out + "\nsync stderr:\n" + s.err);
  auto stats = sim_stats(f);
  INFO("sync stdout:\n" << s.out << "\nsim stats: " << json::serialize(stats));
  auto spent = stats.at("points_spent").to_number<std::int64_t>();
  auto waited = s.out.find("  time waited by reason:");
  REQUIRE(waited != std::string::npos);
  auto waited_line = s.out.substr(waited, s.out.find('\n', waited) - waited);
  std::cout << "quota scenario, paced: " << spent << " points, windows of "
            << pool_points << " per " << window_secs << " s; quota 429s "
            << quota_429s(stats) << ";" << waited_line.substr(1) << "\n";
  CHECK(quota_429s(stats) == 0);
  CHECK(stats.at("rate_limited").to_number<std::int64_t>() == 0);
  CHECK(s.out.find("429 responses 0)") != std::string::npos);
  // The governor spread the run by the quota headers (quota_pacing, or
  // quota_reserve at the end of the window): the run spends far more than
  // its head start, from the start of a window.
  CHECK(spent > pool_points / 2);
  CHECK(waited_line.find(" quota_") != std::string::npos);

  // 2. Another tenant of the app empties the global pool mid-run: the next
  // request gets a quota 429 however well we paced. The governor pauses
  // EVERY request until the reset the 429 states; the run then completes
  // exactly.
  REQUIRE(f.sim_call("POST", "/_sim/stats/reset").response->status == 200);
  auto sync = std::make_unique<background_process>(
    std::vector<std::string>{JIRASYNC_BIN, "sync", "--full", "--config",
                             cfg.string()},
    f.dir.path() / "quota429.out", f.dir.path() / "quota429.err");
  bool emptied = false;
  for (int i = 0; i < 3000 && !emptied; ++i) {
    if (sim_stats(f).at("api_requests").to_number<std::int64_t>() >= 20) {
      auto r = f.sim_call("POST", "/_sim/limits/spend", R"({"points":100000})");
      REQUIRE(r.ok());
      REQUIRE(r.response->status == 200);
      emptied = true;
    }
    std::this_thread::sleep_for(10ms);
  }
  REQUIRE(emptied);
  std::string out, err;
  auto rc = sync->wait_exit(600s);
  if (!rc)
    FAIL("the sync --full after the quota 429 still runs after 600 s; its "
         "stdout so far:\n"
         << sync->out() << "\nits stderr so far:\n"
         << sync->err());
  out = sync->out();
  err = sync->err();
  f.outputs.push_back(out);
  f.outputs.push_back(err);
  auto e2 = run(f, {"export", "--config", cfg.string()});
  check_exact(f.sim, *rc, e2.rc, e2.out,
              "sync stdout:\n" + out + "\nsync stderr:\n" + err);
  auto after = sim_stats(f);
  INFO("sync stdout:\n"
       << out << "\nsync stderr:\n"
       << err << "\nsim stats: " << json::serialize(after));
  CHECK(quota_429s(after) >= 1);
  // Nothing arrived while the stated Retry-After was pending: the pause
  // held every class, not just the one that met the 429.
  CHECK(after.at("arrived_during_retry_after").to_number<std::int64_t>() == 0);
  // The run's logger (common/log.hpp) prints the governor's wait lines.
  CHECK(err.find("] rate limit: waiting for quota_429 until ")
        != std::string::npos);
  auto by_reason = out.find("  429s by reason:");
  REQUIRE(by_reason != std::string::npos);
  CHECK(out.substr(by_reason, out.find('\n', by_reason) - by_reason)
          .find("jira-quota-global-based ")
        != std::string::npos);
  remember_tokens(f, secrets);
  f.check_no_secret_anywhere(cfg, secrets);
}
