#pragma once
// groups_actor: step 2 of a sync. Pages GET /group/bulk, then each group's
// members (GET /group/member, a few groups in parallel), reads the
// application roles (GET /applicationrole: which groups grant a product),
// writes the group records and answers the identity directory the ACL
// resolver needs.
//
// Messages:
//   (run_atom, users_result) -> groups_result

#include "actors/sync_env.hpp"

#include <caf/fwd.hpp>

namespace jirasync::actors {

caf::actor spawn_groups_actor(caf::actor_system& sys, sync_env_ptr env);

} // namespace jirasync::actors
