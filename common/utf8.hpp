#pragma once
// UTF-8 validity: repairing invalid input and cutting text at a character
// boundary. Invalid sequences become U+FFFD, one per maximal invalid subpart
// (the WHATWG / Unicode 15 §3.9 "best practice"), so a stray Latin-1 byte
// costs one replacement character and valid text is left untouched.
//
// Thread-safety: pure functions.

#include <cstddef>
#include <string>
#include <string_view>

namespace jirasync::common {

/// U+FFFD REPLACEMENT CHARACTER in UTF-8.
inline constexpr std::string_view utf8_replacement = "\xEF\xBF\xBD";

/// Appends `in` to `out`, replacing every invalid sequence (stray
/// continuation bytes, overlong forms, surrogates, code points above
/// U+10FFFF, sequences cut short) with U+FFFD. Returns the number of
/// replacements made.
std::size_t append_valid_utf8(std::string& out, std::string_view in);

/// Length of the longest prefix of the valid UTF-8 `s` that is at most
/// `max_bytes` long and ends on a character boundary.
std::size_t utf8_prefix_length(std::string_view s, std::size_t max_bytes);

/// Appends code point `cp` (<= U+10FFFF, not a surrogate) as UTF-8; U+FFFD
/// for anything else.
void append_code_point(std::string& out, char32_t cp);

/// The length of the valid UTF-8 sequence at the start of `s` (1..4), or 0
/// when `s` starts with an invalid or incomplete sequence.
std::size_t utf8_sequence_length(std::string_view s);

} // namespace jirasync::common
