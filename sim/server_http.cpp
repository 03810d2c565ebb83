#include "sim/server_http.hpp"

#include "common/ascii.hpp"

#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <cctype>

namespace jirasim {

std::optional<std::string_view> find_header(const header_list& headers,
                                            std::string_view name) {
  for (auto& [k, v] : headers) {
    if (jirasync::common::ascii_iequals(k, name))
      return std::string_view(v);
  }
  return std::nullopt;
}

std::optional<std::string_view>
http_request::param(std::string_view key) const {
  for (auto& [k, v] : query)
    if (k == key)
      return std::string_view(v);
  return std::nullopt;
}

bool parse_target(std::string_view target, http_request& r) {
  auto u = boost::urls::parse_origin_form(target);
  if (!u) {
    r.path = std::string(target);
    return false;
  }
  r.path = u->path();
  r.query.clear();
  for (auto p : u->params())
    r.query.emplace_back(p.key, p.value);
  return true;
}

std::vector<std::string_view> split_nonempty(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    auto j = s.find(sep, i);
    if (j == std::string_view::npos)
      j = s.size();
    if (j > i)
      out.push_back(s.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

std::optional<std::string> base64_decode(std::string_view in,
                                         std::string_view alphabet) {
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (char ch : in) {
    if (ch == '=')
      break;
    auto pos = alphabet.find(ch);
    if (pos == std::string_view::npos)
      return std::nullopt;
    acc = (acc << 6) | static_cast<std::uint32_t>(pos);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  return out;
}

std::string base64_encode(std::string_view in, std::string_view alphabet) {
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (unsigned char ch : in) {
    acc = (acc << 8) | ch;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += alphabet[(acc >> bits) & 63];
    }
  }
  if (bits > 0)
    out += alphabet[(acc << (6 - bits)) & 63];
  return out;
}

std::string url_encode(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

boost::json::value parse_body(std::string_view text,
                              boost::system::error_code& ec) {
  boost::json::parse_options po;
  po.max_depth = 1000;
  return boost::json::parse(text, ec, {}, po);
}

http_response json_response(int status, std::string body) {
  http_response res;
  res.status = status;
  res.set("Content-Type", "application/json;charset=UTF-8");
  res.body = std::move(body);
  return res;
}

http_response jira_error(int status, std::string_view message) {
  boost::json::object o;
  o["errorMessages"] = boost::json::array{boost::json::string(message)};
  o["errors"] = boost::json::object{};
  return json_response(status, boost::json::serialize(o));
}

} // namespace jirasim
