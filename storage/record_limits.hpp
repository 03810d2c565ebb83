#pragma once
// The size policy of stored records: what the store accepts it can read
// back, and what it exports stays within bounds any JSON consumer handles.
// Records are checked when they are built (sync/page_builder: a record
// beyond a limit fails alone, named, with the field) and again by
// store::apply() (a record that would not read back fails the batch: a
// programming error, never expected).
//
// Depth counts JSON arrays and objects: the record object itself is level
// 1, its custom_fields object level 2, a custom field's array level 3.
//
// Thread-safety: constants and pure functions.

#include "common/error.hpp"
#include "storage/records.hpp"

#include <boost/json/parse_options.hpp>
#include <boost/json/value.hpp>

#include <cstddef>
#include <optional>
#include <string>

namespace jirasync::storage {

/// Deepest nesting of a record written to the store (and exported).
inline constexpr std::size_t record_max_depth = 64;

/// Longest string value (bytes) of a record. The ADF converter caps
/// Markdown at 8 MiB and attachment text is capped at
/// indexing.attachment_text_max_bytes, so only hostile values (a 10 MB
/// summary or custom field) reach it.
inline constexpr std::size_t record_max_string_bytes = std::size_t{8} << 20;

/// Most elements of one array (labels, a multi-value custom field, group
/// members are exempt: see check_record).
inline constexpr std::size_t record_max_array_size = 100'000;

/// Largest serialized stored record (bytes).
inline constexpr std::size_t record_max_bytes = std::size_t{32} << 20;

/// Depth bound the store READS records (and the feed) with: above
/// record_max_depth so that records written by earlier versions (whose
/// only bound was the 2,000 levels of incoming JSON) stay readable and can
/// be replaced, exported and deleted.
inline constexpr std::size_t record_read_max_depth = 2048;

/// The parse options of every stored-record read (store, export, feed).
boost::json::parse_options record_parse_options();

/// Where a value breaks the limits: the dotted path inside the record
/// (`custom_fields.Deep[0][0]`) and what is wrong.
struct limit_violation {
  std::string field;
  std::string message;
};

/// The first violation of the depth, string and array limits in `v` (a
/// record's stored JSON, level 1); nullopt when within. Never recurses
/// deeper than record_max_depth + 1.
std::optional<limit_violation> check_value(const boost::json::value& v);

/// Checks a record before it is written: the limits above on its stored
/// JSON plus its serialized size, and that the serialized form reads back
/// into an equal record. The error (invalid_input) names the record
/// (`issue ABC-1`, `comment 7`) and the field. Group member lists are
/// bounded by record_max_bytes only.
common::result<void> check_record(const any_record& r);

/// How a failure names a record: "issue ABC-1" (key when known, else id),
/// "comment 7", "attachment 5 (a.pdf)", "user ...".
std::string record_name(const any_record& r);

} // namespace jirasync::storage
