// Date bounds of [filters]: "YYYY-MM-DD" (00:00 UTC of that day) or RFC 3339
// with a mandatory offset. Hand-written instead of std::chrono::parse because
// libstdc++ 12 has no parse(), and because RFC 3339 is small and strict.
#include "config/config.hpp"

#include <chrono>
#include <cstdio>

namespace jirasync::config {

namespace {

/// Reads exactly `n` decimal digits at `pos`; nullopt if any is not a digit.
std::optional<int> digits(std::string_view s, size_t pos, size_t n) {
  if (pos + n > s.size())
    return std::nullopt;
  int result = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9')
      return std::nullopt;
    result = result * 10 + (s[i] - '0');
  }
  return result;
}

constexpr std::int64_t ms_per_sec = 1000;
constexpr std::int64_t ms_per_min = 60 * ms_per_sec;
constexpr std::int64_t ms_per_hour = 60 * ms_per_min;

} // namespace

std::optional<date_bound> parse_date_bound(std::string_view s) {
  using namespace std::chrono;
  // YYYY-MM-DD
  auto y = digits(s, 0, 4);
  auto mo = digits(s, 5, 2);
  auto d = digits(s, 8, 2);
  if (!y || !mo || !d || s[4] != '-' || s[7] != '-')
    return std::nullopt;
  year_month_day ymd{year{*y}, month{static_cast<unsigned>(*mo)},
                     day{static_cast<unsigned>(*d)}};
  if (!ymd.ok())
    return std::nullopt;
  auto day_ms
    = duration_cast<milliseconds>(sys_days{ymd}.time_since_epoch()).count();
  if (s.size() == 10)
    return date_bound{day_ms, true};
  // RFC 3339 section 5.6 allows 't' and (as a note) ' ' as separator.
  if (s[10] != 'T' && s[10] != 't' && s[10] != ' ')
    return std::nullopt;
  auto h = digits(s, 11, 2);
  auto mi = digits(s, 14, 2);
  auto sec = digits(s, 17, 2);
  if (!h || !mi || !sec || s.size() < 20 || s[13] != ':' || s[16] != ':')
    return std::nullopt;
  // Seconds may be 60 (leap second); it then counts as the next minute's :00.
  if (*h > 23 || *mi > 59 || *sec > 60)
    return std::nullopt;
  size_t pos = 19;
  std::int64_t frac_ms = 0;
  if (s[pos] == '.') {
    ++pos;
    size_t first = pos;
    int scale = 100;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      frac_ms += (s[pos] - '0') * scale; // digits beyond ms are truncated
      scale /= 10;
      ++pos;
    }
    if (pos == first)
      return std::nullopt;
  }
  if (pos >= s.size())
    return std::nullopt; // the offset is mandatory
  std::int64_t offset_ms = 0;
  if (s[pos] == 'Z' || s[pos] == 'z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    auto oh = digits(s, pos + 1, 2);
    auto om = digits(s, pos + 4, 2);
    if (!oh || !om || s[pos + 3] != ':' || *oh > 23 || *om > 59)
      return std::nullopt;
    offset_ms = *oh * ms_per_hour + *om * ms_per_min;
    if (s[pos] == '-')
      offset_ms = -offset_ms;
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != s.size())
    return std::nullopt;
  // Local time = UTC + offset, hence UTC = local - offset.
  auto local_ms = day_ms + *h * ms_per_hour + *mi * ms_per_min
                  + *sec * ms_per_sec + frac_ms;
  return date_bound{local_ms - offset_ms, false};
}

std::string format_date_bound(const date_bound& x) {
  using namespace std::chrono;
  sys_time<milliseconds> tp{milliseconds{x.utc_ms}};
  auto days_tp = floor<days>(tp);
  year_month_day ymd{days_tp};
  char buf[40];
  if (x.date_only) {
    std::snprintf(buf, sizeof(buf), "%04d-%02u-%02u", int{ymd.year()},
                  unsigned{ymd.month()}, unsigned{ymd.day()});
    return buf;
  }
  auto rest = (tp - days_tp).count(); // ms into the day, 0 .. 86399999
  std::snprintf(buf, sizeof(buf), "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ",
                int{ymd.year()}, unsigned{ymd.month()}, unsigned{ymd.day()},
                static_cast<int>(rest / ms_per_hour),
                static_cast<int>(rest / ms_per_min % 60),
                static_cast<int>(rest / ms_per_sec % 60),
                static_cast<int>(rest % ms_per_sec));
  return buf;
}

} // namespace jirasync::config
