#include "common/time_format.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>

namespace jirasync::common {

namespace {

using namespace std::chrono;

// Floor division: -1 ms is 1969-12-31T23:59:59.999Z, not 1970-01-01T00:00:00.
std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  auto q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0)))
    --q;
  return q;
}

bool read_digits(std::string_view& in, std::size_t n, int& out) {
  if (in.size() < n)
    return false;
  int v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    char c = in[i];
    if (c < '0' || c > '9')
      return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  in.remove_prefix(n);
  return true;
}

bool expect(std::string_view& in, char c) {
  if (in.empty() || in.front() != c)
    return false;
  in.remove_prefix(1);
  return true;
}

} // namespace

std::string format_rfc3339_ms(std::int64_t utc_ms) {
  // Clamp to 0000-01-01T00:00:00.000Z .. 9999-12-31T23:59:59.999Z.
  constexpr std::int64_t min_ms = -62167219200000LL;
  constexpr std::int64_t max_ms = 253402300799999LL;
  utc_ms = std::clamp(utc_ms, min_ms, max_ms);
  auto days_since = floor_div(utc_ms, 86'400'000);
  auto ms_of_day = utc_ms - days_since * 86'400'000;
  year_month_day ymd{sys_days{days{days_since}}};
  auto h = ms_of_day / 3'600'000;
  auto m = (ms_of_day / 60'000) % 60;
  auto s = (ms_of_day / 1000) % 60;
  auto ms = ms_of_day % 1000;
  char buf[48];
  std::snprintf(buf, sizeof(buf), "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ",
                static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()), static_cast<int>(h),
                static_cast<int>(m), static_cast<int>(s), static_cast<int>(ms));
  return buf;
}

std::optional<std::int64_t> parse_rfc3339_ms(std::string_view in) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (!read_digits(in, 4, y) || !expect(in, '-') || !read_digits(in, 2, mo)
      || !expect(in, '-') || !read_digits(in, 2, d))
    return std::nullopt;
  if (in.empty()
      || (in.front() != 'T' && in.front() != 't' && in.front() != ' '))
    return std::nullopt;
  in.remove_prefix(1);
  if (!read_digits(in, 2, h) || !expect(in, ':') || !read_digits(in, 2, mi)
      || !expect(in, ':') || !read_digits(in, 2, s))
    return std::nullopt;
  int frac_ms = 0;
  if (!in.empty() && in.front() == '.') {
    in.remove_prefix(1);
    int digits = 0;
    while (!in.empty() && in.front() >= '0' && in.front() <= '9') {
      if (digits < 3)
        frac_ms = frac_ms * 10 + (in.front() - '0');
      ++digits;
      in.remove_prefix(1);
    }
    if (digits == 0)
      return std::nullopt;
    for (int i = digits; i < 3; ++i)
      frac_ms *= 10;
  }
  int offset_min = 0;
  if (in == "Z" || in == "z") {
    in.remove_prefix(1);
  } else if (!in.empty() && (in.front() == '+' || in.front() == '-')) {
    int sign = in.front() == '-' ? -1 : 1;
    in.remove_prefix(1);
    int oh = 0, om = 0;
    if (!read_digits(in, 2, oh))
      return std::nullopt;
    if (!in.empty() && in.front() == ':')
      in.remove_prefix(1);
    if (!read_digits(in, 2, om) || oh > 23 || om > 59)
      return std::nullopt;
    offset_min = sign * (oh * 60 + om);
  } else {
    return std::nullopt;
  }
  if (!in.empty())
    return std::nullopt;
  year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)},
                     day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 60)
    return std::nullopt;
  std::int64_t days_since = sys_days{ymd}.time_since_epoch().count();
  return days_since * 86'400'000 + h * 3'600'000LL + mi * 60'000LL + s * 1000LL
         + frac_ms - offset_min * 60'000LL;
}

} // namespace jirasync::common
