#pragma once
// issue_fetcher: step 5, one per project. Its plan (sync::plan_project)
// says full or incremental:
// - full: the high-water mark (most recent `updated`) is taken first (not
//   when resuming an interrupted pass), then every issue id is listed
//   (ORDER BY id, 5,000 a page) and fetched after the resume point;
// - incremental: the changes (`updated >= mark - overlap`, ORDER BY
//   updated, id) are fetched, then every id is listed (ids only) for the
//   reconciliation - a project with more than `reconcile_range_ids` stored
//   ids in id ranges listed at the same time (sync/id_ranges.hpp; a 400 to
//   a range query: listed again in one chain, logged once).
// Each id-ordered listing page is diffed with the stored ids: listed but
// not stored is fetched, stored but not listed is confirmed with bulkfetch
// (404 or out of scope -> removed); in the reconciliation those candidates
// are confirmed only once every range was listed to its end. An issue whose
// project is another one of the run's scope (`scope`) is written with that
// project's ACL. Details come with POST /issue/bulkfetch 100 ids at a time (a
// bounded number of chunks in parallel), takes comments from the embedded page
// and pages /issue/{id}/comment only when an issue has more, has the
// attachments downloaded by the attachment_downloader pool, then writes the
// chunk (issues + comments + attachments + ACLs + the project's checkpoint) in
// ONE store batch built by sync::build_page, with the removals and the
// stored comments/attachments the issues no longer have. Batches are
// written strictly in listing order, one after the other; each carries the
// project checkpoint = the low-water mark over the committed prefix
// (sync::low_water_mark), so a killed run resumes without loss. The next
// id page is fetched only when its ids have been cut into chunks; at most
// `bulk_parallel` chunks are fetched or waiting to be written.
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
#include "sync/issue_scope.hpp"

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
                    std::shared_ptr<const sync::scope_map> scope,
                    std::shared_ptr<const sync::identity_directory> dir,
                    progress_sink_actor parent);

} // namespace jirasync::actors
