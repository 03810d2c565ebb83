#include "common/utf8.hpp"

namespace jirasync::common {

namespace {

unsigned char byte(std::string_view s, std::size_t i) {
  return static_cast<unsigned char>(s[i]);
}

bool is_cont(unsigned char c) {
  return (c & 0xC0) == 0x80;
}

/// For a lead byte: the sequence length and the valid range of the second
/// byte (Unicode Table 3-7); 0 when `lead` cannot start a sequence.
struct lead_info {
  std::size_t len;
  unsigned char lo;
  unsigned char hi;
};

lead_info classify(unsigned char lead) {
  if (lead < 0x80)
    return {1, 0, 0};
  if (lead >= 0xC2 && lead <= 0xDF)
    return {2, 0x80, 0xBF};
  if (lead == 0xE0)
    return {3, 0xA0, 0xBF};
  if ((lead >= 0xE1 && lead <= 0xEC) || lead == 0xEE || lead == 0xEF)
    return {3, 0x80, 0xBF};
  if (lead == 0xED)
    return {3, 0x80, 0x9F}; // no surrogates
  if (lead == 0xF0)
    return {4, 0x90, 0xBF};
  if (lead >= 0xF1 && lead <= 0xF3)
    return {4, 0x80, 0xBF};
  if (lead == 0xF4)
    return {4, 0x80, 0x8F}; // up to U+10FFFF
  return {0, 0, 0};
}

/// How many bytes at the start of `s` form a valid sequence (> 0), or, as
/// a negative number, how many form the maximal invalid subpart to replace.
long long scan(std::string_view s) {
  auto info = classify(byte(s, 0));
  if (info.len == 0)
    return -1;
  if (info.len == 1)
    return 1;
  std::size_t i = 1;
  for (; i < info.len; ++i) {
    if (i >= s.size())
      return -static_cast<long long>(i);
    unsigned char c = byte(s, i);
    bool ok = i == 1 ? (c >= info.lo && c <= info.hi) : is_cont(c);
    if (!ok)
      return -static_cast<long long>(i);
  }
  return static_cast<long long>(info.len);
}

} // namespace

std::size_t append_valid_utf8(std::string& out, std::string_view in) {
  std::size_t replaced = 0;
  std::size_t i = 0;
  out.reserve(out.size() + in.size());
  while (i < in.size()) {
    // Fast path: a run of ASCII.
    std::size_t j = i;
    while (j < in.size() && byte(in, j) < 0x80)
      ++j;
    out.append(in.data() + i, j - i);
    i = j;
    while (i < in.size() && byte(in, i) >= 0x80) {
      auto n = scan(in.substr(i));
      if (n > 0) {
        out.append(in.data() + i, static_cast<std::size_t>(n));
        i += static_cast<std::size_t>(n);
      } else {
        out += utf8_replacement;
        ++replaced;
        i += static_cast<std::size_t>(-n);
      }
    }
  }
  return replaced;
}

std::size_t utf8_prefix_length(std::string_view s, std::size_t max_bytes) {
  if (s.size() <= max_bytes)
    return s.size();
  std::size_t cut = max_bytes;
  while (cut > 0 && is_cont(byte(s, cut)))
    --cut;
  return cut;
}

void append_code_point(std::string& out, char32_t cp) {
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    out += utf8_replacement;
  } else if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

std::size_t utf8_sequence_length(std::string_view s) {
  if (s.empty())
    return 0;
  auto n = scan(s);
  return n > 0 ? static_cast<std::size_t>(n) : 0;
}

} // namespace jirasync::common
