#include "protocol/adf/adf_text.hpp"

namespace jirasync::protocol::adf_detail {

void append_link_destination(std::string& out, std::string_view href,
                             bool escape_pipes) {
  bool angle = href.empty();
  for (unsigned char c : href)
    if (c <= 0x20 || c == '(' || c == ')' || c == '<' || c == '>' || c == 0x7f)
      angle = true;
  if (angle)
    out.push_back('<');
  for (std::size_t i = 0; i < href.size(); ++i) {
    char c = href[i];
    if (c == '\n' || c == '\r')
      continue;
    if (c == '\\' || (angle && (c == '<' || c == '>'))
        || (c == '&' && entity_like(href, i)))
      out.push_back('\\');
    if (c == '|' && escape_pipes)
      out.push_back('\\');
    out.push_back(c);
  }
  if (angle)
    out.push_back('>');
}

bool autolinkable(std::string_view url) {
  auto colon = url.find(':');
  if (colon == std::string_view::npos || colon < 2 || colon > 32)
    return false;
  auto c0 = static_cast<unsigned char>(url[0]);
  if (!((c0 | 0x20) >= 'a' && (c0 | 0x20) <= 'z'))
    return false;
  for (std::size_t i = 1; i < colon; ++i) {
    auto c = static_cast<unsigned char>(url[i]);
    if (!is_alnum(c) && c != '+' && c != '.' && c != '-')
      return false;
  }
  for (unsigned char c : url)
    if (c <= 0x20 || c == '<' || c == '>' || c == 0x7f)
      return false;
  return true;
}

void html_escape(std::string& out, std::string_view s) {
  for (char c : s) {
    switch (c) {
      case '&':
        out.append("&amp;");
        break;
      case '<':
        out.append("&lt;");
        break;
      case '>':
        out.append("&gt;");
        break;
      case '"':
        out.append("&quot;");
        break;
      case '\n':
      case '\r':
        out.push_back(' ');
        break;
      default:
        out.push_back(c);
    }
  }
}

} // namespace jirasync::protocol::adf_detail
