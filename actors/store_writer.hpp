#pragma once
// store_writer: the only actor that writes the RocksDB store. One apply()
// per write_job (a page of records + ACLs + feed + checkpoint in ONE
// WriteBatch), blob adoption for downloaded attachments (with the text of
// text/* attachments read on the way), and run totals. It runs DETACHED,
// on a thread of its own: a commit with sync=true, a rename or a file read
// may take a while, and the scheduler threads keep moving meanwhile.
// Writes are strictly serialized, which is what RocksDB wants.
//
// Messages:
//   (write_atom, write_job) -> write_reply   (the store's error on failure:
//                                             nothing of the batch written)
//   (adopt_atom, adopt_job) -> adopt_reply   (the text when asked for)
//   (discard_atom, path)    -> void: removes a temp file that will not be
//                              adopted (a failed download); best effort,
//                              leftovers go with the unreferenced blobs
//   (read_atom, read_job)   -> read_reply: runs a read of the store after
//                              the writes received before it
//   (stats_atom)            -> store_totals

#include "actors/fault_injection.hpp"
#include "actors/messages.hpp"

#include <caf/typed_actor.hpp>

#include <filesystem>
#include <memory>

namespace jirasync::actors {

using store_writer_actor
  = caf::typed_actor<caf::replies_to<write_atom, write_job>::with<write_reply>,
                     caf::replies_to<adopt_atom, adopt_job>::with<adopt_reply>,
                     caf::replies_to<read_atom, read_job>::with<read_reply>,
                     caf::reacts_to<discard_atom, std::filesystem::path>,
                     caf::replies_to<stats_atom>::with<store_totals>>;

/// `fault`: test seam (fault_injection.hpp); empty in production.
store_writer_actor spawn_store_writer(caf::actor_system& sys,
                                      std::shared_ptr<storage::store> db,
                                      fault_hook fault = {});

} // namespace jirasync::actors
