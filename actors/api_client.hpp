#pragma once
// api_client: the HTTP bridge of the pipeline. For each api_call it asks the
// rate_governor for a permit of the request's endpoint class
// (api_request::cls), starts the request on the http_client (Asio
// threads), receives the completion back as a message, reports it to the
// governor (class, status, latency, rate-limit headers), classifies it
// (sync::assess_attempt + sync::classify) and retries or answers. Actors
// never see sockets; no scheduler thread ever blocks.
//
// - A JSON answer is parsed once, here: the check that it is whole and the
//   value the caller reads (api_response::json / parse()).
// - Retries of a 429 or of a 503 with Retry-After go straight back to the
//   governor, which holds them as long as the server said (no backoff of
//   our own on top); other transient failures back off (retry_policy).
// - Attachment content: its 303 is not followed by the http client; the
//   media download it points to is a request of its own, of class
//   media_download (not a Jira API request: no Jira bucket, no
//   Authorization header), so each hop is paced and measured as what it
//   is. A failed media download starts again at attachment content (a
//   fresh redirect and media token).
//
// OAuth mode (options.keeper set): before each attempt - before its permit,
// so that a refresh never holds one - it asks the token_keeper for the
// Bearer token and puts it in the Authorization header. A permit granted
// after the token's refresh point (a long quota wait) asks for the token
// once more and sends at once. A 401 is reported to the governor (the
// permit returns) and to the keeper with the token's generation, and the
// request goes again with the refreshed token (at most twice per call). The
// media download hop carries no token. A keeper that has no token
// (re-authentication required, ...) fails the call with its reason.
//
// Messages:
//   (api_call) -> api_reply        after permits and retries; failures are
//                                  values (api_reply holds the error)
//   (stats_atom) -> api_stats
//   (http_atom, id, http_result)   internal: a completion from the client
//   (retry_atom, id)               internal: a backoff ended

#include "actors/fault_injection.hpp"
#include "actors/messages.hpp"
#include "actors/rate_governor.hpp"
#include "actors/token_keeper.hpp"
#include "sync/retry_policy.hpp"

#include <caf/typed_actor.hpp>

#include <chrono>
#include <cstdint>
#include <memory>

namespace jirasync::actors {

using api_client_actor = caf::typed_actor<
  caf::replies_to<api_call>::with<api_reply>,
  caf::replies_to<stats_atom>::with<api_stats>,
  caf::reacts_to<http_atom, std::uint64_t, protocol::http_result>,
  caf::reacts_to<retry_atom, std::uint64_t>>;

struct api_client_options {
  sync::backoff_policy backoff;
  /// How long to wait for a permit: the governor's max_wait plus a margin
  /// (the governor refuses first). Default: 91 min.
  std::chrono::milliseconds permit_timeout = std::chrono::minutes(91);
  /// Test seam (fault_injection.hpp). Default: none.
  fault_hook fault;
  /// OAuth mode: where the Bearer tokens come from. Default: none (API-token
  /// mode: the requests carry their Authorization header already).
  token_keeper_actor keeper;
  /// How long to wait for a token: a refresh with its retries and the
  /// token file's lock. Default: 10 min.
  std::chrono::milliseconds token_timeout = std::chrono::minutes(10);
};

api_client_actor spawn_api_client(caf::actor_system& sys,
                                  std::shared_ptr<protocol::http_client> client,
                                  rate_governor_actor governor,
                                  api_client_options options);

} // namespace jirasync::actors
