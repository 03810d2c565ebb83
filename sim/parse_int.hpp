#pragma once
// Strict decimal id parsing shared by workspace lookups, JQL binding and the
// truth oracle.

#include <charconv>
#include <cstdint>
#include <optional>
#include <string_view>

namespace jirasim {

/// The whole of `s` as a decimal int64 (optional '-', no spaces); nullopt for
/// anything else, including overflow.
inline std::optional<int64_t> parse_i64(std::string_view s) {
  int64_t v = 0;
  if (s.empty())
    return std::nullopt;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size())
    return std::nullopt;
  return v;
}

} // namespace jirasim
