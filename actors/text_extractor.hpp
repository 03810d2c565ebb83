#pragma once
// text_extractor: the text of every attachment content the sync stored,
// extracted out of process (`jirasync extract --worker`, extract/worker.hpp:
// CPU, wall-clock, memory and output limits) by a small pool of workers —
// each with one long-lived extraction process, replaced after a crash, a
// limit or 256 files — and stored ONCE per content
// (storage::attachment_text, keyed by sha256) through the store_writer.
//
// Same content, same work: a content is extracted once per store. Jobs for
// a sha256 seen before in the run are dropped; a worker first looks the
// text up in the store and runs no child when a previous run stored it
// (counted as known). A crash, a timeout or a zip bomb costs that content
// its text alone (its text_status says why); the sync goes on. Plain text
// (no format library, only jirasync's own bounded decoder) is decoded by
// the worker itself, without a child (extract::extract_without_child).
//
// Threads: the manager is an event-based actor that never blocks; each
// worker is DETACHED (a thread of its own) because an extraction blocks
// up to the wall-clock limit. Every request to a worker has a finite
// timeout (the runner's wall limit + a grace) and an error handler.
//
// Messages:
//   (extract_atom, text_job)  -> void   queue the content of an attachment
//                                       whose blob is stored
//   (drain_atom) -> sync::text_tally    answered once every queued content
//       is done and its text written. The first drain also looks for stored
//       attachments whose content has no text yet (a run killed before its
//       texts were written, stores made by earlier versions) and extracts
//       them too. Texts that could not be WRITTEN are failures (the store
//       failed): they are in `failures` of the answer, named.
#include "actors/messages.hpp"
#include "actors/store_writer.hpp"
#include "extract/runner.hpp"
#include "sync/text_tally.hpp"

#include <caf/typed_actor.hpp>

#include <chrono>
#include <memory>

namespace jirasync::actors {

struct text_job {
  std::string sha256;
  std::string mime_type;
  std::string filename;
  std::int64_t size_bytes = 0;
  /// How the summary names it: "attachment 10020 (report.pdf)".
  std::string name;
};

/// The drain's answer.
struct text_report {
  sync::text_tally tally;
  /// Texts that could not be stored (a store failure), each named.
  std::vector<common::error> failures;
};

struct text_extractor_options {
  std::shared_ptr<storage::store> db;
  store_writer_actor writer;
  /// The child's command and limits (the text cap is
  /// indexing.attachment_text_max_bytes). jirasync_bin must be set.
  extract::runner_options runner;
  /// Workers (extraction processes at once), >= 1. Default: 2.
  int workers = 2;
  /// Text extraction is off (indexing.attachment_text_max_bytes = 0):
  /// every content gets text_status skipped without a child.
  bool text_off = false;
  /// A store write of texts. Default: 10 min.
  std::chrono::milliseconds store_timeout = std::chrono::minutes(10);
  /// Texts written per store batch at most. Default: 32.
  std::size_t batch = 32;
  /// Bytes of text waiting for their store write beyond which a batch is
  /// written at once and no worker gets a new job until it is: the text in
  /// flight stays below about twice this plus one text cap per worker.
  /// A batch's write holds several copies of its texts at once (their
  /// stored JSON, the batch, one feed line per attachment, the memtable),
  /// so this bounds a peak of the sync's memory: at 8 MiB one write could
  /// hold tens of MB. Default: 2 MiB.
  std::size_t max_pending_bytes = std::size_t{2} << 20;
  /// Attachments the first drain looks at for a missing text. Default:
  /// 100000.
  std::size_t backfill_max = 100000;
  fault_hook fault;
};

using text_extractor_actor
  = caf::typed_actor<caf::reacts_to<extract_atom, text_job>,
                     caf::replies_to<drain_atom>::with<text_report>>;

text_extractor_actor spawn_text_extractor(caf::actor_system& sys,
                                          text_extractor_options opts);

} // namespace jirasync::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jirasync::actors::text_job)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jirasync::actors::text_report)
