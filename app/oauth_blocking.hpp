#pragma once
// A blocking driver of sync::oauth_session for commands (`jirasync auth
// status --check`): one request's worth of the session's loop, run on the
// calling thread. It is also the reference for the api_client actor, which
// runs the same steps asynchronously: take the token file's lock, read it,
// refresh if still needed, store the rotated tokens, release the lock, and
// only then use the new access token.
//
// Never call it from an actor: it blocks on the file lock, the network and
// fsync.

#include "common/error.hpp"
#include "protocol/http/http_client.hpp"
#include "protocol/jira/oauth.hpp"
#include "storage/token_store.hpp"
#include "sync/oauth_session.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>

namespace jirasync::app {

struct blocking_oauth {
  sync::oauth_session& session;
  const storage::token_store& store;
  protocol::http_client& client;
  protocol::oauth_client oauth;
  /// Milliseconds since the epoch. Default: the system clock.
  std::function<std::int64_t()> now;
  /// Waiting for the token file's lock. Default: 30 s.
  std::chrono::milliseconds lock_timeout{30'000};
};

/// Makes sure the session holds a token a request may use now: refreshes
/// it when due (or, with `refused_generation`, because Jira answered 401 to
/// that generation), storing the rotated tokens first. Returns the error the
/// request should fail with otherwise (reauth_required, client credentials
/// rejected, unreachable token endpoint after the session's retries, ...).
common::result<void>
ensure_token(blocking_oauth& d,
             std::optional<std::uint64_t> refused_generation = std::nullopt);

/// Milliseconds since the epoch from std::chrono::system_clock.
std::int64_t system_now_ms();

} // namespace jirasync::app
