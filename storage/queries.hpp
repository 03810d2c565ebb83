#pragma once
// The read-only questions the CLI asks the store: who may see a record
// (`jirasync who-can-see`) and the store's state (`jirasync status`).
//
// Thread-safety: functions touch only their arguments.

#include "storage/store.hpp"

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace jirasync::storage {

/// Opens the store at `path` read-only for the query commands (works while a
/// sync holds the store). A missing store gives common::errc::not_found with
/// the message "no store at PATH: run jirasync sync first".
common::result<std::unique_ptr<store>>
open_for_reading(const std::filesystem::path&);

/// A parsed RECORD argument: `issue:<id or key>`, `comment:<id>`,
/// `attachment:<id>`.
struct record_ref {
  record_type type = record_type::issue;
  std::string id_or_key;
};

/// nullopt when `text` is not one of the three forms (or the id is empty).
std::optional<record_ref> parse_record_ref(std::string_view text);

/// The ACL of the referenced record; nullopt when the record is unknown.
/// Issues are looked up by id first, then by key.
common::result<std::optional<acl_record>> acl_of_record(store& db,
                                                        const record_ref& ref);

/// Everything `jirasync status --json` prints:
/// {"path","schema_version","last_seq","counts":{type: n},
///  "last_sync": sync_checkpoint|null, "projects":[project_checkpoint...]}.
common::result<boost::json::object> status_json(store& db);

/// The human-readable rendering of status_json() (ends with a newline).
std::string status_text(const boost::json::object& status);

} // namespace jirasync::storage
