#pragma once
// Plain-text bytes to UTF-8: is it text at all, which encoding (UTF-8, or
// UTF-16 with a byte-order mark, or Windows-1252 as the Latin-1 fallback),
// and a streaming decoder whose output is always valid UTF-8.
//
// Thread-safety: pure functions; one decoder per stream.

#include <cstddef>
#include <string>
#include <string_view>

namespace jirasync::extract {

enum class text_encoding {
  utf8,
  utf16le,
  utf16be,
  /// The Latin-1 fallback, read as Windows-1252 (as browsers read
  /// "ISO-8859-1"): the C1 range 0x80-0x9F holds € ‚ „ … ‘ ’ “ ” – — and
  /// the like in the files that claim to be Latin-1.
  windows1252,
};

/// "UTF-8", "UTF-16LE", "UTF-16BE", "windows-1252".
std::string_view to_string(text_encoding e);

/// What the first bytes of a file say about it.
struct text_sniff {
  /// Text rather than binary data.
  bool is_text = true;
  /// Why not, when !is_text: "it contains NUL bytes", ...
  std::string why_not;
  text_encoding encoding = text_encoding::utf8;
  /// Length of the byte-order mark to skip (0, 2 or 3).
  std::size_t bom_bytes = 0;
};

/// Looks at `head`, the first bytes of a file (64 KiB is plenty); `whole`
/// when that is the entire file (a sequence cut at the end then counts as
/// invalid). Binary: a NUL byte, or more than 1% control characters other
/// than \t \n \v \f \r and ESC. Encoding: a BOM decides; otherwise UTF-8
/// unless invalid sequences outnumber valid multi-byte ones (then the
/// Latin-1 fallback).
text_sniff sniff_text(std::string_view head, bool whole);

/// Decodes a byte stream in the given encoding to valid UTF-8, chunk by
/// chunk (a character may be split across chunks). Invalid input (bad
/// UTF-8, unpaired UTF-16 surrogates, an odd trailing byte) becomes U+FFFD.
class text_decoder {
public:
  text_decoder(text_encoding enc, std::size_t skip_bytes);

  /// Appends the UTF-8 decoding of `chunk` to `out`.
  void feed(std::string_view chunk, std::string& out);

  /// End of input: anything left incomplete becomes U+FFFD.
  void finish(std::string& out);

private:
  void feed_utf8(std::string_view data, std::string& out);
  void feed_utf16(std::string_view data, std::string& out);

  text_encoding enc_;
  std::size_t skip_;
  std::string carry_;
  char16_t high_ = 0; // a UTF-16 high surrogate waiting for its pair
};

} // namespace jirasync::extract
