#pragma once
// users_actor: step 1 of a sync. Pages GET /users/search, writes every user
// record (one store batch per page) and answers the ACL universe (active
// "atlassian" accounts, sorted) with the count of hidden-email users. A
// refusal of users/search (403, no "Browse users and groups") is not an
// error: the answer then carries the gap and the API user as the universe
// (fail safe, docs/permissions.md).
//
// Messages:
//   (run_atom) -> users_reply   the universe, or the error that stopped the
//                               step (the run fails with it)

#include "actors/messages.hpp"

#include <caf/typed_actor.hpp>

namespace jirasync::actors {

using users_actor
  = caf::typed_actor<caf::replies_to<run_atom>::with<users_reply>>;

users_actor spawn_users_actor(caf::actor_system& sys, sync_env_ptr env);

} // namespace jirasync::actors
