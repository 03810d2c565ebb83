#pragma once
// projects_actor: step 3 of a sync. Pages GET /project/search?expand=lead
// and applies the sync filters (project keys in / not in): projects out of
// scope are never looked at again.
//
// Messages:
//   (run_atom) -> projects_result

#include "actors/sync_env.hpp"

#include <caf/fwd.hpp>

namespace jirasync::actors {

caf::actor spawn_projects_actor(caf::actor_system& sys, sync_env_ptr env);

/// The sync filter on project keys (pure; exposed for tests).
bool project_in_scope(const config::filters_config& filters,
                      const std::string& key);

} // namespace jirasync::actors
