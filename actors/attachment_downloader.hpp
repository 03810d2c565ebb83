#pragma once
// attachment_downloader: a pool of `downloads_parallel` download slots (a
// bound on open files; the rate_governor decides how many run at once).
// Each job streams GET /attachment/content/{id} to a temp file under the
// blob store (SHA-256 computed while streaming, by the http client), then
// has the store_writer adopt it into the content-addressed blob store,
// reading the text of text/* attachments on the way (both on the writer's
// own thread, never on a scheduler thread). Attachments above
// indexing.attachment_max_bytes are skipped (not downloaded, not emitted).
// Jobs beyond the pool size wait in a queue, so the number of open files
// and sockets stays bounded.
//
// Messages:
//   (download_atom, download_job) -> download_result
//       the outcome is content, skipped, or an error naming the attachment.

#include "actors/messages.hpp"

#include <caf/typed_actor.hpp>

namespace jirasync::actors {

using attachment_downloader_actor = caf::typed_actor<
  caf::replies_to<download_atom, download_job>::with<download_result>>;

/// `env->api` and `env->writer` must be set; env->downloader is unused.
attachment_downloader_actor spawn_attachment_downloader(caf::actor_system& sys,
                                                        sync_env_ptr env);

} // namespace jirasync::actors
