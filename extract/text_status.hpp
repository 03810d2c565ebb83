#pragma once
// Why an attachment has (or has no) text: the `text_status` of the
// attachment record (docs/export-format.md), and the one-line outcome of an
// extraction.
//
// Thread-safety: plain values, pure functions.

#include <optional>
#include <string>
#include <string_view>

namespace jirasync::extract {

enum class text_status {
  /// Text was extracted (possibly empty, possibly cut at the text cap).
  extracted,
  /// A format without text (images, archives, encrypted or legacy files).
  unsupported,
  /// The content expands beyond the extraction limits (zip bomb, a part
  /// inflating past its cap, out of memory).
  too_large,
  /// The file is broken or the extractor crashed.
  failed,
  /// The CPU-time or wall-clock limit was reached.
  timeout,
  /// Not attempted: indexing of attachments is off or the file is above
  /// `attachment_max_bytes` (decided by the caller, never by the extractor).
  skipped,
};

/// The exact name used in the records: "extracted", "unsupported",
/// "too_large", "failed", "timeout", "skipped".
std::string_view to_string(text_status s);

/// The inverse of to_string; nullopt for anything else.
std::optional<text_status> parse_text_status(std::string_view s);

/// The result of one extraction: the status and, unless the text was
/// extracted in full, why (one line, e.g. "encrypted PDF: a password is
/// required", "text cut at the 1048576-byte cap").
struct extract_outcome {
  text_status status = text_status::extracted;
  std::string reason;

  static extract_outcome ok() {
    return {};
  }
  static extract_outcome fail(text_status s, std::string why) {
    return {s, std::move(why)};
  }
  bool extracted() const {
    return status == text_status::extracted;
  }

  friend bool operator==(const extract_outcome&, const extract_outcome&)
    = default;
};

} // namespace jirasync::extract
