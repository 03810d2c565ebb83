#pragma once
// attachment_downloader: a pool of `downloads_parallel` download slots (a
// bound on open files; the rate_governor decides how many run at once).
// Each job streams GET /attachment/content/{id} to a temp file under the
// blob store (SHA-256 computed while streaming, by the http client), then
// has the store_writer adopt it into the content-addressed blob store (on
// the writer's own thread, never on a scheduler thread), then hands the
// content to the text_extractor (env->extractor, when set). Attachments above
// indexing.attachment_max_bytes are skipped (not downloaded, not emitted).
// Jobs beyond the pool size wait in a queue, so the number of open files
// and sockets stays bounded.
//
// Bytes in flight (issue 11): a download starts only when its attachment's
// size fits in env->download_bytes_in_flight beside the downloads running
// (sync::download_budget: the declared size, at least 64 KiB; no size from
// Jira: attachment_max_bytes), and its body may not outgrow that
// reservation. Jobs start in order, so an attachment larger than the whole
// budget waits until nothing is in flight, then runs alone: never skipped,
// never stuck.
//
// Messages:
//   (download_atom, download_job) -> download_result
//       the outcome is content, skipped, or an error naming the attachment.
//   (stats_atom) -> download_stats   the budget and the most bytes it had
//       reserved at once

#include "actors/messages.hpp"

#include <caf/typed_actor.hpp>

namespace jirasync::actors {

using attachment_downloader_actor = caf::typed_actor<
  caf::replies_to<download_atom, download_job>::with<download_result>,
  caf::replies_to<stats_atom>::with<download_stats>>;

/// `env->api` and `env->writer` must be set; env->downloader is unused.
attachment_downloader_actor spawn_attachment_downloader(caf::actor_system& sys,
                                                        sync_env_ptr env);

} // namespace jirasync::actors
