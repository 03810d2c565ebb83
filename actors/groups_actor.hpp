#pragma once
// groups_actor: step 2 of a sync. Pages GET /group/bulk, then each group's
// members (GET /group/member, a few groups in parallel), reads the
// application roles (GET /applicationrole: which groups grant a product;
// without it Atlassian's default product groups), writes the group records
// and answers the identity directory the ACL resolver needs.
//
// Messages:
//   (run_atom, users_result) -> groups_reply   the directory (built on the
//                                              users' universe), or the
//                                              error that stopped the step

#include "actors/messages.hpp"

#include <caf/typed_actor.hpp>

namespace jirasync::actors {

using groups_actor = caf::typed_actor<
  caf::replies_to<run_atom, users_result>::with<groups_reply>>;

groups_actor spawn_groups_actor(caf::actor_system& sys, sync_env_ptr env);

} // namespace jirasync::actors
