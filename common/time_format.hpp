#pragma once
// RFC 3339 timestamps as the export format writes them: UTC with
// milliseconds, "2024-01-02T10:11:12.123Z".
//
// Thread-safety: pure functions.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace jirasync::common {

/// Milliseconds since 1970-01-01T00:00:00Z → "YYYY-MM-DDTHH:MM:SS.mmmZ"
/// (proleptic Gregorian; negative values are before 1970). Years outside
/// 0000..9999 are clamped into that range.
std::string format_rfc3339_ms(std::int64_t utc_ms);

/// Parses RFC 3339 ("Z", "+hh:mm", "-hh:mm" or Jira's "+hhmm"; optional
/// fraction, truncated to ms) → ms since the epoch; nullopt when malformed.
std::optional<std::int64_t> parse_rfc3339_ms(std::string_view text);

} // namespace jirasync::common
