// PDF text through poppler-cpp: each page's text in reading order
// (poppler's non-raw, non-physical layout: columns read one after the
// other, lines in order), pages separated by a blank line. poppler repairs
// what it can (a missing or broken cross-reference table is rebuilt by
// scanning the file); a file it cannot open at all, or whose pages all
// fail, is failed; an encrypted file that needs a password is unsupported.
// poppler-cpp offers no limits of its own: the runner's rlimits bound it.
#include "extract/formats.hpp"

#include <poppler-document.h>
#include <poppler-global.h>
#include <poppler-page.h>

#include <memory>

namespace jirasync::extract {

namespace {

/// poppler's diagnostics, kept for the reason instead of going to stderr.
struct pdf_diagnostics {
  std::string first;
  std::size_t count = 0;

  static void collect(const std::string& msg, void* self) {
    auto* me = static_cast<pdf_diagnostics*>(self);
    if (me->count++ == 0)
      me->first = msg.substr(0, 200);
  }
};

/// Installs the collector for the scope of one extraction.
class diagnostics_scope {
public:
  explicit diagnostics_scope(pdf_diagnostics& d) {
    poppler::set_debug_error_function(&pdf_diagnostics::collect, &d);
  }
  ~diagnostics_scope() {
    poppler::set_debug_error_function(&ignore, nullptr);
  }
  diagnostics_scope(const diagnostics_scope&) = delete;
  diagnostics_scope& operator=(const diagnostics_scope&) = delete;

private:
  static void ignore(const std::string&, void*) {
    // nop
  }
};

std::string with_diagnostic(std::string reason, const pdf_diagnostics& d) {
  if (!d.first.empty())
    reason += " (poppler: " + d.first + ")";
  return reason;
}

} // namespace

extract_outcome extract_pdf(const std::filesystem::path& file,
                            text_sink& sink) {
  pdf_diagnostics diag;
  diagnostics_scope scope{diag};
  std::unique_ptr<poppler::document> doc{
    poppler::document::load_from_file(file.string())};
  if (!doc)
    return extract_outcome::fail(text_status::failed,
                                 with_diagnostic("not a readable PDF", diag));
  if (doc->is_locked())
    return extract_outcome::fail(text_status::unsupported,
                                 "encrypted PDF: a password is required");
  int pages = doc->pages();
  if (pages <= 0)
    return extract_outcome::fail(text_status::failed,
                                 with_diagnostic("a PDF without pages", diag));
  int unreadable = 0;
  for (int i = 0; i < pages && !sink.full(); ++i) {
    std::unique_ptr<poppler::page> page{doc->create_page(i)};
    if (!page) {
      ++unreadable;
      continue;
    }
    auto text
      = page->text(poppler::rectf{}, poppler::page::non_raw_non_physical_layout)
          .to_utf8();
    // Each line of the page as a line of the text; trailing blanks and
    // empty lines (layout artefacts) dropped.
    std::string_view all{text.data(), text.size()};
    while (!all.empty()) {
      auto nl = all.find('\n');
      auto line = all.substr(0, nl);
      while (
        !line.empty()
        && (line.back() == ' ' || line.back() == '\r' || line.back() == '\f'))
        line.remove_suffix(1);
      if (!line.empty()) {
        sink.text(line);
        sink.line();
      }
      if (nl == std::string_view::npos)
        break;
      all.remove_prefix(nl + 1);
    }
    sink.paragraph();
  }
  if (unreadable == pages)
    return extract_outcome::fail(
      text_status::failed,
      with_diagnostic("no page of the PDF could be read", diag));
  return extract_outcome::ok();
}

} // namespace jirasync::extract
