#pragma once
// ASCII-only text helpers (header names, HTTP methods, JQL keywords): no
// locale, no UTF-8 case folding.
//
// Thread-safety: pure functions.

#include <string>
#include <string_view>

namespace jirasync::common {

constexpr char ascii_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

/// ASCII case-insensitive equality.
constexpr bool ascii_iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size())
    return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (ascii_lower(a[i]) != ascii_lower(b[i]))
      return false;
  return true;
}

/// `s` with A-Z turned to a-z.
inline std::string ascii_to_lower(std::string_view s) {
  std::string out{s};
  for (auto& c : out)
    c = ascii_lower(c);
  return out;
}

} // namespace jirasync::common
