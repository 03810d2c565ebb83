#pragma once
// Every knob of jira-sim in one struct (the CLI in main.cpp and the config
// file fill it; tests fill it directly). Each member documents its default.

#include "sim/faults.hpp"
#include "sim/limits.hpp"
#include "sim/oauth.hpp"
#include "sim/server.hpp"
#include "sim/workspace.hpp"

#include <cstdint>
#include <string>

namespace jirasim {

struct sim_options {
  /// Workspace generation (seed, issues, projects, users, API user's time
  /// zone...). Defaults: see workspace_params.
  workspace_params workspace;
  /// Listener (port, TLS, threads). Defaults: see server_options.
  server_options server;
  limits_options limits;
  fault_options faults;
  latency_options latency;
  oauth_options oauth;
  /// Search-index lag: JQL sees a change only this long after it was
  /// made. Default: 0 ms.
  std::int64_t index_lag_ms = 0;
  /// Lifetime of the signed media URL of an attachment redirect.
  /// Default: 600 s.
  std::int64_t media_token_ttl_secs = 600;
  /// The first N media URLs are issued already expired: a download that
  /// came after its short-lived media token's end (test instrumentation).
  std::int64_t media_expired_first = 0;
  /// A request arriving within this time after a 429/503 carrying
  /// Retry-After is presumed to have been in flight already and is not
  /// counted as "arrived while Retry-After was in force". Default: 250 ms.
  std::int64_t retry_after_grace_ms = 250;
  /// Write the ground truth (JSON Lines) here at start-up. Default: "".
  std::string dump_truth_file;
  /// "error" | "warn" | "info" | "debug" (debug logs every request to
  /// stderr). Default: "info".
  std::string log_level = "info";
};

/// The one ready line jira-sim prints (docs/jira-sim.md, fixed):
/// {"port":P,"base_url":U,"ca_file":PATH|null,"email":E,"api_token":T,
///  "cloud_id":C}
std::string ready_line(std::uint16_t port, const std::string& base_url,
                       const std::string& ca_file, const std::string& email,
                       const std::string& api_token,
                       const std::string& cloud_id);

} // namespace jirasim
