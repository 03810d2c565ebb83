#pragma once
// token_keeper: the OAuth access token of one sync run (OAuth mode only).
// It owns the run's sync::oauth_session and drives its loop with messages:
// api_client asks it for a Bearer token before each attempt and tells it
// when Jira answered 401; the keeper refreshes when the token is due (the
// session's margin before expiry) or refused, with exactly one refresh in
// flight - the requests that arrive meanwhile wait for its outcome - and
// hands out the new token only once the rotated refresh token is durably
// in the token file (storage::token_store::save fsyncs before it returns).
//
// The refresh itself: take the token file's cross-process lock (one try per
// lock_poll, for at most lock_timeout: never blocked in a wait), read the
// file (another process may have refreshed meanwhile: its tokens are
// adopted instead of spending a refresh token twice), POST the
// refresh_token grant through the http client (its answer comes back as a
// message), store the rotated tokens, release the lock. It is spawned
// detached: loading and fsyncing the token file are blocking calls that
// must not run on the scheduler's threads.
//
// Terminal states (invalid_grant: re-authentication required; client
// credentials rejected; the rotated tokens could not be stored) fail every
// waiting and later request at once - no retry loop - and are told once to
// every listener, so that the run stops with that reason instead of
// failing record after record. invalid_grant is also recorded in the token
// file (`status` and `auth status` read it there).
//
// Messages:
//   (token_atom) -> bearer_reply          a token to send a request with now
//   (token_atom, uint64 generation) -> bearer_reply
//                                  the request sent with that generation got
//                                  HTTP 401: a token to retry with (after a
//                                  refresh, unless a newer one exists)
//   (auth_atom, auth_listener_actor)  tell this actor (auth_atom, error)
//                                     when the login ends for good
//   (stats_atom) -> token_stats
//   (http_atom, uint64, http_result)  internal: the token endpoint answered
//   (retry_atom, uint64)              internal: try the file lock again
//   (tick_atom)                       internal: a backoff timer of the
//                                     session ended

#include "actors/fault_injection.hpp"
#include "actors/messages.hpp"
#include "protocol/jira/oauth.hpp"
#include "storage/token_store.hpp"
#include "sync/oauth_session.hpp"

#include <caf/typed_actor.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

namespace jirasync::actors {

/// Who hears that the OAuth login ended for good (the sync coordinator).
using auth_listener_actor
  = caf::typed_actor<caf::reacts_to<auth_atom, common::error>>;

using token_keeper_actor = caf::typed_actor<
  caf::replies_to<token_atom>::with<bearer_reply>,
  caf::replies_to<token_atom, std::uint64_t>::with<bearer_reply>,
  caf::reacts_to<auth_atom, auth_listener_actor>,
  caf::replies_to<stats_atom>::with<token_stats>,
  caf::reacts_to<http_atom, std::uint64_t, protocol::http_result>,
  caf::reacts_to<retry_atom, std::uint64_t>, caf::reacts_to<tick_atom>>;

/// Sends one request to the token endpoint; `done` is called exactly once,
/// from any thread. Default (make_token_keeper_options): the run's
/// http_client.
using token_transport = std::function<void(
  protocol::http_request, std::function<void(protocol::http_result)> done)>;

struct token_keeper_options {
  /// The token file's content when the run starts (nullopt: never logged
  /// in - every request fails with the re-authentication message).
  std::optional<storage::oauth_token_set> stored;
  /// Where the tokens live (<storage.path>).
  std::filesystem::path store_dir;
  /// Client id, secret, auth_url of the refresh_token grant. Never logged.
  protocol::oauth_client oauth;
  /// When to refresh, transient retries. Default: oauth_session_options{}.
  sync::oauth_session_options session;
  /// Required: how a refresh request goes out.
  token_transport transport;
  /// The time (ms since the epoch) the session reasons with. Default: the
  /// system clock.
  std::function<std::int64_t()> now;
  /// Giving up on the token file's lock (another jirasync process keeps
  /// it): the refresh counts as a transient failure. Default: 30 s.
  std::chrono::milliseconds lock_timeout = std::chrono::seconds(30);
  /// Between two tries of the lock. Default: 20 ms.
  std::chrono::milliseconds lock_poll = std::chrono::milliseconds(20);
  /// Test seam (fault_injection.hpp). Default: none.
  fault_hook fault;
  /// Run on a thread of its own (blocking file I/O). Tests under CAF's
  /// deterministic scheduler set false. Default: true.
  bool detached = true;
};

/// Spawns the keeper (detached unless options.detached is false).
token_keeper_actor spawn_token_keeper(caf::actor_system& sys,
                                      token_keeper_options options);

} // namespace jirasync::actors
