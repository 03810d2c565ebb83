#pragma once
// `jirasync export` as a library: streams the store as JSON Lines (the export
// format of docs/export-format.md) into a line sink, in constant memory (apart
// from the set of ACL ids already emitted, one entry per distinct ACL).
//
// Snapshot order (no --since):
//   1. users (account id order), 2. groups (id order),
//   3. per project in project id order: the project, then its issues in issue
//      id order, each issue immediately followed by its comments (id order)
//      and then its attachments (id order),
//   4. issues whose project record is not stored (same shape), by project id.
// Every ACL line comes once, right before the first emitted record naming it.
//
// Thread-safety: functions touch only their arguments; the store may be used
// concurrently (see store.hpp).

#include "storage/store.hpp"

#include <cstdint>
#include <functional>
#include <string_view>

namespace jirasync::storage {

/// The [indexing] filters: what is emitted (not what is stored).
struct export_filters {
  /// Default: true.
  bool issues = true;
  /// Default: true.
  bool comments = true;
  /// Default: true.
  bool attachments = true;
  /// Attachments whose size exceeds this are not emitted. Default: 52428800.
  std::int64_t attachment_max_bytes = 52428800;
};

/// Receives one line (no newline); returns false to stop the export early.
using line_sink = std::function<bool(std::string_view line)>;

struct export_stats {
  /// Lines emitted (ACL lines included).
  std::uint64_t lines = 0;
  /// Records left out by the indexing filters.
  std::uint64_t filtered = 0;
};

/// Every live record (see the order above).
common::result<export_stats>
export_snapshot(store& db, const export_filters& filters, const line_sink& out);

/// The change feed after `since_seq` (`{"seq":N,"op":...,"record":...}`).
/// Filtered-out record types (and attachments over the size limit) are left
/// out; ACL lines and deletes of emitted types are always kept.
common::result<export_stats> export_feed(store& db, std::uint64_t since_seq,
                                         const export_filters& filters,
                                         const line_sink& out);

} // namespace jirasync::storage
