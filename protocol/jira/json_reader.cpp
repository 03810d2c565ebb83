#include "protocol/jira/json_reader.hpp"

#include <cmath>
#include <limits>

#include <boost/json/parser.hpp>
#include <boost/json/string.hpp>

#include "protocol/jira/jira_time.hpp"

namespace json = boost::json;

namespace jirasync::protocol {

// ---------------------------------------------------------------------------
// parse_error, parse_json

std::string parse_error::to_string() const {
  std::string out;
  for (const std::string* part : {&record, &field, &message}) {
    if (part->empty())
      continue;
    if (!out.empty())
      out += ": ";
    out += *part;
  }
  return out;
}

parsed<json::value> parse_json(std::string_view text) {
  parsed<json::value> out;
  json::parse_options opts;
  opts.max_depth = json_max_depth;
  // The parser keeps its partial values in a flat stack, so a document that
  // trips max_depth is torn down without deep recursion.
  json::parser p(json::storage_ptr(), opts);
  json::error_code ec;
  // write() expects one complete JSON text (extra data is an error).
  std::size_t used = p.write(text.data(), text.size(), ec);
  if (ec) {
    std::string msg = "invalid JSON at byte " + std::to_string(used) + ": ";
    if (ec == json::error::too_deep)
      msg += "nested deeper than " + std::to_string(json_max_depth) + " levels";
    else
      msg += ec.message();
    out.errors.push_back({"", "", std::move(msg)});
    out.fatal = true;
    return out;
  }
  out.value = p.release();
  return out;
}

// ---------------------------------------------------------------------------
// Reading helpers

namespace json_reader {

std::string_view kind_name(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null:
      return "null";
    case json::kind::bool_:
      return "a boolean";
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_:
      return "a number";
    case json::kind::string:
      return "a string";
    case json::kind::array:
      return "an array";
    case json::kind::object:
      return "an object";
  }
  return "?";
}

std::string join(std::string_view prefix, std::string_view name) {
  if (prefix.empty())
    return std::string(name);
  std::string out(prefix);
  out += '.';
  out += name;
  return out;
}

std::string indexed(std::string_view base, std::size_t i) {
  return std::string(base) + "[" + std::to_string(i) + "]";
}

// nullptr when absent or null.
const json::value* get(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null())
    return nullptr;
  return &it->value();
}

std::optional<std::int64_t> as_int(const json::value& v) {
  if (v.is_int64())
    return v.get_int64();
  if (v.is_uint64()) {
    if (v.get_uint64()
        > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
      return std::nullopt;
    return static_cast<std::int64_t>(v.get_uint64());
  }
  if (v.is_double()) {
    double d = v.get_double();
    if (std::isfinite(d) && std::floor(d) == d && std::fabs(d) < 9.0e15)
      return static_cast<std::int64_t>(d);
    return std::nullopt;
  }
  if (v.is_string()) {
    const auto& s = v.get_string();
    if (s.empty() || s.size() > 18)
      return std::nullopt;
    std::int64_t n = 0;
    std::size_t i = 0;
    bool neg = s[0] == '-';
    if (neg)
      i = 1;
    if (i == s.size())
      return std::nullopt;
    for (; i < s.size(); ++i) {
      if (s[i] < '0' || s[i] > '9')
        return std::nullopt;
      n = n * 10 + (s[i] - '0');
    }
    return neg ? -n : n;
  }
  return std::nullopt;
}

// Ids: strings (non-empty) or integral numbers.
std::optional<std::string> as_id(const json::value& v) {
  if (v.is_string()) {
    if (v.get_string().empty())
      return std::nullopt;
    return std::string(v.get_string());
  }
  if (v.is_number() && !v.is_string()) {
    if (auto n = as_int(v))
      return std::to_string(*n);
  }
  return std::nullopt;
}

std::string shorten(std::string_view s) {
  std::string out;
  for (char ch : s.substr(0, 40))
    out += static_cast<unsigned char>(ch) < 0x20 ? '?' : ch;
  if (s.size() > 40)
    out += "...";
  return out;
}

std::string got(const json::value& v) {
  if (v.is_string())
    return "got \"" + shorten(v.get_string()) + "\"";
  return "got " + std::string(kind_name(v));
}

// Optional string; wrong type is an error.
std::optional<std::string> opt_str(ctx& c, const json::object& o,
                                   std::string_view key,
                                   std::string_view prefix) {
  const auto* v = get(o, key);
  if (!v)
    return std::nullopt;
  if (!v->is_string()) {
    c.fail(join(prefix, key), "expected a string, " + got(*v));
    return std::nullopt;
  }
  return std::string(v->get_string());
}

std::string str_or_empty(ctx& c, const json::object& o, std::string_view key,
                         std::string_view prefix) {
  return opt_str(c, o, key, prefix).value_or(std::string());
}

// Tolerant text: strings, and numbers rendered as text (names sometimes are).
std::optional<std::string> opt_text(ctx& c, const json::object& o,
                                    std::string_view key,
                                    std::string_view prefix) {
  const auto* v = get(o, key);
  if (!v)
    return std::nullopt;
  if (v->is_string())
    return std::string(v->get_string());
  if (auto id = as_id(*v))
    return id;
  c.fail(join(prefix, key), "expected a string, " + got(*v));
  return std::nullopt;
}

std::optional<std::string> opt_id(ctx& c, const json::object& o,
                                  std::string_view key,
                                  std::string_view prefix) {
  const auto* v = get(o, key);
  if (!v)
    return std::nullopt;
  if (auto id = as_id(*v))
    return id;
  c.fail(join(prefix, key), "expected a string or integer id, " + got(*v));
  return std::nullopt;
}

std::string req_id(ctx& c, const json::object& o, std::string_view key,
                   std::string_view prefix) {
  const auto* v = get(o, key);
  if (!v) {
    c.fail(join(prefix, key), "missing");
    return {};
  }
  if (auto id = as_id(*v))
    return *id;
  c.fail(join(prefix, key),
         "expected a non-empty string or integer id, " + got(*v));
  return {};
}

std::string req_str(ctx& c, const json::object& o, std::string_view key,
                    std::string_view prefix) {
  const auto* v = get(o, key);
  if (!v) {
    c.fail(join(prefix, key), "missing");
    return {};
  }
  if (!v->is_string() || v->get_string().empty()) {
    c.fail(join(prefix, key), "expected a non-empty string, " + got(*v));
    return {};
  }
  return std::string(v->get_string());
}

std::optional<std::int64_t> opt_int(ctx& c, const json::object& o,
                                    std::string_view key,
                                    std::string_view prefix) {
  const auto* v = get(o, key);
  if (!v)
    return std::nullopt;
  if (auto n = as_int(*v))
    return n;
  c.fail(join(prefix, key), "expected an integer, " + got(*v));
  return std::nullopt;
}

std::optional<bool> opt_bool(ctx& c, const json::object& o,
                             std::string_view key, std::string_view prefix) {
  const auto* v = get(o, key);
  if (!v)
    return std::nullopt;
  if (v->is_bool())
    return v->get_bool();
  if (v->is_string()) {
    if (v->get_string() == "true")
      return true;
    if (v->get_string() == "false")
      return false;
  }
  c.fail(join(prefix, key), "expected a boolean, " + got(*v));
  return std::nullopt;
}

std::optional<std::int64_t> opt_time(ctx& c, const json::object& o,
                                     std::string_view key,
                                     std::string_view prefix) {
  const auto* v = get(o, key);
  if (!v)
    return std::nullopt;
  if (v->is_string()) {
    std::string_view s = v->get_string();
    if (auto ms = parse_jira_time_ms(s))
      return ms;
    c.fail(join(prefix, key), describe_bad_time(s));
    return std::nullopt;
  }
  c.fail(join(prefix, key), "expected a Jira timestamp, " + got(*v));
  return std::nullopt;
}

std::int64_t req_time(ctx& c, const json::object& o, std::string_view key,
                      std::string_view prefix) {
  if (!get(o, key)) {
    c.fail(join(prefix, key), "missing");
    return 0;
  }
  return opt_time(c, o, key, prefix).value_or(0);
}

// An object member: nullptr when absent/null; error when not an object.
const json::object* opt_obj(ctx& c, const json::object& o, std::string_view key,
                            std::string_view prefix) {
  const auto* v = get(o, key);
  if (!v)
    return nullptr;
  if (!v->is_object()) {
    c.fail(join(prefix, key), "expected an object, " + got(*v));
    return nullptr;
  }
  return &v->get_object();
}

const json::array* opt_arr(ctx& c, const json::object& o, std::string_view key,
                           std::string_view prefix) {
  const auto* v = get(o, key);
  if (!v)
    return nullptr;
  if (!v->is_array()) {
    c.fail(join(prefix, key), "expected an array, " + got(*v));
    return nullptr;
  }
  return &v->get_array();
}

std::vector<std::string> str_list(ctx& c, const json::object& o,
                                  std::string_view key,
                                  std::string_view prefix) {
  std::vector<std::string> out;
  if (const auto* a = opt_arr(c, o, key, prefix)) {
    for (std::size_t i = 0; i < a->size(); ++i) {
      const auto& e = (*a)[i];
      if (e.is_string())
        out.emplace_back(e.get_string());
      else
        c.fail(indexed(join(prefix, key), i), "expected a string, " + got(e));
    }
  }
  return out;
}

std::string label(std::string_view kind, std::optional<std::size_t> index,
                  const json::value& v) {
  std::string out(kind);
  if (index)
    out = indexed(kind, *index);
  if (!v.is_object())
    return out;
  const auto& o = v.get_object();
  auto tag = [&](std::string_view key) -> std::optional<std::string> {
    if (const auto* f = get(o, key))
      if (auto s = as_id(*f))
        return shorten(*s);
    return std::nullopt;
  };
  if (auto k = tag("key"))
    return out + " (key " + *k + ")";
  if (auto k = tag("id"))
    return out + " (id " + *k + ")";
  if (auto k = tag("accountId"))
    return out + " (accountId " + *k + ")";
  if (auto k = tag("name"))
    return out + " (name " + *k + ")";
  return out;
}

page_info read_page_info(ctx& c, const json::object& o, std::size_t count) {
  page_info pi;
  pi.start_at = opt_int(c, o, "startAt", "").value_or(0);
  pi.max_results = opt_int(c, o, "maxResults", "").value_or(0);
  pi.total = opt_int(c, o, "total", "");
  pi.next_page = opt_str(c, o, "nextPage", "");
  if (auto last = opt_bool(c, o, "isLast", ""))
    pi.is_last = *last;
  else if (pi.total)
    pi.is_last = pi.start_at + static_cast<std::int64_t>(count) >= *pi.total;
  else
    pi.is_last = !pi.next_page.has_value();
  return pi;
}

} // namespace json_reader

} // namespace jirasync::protocol
