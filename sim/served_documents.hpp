#pragma once
// The real documents jira-sim serves as attachments (workspace_params::
// documents): a PDF of two pages, a Word document with a table, a workbook
// of two sheets - each with known text in a known order, ü, 中文 and emoji
// included - and two hostile files (a truncated PDF, a zip bomb dressed as
// a Word document). Their expected text goes into the truth
// (`text_contains`, `text_status`), so a connector's extracted text can be
// compared with it.
//
// Thread-safety: served_documents() builds the set once (a function-local
// static) and shares it read-only.

#include <memory>
#include <string>
#include <vector>

namespace jirasim {

struct served_document {
  std::string filename;
  std::string mime_type;
  std::shared_ptr<const std::string> bytes;
  /// Strings the extracted text contains, in this order (empty for the
  /// hostile ones).
  std::vector<std::string> known_text;
  /// The text_status a connector with default limits should record:
  /// "extracted", "failed" (truncated PDF) or "too_large" (zip bomb).
  std::string text_status;
};

/// The set, in attachment order.
const std::vector<served_document>& served_documents();

} // namespace jirasim
