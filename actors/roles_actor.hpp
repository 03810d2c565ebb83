#pragma once
// roles_actor: step 4 of a sync, per project: the project roles and their
// actors (GET /project/{key}/role, /role/{id}), the BROWSE_PROJECTS grants of
// the project's permission scheme (each scheme fetched ONCE per run and
// shared by the projects using it) and the issue security levels with
// their members (each security scheme fetched once too). Several projects
// may be in progress at the same time.
//
// Fail safe (docs/permissions.md): a part Jira refuses (403: no Administer
// Jira / Administer projects) is marked unknown in the answer with its gap
// (the project is then degraded, its ACLs narrower); any other error
// (transient after retries, an unusable answer) fails the project, so
// that its stored records keep their last good ACLs.
//
// Messages:
//   (run_atom, protocol::jira_project) -> access_reply
//       the project's access, or the first non-refusal error that kept it
//       from being read (the project then fails; the run goes on without
//       it)

#include "actors/messages.hpp"

#include <caf/typed_actor.hpp>

namespace jirasync::actors {

using roles_actor = caf::typed_actor<
  caf::replies_to<run_atom, protocol::jira_project>::with<access_reply>>;

roles_actor spawn_roles_actor(caf::actor_system& sys, sync_env_ptr env);

} // namespace jirasync::actors
