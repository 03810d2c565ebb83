#pragma once

// Time formatting for the simulator (UTC and per-user time zones, via
// Howard Hinnant's date with the OS tzdb).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace jirasim {

/// "2024-01-02T10:11:12.123Z" (RFC 3339, UTC, milliseconds).
std::string format_rfc3339_utc(int64_t ms);

/// Jira's REST style in a time zone: "2022-06-09T16:29:31.871-0700".
/// Unknown zone names fall back to UTC.
std::string format_jira_time(int64_t ms, std::string_view time_zone);

/// "YYYY-MM-DD" of the UTC day.
std::string format_utc_date(int64_t ms);

/// The UTC instant (ms) of a local wall-clock time in `time_zone`. In a DST
/// gap the time is shifted forward by the gap (as java.time does); in a fold
/// the earlier instant is chosen. nullopt for an unknown zone or an invalid
/// date/time.
std::optional<int64_t> local_to_utc_ms(std::string_view time_zone, int year,
                                       unsigned month, unsigned day,
                                       unsigned hour, unsigned minute);

/// True if the IANA zone name is known to the tz database.
bool is_known_time_zone(std::string_view time_zone);

} // namespace jirasim
