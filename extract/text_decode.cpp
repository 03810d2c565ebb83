#include "extract/text_decode.hpp"

#include "common/utf8.hpp"

namespace jirasync::extract {

namespace {

/// Windows-1252 0x80-0x9F; 0 where the code page leaves a hole (those bytes
/// map to the C1 control of the same value, as in Latin-1).
constexpr char16_t cp1252_c1[32]
  = {0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
     0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017D, 0,
     0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
     0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

bool is_control(unsigned char c) {
  if (c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
      || c == 0x1B)
    return false;
  return c < 0x20 || c == 0x7F;
}

/// Length of a multi-byte lead's sequence (0 for ASCII or a non-lead).
std::size_t lead_length(unsigned char c) {
  if (c >= 0xC2 && c <= 0xDF)
    return 2;
  if (c >= 0xE0 && c <= 0xEF)
    return 3;
  if (c >= 0xF0 && c <= 0xF4)
    return 4;
  return 0;
}

/// Bytes at the end of `s` that start a sequence not yet complete (0..3).
std::size_t incomplete_tail(std::string_view s) {
  for (std::size_t back = 1; back <= 3 && back <= s.size(); ++back) {
    auto c = static_cast<unsigned char>(s[s.size() - back]);
    if ((c & 0xC0) == 0x80)
      continue; // a continuation byte: look further back
    auto need = lead_length(c);
    return need > back ? back : 0;
  }
  return 0;
}

} // namespace

std::string_view to_string(text_encoding e) {
  switch (e) {
    case text_encoding::utf8:
      return "UTF-8";
    case text_encoding::utf16le:
      return "UTF-16LE";
    case text_encoding::utf16be:
      return "UTF-16BE";
    case text_encoding::windows1252:
      return "windows-1252";
  }
  return "UTF-8";
}

text_sniff sniff_text(std::string_view head, bool whole) {
  text_sniff s;
  auto starts = [&](std::string_view p) {
    return head.substr(0, p.size()) == p;
  };
  if (starts("\xEF\xBB\xBF")) {
    s.bom_bytes = 3;
  } else if (starts("\xFF\xFE")) {
    s.encoding = text_encoding::utf16le;
    s.bom_bytes = 2;
    return s;
  } else if (starts("\xFE\xFF")) {
    s.encoding = text_encoding::utf16be;
    s.bom_bytes = 2;
    return s;
  }
  auto body = head.substr(s.bom_bytes);
  std::size_t controls = 0;
  for (char ch : body) {
    auto c = static_cast<unsigned char>(ch);
    if (c == 0) {
      s.is_text = false;
      s.why_not = "it contains NUL bytes (binary data)";
      return s;
    }
    if (is_control(c))
      ++controls;
  }
  if (controls * 100 > body.size()) {
    s.is_text = false;
    s.why_not = "it is mostly control characters (binary data)";
    return s;
  }
  if (s.bom_bytes > 0)
    return s; // a UTF-8 BOM decides
  std::size_t valid_multi = 0, invalid = 0, i = 0;
  auto scan
    = whole ? body : body.substr(0, body.size() - incomplete_tail(body));
  while (i < scan.size()) {
    if (static_cast<unsigned char>(scan[i]) < 0x80) {
      ++i;
      continue;
    }
    auto n = common::utf8_sequence_length(scan.substr(i));
    if (n > 0) {
      ++valid_multi;
      i += n;
    } else {
      ++invalid;
      ++i;
    }
  }
  if (invalid > 0 && invalid >= valid_multi)
    s.encoding = text_encoding::windows1252;
  return s;
}

text_decoder::text_decoder(text_encoding enc, std::size_t skip_bytes)
    : enc_(enc), skip_(skip_bytes) {
  // nop
}

void text_decoder::feed(std::string_view chunk, std::string& out) {
  if (skip_ > 0) {
    auto n = std::min(skip_, chunk.size());
    chunk.remove_prefix(n);
    skip_ -= n;
  }
  if (chunk.empty())
    return;
  switch (enc_) {
    case text_encoding::utf8:
      feed_utf8(chunk, out);
      break;
    case text_encoding::utf16le:
    case text_encoding::utf16be:
      feed_utf16(chunk, out);
      break;
    case text_encoding::windows1252:
      for (char ch : chunk) {
        auto c = static_cast<unsigned char>(ch);
        char32_t cp = c;
        if (c >= 0x80 && c <= 0x9F && cp1252_c1[c - 0x80] != 0)
          cp = cp1252_c1[c - 0x80];
        common::append_code_point(out, cp);
      }
      break;
  }
}

void text_decoder::feed_utf8(std::string_view data, std::string& out) {
  std::string joined;
  if (!carry_.empty()) {
    joined = carry_ + std::string{data};
    carry_.clear();
    data = joined;
  }
  auto tail = incomplete_tail(data);
  common::append_valid_utf8(out, data.substr(0, data.size() - tail));
  carry_.assign(data.substr(data.size() - tail));
}

void text_decoder::feed_utf16(std::string_view data, std::string& out) {
  std::size_t i = 0;
  auto unit_at = [&](unsigned char a, unsigned char b) -> char16_t {
    return enc_ == text_encoding::utf16le ? static_cast<char16_t>(a | (b << 8))
                                          : static_cast<char16_t>((a << 8) | b);
  };
  auto take = [&](char16_t u) {
    if (high_ != 0) {
      if (u >= 0xDC00 && u <= 0xDFFF) {
        char32_t cp = 0x10000 + ((high_ - 0xD800) << 10) + (u - 0xDC00);
        common::append_code_point(out, cp);
        high_ = 0;
        return;
      }
      out += common::utf8_replacement; // unpaired high surrogate
      high_ = 0;
    }
    if (u >= 0xD800 && u <= 0xDBFF)
      high_ = u;
    else
      common::append_code_point(out, u); // a lone low surrogate → U+FFFD
  };
  if (!carry_.empty() && !data.empty()) {
    take(unit_at(static_cast<unsigned char>(carry_[0]),
                 static_cast<unsigned char>(data[0])));
    carry_.clear();
    i = 1;
  }
  for (; i + 1 < data.size(); i += 2)
    take(unit_at(static_cast<unsigned char>(data[i]),
                 static_cast<unsigned char>(data[i + 1])));
  if (i < data.size())
    carry_.assign(1, data[i]);
}

void text_decoder::finish(std::string& out) {
  if (!carry_.empty() || high_ != 0)
    out += common::utf8_replacement;
  carry_.clear();
  high_ = 0;
}

} // namespace jirasync::extract
