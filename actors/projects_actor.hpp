#pragma once
// projects_actor: step 3 of a sync. Pages GET /project/search?expand=lead
// and applies the sync filters (sync::project_in_scope): projects out of
// scope are never looked at again.
//
// Messages:
//   (run_atom) -> projects_reply   the projects in scope, or the error that
//                                  stopped the step

#include "actors/messages.hpp"

#include <caf/typed_actor.hpp>

namespace jirasync::actors {

using projects_actor
  = caf::typed_actor<caf::replies_to<run_atom>::with<projects_reply>>;

projects_actor spawn_projects_actor(caf::actor_system& sys, sync_env_ptr env);

} // namespace jirasync::actors
