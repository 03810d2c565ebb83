#include "protocol/jira/rate_limit.hpp"

#include "common/ascii.hpp"

#include <algorithm>
#include <array>

#include <date/date.h>

#include "protocol/jira/jira_time.hpp"

namespace jirasync::protocol {

namespace {

using std::chrono::milliseconds;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty()
         && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'
             || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

// Non-negative decimal integer (at most 18 digits).
std::optional<std::int64_t> parse_uint(std::string_view s) {
  s = trim(s);
  if (s.empty() || s.size() > 18)
    return std::nullopt;
  std::int64_t n = 0;
  for (char c : s) {
    if (c < '0' || c > '9')
      return std::nullopt;
    n = n * 10 + (c - '0');
  }
  return n;
}

std::optional<int> month_index(std::string_view m) {
  static constexpr std::array<std::string_view, 12> names
    = {"jan", "feb", "mar", "apr", "may", "jun",
       "jul", "aug", "sep", "oct", "nov", "dec"};
  for (std::size_t i = 0; i < names.size(); ++i)
    if (common::ascii_iequals(m, names[i]))
      return static_cast<int>(i) + 1;
  return std::nullopt;
}

bool parse_hms(std::string_view s, int& h, int& m, int& sec) {
  if (s.size() != 8 || s[2] != ':' || s[5] != ':')
    return false;
  auto two = [&](std::size_t at, int& out) {
    auto v = parse_uint(s.substr(at, 2));
    if (!v)
      return false;
    out = static_cast<int>(*v);
    return true;
  };
  return two(0, h) && two(3, m) && two(6, sec) && h < 24 && m < 60 && sec < 61;
}

// HTTP-date (RFC 9110 5.6.7): IMF-fixdate, RFC 850 and asctime forms.
std::optional<std::chrono::system_clock::time_point>
parse_http_date(std::string_view s) {
  std::vector<std::string_view> tok;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == ',' || s[i] == '-'))
      ++i;
    std::size_t start = i;
    while (i < s.size() && s[i] != ' ' && s[i] != ',' && s[i] != '-')
      ++i;
    if (i > start)
      tok.push_back(s.substr(start, i - start));
  }
  std::optional<int> mon;
  std::optional<std::int64_t> day, year;
  std::string_view hms;
  if (tok.size() == 5 && month_index(tok[1])) { // asctime
    mon = month_index(tok[1]);
    day = parse_uint(tok[2]);
    hms = tok[3];
    year = parse_uint(tok[4]);
  } else if (tok.size() == 6) { // IMF-fixdate or RFC 850
    if (!common::ascii_iequals(tok[5], "GMT")
        && !common::ascii_iequals(tok[5], "UTC"))
      return std::nullopt;
    day = parse_uint(tok[1]);
    mon = month_index(tok[2]);
    year = parse_uint(tok[3]);
    hms = tok[4];
    if (year && tok[3].size() == 2) // RFC 850 two-digit year
      *year += *year < 70 ? 2000 : 1900;
  } else {
    return std::nullopt;
  }
  int h = 0, m = 0, sec = 0;
  // system_clock counts nanoseconds in 64 bits (+-292 years around 1970):
  // years outside 1970..2200 are garbage here and would overflow.
  if (!mon || !day || !year || !parse_hms(hms, h, m, sec) || *year < 1970
      || *year > 2200)
    return std::nullopt;
  auto ymd = date::year{static_cast<int>(*year)}
             / date::month{static_cast<unsigned>(*mon)}
             / date::day{static_cast<unsigned>(*day)};
  if (!ymd.ok())
    return std::nullopt;
  auto tp = date::sys_days{ymd} + std::chrono::hours{h}
            + std::chrono::minutes{m} + std::chrono::seconds{std::min(sec, 59)};
  return std::chrono::time_point_cast<std::chrono::system_clock::duration>(tp);
}

rate_limit_reason reason_from(std::string_view raw) {
  struct entry {
    std::string_view name;
    rate_limit_reason reason;
  };
  static constexpr std::array<entry, 5> table = {{
    {"jira-quota-global-based", rate_limit_reason::quota_global},
    {"jira-quota-tenant-based", rate_limit_reason::quota_tenant},
    {"jira-burst-based", rate_limit_reason::burst},
    {"jira-per-issue-on-write", rate_limit_reason::per_issue_on_write},
    {"jira-cost-based", rate_limit_reason::cost_based},
  }};
  for (const auto& e : table)
    if (common::ascii_iequals(raw, e.name))
      return e.reason;
  return rate_limit_reason::unknown;
}

// One structured-field list member: `"name";k=v;k=v` (name quoted or a
// token). Calls `param(key, value)` for each parameter.
struct sf_item {
  std::string name;
  std::vector<std::pair<std::string, std::string>> params;
};

std::vector<sf_item> parse_sf_list(std::string_view s) {
  std::vector<sf_item> items;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == ','))
      ++i;
    if (i >= s.size())
      break;
    sf_item item;
    if (s[i] == '"') {
      ++i;
      while (i < s.size() && s[i] != '"') {
        if (s[i] == '\\' && i + 1 < s.size())
          ++i;
        item.name += s[i++];
      }
      if (i < s.size())
        ++i; // closing quote
    } else {
      while (i < s.size() && s[i] != ';' && s[i] != ',')
        item.name += s[i++];
      item.name = std::string(trim(item.name));
    }
    // Parameters until the next top-level comma.
    while (i < s.size() && s[i] != ',') {
      if (s[i] != ';') { // junk after the name: skip it
        ++i;
        continue;
      }
      ++i;
      std::size_t start = i;
      while (i < s.size() && s[i] != ';' && s[i] != ',')
        ++i;
      std::string_view kv = trim(s.substr(start, i - start));
      auto eq = kv.find('=');
      if (eq == std::string_view::npos)
        item.params.emplace_back(std::string(kv), "");
      else
        item.params.emplace_back(std::string(trim(kv.substr(0, eq))),
                                 std::string(trim(kv.substr(eq + 1))));
    }
    items.push_back(std::move(item));
  }
  return items;
}

// X-RateLimit-Reset / X-Beta-RateLimit-Reset: ISO 8601 (minute precision
// for the Beta one), epoch seconds tolerated. Instants outside 1970..2200
// are garbage (and would overflow system_clock's nanoseconds).
std::optional<std::chrono::system_clock::time_point>
parse_reset_instant(std::string_view value) {
  constexpr std::int64_t max_ms = 7'258'118'400'000; // 2200-01-01
  if (auto ms = parse_jira_time_ms(value); ms && *ms >= 0 && *ms < max_ms)
    return std::chrono::system_clock::time_point{
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
        milliseconds{*ms})};
  if (auto secs = parse_uint(value);
      secs && *secs > 1'000'000'000 && *secs < max_ms / 1000)
    return std::chrono::system_clock::time_point{std::chrono::seconds{*secs}};
  return std::nullopt;
}

std::optional<bool> parse_bool(std::string_view value) {
  if (common::ascii_iequals(value, "true"))
    return true;
  if (common::ascii_iequals(value, "false"))
    return false;
  return std::nullopt;
}

// Larger values are garbage and would overflow: a wait is at most 10 days.
constexpr std::int64_t max_wait_secs = 10 * 24 * 3600;

} // namespace

std::string_view to_string(rate_limit_reason reason) {
  switch (reason) {
    case rate_limit_reason::none:
      return "none";
    case rate_limit_reason::quota_global:
      return "jira-quota-global-based";
    case rate_limit_reason::quota_tenant:
      return "jira-quota-tenant-based";
    case rate_limit_reason::burst:
      return "jira-burst-based";
    case rate_limit_reason::per_issue_on_write:
      return "jira-per-issue-on-write";
    case rate_limit_reason::cost_based:
      return "jira-cost-based";
    case rate_limit_reason::unknown:
      return "unknown";
  }
  return "unknown";
}

std::optional<milliseconds>
parse_retry_after(std::string_view value,
                  std::chrono::system_clock::time_point now) {
  value = trim(value);
  if (value.empty())
    return std::nullopt;
  if (value[0] >= '0' && value[0] <= '9') {
    // delta-seconds; a fraction ("1.5") is tolerated and honoured.
    auto dot = value.find('.');
    auto secs = parse_uint(value.substr(0, dot));
    if (!secs || *secs > 10'000'000)
      return std::nullopt;
    std::int64_t ms = *secs * 1000;
    if (dot != std::string_view::npos) {
      auto frac = value.substr(dot + 1);
      if (frac.empty() || !parse_uint(frac))
        return std::nullopt;
      int scale = 100;
      for (std::size_t k = 0; k < frac.size() && scale > 0; ++k, scale /= 10)
        ms += (frac[k] - '0') * scale;
    }
    return milliseconds{ms};
  }
  auto when = parse_http_date(value);
  if (!when)
    return std::nullopt;
  auto delta = std::chrono::duration_cast<milliseconds>(*when - now);
  return std::max(delta, milliseconds{0});
}

rate_limit_reason rate_limit_signal::effective_reason() const {
  return reason != rate_limit_reason::none ? reason : beta_reason;
}

bool rate_limit_signal::is_quota_reason() const {
  auto r = effective_reason();
  return r == rate_limit_reason::quota_global
         || r == rate_limit_reason::quota_tenant;
}

burst_figures rate_limit_signal::burst() const {
  return burst_figures{limit, remaining, reset_at, near_limit};
}

std::optional<quota_figures> rate_limit_signal::quota() const {
  if (policies.empty() && states.empty() && !beta_reset_at && !beta_near_limit
      && beta_reason == rate_limit_reason::none)
    return std::nullopt;
  quota_figures q;
  q.reset_at = beta_reset_at;
  q.near_limit = beta_near_limit;
  // The tightest state: fewest points left (a state without r= only when
  // no state has one).
  const rate_limit_state* state = nullptr;
  for (const auto& st : states)
    if (!state
        || (st.remaining
            && (!state->remaining || *st.remaining < *state->remaining)))
      state = &st;
  const rate_limit_policy* policy = nullptr;
  if (state && !state->name.empty()) {
    for (const auto& p : policies)
      if (p.name == state->name && (!policy || !policy->quota))
        policy = &p;
  }
  if (!policy && (!state || state->name.empty()))
    for (const auto& p : policies)
      if (!policy || (p.quota && (!policy->quota || *p.quota < *policy->quota)))
        policy = &p;
  if (state) {
    q.name = state->name;
    q.remaining = state->remaining;
    if (state->reset_secs)
      q.reset_secs = std::min(*state->reset_secs, max_wait_secs);
  }
  if (policy) {
    if (q.name.empty())
      q.name = policy->name;
    q.quota = policy->quota;
    q.window_secs = policy->window_secs;
  }
  return q;
}

std::optional<milliseconds> rate_limit_signal::retry_after_max() const {
  if (retry_after && beta_retry_after)
    return std::max(*retry_after, *beta_retry_after);
  return retry_after ? retry_after : beta_retry_after;
}

std::optional<milliseconds>
rate_limit_signal::wait_hint(std::chrono::system_clock::time_point now) const {
  std::optional<milliseconds> best;
  auto consider = [&](milliseconds d) {
    d = std::clamp(d, milliseconds{0}, milliseconds{max_wait_secs * 1000});
    if (!best || d > *best)
      best = d;
  };
  auto until = [&](std::chrono::system_clock::time_point at) {
    if (at > now)
      consider(std::chrono::duration_cast<milliseconds>(at - now));
  };
  auto explicit_wait = retry_after_max();
  if (explicit_wait)
    consider(*explicit_wait);
  if (is_quota_reason()) {
    // The quota window's reset: t= (relative, so immune to clock skew),
    // else X-Beta-RateLimit-Reset. X-RateLimit-Reset is the burst
    // bucket's and says nothing about the window.
    auto q = quota();
    if (q && q->reset_secs)
      consider(milliseconds{*q->reset_secs * 1000});
    else if (q && q->reset_at)
      until(*q->reset_at);
  } else if (effective_reason() != rate_limit_reason::none && !explicit_wait
             && reset_at) {
    until(*reset_at);
  }
  return best;
}

bool rate_limit_signal::any() const {
  return retry_after || beta_retry_after || burst().any()
         || reason != rate_limit_reason::none || quota();
}

rate_limit_signal parse_rate_limit_headers(
  const std::vector<std::pair<std::string, std::string>>& headers,
  std::chrono::system_clock::time_point now) {
  rate_limit_signal sig;
  for (const auto& [raw_name, raw_value] : headers) {
    std::string_view name = trim(raw_name);
    std::string_view value = trim(raw_value);
    if (common::ascii_iequals(name, "Retry-After")) {
      if (!sig.retry_after)
        sig.retry_after = parse_retry_after(value, now);
    } else if (common::ascii_iequals(name, "Beta-Retry-After")) {
      if (!sig.beta_retry_after)
        sig.beta_retry_after = parse_retry_after(value, now);
    } else if (common::ascii_iequals(name, "X-RateLimit-Limit")) {
      if (!sig.limit)
        sig.limit = parse_uint(value);
    } else if (common::ascii_iequals(name, "X-RateLimit-Remaining")) {
      if (!sig.remaining)
        sig.remaining = parse_uint(value);
    } else if (common::ascii_iequals(name, "X-RateLimit-Reset")) {
      if (!sig.reset_at)
        sig.reset_at = parse_reset_instant(value);
    } else if (common::ascii_iequals(name, "X-RateLimit-NearLimit")) {
      if (!sig.near_limit)
        sig.near_limit = parse_bool(value);
    } else if (common::ascii_iequals(name, "X-Beta-RateLimit-Reset")) {
      if (!sig.beta_reset_at)
        sig.beta_reset_at = parse_reset_instant(value);
    } else if (common::ascii_iequals(name, "X-Beta-RateLimit-NearLimit")) {
      if (!sig.beta_near_limit)
        sig.beta_near_limit = parse_bool(value);
    } else if (common::ascii_iequals(name, "X-Beta-RateLimit-Reason")) {
      if (sig.beta_reason != rate_limit_reason::none || value.empty())
        continue;
      sig.beta_reason_raw = std::string(value);
      sig.beta_reason = reason_from(value);
    } else if (common::ascii_iequals(name, "RateLimit-Reason")) {
      if (sig.reason != rate_limit_reason::none || value.empty())
        continue;
      sig.reason_raw = std::string(value);
      sig.reason = reason_from(value);
    } else if (common::ascii_iequals(name, "RateLimit-Policy")
               || common::ascii_iequals(name, "Beta-RateLimit-Policy")) {
      bool beta = common::ascii_iequals(name, "Beta-RateLimit-Policy");
      for (auto& item : parse_sf_list(value)) {
        rate_limit_policy p;
        p.name = std::move(item.name);
        p.beta = beta;
        for (const auto& [k, v] : item.params) {
          if (k == "q")
            p.quota = parse_uint(v);
          else if (k == "w")
            p.window_secs = parse_uint(v);
        }
        if (!p.name.empty() || p.quota || p.window_secs)
          sig.policies.push_back(std::move(p));
      }
    } else if (common::ascii_iequals(name, "RateLimit")
               || common::ascii_iequals(name, "Beta-RateLimit")) {
      bool beta = common::ascii_iequals(name, "Beta-RateLimit");
      for (auto& item : parse_sf_list(value)) {
        rate_limit_state st;
        st.name = std::move(item.name);
        st.beta = beta;
        for (const auto& [k, v] : item.params) {
          if (k == "r")
            st.remaining = parse_uint(v);
          else if (k == "t")
            st.reset_secs = parse_uint(v);
        }
        if (!st.name.empty() || st.remaining || st.reset_secs)
          sig.states.push_back(std::move(st));
      }
    }
  }
  return sig;
}

} // namespace jirasync::protocol
