// jira-sim: wires the options, the simulated site and the server; prints
// the ready line; runs until SIGTERM/SIGINT.
#include "sim/options.hpp"
#include "sim/server.hpp"
#include "sim/server_app.hpp"
#include "sim/truth.hpp"

#include <CLI/CLI.hpp>

#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <pthread.h>

using namespace jirasim;

int main(int argc, char** argv) {
  sim_options opt;
  auto& w = opt.workspace;
  CLI::App cli{
    "jira-sim: a local simulator of Jira Cloud (REST v3, OAuth 2.0 "
    "3LO, rate limits, faults). Prints one JSON ready line on stdout "
    "and serves until SIGTERM/SIGINT. Control API under /_sim/ "
    "(see sim/README.md)."};
  cli.set_config("--config", "",
                 "Read these options from a TOML file "
                 "(keys = long option names)");
  // Workspace.
  cli.add_option("--seed", w.seed, "Workspace seed")->capture_default_str();
  cli.add_option("--issues", w.issues, "Number of issues")
    ->capture_default_str();
  cli.add_option("--projects", w.projects, "Number of projects")
    ->capture_default_str();
  cli
    .add_option("--users", w.users,
                "Number of human users (incl. the API user)")
    ->capture_default_str();
  cli
    .add_option("--groups", w.groups,
                "Number of groups besides the built-in ones")
    ->capture_default_str();
  cli
    .add_option("--time-zone", w.api_user_time_zone,
                "Profile time zone of the API user (JQL dates)")
    ->capture_default_str();
  cli
    .add_option("--email", w.api_user_email,
                "Email (Basic-auth login) of the API user")
    ->capture_default_str();
  cli
    .add_option("--heavy-comment-issues", w.heavy_comment_issues,
                "Issues with many comments")
    ->capture_default_str();
  cli
    .add_option("--heavy-comment-count", w.heavy_comment_count,
                "Comments on each heavy issue")
    ->capture_default_str();
  cli
    .add_option("--large-attachments", w.large_attachments,
                "Attachments > 5 MB")
    ->capture_default_str();
  // Listener.
  std::uint16_t port = 0;
  bool plain_http = false;
  cli.add_option("--port", port, "TCP port on 127.0.0.1 (0 = any free)")
    ->capture_default_str();
  cli.add_flag("--http", plain_http,
               "Plain HTTP instead of TLS with a generated certificate");
  cli.add_option("--threads", opt.server.threads, "Server io threads")
    ->capture_default_str();
  // Latency.
  cli
    .add_option("--latency-base-ms", opt.latency.base_ms,
                "Latency: fixed part per response")
    ->capture_default_str();
  cli
    .add_option("--latency-per-object-ms", opt.latency.per_object_ms,
                "Latency: per object in the response")
    ->capture_default_str();
  cli
    .add_option("--latency-jitter-ms", opt.latency.jitter_ms,
                "Latency: uniform jitter upper bound")
    ->capture_default_str();
  cli.add_option("--latency-seed", opt.latency.seed, "Latency: jitter seed")
    ->capture_default_str();
  // Search index.
  cli
    .add_option("--index-lag-ms", opt.index_lag_ms,
                "JQL sees changes only this long after they are made")
    ->capture_default_str();
  // Rate limits.
  bool no_burst = false, no_headers = false;
  cli.add_flag("--no-burst", no_burst, "Disable the burst token buckets");
  cli
    .add_option("--burst-scale", opt.limits.burst_scale,
                "Multiply Jira's burst rates (GET 100/s; issue 150, attachment "
                "content 300, project role 200; writes 100)")
    ->capture_default_str();
  cli
    .add_option("--quota-points", opt.limits.quota_points,
                "Points per quota window (0 = no quota); 1 point + 1 per core "
                "object + 2 per identity object")
    ->capture_default_str();
  cli
    .add_option("--quota-window-secs", opt.limits.window_secs,
                "Quota window length")
    ->capture_default_str();
  cli
    .add_option("--quota-scope", opt.limits.quota_scope,
                "tenant | global (RateLimit-Reason jira-quota-<scope>-based)")
    ->check(CLI::IsMember({"tenant", "global"}))
    ->capture_default_str();
  cli.add_flag("--no-rate-limit-headers", no_headers,
               "Do not send X-RateLimit-* / Beta-RateLimit* on every response");
  cli
    .add_option("--retry-after-grace-ms", opt.retry_after_grace_ms,
                "Stats: requests this soon after a Retry-After are not counted "
                "as ignoring it")
    ->capture_default_str();
  // Faults.
  std::string fault_kinds;
  cli
    .add_option("--fault-rate", opt.faults.rate,
                "Probability of a fault per API request (0..1)")
    ->capture_default_str();
  cli.add_option("--fault-seed", opt.faults.seed, "Fault sequence seed")
    ->capture_default_str();
  cli.add_option("--fault-kinds", fault_kinds,
                 "Comma list of "
                 "status_500,status_503_retry_after,connection_reset,truncated_"
                 "body,slow_headers,invalid_json (default: all)");
  cli
    .add_option("--fault-slow-ms", opt.faults.slow_ms,
                "Hold-back of slow_headers")
    ->capture_default_str();
  cli
    .add_option("--fault-retry-after-secs", opt.faults.retry_after_secs,
                "Retry-After of status_503_retry_after")
    ->capture_default_str();
  // OAuth.
  cli.add_option("--oauth-client-id", opt.oauth.client_id,
                 "Accepted client_id (empty = any)");
  cli.add_option("--oauth-client-secret", opt.oauth.client_secret,
                 "Accepted client_secret (empty = any)");
  cli
    .add_option("--access-token-ttl-secs", opt.oauth.access_token_ttl_secs,
                "OAuth access-token lifetime (expires_in)")
    ->capture_default_str();
  cli
    .add_option("--refresh-reuse-leeway-secs", opt.oauth.reuse_leeway_secs,
                "Replay of a rotated refresh token within this is tolerated; "
                "after it, the family is revoked")
    ->capture_default_str();
  cli
    .add_option("--media-token-ttl-secs", opt.media_token_ttl_secs,
                "Lifetime of the signed attachment media URL")
    ->capture_default_str();
  // Misc.
  cli.add_option("--dump-truth", opt.dump_truth_file,
                 "Write the ground truth (JSON Lines) to FILE at start-up");
  cli
    .add_option("--log-level", opt.log_level,
                "error | warn | info | debug (debug logs every request)")
    ->check(CLI::IsMember({"error", "warn", "info", "debug"}))
    ->capture_default_str();
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return cli.exit(e);
  }
  opt.server.port = port;
  opt.server.tls = !plain_http;
  opt.limits.burst_enabled = !no_burst;
  opt.limits.send_headers = !no_headers;
  if (!fault_kinds.empty()) {
    opt.faults.kinds.clear();
    std::size_t i = 0;
    while (i <= fault_kinds.size()) {
      auto j = fault_kinds.find(',', i);
      if (j == std::string::npos)
        j = fault_kinds.size();
      auto name = fault_kinds.substr(i, j - i);
      auto k = fault_from_string(name);
      if (k == fault_kind::none) {
        std::cerr << "jira-sim: unknown fault kind '" << name << "'\n";
        return 2;
      }
      opt.faults.kinds.push_back(k);
      i = j + 1;
    }
  }

  // Signals are taken synchronously by this thread only.
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);

  try {
    jira_app app{opt};
    server srv{opt.server, app.as_handler()};
    srv.start();
    app.set_base_url(srv.base_url());
    if (!opt.dump_truth_file.empty()) {
      std::ofstream out(opt.dump_truth_file,
                        std::ios::binary | std::ios::trunc);
      if (!out)
        throw std::runtime_error("cannot write " + opt.dump_truth_file);
      app.read([&](const workspace& ws) {
        write_truth(ws, out);
      });
    }
    std::cout << ready_line(srv.port(), srv.base_url(), srv.ca_file(),
                            app.api_user_email(), app.api_user_token(),
                            app.cloud_id())
              << std::endl;
    if (opt.log_level != "error" && opt.log_level != "warn")
      std::cerr << "jira-sim: serving " << opt.workspace.issues << " issues on "
                << srv.base_url() << "\n";
    int sig = 0;
    sigwait(&sigs, &sig);
    srv.stop();
  } catch (const std::exception& e) {
    std::cerr << "jira-sim: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
