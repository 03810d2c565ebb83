// `jirasync serve` as a real process against a real jira-sim over TLS, with
// a real store: readiness, manual triggers (queued once), /status progress
// and the last run's counts (also in `jirasync status`), /metrics against
// the sim's own request counter, /feed against `export --since`, a
// long-poll that receives new entries, JSON logs with a run id and no
// secret, a failing run that recovers after SIGHUP, the bearer token on a
// non-loopback address, SIGTERM. Times below are generous bounds, never
// expectations.
#include "serve_fixture.hpp"

#include "test_util/temp_dir.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <future>
#include <mutex>
#include <set>

#include <sys/socket.h>
#include <sys/un.h>

namespace json = boost::json;
using namespace jirasync::testing;
using namespace std::chrono_literals;
using jirasync::test::temp_dir;

namespace {

/// Latency makes a run last long enough (seconds) for requests during it.
sim_process start_sim(const char* latency_ms = "60") {
  return sim_process{{JIRA_SIM_BIN, "--seed", "5", "--issues", "60",
                      "--projects", "2", "--users", "12", "--port", "0",
                      "--latency-base-ms", latency_ms}};
}

background_process start_serve(const temp_dir& dir,
                               const std::filesystem::path& cfg,
                               std::vector<std::string> extra = {}) {
  std::vector<std::string> args{JIRASYNC_BIN, "serve", "--config",
                                cfg.string()};
  for (auto& a : extra)
    args.push_back(std::move(a));
  return background_process{args, dir.path() / "serve.out",
                            dir.path() / "serve.err"};
}

/// A datagram socket standing in for systemd's notification socket.
class notify_socket {
public:
  explicit notify_socket(const std::filesystem::path& path) : path_(path) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::snprintf(a.sun_path, sizeof a.sun_path, "%s", path.c_str());
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
      throw std::runtime_error("cannot bind " + path.string());
    reader_ = std::thread([this] {
      read_loop();
    });
  }
  ~notify_socket() {
    stop_ = true;
    reader_.join();
    ::close(fd_);
  }
  /// Every message received so far.
  std::vector<std::string> drain() {
    std::lock_guard lk{mtx_};
    return got_;
  }

private:
  /// Reads all the time, as systemd does (a full socket blocks the sender).
  void read_loop() {
    char buf[4096];
    while (!stop_) {
      auto n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) {
        std::this_thread::sleep_for(10ms);
        continue;
      }
      std::lock_guard lk{mtx_};
      got_.emplace_back(buf, static_cast<std::size_t>(n));
    }
  }

  std::filesystem::path path_;
  int fd_ = -1;
  std::mutex mtx_;
  std::vector<std::string> got_;
  std::atomic<bool> stop_{false};
  std::thread reader_;
};

std::int64_t runs(json::object& status, const char* result) {
  return as_int(status.at("runs").at(result));
}

std::string run_cli(const temp_dir& dir, std::vector<std::string> args,
                    int& rc) {
  args.insert(args.begin(), JIRASYNC_BIN);
  rc = run_to_completion(args, dir.path() / "cli.out", dir.path() / "cli.err");
  return read_file(dir.path() / "cli.out");
}

} // namespace

TEST_CASE("serve (manual): triggers - status - metrics - feed - long-poll - "
          "SIGTERM",
          "[integration][service]") {
  auto sim = start_sim();
  temp_dir dir;
  serve_config c;
  c.api_token = sim.str("api_token");
  c.port = free_loopback_port();
  auto cfg = write_serve_config(sim, dir.path(), c);
  sim_call(sim, "POST", "/_sim/stats/reset");
  // As under systemd (Type=notify, WatchdogSec=1).
  notify_socket notify{dir.path() / "notify.sock"};
  ::setenv("NOTIFY_SOCKET", (dir.path() / "notify.sock").c_str(), 1);
  ::setenv("WATCHDOG_USEC", "1000000", 1);
  auto serve = start_serve(dir, cfg, {"--log-format", "json"});
  ::unsetenv("NOTIFY_SOCKET");
  ::unsetenv("WATCHDOG_USEC");
  admin_client admin{c.port};
  INFO("serve stderr:\n" << serve.err());

  REQUIRE(eventually(
    [&] {
      return admin.get("/readyz").first == 200;
    },
    20s));
  CHECK(admin.get("/healthz")
        == std::pair<int, std::string>{200, "{\"status\":\"ok\"}\n"});
  // Manual: no run without a trigger.
  std::this_thread::sleep_for(1s);
  auto idle = admin.status();
  CHECK(idle.at("state") == "idle");
  CHECK(idle.at("strategy") == "manual");
  CHECK(idle.at("run").is_null());
  CHECK(idle.at("last_run").is_null());
  CHECK(idle.at("next_run_at").is_null());
  CHECK(as_int(sim_call(sim, "GET", "/_sim/stats").at("api_requests")) == 0);

  // One trigger starts a run; two more during it add exactly one run.
  auto first = admin.post("/sync");
  REQUIRE(first.first == 202);
  CHECK(json::parse(first.second).at("started") == true);
  auto second = json::parse(admin.post("/sync").second);
  auto third = json::parse(admin.post("/sync").second);
  CHECK(second.at("queued") == true);
  CHECK(second.at("already_queued") == false);
  CHECK(third.at("already_queued") == true);
  std::set<std::string> phases;
  int governor_progress = 0;
  bool two_runs = eventually(
    [&] {
      auto s = admin.status();
      if (s.empty())
        return false;
      if (s.at("run").is_object()) {
        const auto& p = s.at("run").at("progress").as_object();
        phases.insert(std::string{p.at("phase").as_string()});
        // The governor's live figures are part of the progress.
        if (p.at("in_flight").is_number() && p.at("responses_429").is_number()
            && (p.at("waiting").is_null() || p.at("waiting").is_string()))
          ++governor_progress;
      }
      return runs(s, "ok") + runs(s, "partial") + runs(s, "failed") == 2
             && s.at("state") == "idle";
    },
    120s);
  if (!two_runs)
    FAIL("serve stderr:\n"
         << serve.err() << "\nstatus: " << json::serialize(admin.status()));
  INFO("phases seen: " << phases.size());
  CHECK(phases.count("issues") + phases.count("users")
          + phases.count("permissions") + phases.count("groups")
        > 0);
  CHECK(governor_progress > 0);
  std::this_thread::sleep_for(1500ms);
  auto after = admin.status();
  CHECK(runs(after, "ok") == 2); // not three
  CHECK(after.at("queued") == false);
  auto& second_run = after.at("last_run").as_object();
  CHECK(second_run.at("reason") == "trigger");
  CHECK(as_int(second_run.at("counts").at("added")) == 0);
  CHECK(as_int(second_run.at("counts").at("updated")) == 0);
  // The second run is incremental (the first left checkpoints): nothing
  // changed, so it writes nothing; what it re-read (users, groups,
  // projects) is unchanged.
  CHECK(as_int(second_run.at("counts").at("deleted")) == 0);
  CHECK(as_int(second_run.at("counts").at("unchanged")) > 0);
  // The run checkpoint's counters (as in `jirasync status`), permissions
  // complete (the sim's account is an admin).
  CHECK(as_int(second_run.at("counters").at("requests"))
        == as_int(second_run.at("requests")));
  CHECK(as_int(second_run.at("counters").at("granted")) > 0);
  CHECK(second_run.at("degraded_projects").as_array().empty());
  CHECK(second_run.at("failed_projects").as_array().empty());

  // One changed issue and one new comment: the next run's real counts, in
  // /status and in `jirasync status`.
  REQUIRE(
    sim_call(
      sim, "POST", "/_sim/mutate",
      R"({"op":"update_issue","issue":"10000","summary":"changed by serve_test"})")
      .at("ok")
    == true);
  REQUIRE(
    sim_call(
      sim, "POST", "/_sim/mutate",
      R"({"op":"add_comment","issue":"10001","body":{"type":"doc","version":1,"content":[{"type":"paragraph","content":[{"type":"text","text":"new"}]}]}})")
      .at("ok")
    == true);
  auto seq_before = as_int(admin.status().at("store").at("last_seq"));
  // A long-poll waiting for entries after seq_before ...
  auto poll = std::async(std::launch::async, [&] {
    admin_client own{c.port};
    return own.get("/feed?since=" + std::to_string(seq_before) + "&wait=50");
  });
  std::this_thread::sleep_for(300ms);
  CHECK(poll.wait_for(0s) == std::future_status::timeout); // still waiting
  REQUIRE(admin.post("/sync").first == 202);
  // ... receives them once the run writes them.
  REQUIRE(poll.wait_for(60s) == std::future_status::ready);
  auto [poll_code, poll_body] = poll.get();
  CHECK(poll_code == 200);
  // The first batch the run commits after seq_before (more may follow).
  REQUIRE(!poll_body.empty());
  auto first_line = json::parse(poll_body.substr(0, poll_body.find('\n')));
  CHECK(as_int(first_line.at("seq")) == seq_before + 1);
  REQUIRE(eventually(
    [&] {
      auto s = admin.status();
      return !s.empty() && runs(s, "ok") == 3 && s.at("run").is_null();
    },
    60s));
  auto third_run = admin.status().at("last_run").as_object();
  // Added: the comment; updated: issue 10000 and issue 10001 (a new
  // comment moves its issue's `updated`, as in Jira).
  CHECK(as_int(third_run.at("counts").at("added")) == 1);
  CHECK(as_int(third_run.at("counts").at("updated")) == 2);
  auto [ncode, news] = admin.get("/feed?since=" + std::to_string(seq_before));
  CHECK(ncode == 200);
  CHECK(news.rfind(poll_body, 0) == 0); // the long-poll saw its beginning
  CHECK(news.find("changed by serve_test") != std::string::npos);
  int rc = -1;
  auto status_text = run_cli(dir, {"status", "--config", cfg.string()}, rc);
  CHECK(rc == 0);
  CHECK(status_text.find("added 1, updated 2,") != std::string::npos);

  // /metrics against the sim's own counts of the requests it received: the
  // REST API's and the media host's (attachment content's 303 leads to a
  // request of its own, endpoint class media_download).
  auto sim_stats = sim_call(sim, "GET", "/_sim/stats");
  auto sim_api = as_int(sim_stats.at("api_requests"));
  const auto* media = sim_stats.at("requests_by_endpoint")
                        .as_object()
                        .if_contains("GET /_media");
  auto sim_media = media ? as_int(*media) : 0;
  CHECK(sim_media > 0);
  auto [mcode, metrics] = admin.get("/metrics");
  CHECK(mcode == 200);
  CHECK(metric(metrics, "jirasync_requests_total")
        == static_cast<double>(sim_api + sim_media));
  CHECK(metric(metrics,
               "jirasync_requests_by_class_total{class=\"media_download\"}")
        == static_cast<double>(sim_media));
  // The governor's figures: its 429s (by reason) are the sim's, and every
  // endpoint class has a concurrency limit (the last run's, between runs).
  CHECK(metric_sum(metrics, "jirasync_rate_limited_by_reason_total{")
        == static_cast<double>(as_int(sim_stats.at("rate_limited"))));
  CHECK(metric(metrics, "jirasync_requests_in_flight") == 0);
  CHECK(metric(metrics, "jirasync_governor_concurrency{class=\"bulkfetch\"}")
        >= 1);
  CHECK(metric(metrics, "jirasync_runs_total{result=\"ok\"}") == 3);
  CHECK(metric(metrics, "jirasync_run_in_progress") == 0);
  CHECK(metric(metrics, "jirasync_records_total{op=\"added\"}") > 60);
  CHECK(metric(metrics, "jirasync_last_success_timestamp_seconds") > 1.7e9);
  CHECK(metric(metrics, "jirasync_store_size_bytes") > 0);

  // /feed from 0 is `export --since 0`, byte for byte; limit cuts it.
  auto exported
    = run_cli(dir, {"export", "--config", cfg.string(), "--since", "0"}, rc);
  REQUIRE(rc == 0);
  auto [fcode, feed] = admin.get("/feed?since=0");
  CHECK(fcode == 200);
  CHECK(feed == exported);
  auto [lcode, limited] = admin.get("/feed?since=0&limit=5");
  CHECK(lcode == 200);
  CHECK(limited == exported.substr(0, limited.size()));
  CHECK(std::count(limited.begin(), limited.end(), '\n') == 5);
  CHECK(admin.get("/feed?since=x").first == 400);
  CHECK(admin.get("/nothing").first == 404);
  CHECK(admin.post("/status").first == 405);

  serve.signal(SIGTERM);
  auto code = serve.wait_exit(40s);
  REQUIRE(code);
  CHECK(*code == 0);

  // sd_notify: ready first, status lines, watchdog pings, stopping last.
  auto msgs = notify.drain();
  REQUIRE(msgs.size() >= 3);
  CHECK(msgs.front() == "READY=1");
  CHECK(msgs.back() == "STOPPING=1");
  auto count = [&](const std::string& prefix) {
    return std::count_if(msgs.begin(), msgs.end(), [&](const std::string& m) {
      return m.rfind(prefix, 0) == 0;
    });
  };
  CHECK(count("WATCHDOG=1") >= 2);
  CHECK(count("STATUS=running ") >= 3); // a few per run (its phases)
  CHECK(count("STATUS=idle; last run ok") >= 1);

  // JSON logs: one object a line, a run id on every line of a run, the API
  // token nowhere.
  auto err = serve.err();
  CHECK(err.find(sim.str("api_token")) == std::string::npos);
  std::set<std::string> run_ids;
  std::size_t pos = 0;
  int lines = 0;
  while (pos < err.size()) {
    auto end = err.find('\n', pos);
    auto line = err.substr(pos, end - pos);
    pos = end + 1;
    INFO(line);
    auto o = json::parse(line).as_object();
    ++lines;
    auto msg = std::string{o.at("msg").as_string()};
    if (msg.rfind("phase ", 0) == 0 || msg.rfind("run started", 0) == 0)
      run_ids.insert(std::string{o.at("run").as_string()});
  }
  CHECK(lines > 10);
  CHECK(run_ids.size() == 3);
}

TEST_CASE("serve (scheduled - non-loopback): refused credentials keep the "
          "service up without retries - SIGHUP fixes it - no token - no admin",
          "[integration][service]") {
  auto sim = start_sim("0");
  temp_dir dir;
  serve_config c;
  c.strategy = "scheduled";
  c.api_token = "not-the-token";
  c.listen_host = "0.0.0.0";
  c.port = free_loopback_port();
  c.admin_token_env = "JIRASYNC_IT_ADMIN";
  ::setenv("JIRASYNC_IT_ADMIN", "adm1n-t0ken", 1);
  auto cfg = write_serve_config(sim, dir.path(), c);
  auto serve = start_serve(dir, cfg);
  admin_client admin{c.port};
  const std::string tok = "adm1n-t0ken";
  INFO("serve stderr:\n" << serve.err());

  // The first run starts by itself and is refused on the credentials:
  // not retried (every run would be refused the same way), nothing
  // scheduled until a person acts.
  REQUIRE(eventually(
    [&] {
      auto s = admin.status(tok);
      return !s.empty() && runs(s, "reauth_required") >= 1;
    },
    30s));
  auto failed = admin.status(tok);
  CHECK(failed.at("last_run").at("result") == "reauth_required");
  CHECK(std::string{failed.at("last_run").at("error").as_string()}.find(
          "authentication failed")
        != std::string::npos);
  CHECK(failed.at("next_run_is_retry") == false);
  CHECK(failed.at("next_run_at").is_null());
  CHECK(failed.at("ready") == false);
  CHECK(admin.get("/healthz").first == 200); // alive
  CHECK(admin.get("/readyz").first == 503);  // but needs credentials
  auto [mcode, metrics] = admin.get("/metrics", tok);
  CHECK(mcode == 200);
  CHECK(metric(metrics, "jirasync_runs_total{result=\"reauth_required\"}")
        == 1);
  CHECK(metric(metrics, "jirasync_runs_total{result=\"failed\"}") == 0);

  // Non-loopback: every admin endpoint but the probes needs the token.
  CHECK(admin.post("/sync").first == 401);
  CHECK(admin.post("/sync", "wrong").first == 401);
  CHECK(admin.get("/status").first == 401);
  CHECK(admin.get("/feed?since=0").first == 401);
  CHECK(admin.get("/metrics").first == 401);

  // An invalid config on SIGHUP is rejected and the old one kept ...
  {
    std::ofstream bad{cfg, std::ios::app};
    bad << "bogus_key = 1\n";
  }
  serve.signal(SIGHUP);
  REQUIRE(eventually(
    [&] {
      return serve.err().find("keeping the running one") != std::string::npos;
    },
    10s));
  CHECK(admin.get("/healthz").first == 200);
  // ... a good one applies and, credentials being what was wrong, runs at
  // once.
  c.api_token = sim.str("api_token"); // the right token, in the file
  write_serve_config(sim, dir.path(), c);
  serve.signal(SIGHUP);
  REQUIRE(eventually(
    [&] {
      auto s = admin.status(tok);
      return !s.empty() && runs(s, "ok") == 1;
    },
    90s));
  auto ok = admin.status(tok);
  CHECK(ok.at("last_run").at("result") == "ok");
  CHECK(ok.at("last_run").at("reason") == "schedule");
  CHECK(runs(ok, "reauth_required") == 1);
  CHECK(as_int(ok.at("consecutive_failures")) == 0);
  CHECK(ok.at("ready") == true);
  CHECK(ok.at("next_run_is_retry") == false);
  CHECK(admin.get("/readyz").first == 200);
  CHECK(admin.post("/sync", tok).first == 202);

  serve.signal(SIGTERM);
  auto code = serve.wait_exit(40s);
  REQUIRE(code);
  CHECK(*code == 0);
  auto err = serve.err();
  CHECK(err.find(sim.str("api_token")) == std::string::npos);
  CHECK(err.find(tok) == std::string::npos);
}
