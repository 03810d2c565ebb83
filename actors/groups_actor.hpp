#pragma once
// groups_actor: step 2 of a sync. Pages GET /group/bulk, then each group's
// members (GET /group/member, a few groups in parallel), reads the
// application roles (GET /applicationrole: which groups grant a product),
// writes the group records and answers the identity directory the ACL
// resolver needs. Fail safe (docs/permissions.md): a refused group listing
// or member page (403) leaves every group without members, a refused or
// unusable /applicationrole leaves every product without groups (no group
// name is guessed); each is a gap in the directory, not an error. Other
// failures (transient after retries) fail the step: narrowing ACLs on a
// passing error is not failing safe, it is losing the last good ones.
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
