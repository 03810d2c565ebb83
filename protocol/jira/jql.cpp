#include "protocol/jira/jql.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>

#include <date/date.h>
#include <date/tz.h>

namespace jirasync::protocol {

namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

// nullptr = plain UTC arithmetic (unknown zone, or no tz database at all).
const date::time_zone* find_zone(std::string_view name, bool& fallback) {
  fallback = false;
  if (name == "UTC" || name == "Etc/UTC") {
    return nullptr;
  }
  if (!name.empty()) {
    try {
      return date::locate_zone(std::string(name));
    } catch (...) {
      // date throws std::runtime_error for unknown names (and when the
      // tz database cannot be read); both mean "use UTC and warn".
    }
  }
  fallback = true;
  return nullptr;
}

date::local_time<milliseconds> to_local(const date::time_zone* zone,
                                        std::int64_t utc_ms) {
  date::sys_time<milliseconds> t{milliseconds{utc_ms}};
  if (!zone)
    return date::local_time<milliseconds>{t.time_since_epoch()};
  auto info = zone->get_info(t);
  return date::local_time<milliseconds>{t.time_since_epoch() + info.offset};
}

// The earliest and latest instants (UTC ms) Jira could read the local
// minute `l` as: one for a unique time, two in a fold (ambiguous) or a gap
// (non-existent: shifted by the offset before or after the change).
std::pair<std::int64_t, std::int64_t> readings(const date::time_zone* zone,
                                               date::local_time<minutes> l) {
  auto local_ms
    = std::chrono::duration_cast<milliseconds>(l.time_since_epoch()).count();
  if (!zone)
    return {local_ms, local_ms};
  auto li = zone->get_info(date::local_seconds{l.time_since_epoch()});
  auto a = local_ms
           - std::chrono::duration_cast<milliseconds>(li.first.offset).count();
  if (li.result == date::local_info::unique)
    return {a, a};
  auto b = local_ms
           - std::chrono::duration_cast<milliseconds>(li.second.offset).count();
  return {std::min(a, b), std::max(a, b)};
}

std::string format_local_minute(date::local_time<minutes> l) {
  auto days = date::floor<date::days>(l);
  date::year_month_day ymd{days};
  auto m = (l - days).count(); // minutes into the day
  std::array<char, 64> buf{};
  std::snprintf(buf.data(), buf.size(), "%04d/%02u/%02u %02d:%02d",
                static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()), static_cast<int>(m / 60),
                static_cast<int>(m % 60));
  return buf.data();
}

bool all_digits(std::string_view s) {
  return !s.empty() && s.size() <= 18
         && std::all_of(s.begin(), s.end(), [](char c) {
              return c >= '0' && c <= '9';
            });
}

} // namespace

std::string format_jql_time(std::int64_t utc_ms, std::string_view time_zone,
                            minute_rounding rounding, bool* fallback) {
  bool fb = false;
  const auto* zone = find_zone(time_zone, fb);
  if (fallback)
    *fallback = fb;
  // Years 0001..9998 keep every offset/rounding step far from overflow.
  constexpr std::int64_t min_ms = -62135596800000LL; // 0001-01-01
  constexpr std::int64_t max_ms = 253370678400000LL; // 9998-12-31
  utc_ms = std::clamp(utc_ms, min_ms, max_ms);
  auto local = to_local(zone, utc_ms);
  // A DST fold is at most a few hours wide; the walk stops long before.
  constexpr int max_steps = 24 * 60;
  if (rounding == minute_rounding::down) {
    auto l = date::floor<minutes>(local);
    for (int i = 0; i < max_steps && readings(zone, l).second > utc_ms; ++i)
      l -= minutes{1};
    return format_local_minute(l);
  }
  auto l = date::ceil<minutes>(local);
  for (int i = 0; i < max_steps && readings(zone, l).first < utc_ms; ++i)
    l += minutes{1};
  return format_local_minute(l);
}

std::string jql_quote(std::string_view value) {
  std::string out;
  out.reserve(value.size() + 2);
  out += '"';
  for (char ch : value) {
    switch (ch) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) {
          std::array<char, 8> buf{};
          std::snprintf(buf.data(), buf.size(), "\\u%04x",
                        static_cast<unsigned>(static_cast<unsigned char>(ch)));
          out += buf.data();
        } else {
          out += ch;
        }
    }
  }
  out += '"';
  return out;
}

jql_result build_jql(const jql_query& q) {
  jql_result r;
  auto refuse = [&](std::string why) {
    r.jql.clear();
    r.error = std::move(why);
    return r;
  };
  if (q.overlap_minutes < 0)
    return refuse("overlap_minutes must be >= 0, got "
                  + std::to_string(q.overlap_minutes));
  std::vector<std::string> clauses;
  bool restricted = false;
  if (!q.project_keys.empty()) {
    for (const auto& k : q.project_keys)
      if (k.empty())
        return refuse("empty project key");
    if (q.project_op == project_scope_op::in && q.project_keys.size() == 1) {
      clauses.push_back("project = " + jql_quote(q.project_keys.front()));
    } else {
      std::string list;
      for (const auto& k : q.project_keys)
        list += (list.empty() ? "" : ", ") + jql_quote(k);
      clauses.push_back(
        std::string("project ")
        + (q.project_op == project_scope_op::in ? "in" : "not in") + " (" + list
        + ")");
    }
    restricted = q.project_op == project_scope_op::in;
  }
  bool fallback = false;
  auto bound = [&](std::string_view field, std::string_view op, std::int64_t ms,
                   minute_rounding rounding) {
    bool fb = false;
    clauses.push_back(std::string(field) + " " + std::string(op) + " \""
                      + format_jql_time(ms, q.time_zone, rounding, &fb) + "\"");
    fallback = fallback || fb;
    restricted = true;
  };
  if (q.updated_from_ms) {
    // Saturating: a bound near INT64_MIN must not wrap around.
    std::int64_t overlap_ms = std::int64_t{q.overlap_minutes} * 60'000;
    std::int64_t from = *q.updated_from_ms;
    from = from < INT64_MIN + overlap_ms ? INT64_MIN : from - overlap_ms;
    bound("updated", ">=", from, minute_rounding::down);
  }
  if (q.updated_to_ms)
    bound("updated", "<=", *q.updated_to_ms, minute_rounding::up);
  if (q.created_from_ms)
    bound("created", ">=", *q.created_from_ms, minute_rounding::down);
  if (q.created_to_ms)
    bound("created", "<=", *q.created_to_ms, minute_rounding::up);
  if (q.id_greater_than) {
    clauses.push_back("id > " + std::to_string(*q.id_greater_than));
    restricted = true;
  }
  if (q.id_at_least) {
    clauses.push_back("id >= " + std::to_string(*q.id_at_least));
    restricted = true;
  }
  if (q.id_below) {
    clauses.push_back("id < " + std::to_string(*q.id_below));
    restricted = true;
  }
  if (!q.ids_in.empty()) {
    std::string list;
    for (const auto& id : q.ids_in) {
      if (!all_digits(id))
        return refuse("issue id must be all digits, got " + jql_quote(id));
      list += (list.empty() ? "" : ", ") + id;
    }
    clauses.push_back("id in (" + list + ")");
    restricted = true;
  }
  if (!restricted)
    return refuse("refusing an unbounded JQL query: give project keys "
                  "(project in) or an updated/created/id bound");
  for (std::size_t i = 0; i < clauses.size(); ++i)
    r.jql += (i ? " AND " : "") + clauses[i];
  switch (q.order) {
    case jql_order::updated_then_id:
      r.jql += " ORDER BY updated ASC, id ASC";
      break;
    case jql_order::updated_desc:
      r.jql += " ORDER BY updated DESC";
      break;
    case jql_order::id:
      r.jql += " ORDER BY id ASC";
      break;
    case jql_order::none:
      break;
  }
  r.time_zone_fallback = fallback;
  return r;
}

} // namespace jirasync::protocol
