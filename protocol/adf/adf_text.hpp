#pragma once
// Text helpers of the ADF renderer (internal to protocol/adf): the character
// classes used by escaping and by CommonMark's delimiter flanking rules,
// UTF-8 helpers, and the escapers of link destinations and HTML.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace jirasync::protocol::adf_detail {

/// Characters escaped with a backslash anywhere in text (`|` only in table
/// cells, `&` only before what could be an entity).
constexpr std::array<bool, 256> make_always_escaped() {
  std::array<bool, 256> t{};
  for (unsigned char c : std::string_view{"\\`*_[]<>~"})
    t[c] = true;
  return t;
}
inline constexpr auto always_escaped = make_always_escaped();

/// Bytes the text escaper has to look at (everything else is copied in
/// bulk).
constexpr std::array<bool, 256> make_special() {
  auto t = make_always_escaped();
  for (unsigned char c : std::string_view{"|&\n\r(:"})
    t[c] = true;
  return t;
}
inline constexpr auto special = make_special();

inline bool is_ascii_punct(unsigned char c) {
  return (c >= 0x21 && c <= 0x2f) || (c >= 0x3a && c <= 0x40)
         || (c >= 0x5b && c <= 0x60) || (c >= 0x7b && c <= 0x7e);
}

inline bool is_alnum(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')
         || (c >= 'A' && c <= 'Z');
}

/// Classes of CommonMark's flanking rules. `unknown` = a non-ASCII character
/// that is not white space: it may be punctuation or a letter, so the
/// renderer assumes the worse case.
enum class cls : std::uint8_t { ws, punct, other, unknown };

/// Decodes one UTF-8 code point at s[i] (returns its length, at least 1).
inline std::size_t decode_utf8(std::string_view s, std::size_t i,
                               char32_t& cp) {
  auto b = static_cast<unsigned char>(s[i]);
  std::size_t n = b < 0x80 ? 1 : b < 0xe0 ? 2 : b < 0xf0 ? 3 : 4;
  if (b < 0x80 || i + n > s.size()) {
    cp = b;
    return 1;
  }
  cp = b & (0x7f >> n);
  for (std::size_t k = 1; k < n; ++k)
    cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3f);
  return n;
}

/// Unicode white space as cmark sees it (Zs plus the ASCII ones).
inline bool is_unicode_space(char32_t cp) {
  return cp == 0xa0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a)
         || cp == 0x202f || cp == 0x205f || cp == 0x3000;
}

inline cls classify(char32_t cp) {
  if (cp < 0x80) {
    auto c = static_cast<unsigned char>(cp);
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f')
      return cls::ws;
    return is_ascii_punct(c) ? cls::punct : cls::other;
  }
  return is_unicode_space(cp) ? cls::ws : cls::unknown;
}

/// Length of the white space (ASCII or Unicode Zs) starting at s[i], 0 if
/// none.
inline std::size_t ws_len_at(std::string_view s, std::size_t i) {
  auto c = static_cast<unsigned char>(s[i]);
  if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f')
    return 1;
  if (c < 0x80)
    return 0;
  char32_t cp;
  auto n = decode_utf8(s, i, cp);
  return is_unicode_space(cp) ? n : 0;
}

/// Length of the white space ending at s[end-1], 0 if none.
inline std::size_t ws_len_before(std::string_view s, std::size_t end) {
  auto c = static_cast<unsigned char>(s[end - 1]);
  if (c < 0x80)
    return (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') ? 1
                                                                          : 0;
  std::size_t start = end - 1;
  while (start > 0 && (static_cast<unsigned char>(s[start]) & 0xc0) == 0x80)
    --start;
  char32_t cp;
  decode_utf8(s, start, cp);
  return is_unicode_space(cp) ? end - start : 0;
}

/// Class of the last character of `s` (ws at a line start or when empty).
/// Trailing `~` are skipped: with the strike-through extension, cmark-gfm
/// looks through them to find a delimiter run's neighbour (`**a.**~~b~~`
/// is not bold there, `**~~a~~**0` is).
inline cls class_of_last(std::string_view s) {
  while (!s.empty() && s.back() == '~')
    s.remove_suffix(1);
  if (s.empty() || s.back() == '\n')
    return cls::ws;
  std::size_t start = s.size() - 1;
  while (start > 0 && (static_cast<unsigned char>(s[start]) & 0xc0) == 0x80)
    --start;
  char32_t cp;
  decode_utf8(s, start, cp);
  return classify(cp);
}

/// UTF-8 safe cut: the largest length <= n that does not split a character.
inline std::size_t utf8_floor(std::string_view s, std::size_t n) {
  if (n >= s.size())
    return s.size();
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xc0) == 0x80)
    --n;
  return n;
}

/// Length of the longest run of `c` in `s` (code spans and fences must be
/// longer than any backtick run inside).
inline std::size_t longest_run(std::string_view s, char c) {
  std::size_t longest = 0, cur = 0;
  for (char ch : s) {
    cur = ch == c ? cur + 1 : 0;
    longest = cur > longest ? cur : longest;
  }
  return longest;
}

/// Whether the `&` at `amp` could start an entity (`&name;` / `&#..;`).
inline bool entity_like(std::string_view s, std::size_t amp) {
  return amp + 1 < s.size()
         && (is_alnum(static_cast<unsigned char>(s[amp + 1]))
             || s[amp + 1] == '#');
}

/// Appends a link/image destination: the `<dest>` form when the href has
/// spaces, parentheses or controls; backslashes, entity-like `&` (and `|`
/// inside table cells) escaped; line breaks dropped.
void append_link_destination(std::string& out, std::string_view href,
                             bool escape_pipes);

/// `<url>` is an autolink only for an absolute URI without spaces/controls.
bool autolinkable(std::string_view url);

/// Appends `s` HTML-escaped (`&<>"`), line breaks as spaces.
void html_escape(std::string& out, std::string_view s);

} // namespace jirasync::protocol::adf_detail
