#include "sim/sim_time.hpp"

#include "common/time_format.hpp"

#include <chrono>
#include <cstdio>
#include <exception>

#include <date/date.h>
#include <date/tz.h>

namespace jirasim {

namespace {

using ms_t = std::chrono::milliseconds;

const date::time_zone* zone_or_null(std::string_view name) {
  try {
    return date::locate_zone(std::string{name});
  } catch (const std::exception&) {
    return nullptr;
  }
}

std::string format_fields(date::local_time<ms_t> lt) {
  auto day = date::floor<date::days>(lt);
  date::year_month_day ymd{day};
  date::hh_mm_ss<ms_t> hms{lt - day};
  char buf[40];
  std::snprintf(
    buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03d",
    static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
    static_cast<unsigned>(ymd.day()), static_cast<int>(hms.hours().count()),
    static_cast<int>(hms.minutes().count()),
    static_cast<int>(hms.seconds().count()),
    static_cast<int>(hms.subseconds().count()));
  return buf;
}

} // namespace

std::string format_rfc3339_utc(int64_t ms) {
  return jirasync::common::format_rfc3339_ms(ms);
}

std::string format_jira_time(int64_t ms, std::string_view time_zone) {
  date::sys_time<ms_t> st{ms_t{ms}};
  auto offset_secs = int64_t{0};
  if (auto* z = zone_or_null(time_zone))
    offset_secs = z->get_info(st).offset.count();
  date::local_time<ms_t> lt{ms_t{ms + offset_secs * 1000}};
  auto sign = offset_secs < 0 ? '-' : '+';
  auto a = offset_secs < 0 ? -offset_secs : offset_secs;
  char buf[8];
  std::snprintf(buf, sizeof buf, "%c%02d%02d", sign, static_cast<int>(a / 3600),
                static_cast<int>(a % 3600 / 60));
  return format_fields(lt) + buf;
}

std::string format_utc_date(int64_t ms) {
  return format_rfc3339_utc(ms).substr(0, 10);
}

std::optional<int64_t> local_to_utc_ms(std::string_view time_zone, int year,
                                       unsigned month, unsigned day,
                                       unsigned hour, unsigned minute) {
  auto* z = zone_or_null(time_zone);
  if (!z)
    return std::nullopt;
  date::year_month_day ymd{date::year{year}, date::month{month},
                           date::day{day}};
  if (!ymd.ok() || hour > 23 || minute > 59)
    return std::nullopt;
  auto lt = date::local_days{ymd} + std::chrono::hours{hour}
            + std::chrono::minutes{minute};
  // In every case (unique, gap, fold) the offset in force just before the
  // local time is the right one: unique -> it; gap -> shifted forward by the
  // gap length; fold -> the earlier instant.
  auto info = z->get_info(lt);
  auto utc = lt.time_since_epoch() - info.first.offset;
  return std::chrono::duration_cast<ms_t>(utc).count();
}

bool is_known_time_zone(std::string_view time_zone) {
  return zone_or_null(time_zone) != nullptr;
}

} // namespace jirasim
