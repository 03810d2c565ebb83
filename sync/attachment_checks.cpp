#include "sync/attachment_checks.hpp"

#include "common/ascii.hpp"

namespace jirasync::sync {

namespace {

/// The media type without parameters, e.g. "text/html".
std::string_view media_type(std::string_view ct) {
  auto semi = ct.find(';');
  if (semi != std::string_view::npos)
    ct = ct.substr(0, semi);
  while (!ct.empty() && (ct.back() == ' ' || ct.back() == '\t'))
    ct.remove_suffix(1);
  while (!ct.empty() && (ct.front() == ' ' || ct.front() == '\t'))
    ct.remove_prefix(1);
  return ct;
}

bool is_html(std::string_view mt) {
  return common::ascii_iequals(mt, "text/html")
         || common::ascii_iequals(mt, "application/xhtml+xml");
}

} // namespace

std::optional<std::string> content_mismatch(const protocol::jira_attachment& a,
                                            std::uint64_t body_bytes,
                                            std::string_view content_type) {
  if (a.size_known && body_bytes != static_cast<std::uint64_t>(a.size_bytes))
    return "got " + std::to_string(body_bytes) + " bytes, expected "
           + std::to_string(a.size_bytes);
  auto got = media_type(content_type);
  if (is_html(got) && !is_html(media_type(a.mime_type)))
    return "got an HTML page (" + std::string(got) + "), expected "
           + (a.mime_type.empty() ? std::string{"no HTML"} : a.mime_type);
  return std::nullopt;
}

} // namespace jirasync::sync
