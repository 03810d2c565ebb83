#pragma once
// jira_app's private state, shared by server_app.cpp, the handler files and
// the control API. Not for use outside sim/.

#include "sim/faults.hpp"
#include "sim/limits.hpp"
#include "sim/oauth.hpp"
#include "sim/options.hpp"
#include "sim/server_app.hpp"
#include "sim/server_handlers.hpp"

#include <atomic>
#include <boost/json/array.hpp>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace jirasim {

struct jira_app::internals {
  explicit internals(const sim_options& o)
      : limiter(o.limits), faults(o.faults), latency(o.latency), oauth(o.oauth),
        grace_ms(o.retry_after_grace_ms),
        media_ttl_secs(o.media_token_ttl_secs),
        media_expired_left(o.media_expired_first),
        media_secret(random_secret()) {}
  static std::string random_secret();

  rate_limiter limiter;
  fault_injector faults;
  latency_model latency;
  oauth_state oauth;
  /// Accessible resources served after the site's own (POST
  /// /_sim/oauth/resources): other sites the same login could reach.
  std::mutex resources_mu;
  boost::json::array extra_resources;
  std::int64_t grace_ms;
  std::int64_t media_ttl_secs;
  /// Media URLs still to be issued already expired (--media-expired-first).
  std::atomic<std::int64_t> media_expired_left;
  /// Key of the media URL signatures (random per process).
  std::string media_secret;
  /// Distinguishes apps in one process (thread-local caches).
  std::uint64_t serial = 0;

  /// Visible, ordered issue ids of recent JQL queries, so that paging
  /// through a 200k-issue result does not re-run the query per page. An
  /// entry is valid while the workspace's data_epoch is unchanged and no
  /// pending index update has become visible (valid_until_ms).
  struct search_entry {
    std::uint64_t data_epoch = 0;
    std::int64_t valid_until_ms = 0;
    std::uint64_t last_used = 0;
    std::shared_ptr<const std::vector<std::int64_t>> ids;
  };
  std::mutex search_mu;
  std::map<std::string, search_entry> search_cache;
  std::uint64_t search_tick = 0;

  mutable std::mutex stats_mu;
  sim_stats stats;

  struct retry_window {
    std::int64_t issued_ms = 0;
    std::int64_t until_ms = 0;
  };
  /// Per scope: a burst bucket name, or "" for quota / 503 (everything).
  std::mutex ra_mu;
  std::map<std::string, retry_window> retry_after;

  void count(const std::string& endpoint);
  void note_retry_after(const std::string& scope, std::int64_t now_ms,
                        std::int64_t secs);
  bool in_retry_after(const std::string& scope, std::int64_t now_ms);
};

/// /_sim/... (server_control.cpp... see control.cpp).
http_response handle_control(jira_app& app, http_request& r);
/// /_media/file/{mediaId}/binary?... : attachment bytes behind a signed URL.
http_response handle_media(jira_app& app, const workspace& ws, http_request& r,
                           std::int64_t now_ms);
/// /authorize, /oauth/token, /oauth/token/accessible-resources, /me.
http_response handle_oauth(jira_app& app, const workspace& ws, http_request& r,
                           std::int64_t now_ms);

/// Signature of a media URL (attachment id + expiry), hex.
std::string media_signature(const jira_app& app, std::int64_t attachment_id,
                            std::int64_t expires_ms);

} // namespace jirasim
