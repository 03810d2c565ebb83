#pragma once
// roles_actor: step 4 of a sync, per project: the project roles and their
// actors (GET /project/{key}/role, /role/{id}), the BROWSE_PROJECTS grants of
// the project's permission scheme (each scheme fetched ONCE per run and
// shared by the projects using it) and the issue security levels with
// their members (each security scheme fetched once too). Several projects
// may be in progress at the same time.
//
// Messages:
//   (run_atom, protocol::jira_project) -> access_result

#include "actors/sync_env.hpp"

#include <caf/fwd.hpp>

namespace jirasync::actors {

caf::actor spawn_roles_actor(caf::actor_system& sys, sync_env_ptr env);

} // namespace jirasync::actors
