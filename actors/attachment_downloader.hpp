#pragma once
// attachment_downloader: a pool of `downloads_parallel` download slots.
// Each job streams GET /attachment/content/{id} to a temp file under the
// blob store (SHA-256 computed while streaming, by the http client), keeps
// the text of text/* attachments, and hands the file to store_writer for
// adoption into the content-addressed blob store. Attachments above
// indexing.attachment_max_bytes are skipped (not downloaded, not emitted).
// Jobs beyond the pool size wait in a queue, so the number of open files and
// sockets stays bounded.
//
// Messages:
//   (download_atom, download_job) -> download_result

#include "actors/sync_env.hpp"

#include <caf/fwd.hpp>

namespace jirasync::actors {

/// `env->api` and `env->writer` must be set; env->downloader is unused.
caf::actor spawn_attachment_downloader(caf::actor_system& sys,
                                       sync_env_ptr env);

} // namespace jirasync::actors
