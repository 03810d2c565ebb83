#pragma once
// Which extractor a file goes to, from its magic bytes first, then its MIME
// type, then its file name's extension; and, for a file that gets none, the
// status and the reason. A label never overrides the content: a PDF
// labelled text/plain is read as a PDF, and binary data labelled
// text/plain is not text.
//
// Thread-safety: pure functions.

#include "extract/text_status.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace jirasync::extract {

enum class doc_format {
  pdf,
  /// A ZIP archive: Office Open XML when its package says so (decided when
  /// it is opened: docx, xlsx or pptx from the main part's content type).
  zip,
  html,
  /// Plain text (Markdown, CSV, JSON, XML, source code, text/*): as is.
  text,
  /// No extractor: see `status` and `reason`.
  none,
};

struct format_guess {
  doc_format format = doc_format::none;
  /// For doc_format::none: unsupported (a type without text), or failed
  /// (the content contradicts the label: a "PDF" without a PDF header).
  text_status status = text_status::unsupported;
  std::string reason;
};

/// `mime`: the MIME type as given (parameters and case ignored; may be
/// empty); `filename`: the attachment's name (for its extension; may be
/// empty); `head`: the file's first bytes (at least 1 KiB when the file is
/// that long); `size`: the file's size in bytes.
format_guess detect_format(std::string_view mime, std::string_view filename,
                           std::string_view head, std::uint64_t size);

/// "application/pdf" from " Application/PDF; x=y": lower case, no
/// parameters, no surrounding blanks.
std::string normalize_mime(std::string_view mime);

} // namespace jirasync::extract
