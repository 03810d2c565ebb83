#pragma once
// api_client: the HTTP bridge of the pipeline. For each api_call it asks the
// rate_governor for a permit, starts the request on the http_client (Asio
// threads), receives the completion back as a message, reports it to the
// governor, classifies it (sync::classify) and retries with backoff or
// answers. Actors never see sockets; no scheduler thread ever blocks.
//
// Messages:
//   (api_call) -> api_reply   (after permits and retries; never an error
//                              message: failures are api_reply{ok=false})
//   (stats_atom) -> api_stats

#include "actors/messages.hpp"
#include "sync/retry_policy.hpp"

#include <caf/fwd.hpp>

#include <memory>

namespace jirasync::actors {

caf::actor spawn_api_client(caf::actor_system& sys,
                            std::shared_ptr<protocol::http_client> client,
                            caf::actor governor, sync::backoff_policy backoff);

} // namespace jirasync::actors
