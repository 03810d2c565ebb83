#include "sim/cli.hpp"

#include "sim/server_http.hpp"

#include <CLI/CLI.hpp>

#include <iostream>

namespace jirasim {

cli_outcome parse_command_line(const std::vector<std::string>& args) {
  sim_options opt;
  auto& w = opt.workspace;
  CLI::App cli{
    "jira-sim: a local simulator of Jira Cloud (REST v3, OAuth 2.0 "
    "3LO, rate limits, faults). Prints one JSON ready line on stdout "
    "and serves until SIGTERM/SIGINT. Control API under /_sim/ "
    "(see sim/README.md)."};
  cli.name("jira-sim");
  cli.set_config("--config", "",
                 "Read these options from a TOML file "
                 "(keys = long option names)");
  // A valued option showing its default in --help.
  auto value = [&](const char* name, auto& target, const char* help) {
    return cli.add_option(name, target, help)->capture_default_str();
  };
  // Workspace.
  value("--seed", w.seed, "Workspace seed");
  value("--issues", w.issues, "Number of issues");
  value("--projects", w.projects, "Number of projects");
  value("--users", w.users, "Number of human users (incl. the API user)");
  value("--groups", w.groups, "Number of groups besides the built-in ones");
  value("--time-zone", w.api_user_time_zone,
        "Profile time zone of the API user (JQL dates)");
  value("--email", w.api_user_email,
        "Email (Basic-auth login) of the API user");
  value("--heavy-comment-issues", w.heavy_comment_issues,
        "Issues with many comments");
  value("--heavy-comment-count", w.heavy_comment_count,
        "Comments on each heavy issue");
  value("--large-attachments", w.large_attachments, "Attachments > 5 MB");
  bool no_documents = false;
  cli.add_flag("--no-documents", no_documents,
               "Serve no real documents (PDF, DOCX, XLSX with known text, a "
               "truncated PDF, a zip bomb) as attachments");
  bool no_admin = false;
  cli.add_flag("--no-admin", no_admin,
               "The API user is not a Jira administrator (not in site-admins "
               "/ jira-admins-<site>): 403 where Jira requires Administer "
               "Jira");
  cli.add_flag("--browse-users-admins-only", w.browse_users_admins_only,
               "Grant \"Browse users and groups\" to the admin groups only "
               "(a non-admin API user then gets 403 on users/search, "
               "group/bulk, group/member)");
  // Listener.
  bool plain_http = false;
  value("--port", opt.server.port, "TCP port on 127.0.0.1 (0 = any free)");
  cli.add_flag("--http", plain_http,
               "Plain HTTP instead of TLS with a generated certificate");
  value("--threads", opt.server.threads, "Server io threads");
  // Latency.
  value("--latency-base-ms", opt.latency.base_ms,
        "Latency: fixed part per response");
  value("--latency-per-object-ms", opt.latency.per_object_ms,
        "Latency: per object in the response");
  value("--latency-jitter-ms", opt.latency.jitter_ms,
        "Latency: uniform jitter upper bound");
  value("--latency-seed", opt.latency.seed, "Latency: jitter seed");
  // Search index.
  value("--index-lag-ms", opt.index_lag_ms,
        "JQL sees changes only this long after they are made");
  // Rate limits.
  bool no_burst = false, no_headers = false;
  cli.add_flag("--no-burst", no_burst, "Disable the burst token buckets");
  value("--burst-scale", opt.limits.burst_scale,
        "Multiply Jira's burst rates (GET 100/s; issue 150, attachment "
        "content 300, project role 200; writes 100)");
  value("--quota-points", opt.limits.quota_points,
        "Points per quota window (0 = no quota); 1 point + 1 per core "
        "object + 2 per identity object");
  value("--quota-window-secs", opt.limits.window_secs, "Quota window length");
  value("--quota-scope", opt.limits.quota_scope,
        "tenant | global (RateLimit-Reason jira-quota-<scope>-based)")
    ->check(CLI::IsMember({"tenant", "global"}));
  cli.add_flag("--quota-for-all", opt.limits.quota_for_all,
               "Charge the points quota to API-token (Basic) traffic too "
               "(Jira: OAuth apps only)");
  cli.add_flag("--no-rate-limit-headers", no_headers,
               "Do not send X-RateLimit-* (burst bucket) and the quota "
               "headers on normal responses (429s keep Retry-After, "
               "RateLimit-Reason, X-RateLimit-Reset)");
  cli.add_flag("--quota-headers-for-all", opt.limits.quota_headers_for_all,
               "Send the quota headers (Beta-RateLimit-Policy, "
               "Beta-RateLimit, X-Beta-RateLimit-*) on API-token (Basic) "
               "responses too (Jira: OAuth apps only)");
  cli.add_flag("--unprefixed-quota-headers",
               opt.limits.unprefixed_quota_headers,
               "RateLimit-Policy / RateLimit instead of "
               "Beta-RateLimit-Policy / Beta-RateLimit");
  cli.add_flag("--rate-limit-quirks", opt.limits.quirks,
               "Once the quota is spent (r=0), as seen in 2026: no policy "
               "header, t= later than the reset, X-Beta-RateLimit-Reset in "
               "the past");
  value("--retry-after-grace-ms", opt.retry_after_grace_ms,
        "Stats: requests this soon after a Retry-After are not counted as "
        "ignoring it");
  // Faults.
  std::string fault_kinds;
  value("--fault-rate", opt.faults.rate,
        "Probability of a fault per API request (0..1)");
  value("--fault-seed", opt.faults.seed, "Fault sequence seed");
  cli.add_option("--fault-kinds", fault_kinds,
                 "Comma list of "
                 "status_500,status_503_retry_after,connection_reset,truncated_"
                 "body,slow_headers,invalid_json (default: all), plus the "
                 "hostile content kinds deep_json,malformed_comment,html_"
                 "attachment (only when named)");
  value("--fault-slow-ms", opt.faults.slow_ms, "Hold-back of slow_headers");
  value("--fault-retry-after-secs", opt.faults.retry_after_secs,
        "Retry-After of status_503_retry_after");
  // OAuth.
  cli.add_option("--oauth-client-id", opt.oauth.client_id,
                 "Accepted client_id (empty = any)");
  cli.add_option("--oauth-client-secret", opt.oauth.client_secret,
                 "Accepted client_secret (empty = any)");
  cli.add_option("--oauth-callback-url", opt.oauth.callback_url,
                 "The app's registered callback URL: /authorize refuses "
                 "another redirect_uri (empty = any)");
  value("--access-token-ttl-secs", opt.oauth.access_token_ttl_secs,
        "OAuth access-token lifetime (expires_in)");
  value("--refresh-reuse-leeway-secs", opt.oauth.reuse_leeway_secs,
        "Replay of a rotated refresh token within this is tolerated; after "
        "it, the family is revoked");
  value("--media-token-ttl-secs", opt.media_token_ttl_secs,
        "Lifetime of the signed attachment media URL");
  value("--media-expired-first", opt.media_expired_first,
        "The first N media URLs are issued already expired (their download "
        "answers 401, as a media URL fetched after its token's end)");
  // Misc.
  cli.add_option("--dump-truth", opt.dump_truth_file,
                 "Write the ground truth (JSON Lines) to FILE at start-up");
  value("--log-level", opt.log_level,
        "error | warn | info | debug (debug logs every request)")
    ->check(CLI::IsMember({"error", "warn", "info", "debug"}));

  cli_outcome out;
  try {
    // CLI11 takes the arguments in reverse order.
    std::vector<std::string> reversed(args.rbegin(), args.rend());
    cli.parse(reversed);
  } catch (const CLI::ParseError& e) {
    out.exit_code = cli.exit(e);
    return out;
  }
  opt.server.tls = !plain_http;
  w.api_user_admin = !no_admin;
  w.documents = !no_documents;
  opt.limits.burst_enabled = !no_burst;
  opt.limits.send_headers = !no_headers;
  if (!fault_kinds.empty()) {
    opt.faults.kinds.clear();
    for (auto name : split_nonempty(fault_kinds, ',')) {
      auto k = fault_from_string(name);
      if (k == fault_kind::none) {
        std::cerr << "jira-sim: unknown fault kind '" << name << "'\n";
        out.exit_code = 2;
        return out;
      }
      opt.faults.kinds.push_back(k);
    }
  }
  out.options = std::move(opt);
  return out;
}

} // namespace jirasim
