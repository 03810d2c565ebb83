#pragma once
// Jira timestamps <-> UTC milliseconds <-> RFC 3339.
//
// Jira writes `2022-06-09T16:29:31.871-0700`; other Atlassian surfaces (and
// the X-RateLimit-Reset header) use `Z` or `+05:30`. Date fields (duedate,
// date custom fields) are `2022-06-09`. All of these are accepted; invalid
// input yields nullopt, never an exception.
//
// Thread-safety: pure functions.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace jirasync::protocol {

/// Parses, into milliseconds since 1970-01-01T00:00:00Z:
/// - `YYYY-MM-DDTHH:MM[:SS[.f{1,9}]]` followed by `Z`, `z`, `+HHMM`,
///   `-HHMM`, `+HH:MM`, `-HH:MM` or `+HH` (an offset is REQUIRED: a zoneless
///   date-time is ambiguous and rejected); fractions beyond milliseconds are
///   truncated toward the past;
/// - a date-only `YYYY-MM-DD`, taken as 00:00 UTC of that day.
/// Calendar validity is checked (no 2023-02-29, no hour 24, offsets < 24 h;
/// a leap second `:60` is rejected).
std::optional<std::int64_t> parse_jira_time_ms(std::string_view text);

/// `expected a Jira timestamp, got "..."` (value shortened to 40 chars):
/// the message the JSON models use.
std::string describe_bad_time(std::string_view text);

} // namespace jirasync::protocol
