#pragma once
// users_actor: step 1 of a sync. Pages GET /users/search, writes every user
// record (one store batch per page) and answers the ACL universe (active
// "atlassian" accounts, sorted).
//
// Messages:
//   (run_atom) -> users_result

#include "actors/sync_env.hpp"

#include <caf/fwd.hpp>

namespace jirasync::actors {

caf::actor spawn_users_actor(caf::actor_system& sys, sync_env_ptr env);

} // namespace jirasync::actors
