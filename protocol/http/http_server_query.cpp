// Query-string decoding for the HTTP server's handlers (Beast-free, so it
// compiles in a second; see http_server.hpp).
#include "protocol/http/http_server.hpp"

namespace jirasync::protocol {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/// application/x-www-form-urlencoded: '+' is a space, %XX a byte; a
/// malformed escape is kept as written rather than guessed at.
std::string form_decode(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%' && i + 2 < in.size() && hex_value(in[i + 1]) >= 0
               && hex_value(in[i + 2]) >= 0) {
      out
        += static_cast<char>(hex_value(in[i + 1]) * 16 + hex_value(in[i + 2]));
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

} // namespace

std::vector<std::pair<std::string, std::string>>
parse_query(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> out;
  std::size_t pos = 0;
  while (pos <= query.size()) {
    auto end = query.find('&', pos);
    if (end == std::string_view::npos)
      end = query.size();
    auto part = query.substr(pos, end - pos);
    if (!part.empty()) {
      auto eq = part.find('=');
      if (eq == std::string_view::npos)
        out.emplace_back(form_decode(part), std::string{});
      else
        out.emplace_back(form_decode(part.substr(0, eq)),
                         form_decode(part.substr(eq + 1)));
    }
    pos = end + 1;
  }
  return out;
}

std::optional<std::string> query_param(std::string_view query,
                                       std::string_view name) {
  for (auto& [key, value] : parse_query(query))
    if (key == name)
      return std::move(value);
  return std::nullopt;
}

} // namespace jirasync::protocol
