#include "protocol/jira/jira_time.hpp"

#include <array>
#include <cstdio>

#include <date/date.h>

namespace jirasync::protocol {

namespace {

// A tiny cursor over the text; every reader returns false on mismatch.
struct cursor {
  std::string_view s;
  std::size_t pos = 0;

  bool done() const {
    return pos == s.size();
  }
  bool peek(char c) const {
    return pos < s.size() && s[pos] == c;
  }
  bool eat(char c) {
    if (!peek(c))
      return false;
    ++pos;
    return true;
  }
  // Exactly n decimal digits.
  bool digits(int n, int& out) {
    if (pos + static_cast<std::size_t>(n) > s.size())
      return false;
    int v = 0;
    for (int i = 0; i < n; ++i) {
      char c = s[pos + i];
      if (c < '0' || c > '9')
        return false;
      v = v * 10 + (c - '0');
    }
    pos += n;
    out = v;
    return true;
  }
};

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

} // namespace

std::optional<std::int64_t> parse_jira_time_ms(std::string_view text) {
  cursor c{text};
  int y = 0, mo = 0, d = 0;
  if (!c.digits(4, y) || !c.eat('-') || !c.digits(2, mo) || !c.eat('-')
      || !c.digits(2, d))
    return std::nullopt;
  auto ymd = date::year{y} / date::month{static_cast<unsigned>(mo)}
             / date::day{static_cast<unsigned>(d)};
  if (!ymd.ok())
    return std::nullopt;
  auto day_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  date::sys_days{ymd}.time_since_epoch())
                  .count();
  if (c.done())
    return day_ms; // date-only: 00:00 UTC
  if (!c.eat('T') && !c.eat('t'))
    return std::nullopt;
  int h = 0, mi = 0, sec = 0, ms = 0;
  if (!c.digits(2, h) || !c.eat(':') || !c.digits(2, mi))
    return std::nullopt;
  if (c.eat(':')) {
    if (!c.digits(2, sec))
      return std::nullopt;
    if (c.eat('.') || c.eat(',')) {
      int n = 0;
      while (!c.done() && is_digit(c.s[c.pos])) {
        if (n < 3)
          ms = ms * 10 + (c.s[c.pos] - '0');
        ++n;
        ++c.pos;
      }
      if (n == 0 || n > 9)
        return std::nullopt;
      for (int i = n; i < 3; ++i)
        ms *= 10;
    }
  }
  if (h > 23 || mi > 59 || sec > 59)
    return std::nullopt;
  int offset_min = 0;
  if (c.eat('Z') || c.eat('z')) {
    // UTC
  } else if (c.peek('+') || c.peek('-')) {
    int sign = c.s[c.pos] == '-' ? -1 : 1;
    ++c.pos;
    int oh = 0, om = 0;
    if (!c.digits(2, oh))
      return std::nullopt;
    if (!c.done()) {
      c.eat(':');
      if (!c.digits(2, om))
        return std::nullopt;
    }
    if (oh > 23 || om > 59)
      return std::nullopt;
    offset_min = sign * (oh * 60 + om);
  } else {
    return std::nullopt; // zoneless date-time: ambiguous
  }
  if (!c.done())
    return std::nullopt;
  std::int64_t local_ms = day_ms + ((h * 60LL + mi) * 60LL + sec) * 1000LL + ms;
  return local_ms - offset_min * 60'000LL;
}

std::string describe_bad_time(std::string_view text) {
  std::string shown;
  for (char ch : text.substr(0, 40)) {
    if (ch == '"' || ch == '\\')
      shown += '\\';
    shown += (static_cast<unsigned char>(ch) < 0x20) ? '?' : ch;
  }
  if (text.size() > 40)
    shown += "...";
  return "expected a Jira timestamp, got \"" + shown + "\"";
}

} // namespace jirasync::protocol
