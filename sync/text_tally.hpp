#pragma once
// What the extraction of attachment texts did in one sync: the stored form
// of one extraction (storage::attachment_text, keyed by the content's
// sha256), and the run's tally of them for the summary and `status` -
// counts by text_status, contents whose text was known already, the
// throughput of the extraction children, and every content left without
// text, named.
//
// A content without text (failed, timeout, too_large, unsupported) is not
// a failed record: the attachment record and its blob are stored; the file
// does not yield text. It is listed, never turned into exit code 3.
//
// Thread-safety: plain values, pure functions.

#include "common/error.hpp"
#include "extract/runner.hpp"
#include "storage/records.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace jirasync::sync {

/// The stored text of content `sha256` from how its extraction ended.
storage::attachment_text to_attachment_text(std::string sha256,
                                            const extract::extraction& e);

/// A text decided without a child, with `reason`: skipped (text extraction
/// off: indexing.attachment_text_max_bytes = 0), or what the format
/// detection (extract/format_detect.hpp) says of a content no extractor
/// takes (unsupported; failed for a label the content contradicts).
storage::attachment_text decided_text(std::string sha256,
                                      extract::text_status status,
                                      std::string reason);

struct text_tally {
  /// Contents extracted in this run (a child ran, or the outcome was
  /// decided without one), by text_status name.
  std::map<std::string, std::uint64_t> by_status;
  /// Contents whose text a previous run stored: nothing done.
  std::uint64_t known = 0;
  /// Extracted contents whose text is not empty.
  std::uint64_t with_text = 0;
  /// Bytes of the files handed to extraction children, and their wall time
  /// summed (the throughput figure: input_bytes / child_ms).
  std::uint64_t input_bytes = 0;
  std::int64_t child_ms = 0;
  /// Bytes of text extracted.
  std::uint64_t text_bytes = 0;
  /// Contents that should have text and gave none in this run (failed,
  /// timeout, too_large; not unsupported or skipped, which are only
  /// counted): record "attachment <id> (<filename>)", message "<status>:
  /// <reason>". Not failures.
  std::vector<common::error> without_text;

  /// Counts `t` (the text of the content that attachment `name` has),
  /// extracted from `input_bytes` bytes in `child_ms` ms (0, 0 when no
  /// child ran).
  void add(const storage::attachment_text& t, const std::string& name,
           std::uint64_t input_bytes, std::int64_t child_ms);
  /// Contents extracted in this run (all statuses).
  std::uint64_t run() const;
  /// MB/s (10^6 bytes) over the children's wall time; nullopt when no
  /// child ran.
  std::optional<double> throughput_mb_s() const;

  friend bool operator==(const text_tally&, const text_tally&) = default;
};

/// The summary line, e.g. "attachment text: 12 extracted (10 with text),
/// 1 failed, 1 timeout; 93 known from earlier runs; 4.1 MB extracted in
/// 1.2 s (3.4 MB/s)". "attachment text: nothing to extract" when nothing
/// was seen.
std::string describe(const text_tally& t);

/// Counters for the run checkpoint (`jirasync status`): "texts_<status>"
/// per status, "texts_known", "texts_with_text", "texts_input_bytes",
/// "texts_child_ms".
std::map<std::string, std::int64_t> text_counters(const text_tally& t);

} // namespace jirasync::sync
