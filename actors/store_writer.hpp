#pragma once
// store_writer: the only actor that writes the RocksDB store. One apply()
// per write_job (a page of records + ACLs + feed + checkpoint in ONE
// WriteBatch), blob adoption for downloaded attachments, and run totals.
// apply() runs on this actor's scheduler thread: it is short (one batch)
// and strictly serialized, which is exactly what RocksDB wants.
//
// Messages:
//   (write_atom, write_job) -> write_reply
//   (adopt_atom, adopt_job) -> write_reply
//   (stats_atom)            -> store_totals

#include "actors/messages.hpp"

#include <caf/fwd.hpp>

#include <memory>

namespace jirasync::actors {

caf::actor spawn_store_writer(caf::actor_system& sys,
                              std::shared_ptr<storage::store> db);

} // namespace jirasync::actors
