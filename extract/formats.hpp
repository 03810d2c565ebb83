#pragma once
// The extractor of each format, called by extract_file() once the format
// is known. Each writes to `sink` until the document ends or the sink is
// full, and returns the outcome; none throws on bad input (std::bad_alloc
// may escape and is handled by extract_file()).
//
// Thread-safety: see extract_file.hpp.

#include "extract/extract_file.hpp"
#include "extract/ooxml_package.hpp"

namespace jirasync::extract {

/// PDF (poppler-cpp): the pages' text in reading order, a blank line
/// between pages.
extract_outcome extract_pdf(const std::filesystem::path& file, text_sink& sink);

/// A ZIP archive: Office Open XML by its package's main content type, else
/// unsupported.
extract_outcome extract_ooxml(const std::filesystem::path& file,
                              const extract_limits& limits, text_sink& sink);

/// WordprocessingML (.docx): headers, the body (paragraphs; tables as rows
/// of tab-separated cells), footnotes, endnotes, footers.
extract_outcome docx_text(ooxml_package& pkg, text_sink& sink);

/// SpreadsheetML (.xlsx): each sheet's name, then its rows as tab-separated
/// cell values (shared and inline strings resolved, numbers as stored).
extract_outcome xlsx_text(ooxml_package& pkg, text_sink& sink);

/// PresentationML (.pptx): slide by slide, title first, then the other
/// text frames and tables, then the speaker notes.
extract_outcome pptx_text(ooxml_package& pkg, text_sink& sink);

/// HTML (libxml2's tolerant HTML parser, streaming SAX): the visible text,
/// entities decoded, no script/style/template content, block elements on
/// their own lines, whitespace collapsed as a browser does.
extract_outcome extract_html(const std::filesystem::path& file,
                             text_sink& sink);

/// Plain text, as is, decoded to UTF-8 (UTF-8, UTF-16 with a BOM,
/// Windows-1252 fallback).
extract_outcome extract_plain_text(const std::filesystem::path& file,
                                   text_sink& sink);

} // namespace jirasync::extract
