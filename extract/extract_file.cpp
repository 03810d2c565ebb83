#include "extract/extract_file.hpp"

#include "extract/format_detect.hpp"
#include "extract/formats.hpp"

#include <fstream>
#include <new>
#include <system_error>
#include <vector>

namespace jirasync::extract {

namespace {

/// Bytes read for format detection.
constexpr std::size_t head_bytes = 64 << 10;

} // namespace

extract_outcome extract_ooxml(const std::filesystem::path& file,
                              const extract_limits& limits, text_sink& sink) {
  extract_outcome why;
  auto zip
    = zip_archive::open(file,
                        {limits.max_zip_entry_bytes, limits.max_zip_total_bytes,
                         limits.max_zip_entries},
                        why);
  if (!zip)
    return why;
  ooxml_package pkg{*zip};
  if (auto r = pkg.open(); !r.extracted())
    return r;
  switch (pkg.kind()) {
    case ooxml_kind::wordprocessing:
      return docx_text(pkg, sink);
    case ooxml_kind::spreadsheet:
      return xlsx_text(pkg, sink);
    case ooxml_kind::presentation:
      return pptx_text(pkg, sink);
    case ooxml_kind::other:
      break;
  }
  return extract_outcome::fail(text_status::unsupported,
                               "an Office Open XML package of another kind");
}

format_guess guess_file_format(const extract_request& req) {
  auto unreadable = [](std::string reason) {
    format_guess g;
    g.format = doc_format::none;
    g.status = text_status::failed;
    g.reason = std::move(reason);
    return g;
  };
  std::error_code ec;
  auto size = std::filesystem::file_size(req.file, ec);
  if (ec)
    return unreadable("cannot read the file: " + ec.message());
  std::ifstream in{req.file, std::ios::binary};
  if (!in)
    return unreadable("cannot open the file");
  std::vector<char> head(head_bytes);
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  std::string_view head_view{head.data(),
                             static_cast<std::size_t>(in.gcount())};
  auto name
    = req.filename.empty() ? req.file.filename().string() : req.filename;
  return detect_format(req.mime, name, head_view, size);
}

extract_outcome extract_file(const extract_request& req,
                             const extract_limits& limits, text_sink& sink) {
  try {
    auto guess = guess_file_format(req);
    switch (guess.format) {
      case doc_format::pdf:
        return extract_pdf(req.file, sink);
      case doc_format::zip:
        return extract_ooxml(req.file, limits, sink);
      case doc_format::html:
        return extract_html(req.file, sink);
      case doc_format::text:
        return extract_plain_text(req.file, sink);
      case doc_format::none:
        break;
    }
    return extract_outcome::fail(guess.status, guess.reason);
  } catch (const std::bad_alloc&) {
    return extract_outcome::fail(text_status::too_large,
                                 "out of memory while extracting (the "
                                 "document needs more than the memory "
                                 "limit)");
  } catch (const std::exception& e) {
    return extract_outcome::fail(text_status::failed,
                                 std::string{"internal error: "} + e.what());
  }
}

} // namespace jirasync::extract
