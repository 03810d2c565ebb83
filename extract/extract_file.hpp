#pragma once
// Text from one file, in process: the format is detected (extract/
// format_detect.hpp) and the text of PDF (poppler), Office Open XML (libzip
// + expat), HTML (libxml2) and plain-text files goes to a text_sink.
//
// This runs the format libraries on untrusted input: call it only in a
// process that may die (the `jirasync extract` worker that extract/worker
// starts with rlimits), never in the sync itself (which decodes plain text
// alone, through extract_without_child() in extract/runner.hpp). The limits
// below bound the work inside the extractors; the runner's rlimits bound
// the rest.
//
// Thread-safety: one call per thread at a time (poppler's error callback
// is process-global).

#include "extract/format_detect.hpp"
#include "extract/text_sink.hpp"
#include "extract/text_status.hpp"

#include <cstdint>
#include <filesystem>
#include <string>

namespace jirasync::extract {

/// Bounds on the work done inside the extractors.
struct extract_limits {
  /// Bytes of text kept (UTF-8, cut on a character boundary); extraction
  /// stops once they are reached, and the text so far counts as extracted.
  /// Default: 1 MiB (the stored-text cap of the hardening work).
  std::size_t max_text_bytes = std::size_t{1} << 20;
  /// Uncompressed bytes read from one ZIP entry (an OOXML part) before the
  /// file counts as too large. Default: 128 MiB.
  std::uint64_t max_zip_entry_bytes = std::uint64_t{128} << 20;
  /// Uncompressed bytes read from all the ZIP entries of one file.
  /// Default: 512 MiB.
  std::uint64_t max_zip_total_bytes = std::uint64_t{512} << 20;
  /// Entries in a ZIP archive. Default: 100000.
  std::uint64_t max_zip_entries = 100000;
};

struct extract_request {
  /// The file to read.
  std::filesystem::path file;
  /// Its MIME type as given (e.g. by Jira); may be empty.
  std::string mime;
  /// Its name, for the extension (a blob's path has none); empty: the
  /// file's own name.
  std::string filename;
};

/// The format extract_file() gives `req.file`: from its first 64 KiB, its
/// label and its name (detect_format); a file that cannot be read is
/// doc_format::none with status failed. Reads no more than that head.
format_guess guess_file_format(const extract_request& req);

/// Writes the text of `req.file` to `sink` (which the caller sized to
/// `limits.max_text_bytes` and finishes) and says how it went. Never throws:
/// out of memory counts as too_large, any other exception as failed.
extract_outcome extract_file(const extract_request& req,
                             const extract_limits& limits, text_sink& sink);

} // namespace jirasync::extract
