#pragma once
// jira_app: the simulated Jira Cloud site behind the server core. It owns
// the workspace and everything stateful around it (clock, rate limiter,
// faults, latency, OAuth, stats) and turns an http_request into an
// http_response: authentication (Basic at the site root, OAuth Bearer under
// /ex/jira/{cloudId}), rate limits, faults, the REST handlers, latency.
// The control API lives under /_sim/ (loopback only, no auth).
//
// Thread-safety: handle() is called concurrently; readers share the
// workspace lock, mutations (control API) take it exclusively.

#include "sim/faults.hpp"
#include "sim/limits.hpp"
#include "sim/oauth.hpp"
#include "sim/options.hpp"
#include "sim/server.hpp"
#include "sim/server_clock.hpp"
#include "sim/workspace.hpp"

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>

namespace jirasim {

/// Counters served by GET /_sim/stats.
struct sim_stats {
  std::map<std::string, std::uint64_t> requests_by_endpoint;
  std::uint64_t api_requests = 0;
  std::uint64_t points_spent = 0;
  std::map<std::string, std::uint64_t> rate_limited_by_reason;
  std::map<std::string, std::uint64_t> faults_by_kind;
  /// Requests that arrived while a Retry-After the client had received was
  /// still in force (after the grace period): 0 for a well-behaved client.
  std::uint64_t arrived_during_retry_after = 0;
  std::uint64_t status_401 = 0;
};

class jira_app {
public:
  /// Generates the workspace (seconds for 200k issues).
  explicit jira_app(sim_options options);
  ~jira_app();
  jira_app(const jira_app&) = delete;
  jira_app& operator=(const jira_app&) = delete;

  /// The server core's handler.
  http_response handle(http_request& r);
  /// handle() as a std::function for server's constructor.
  handler as_handler() {
    return [this](http_request& r) {
      return handle(r);
    };
  }

  /// Must be called once the server listens (self links, redirects).
  void set_base_url(const std::string& base_url);
  const std::string& base_url() const {
    return base_url_;
  }

  /// Runs `f` with the workspace under the shared (read) lock.
  void read(const std::function<void(const workspace&)>& f) const;
  /// Runs `f` with the workspace under the exclusive lock, after setting
  /// ws.now_ms from the sim clock and ws.index_lag_ms from the knob.
  void write(const std::function<void(workspace&)>& f);

  sim_clock& clock() {
    return clock_;
  }
  sim_stats stats() const;
  void reset_stats();
  const sim_options& options() const {
    return opt_;
  }

  std::string api_user_email() const;
  std::string api_user_token() const;
  std::string cloud_id() const;
  std::int64_t index_lag_ms() const {
    return index_lag_ms_.load();
  }
  void set_index_lag_ms(std::int64_t ms) {
    index_lag_ms_ = ms;
  }
  /// A fault for testing a connector's fallback, NOT Jira Cloud's
  /// behaviour (Jira documents >, >=, <, <= on `id`): search/jql answers
  /// 400 to a query comparing `id` with a range operator. Default: off.
  bool refuse_id_ranges() const {
    return refuse_id_ranges_.load();
  }
  void set_refuse_id_ranges(bool on) {
    refuse_id_ranges_ = on;
  }

  // Internal pieces used by the handler files.
  struct internals;
  internals& in() {
    return *in_;
  }

private:
  sim_options opt_;
  std::string base_url_;
  sim_clock clock_;
  std::atomic<std::int64_t> index_lag_ms_{0};
  std::atomic<bool> refuse_id_ranges_{false};
  mutable std::shared_mutex ws_mu_;
  std::unique_ptr<workspace> ws_;
  std::unique_ptr<internals> in_;
};

} // namespace jirasim
