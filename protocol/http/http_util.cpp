// Beast-free helpers of the HTTP client contract (kept out of the Beast TU so
// that they compile in a second).
#include "protocol/http/http_client.hpp"

#include "common/ascii.hpp"

namespace jirasync::protocol {

namespace {

/// The URL without query and fragment (queries may carry tokens).
std::string_view strip_query(std::string_view url) {
  auto pos = url.find_first_of("?#");
  return pos == std::string_view::npos ? url : url.substr(0, pos);
}

} // namespace

std::optional<std::string_view> find_header(const header_list& headers,
                                            std::string_view name) {
  for (const auto& [key, value] : headers)
    if (common::ascii_iequals(key, name))
      return std::string_view{value};
  return std::nullopt;
}

std::string_view to_string(http_errc code) {
  switch (code) {
    case http_errc::bad_url:
      return "bad_url";
    case http_errc::dns:
      return "dns";
    case http_errc::connect:
      return "connect";
    case http_errc::tls:
      return "tls";
    case http_errc::timeout:
      return "timeout";
    case http_errc::protocol:
      return "protocol";
    case http_errc::body_too_large:
      return "body_too_large";
    case http_errc::too_many_redirects:
      return "too_many_redirects";
    case http_errc::io:
      return "io";
    case http_errc::cancelled:
      return "cancelled";
  }
  return "unknown";
}

std::string describe(const http_result& result) {
  if (result.response) {
    const auto& r = *result.response;
    std::string out = std::to_string(r.status);
    out += " (";
    out += std::to_string(r.body_bytes);
    out += " bytes";
    if (!r.final_url.empty()) {
      out += ", ";
      out += strip_query(r.final_url);
    }
    if (r.redirects > 0) {
      out += ", ";
      out += std::to_string(r.redirects);
      out += " redirects";
    }
    out += ")";
    return out;
  }
  if (result.error) {
    std::string out = "error ";
    out += to_string(result.error->code);
    out += ": ";
    out += result.error->message;
    return out;
  }
  return "no result";
}

} // namespace jirasync::protocol
