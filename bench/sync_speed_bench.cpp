// sync_speed_bench: how close `jirasync sync` comes to the fastest schedule
// Jira's rate limits allow (issue 9). Not a test: it prints figures and
// asserts nothing.
//
// Starts jira-sim with its default workspace (2,000 issues, attachments on
// about a quarter of them), a fixed latency per answer and Jira's burst
// rates, syncs it with a fresh store, and prints: wall time, requests by
// endpoint (the sim's count), 429s by reason, the governor's peak in-flight
// per class (from `jirasync status --json`, when the binary records it),
// the schedule's lower bound (bench/schedule_bound.hpp) and the ratio.
//
//   sync_speed_bench [--issues N] [--latency-ms MS] [--burst-scale F]
//                    [--runs N] [--jirasync PATH] [--jira-sim PATH]
//                    [-- extra jira-sim arguments]
// Defaults: 2000 issues, 50 ms, scale 1, 1 run, the binaries of this build.
#include "child_process.hpp"
#include "protocol/http/http_client.hpp"
#include "schedule_bound.hpp"

#include <boost/json.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <vector>

namespace json = boost::json;
namespace fs = std::filesystem;
using jirasync::bench::class_load;
using jirasync::testing::read_file;
using jirasync::testing::run_to_completion;
using jirasync::testing::sim_process;

namespace {

struct options {
  std::string issues = "2000";
  double latency_ms = 50;
  double burst_scale = 1;
  int runs = 1;
  std::string jirasync = JIRASYNC_BIN;
  std::string sim = JIRA_SIM_BIN;
  std::vector<std::string> sim_extra;
};

/// What the schedule bound needs to know of one jira-sim route: its burst
/// rate (Jira's documented rates, as jira-sim models them per route) and
/// where it sits in the data dependencies of a sync.
struct route_model {
  double rate = 100;
  int depth_before = 0;
  int depth_after = 0;
};

/// The dependencies (README: "The lower bound"): projects -> issue ids
/// (search/jql) -> issues (bulkfetch) -> comments / attachment content ->
/// the media download after the 303.
route_model model_of(const std::string& route) {
  if (route == "GET /attachment/content/{}")
    return {300, 3, 1};
  if (route == "GET /_media")
    return {0, 4, 0};
  if (route == "POST /issue/bulkfetch")
    return {100, 2, 0};
  if (route == "GET /search/jql" || route == "POST /search/jql"
      || route == "POST /search/approximate-count")
    return {100, 1, 0};
  if (route == "GET /issue/{}/comment")
    return {100, 3, 0};
  if (route == "GET /issue/{}")
    return {150, 2, 0};
  if (route == "GET /project/{}/role")
    return {200, 1, 0};
  if (route == "GET /project/{}/role/{}")
    return {200, 2, 0};
  if (route.rfind("GET /project/{}", 0) == 0)
    return {100, 1, 0};
  return {100, 0, 0};
}

/// Longest chain of requests that must follow one another: project search,
/// search/jql, bulkfetch, attachment content (or a comment page), media.
constexpr int chain_round_trips = 5;

std::string http_get(const std::string& url, const std::string& ca_file) {
  jirasync::protocol::http_client_options o;
  o.ca_file = ca_file;
  o.threads = 1;
  jirasync::protocol::http_client client{o};
  jirasync::protocol::http_request req;
  req.url = url;
  auto r = client.request(req);
  if (!r.response || r.response->status != 200)
    throw std::runtime_error("GET " + url + " failed");
  return r.response->body;
}

std::int64_t num(const json::value& v) {
  return v.is_number() ? v.to_number<std::int64_t>() : 0;
}

bool parse_args(int argc, char** argv, options& o) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc)
        throw std::runtime_error(a + " needs a value");
      return argv[++i];
    };
    if (a == "--issues")
      o.issues = next();
    else if (a == "--latency-ms")
      o.latency_ms = std::stod(next());
    else if (a == "--burst-scale")
      o.burst_scale = std::stod(next());
    else if (a == "--runs")
      o.runs = std::stoi(next());
    else if (a == "--jirasync")
      o.jirasync = next();
    else if (a == "--jira-sim")
      o.sim = next();
    else if (a == "--") {
      for (++i; i < argc; ++i)
        o.sim_extra.emplace_back(argv[i]);
    } else {
      std::cerr << "unknown argument " << a << "\n";
      return false;
    }
  }
  return true;
}

void one_run(const options& o, int run) {
  std::vector<std::string> args{o.sim,
                                "--issues",
                                o.issues,
                                "--latency-base-ms",
                                std::to_string(static_cast<int>(o.latency_ms)),
                                "--burst-scale",
                                std::to_string(o.burst_scale),
                                "--port",
                                "0"};
  args.insert(args.end(), o.sim_extra.begin(), o.sim_extra.end());
  sim_process sim{args};
  auto dir = fs::temp_directory_path()
             / ("jirasync-speed-bench-" + std::to_string(::getpid()) + "-"
                + std::to_string(run));
  fs::remove_all(dir);
  fs::create_directories(dir);
  ::setenv("JIRASYNC_BENCH_TOKEN", sim.str("api_token").c_str(), 1);
  auto cfg = dir / "jirasync.toml";
  {
    std::ofstream out{cfg};
    out << "[jira]\nsite = \"" << sim.base_url() << "\"\n"
        << "email = \"" << sim.str("email") << "\"\n"
        << "api_token_env = \"JIRASYNC_BENCH_TOKEN\"\n"
        << "ca_file = \"" << sim.str("ca_file") << "\"\n"
        << "[storage]\npath = \"" << (dir / "store").string() << "\"\n";
  }
  auto t0 = std::chrono::steady_clock::now();
  int rc = run_to_completion({o.jirasync, "sync", "--config", cfg.string()},
                             dir / "sync.out", dir / "sync.err");
  auto wall
    = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
        .count();
  run_to_completion({o.jirasync, "status", "--json", "--config", cfg.string()},
                    dir / "status.json", dir / "status.err");

  auto stats
    = json::parse(http_get(sim.base_url() + "/_sim/stats", sim.str("ca_file")))
        .as_object();
  std::printf("run %d: sync exit %d, wall %.2f s (%s issues, latency %.0f ms, "
              "burst scale %g)\n",
              run, rc, wall, o.issues.c_str(), o.latency_ms, o.burst_scale);
  if (rc != 0)
    std::cout << read_file(dir / "sync.out") << read_file(dir / "sync.err");

  // Requests by endpoint, as the sim counted them.
  std::vector<class_load> loads;
  std::int64_t total = 0;
  std::printf("  requests by endpoint (jira-sim):\n");
  for (const auto& [k, v] : stats.at("requests_by_endpoint").as_object()) {
    std::string route{k};
    auto n = num(v);
    total += n;
    std::printf("    %-44s %6lld\n", route.c_str(), static_cast<long long>(n));
    auto m = model_of(route);
    auto rate = m.rate * o.burst_scale;
    loads.push_back({route, static_cast<std::uint64_t>(n),
                     m.rate > 0 ? rate : 0, rate, m.depth_before,
                     m.depth_after});
  }
  std::printf("    %-44s %6lld\n", "total", static_cast<long long>(total));
  std::printf("  429s: %lld",
              static_cast<long long>(num(stats.at("rate_limited"))));
  for (const auto& [k, v] : stats.at("rate_limited_by_reason").as_object())
    std::printf(" (%s %lld)", std::string{k}.c_str(),
                static_cast<long long>(num(v)));
  std::printf(
    "; faults %zu kinds; arrived during Retry-After %lld\n",
    stats.at("faults_by_kind").as_object().size(),
    static_cast<long long>(num(stats.at("arrived_during_retry_after"))));

  // The governor's own figures (counters of the run checkpoint).
  std::map<std::string, std::int64_t> peaks;
  std::map<std::string, std::int64_t> latency;
  std::map<std::string, std::int64_t> counters;
  try {
    auto st = json::parse(read_file(dir / "status.json")).as_object();
    const auto& ctr = st.at("last_sync").as_object().at("counters").as_object();
    for (const auto& [k, v] : ctr) {
      std::string key{k};
      counters[key] = num(v);
      if (key.rfind("peak_in_flight.", 0) == 0)
        peaks[key.substr(15)] = num(v);
      if (key.rfind("latency_ms.", 0) == 0)
        latency[key.substr(11)] = num(v);
    }
  } catch (const std::exception&) {
    // no status: the figures below stay empty
  }
  if (peaks.empty()) {
    std::printf("  peak in flight per class: not recorded by this jirasync");
    if (auto i = counters.find("requests"); i != counters.end())
      std::printf(" (its requests counter: %lld)",
                  static_cast<long long>(i->second));
    std::printf("\n");
  } else {
    std::printf("  peak in flight per class (jirasync; its latency "
                "estimate in ms):");
    for (const auto& [k, v] : peaks)
      std::printf(" %s %lld (%lld ms)", k.c_str(), static_cast<long long>(v),
                  static_cast<long long>(latency[k]));
    if (auto i = counters.find("peak_in_flight"); i != counters.end())
      std::printf("; all %lld", static_cast<long long>(i->second));
    std::printf("\n");
  }
  for (const auto& [k, v] : counters)
    if (k.rfind("waited_ms.", 0) == 0 && v > 0)
      std::printf("  waited for %s: %.2f s\n", k.substr(10).c_str(),
                  static_cast<double>(v) / 1000.0);

  auto b = jirasync::bench::schedule_lower_bound(loads, o.latency_ms,
                                                 chain_round_trips);
  std::printf("  lower bound %.2f s (set by %s); ratio %.2f\n", b.seconds,
              b.binding.c_str(), b.seconds > 0 ? wall / b.seconds : 0.0);
  std::error_code ec;
  fs::remove_all(dir, ec);
}

} // namespace

int main(int argc, char** argv) {
  options o;
  try {
    if (!parse_args(argc, argv, o))
      return 2;
    for (int run = 1; run <= o.runs; ++run)
      one_run(o, run);
  } catch (const std::exception& e) {
    std::cerr << "sync_speed_bench: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
