#pragma once
// An Office Open XML package (ECMA-376 Part 2, Open Packaging Conventions)
// over a zip_archive: the content type of each part, the relationships of
// a part with their targets resolved to part names, and the main document
// (the package's officeDocument relationship). Also the base of the part
// readers: markup-compatibility fallbacks (mc:Fallback, a second copy of
// what mc:Choice holds) are skipped there once for all of them.
//
// Thread-safety: one package per thread.

#include "extract/xml_stream.hpp"
#include "extract/zip_archive.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace jirasync::extract {

struct relationship {
  std::string id;
  /// The type URI's last segment: "officeDocument", "header", "slide", ...
  std::string type;
  /// The target as a part name ("word/header1.xml"); empty when external.
  std::string target;
};

enum class ooxml_kind { wordprocessing, spreadsheet, presentation, other };

class ooxml_package {
public:
  explicit ooxml_package(zip_archive& zip) : zip_(zip) {
    // nop
  }

  zip_archive& zip() {
    return zip_;
  }

  /// Reads [Content_Types].xml and the package relationships; fills
  /// `main_part` and `kind`.
  extract_outcome open();

  /// The relationships of `part` ("" for the package itself), in document
  /// order; none when the part has no relationships part.
  extract_outcome relationships(const std::string& part,
                                std::vector<relationship>& out);

  /// The content type of `part` (an Override, else the Default for its
  /// extension), lower case; empty when unknown.
  std::string content_type(const std::string& part) const;

  const std::string& main_part() const {
    return main_part_;
  }
  ooxml_kind kind() const {
    return kind_;
  }

private:
  zip_archive& zip_;
  std::vector<std::pair<std::string, std::string>> defaults_;  // ext, type
  std::vector<std::pair<std::string, std::string>> overrides_; // part, type
  std::string main_part_;
  ooxml_kind kind_ = ooxml_kind::other;
};

/// Resolves a relationship target against its source part:
/// ("word/document.xml", "media/../header1.xml") -> "word/header1.xml";
/// ("ppt/slides/slide1.xml", "/ppt/notesSlides/notesSlide1.xml") ->
/// "ppt/notesSlides/notesSlide1.xml". Percent-escapes are decoded.
std::string resolve_part(std::string_view source_part, std::string_view target);

/// Whether `ns` is the namespace of an OOXML markup family
/// ("wordprocessingml", "spreadsheetml", "presentationml", "drawingml"), in
/// its transitional or strict form.
bool in_ns(std::string_view ns, std::string_view family);

/// Base of the part readers: forwards events to on_start/on_end/on_text
/// except inside mc:Fallback.
class ooxml_reader : public xml_events {
public:
  void start(std::string_view ns, std::string_view local,
             const xml_attrs& attrs) final;
  void end(std::string_view ns, std::string_view local) final;
  void text(std::string_view utf8) final;

protected:
  virtual void on_start(std::string_view ns, std::string_view local,
                        const xml_attrs& attrs)
    = 0;
  virtual void on_end(std::string_view ns, std::string_view local) = 0;
  virtual void on_text(std::string_view utf8) = 0;

private:
  int skip_depth_ = 0;
};

} // namespace jirasync::extract
