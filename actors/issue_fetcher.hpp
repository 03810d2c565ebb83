#pragma once
// issue_fetcher: step 5, one per project. Lists the project's issue ids page
// by page (POST /search/jql, fields=id, big pages, the sync filters' date
// bounds in the JQL in the API user's time zone), fetches details with
// POST /issue/bulkfetch 100 ids at a time (a bounded number of chunks in
// parallel), takes comments from the embedded page and pages
// /issue/{id}/comment only when an issue has more, has the attachments
// downloaded by the attachment_downloader pool, then writes the chunk
// (issues + comments + attachments + ACLs + the project's checkpoint) in
// ONE store batch built by sync::build_page. The next id page is fetched
// only when the chunks of the previous one have drained, so memory stays
// flat for any project size.
//
// A failed bulkfetch fails its issues, a failed comment page fails its
// issue, a failed download fails its attachment - each named in
// fetch_result::failures; a failed id search fails the project ("project
// KEY").
//
// Messages:
//   (run_atom) -> fetch_result
//   sends (progress_atom, progress_delta) to `parent` after each chunk.

#include "actors/messages.hpp"

#include <caf/typed_actor.hpp>

namespace jirasync::actors {

/// Where a fetcher reports its progress (the coordinator).
using progress_sink_actor
  = caf::typed_actor<caf::reacts_to<progress_atom, progress_delta>>;

using issue_fetcher_actor
  = caf::typed_actor<caf::replies_to<run_atom>::with<fetch_result>>;

issue_fetcher_actor
spawn_issue_fetcher(caf::actor_system& sys, sync_env_ptr env,
                    protocol::jira_project project,
                    std::shared_ptr<const sync::project_access> access,
                    std::shared_ptr<const sync::identity_directory> dir,
                    progress_sink_actor parent);

} // namespace jirasync::actors
