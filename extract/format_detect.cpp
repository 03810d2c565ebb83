#include "extract/format_detect.hpp"

#include "extract/text_decode.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace jirasync::extract {

namespace {

using namespace std::literals;

std::string lower(std::string_view s) {
  std::string out{s};
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
    return static_cast<char>(std::tolower(c));
  });
  return out;
}

std::string extension_of(std::string_view filename) {
  auto slash = filename.find_last_of("/\\");
  if (slash != std::string_view::npos)
    filename.remove_prefix(slash + 1);
  auto dot = filename.rfind('.');
  if (dot == std::string_view::npos || dot == 0)
    return {};
  return lower(filename.substr(dot + 1));
}

bool starts_with(std::string_view s, std::string_view p) {
  return s.substr(0, p.size()) == p;
}

bool ends_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

template<std::size_t N>
bool one_of(std::string_view s, const std::array<std::string_view, N>& set) {
  return std::find(set.begin(), set.end(), s) != set.end();
}

/// Binary formats recognised by their first bytes, named in the reason.
struct magic {
  std::string_view bytes;
  std::size_t offset;
  std::string_view label;
};

constexpr std::array<magic, 20> binary_magics{{
  {"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"sv, 0,
   "a legacy or encrypted Microsoft Office file (OLE compound document)"},
  {"\x89PNG\r\n\x1A\n"sv, 0, "a PNG image"},
  {"\xFF\xD8\xFF"sv, 0, "a JPEG image"},
  {"GIF87a"sv, 0, "a GIF image"},
  {"GIF89a"sv, 0, "a GIF image"},
  {"II*\0"sv, 0, "a TIFF image"},
  {"MM\0*"sv, 0, "a TIFF image"},
  {"WEBP"sv, 8, "a WebP image"},
  {"\x1F\x8B"sv, 0, "a gzip archive"},
  {"BZh"sv, 0, "a bzip2 archive"},
  {"\xFD"
   "7zXZ\0"sv,
   0, "an xz archive"},
  {"7z\xBC\xAF\x27\x1C"sv, 0, "a 7-Zip archive"},
  {"Rar!\x1A\x07"sv, 0, "a RAR archive"},
  {"\x7F"
   "ELF"sv,
   0, "an ELF executable"},
  {"SQLite format 3\0"sv, 0, "an SQLite database"},
  {"\xCA\xFE\xBA\xBE"sv, 0, "a Java class or Mach-O file"},
  {"OggS"sv, 0, "an Ogg media file"},
  {"ID3"sv, 0, "an MP3 audio file"},
  {"ftyp"sv, 4, "an MP4/QuickTime media file"},
  {"\x00"
   "asm"sv,
   0, "a WebAssembly module"},
}};

std::string_view binary_label(std::string_view head) {
  for (const auto& m : binary_magics) {
    if (m.label.empty())
      continue;
    if (head.size() >= m.offset + m.bytes.size()
        && head.substr(m.offset, m.bytes.size()) == m.bytes)
      return m.label;
  }
  return {};
}

constexpr std::array<std::string_view, 3> pdf_mimes{
  "application/pdf", "application/x-pdf", "application/acrobat"};

constexpr std::array<std::string_view, 12> ooxml_exts{
  "docx", "docm", "dotx", "dotm", "xlsx", "xlsm",
  "xltx", "xltm", "pptx", "pptm", "potx", "ppsx"};

constexpr std::array<std::string_view, 3> html_exts{"html", "htm", "xhtml"};

/// application/* types that are text.
constexpr std::array<std::string_view, 22> text_app_mimes{
  "application/json",          "application/xml",
  "application/javascript",    "application/ecmascript",
  "application/x-javascript",  "application/x-sh",
  "application/x-shellscript", "application/sql",
  "application/x-sql",         "application/yaml",
  "application/x-yaml",        "application/toml",
  "application/csv",           "application/x-csv",
  "application/x-ndjson",      "application/x-tex",
  "application/x-latex",       "application/x-httpd-php",
  "application/x-python",      "application/x-perl",
  "application/x-ruby",        "application/graphql"};

/// Extensions read as text when the type says nothing better.
constexpr std::array<std::string_view, 70> text_exts{
  "txt",      "text", "md",   "markdown", "mdown",  "rst",    "adoc",
  "asciidoc", "csv",  "tsv",  "json",     "jsonl",  "ndjson", "xml",
  "yaml",     "yml",  "toml", "ini",      "cfg",    "conf",   "properties",
  "env",      "log",  "out",  "sql",      "c",      "h",      "cc",
  "cpp",      "cxx",  "hpp",  "hh",       "hxx",    "m",      "mm",
  "java",     "kt",   "kts",  "scala",    "groovy", "gradle", "go",
  "rs",       "py",   "rb",   "pl",       "pm",     "php",    "js",
  "mjs",      "cjs",  "ts",   "tsx",      "jsx",    "cs",     "fs",
  "swift",    "r",    "lua",  "sh",       "bash",   "zsh",    "ps1",
  "bat",      "cmd",  "css",  "scss",     "diff",   "patch",  "tex"};

bool is_textual_mime(std::string_view mime) {
  if (starts_with(mime, "text/"))
    return true;
  if (one_of(mime, text_app_mimes))
    return true;
  return starts_with(mime, "application/")
         && (ends_with(mime, "+json") || ends_with(mime, "+xml"));
}

bool says_nothing(std::string_view mime) {
  return mime.empty() || mime == "application/octet-stream"
         || mime == "binary/octet-stream" || mime == "application/unknown"
         || mime == "application/x-download";
}

} // namespace

std::string normalize_mime(std::string_view mime) {
  auto semi = mime.find(';');
  if (semi != std::string_view::npos)
    mime = mime.substr(0, semi);
  while (!mime.empty()
         && std::isspace(static_cast<unsigned char>(mime.front())))
    mime.remove_prefix(1);
  while (!mime.empty() && std::isspace(static_cast<unsigned char>(mime.back())))
    mime.remove_suffix(1);
  return lower(mime);
}

format_guess detect_format(std::string_view mime_in, std::string_view filename,
                           std::string_view head, std::uint64_t size) {
  const std::string mime = normalize_mime(mime_in);
  const std::string ext = extension_of(filename);
  const std::string shown = mime.empty() ? std::string{"no type"} : mime;
  auto none = [](text_status st, std::string why) {
    return format_guess{doc_format::none, st, std::move(why)};
  };

  const bool labelled_pdf = one_of(mime, pdf_mimes) || ext == "pdf";
  const bool labelled_ooxml
    = mime.find("openxmlformats-officedocument") != std::string::npos
      || mime.find("macroenabled") != std::string::npos
      || one_of(ext, ooxml_exts);
  const bool labelled_html = mime == "text/html"
                             || mime == "application/xhtml+xml"
                             || one_of(ext, html_exts);
  const bool labelled_text
    = is_textual_mime(mime) || (says_nothing(mime) && one_of(ext, text_exts));

  if (size == 0) {
    if (labelled_html || labelled_text)
      return {doc_format::text, text_status::extracted, {}};
    return none(text_status::failed, "empty file (0 bytes)");
  }

  // The content first.
  if (head.substr(0, 1024).find("%PDF-") != std::string_view::npos)
    return {doc_format::pdf, text_status::extracted, {}};
  if (starts_with(head, "PK\x03\x04") || starts_with(head, "PK\x05\x06"))
    return {doc_format::zip, text_status::extracted, {}};
  // Binary data is named by its magic bytes where they are known (only
  // when it is not text: a text file may well start with "ID3" or "BZh").
  const auto sniff = sniff_text(head, head.size() >= size);
  if (!sniff.is_text)
    if (auto label = binary_label(head); !label.empty())
      return none(text_status::unsupported,
                  "the content is " + std::string{label} + " (" + shown
                    + "): no text to extract");

  // Then the label, checked against the content.
  if (labelled_pdf)
    return none(text_status::failed,
                "labelled as a PDF but has no %PDF header");
  if (labelled_ooxml)
    return none(text_status::failed, "labelled as an Office Open XML "
                                     "document but is not a ZIP archive");
  if (starts_with(mime, "image/") || starts_with(mime, "audio/")
      || starts_with(mime, "video/") || starts_with(mime, "font/")
      || starts_with(mime, "model/"))
    return none(text_status::unsupported, shown + ": no text to extract");
  if (labelled_html || labelled_text) {
    if (!sniff.is_text)
      return none(text_status::unsupported,
                  "labelled " + shown + " but " + sniff.why_not);
    return {labelled_html ? doc_format::html : doc_format::text,
            text_status::extracted,
            {}};
  }
  return none(text_status::unsupported,
              shown + (ext.empty() ? std::string{} : " (." + ext + ")")
                + ": no text extractor for this type");
}

} // namespace jirasync::extract
