#pragma once
// The OAuth token session of one process: when to refresh, one refresh in
// flight at a time, what the waiting requests do with its outcome, and the
// order "store the rotated refresh token first, then use the new access
// token". A pure state machine (no I/O, no CAF, time passed in) that the
// api_client actor drives; `jirasync auth status --check` drives it
// synchronously.
//
// The driver's loop (every call returns `oauth_effects` to apply in order):
//   request(id, now)              a request wants to go out
//   on_unauthorized(id, gen, now) it came back 401 (gen = the generation it
//                                 was sent with)
//   -> effects.start_refresh:     take the token file's cross-process lock,
//                                 load the file, call on_store_read(file, now)
//   -> effects.send_refresh:      POST the refresh_token grant with
//                                 refresh_token(); on_refresh_result(r, now)
//   -> effects.persist:           save these tokens durably (still under the
//                                 lock), then on_persisted(now) or
//                                 on_persist_failed(error, now); release the
//                                 lock once the refresh is over
//   -> effects.released:          send these requests now with
//                                 authorization() / generation()
//   -> effects.failed:            fail these requests with effects.error
//   -> effects.timer_at_ms:       call on_timer(now) at that time
// Request ids are the driver's, unique among the requests it holds.
//
// States:
//   valid       a usable access token (near expiry, the next request starts
//               a refresh)
//   refreshing  a refresh is under way (store check, grant); requests wait
//   persisting  new tokens are being stored; requests wait (a token not on
//               disk is never used: a crash would lose the rotated refresh
//               token, and replaying the old one after Atlassian's 10-minute
//               leeway revokes the whole token family)
//   backoff     a refresh failed transiently; it is retried at timer_at_ms.
//               Requests go with the old token while it is still valid, and
//               wait otherwise
//   reauth_required  terminal: never logged in, or the refresh token was
//               refused (invalid_grant: revoked, expired, reused). Every
//               request fails with "re-authenticate with `jirasync auth
//               login`"; nothing is retried
//   failed      terminal for this process: the client credentials were
//               rejected, the grant was refused otherwise, or the rotated
//               tokens could not be stored
//
// Thread-safety: none; one driver (an actor, or one thread) owns it.

#include "common/error.hpp"
#include "protocol/jira/oauth.hpp"
#include "storage/token_store.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace jirasync::sync {

struct oauth_session_options {
  /// Refresh this long before the access token expires, but at most a
  /// quarter of the token's lifetime (expires_at - when it was obtained or
  /// last refreshed) before. Default: 300000 (5 min).
  std::int64_t refresh_margin_ms = 300'000;
  /// Transient refresh failures in a row (network, 408, 429, 5xx) before
  /// the waiting requests fail; later requests start a new round. Default: 4.
  int max_refresh_attempts = 4;
  /// Wait before retry n (n = 1, 2, ...): base * 2^(n-1), at most cap.
  /// Default: 2000 ms.
  std::int64_t retry_base_ms = 2'000;
  /// Default: 30000 ms.
  std::int64_t retry_cap_ms = 30'000;
  /// A 401 on a token that a 401-triggered refresh produced less than this
  /// ago is not refreshed again: Jira refuses a fresh token (a scope or a
  /// permission is missing), and another refresh would only loop.
  /// Default: 60000 ms.
  std::int64_t unauthorized_refresh_interval_ms = 60'000;
};

enum class oauth_session_state {
  valid,
  refreshing,
  persisting,
  backoff,
  reauth_required,
  failed,
};

/// "valid", "refreshing", ... (the enumerator's name).
std::string_view to_string(oauth_session_state s);

/// What the driver does after a call (see the loop in the file comment).
struct oauth_effects {
  /// Begin a refresh: lock + load the token file, then on_store_read().
  bool start_refresh = false;
  /// POST the refresh_token grant with refresh_token() now.
  bool send_refresh = false;
  /// Store these tokens durably, then on_persisted() / on_persist_failed().
  std::optional<storage::oauth_token_set> persist;
  /// Requests to send now with authorization().
  std::vector<std::uint64_t> released;
  /// Requests to fail with `error`.
  std::vector<std::uint64_t> failed;
  /// Why `failed` failed (set whenever `failed` is not empty).
  std::optional<common::error> error;
  /// Call on_timer() at this time (ms since the epoch).
  std::optional<std::int64_t> timer_at_ms;
};

/// The message of reauth_required, once: "re-authenticate with `jirasync
/// auth login`".
inline constexpr std::string_view reauth_hint
  = "re-authenticate with `jirasync auth login`";

/// Why a stored login cannot serve a config naming `site` and `client_id`
/// (its site or its OAuth app differ: `auth login` was run with another
/// config), or nullopt when it can. The message names both values and ends
/// with reauth_hint; errc::unauthenticated.
std::optional<common::error>
login_mismatch(const storage::oauth_token_set& stored, std::string_view site,
               std::string_view client_id);

class oauth_session {
public:
  /// `stored`: the token file's content (nullopt = never logged in).
  explicit oauth_session(std::optional<storage::oauth_token_set> stored,
                         oauth_session_options options = {});

  oauth_session_state state() const noexcept {
    return state_;
  }

  /// Set in reauth_required and failed: why (errc::unauthenticated for
  /// reauth_required; its message ends with reauth_hint).
  const std::optional<common::error>& terminal_error() const noexcept {
    return terminal_;
  }

  /// The tokens in use (nullopt when never logged in).
  const std::optional<storage::oauth_token_set>& tokens() const noexcept {
    return current_;
  }

  /// "Bearer <access token>" of the current generation. Never log it.
  std::string authorization() const;

  /// Increases each time the access token changes (refresh, adoption).
  std::uint64_t generation() const noexcept {
    return generation_;
  }

  /// When the current access token becomes due for a refresh (its expiry
  /// less the margin, ms since the epoch); 0 when there is none.
  std::int64_t due_at_ms() const;

  /// The refresh token to send with effects.send_refresh. Never log it.
  const std::string& refresh_token() const;

  /// Requests waiting for a refresh.
  std::size_t waiting() const noexcept {
    return waiters_.size();
  }

  // --- events -------------------------------------------------------------

  oauth_effects request(std::uint64_t id, std::int64_t now_ms);

  oauth_effects on_unauthorized(std::uint64_t id, std::uint64_t generation,
                                std::int64_t now_ms);

  /// The token file as read under the lock (nullopt: no file). Adopts
  /// tokens another process stored meanwhile (a refresh or a new login)
  /// instead of spending a refresh token twice.
  oauth_effects
  on_store_read(const std::optional<storage::oauth_token_set>& on_disk,
                std::int64_t now_ms);

  oauth_effects on_refresh_result(const protocol::oauth_token_result& result,
                                  std::int64_t now_ms);

  oauth_effects on_persisted(std::int64_t now_ms);

  oauth_effects on_persist_failed(const common::error& error,
                                  std::int64_t now_ms);

  oauth_effects on_timer(std::int64_t now_ms);

private:
  bool usable(std::int64_t now_ms) const;
  bool due(std::int64_t now_ms) const;
  std::int64_t margin_ms() const;
  oauth_effects begin_refresh(std::optional<std::uint64_t> waiter);
  oauth_effects release_all();
  oauth_effects fail_all(common::error e);
  oauth_effects to_reauth(std::string reason, std::int64_t now_ms,
                          bool mark_file);
  oauth_effects to_failed(common::error e);
  oauth_effects adopt(const storage::oauth_token_set& t, std::int64_t now_ms);

  oauth_session_options opt_;
  oauth_session_state state_ = oauth_session_state::valid;
  std::optional<storage::oauth_token_set> current_;
  std::optional<storage::oauth_token_set> pending_; // being persisted
  std::optional<common::error> terminal_;
  std::vector<std::uint64_t> waiters_;
  std::uint64_t generation_ = 1;
  /// The current access token was refused with a 401 (treated as expired).
  bool refused_ = false;
  /// The refresh in progress was triggered by a 401.
  bool refresh_for_401_ = false;
  /// The current generation came from a 401-triggered refresh at this time.
  std::optional<std::int64_t> refreshed_for_401_at_ms_;
  int attempts_ = 0;
  std::int64_t retry_at_ms_ = 0;
};

} // namespace jirasync::sync
