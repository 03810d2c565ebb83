#include "protocol/jira/json_reader.hpp"

#include <cmath>
#include <limits>
#include <random>
#include <unordered_map>

#include <boost/json/parser.hpp>
#include <boost/json/string.hpp>

#include "common/utf8.hpp"
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

namespace {

std::string invalid_json(std::size_t at, const json::error_code& ec) {
  return "invalid JSON at byte " + std::to_string(at) + ": " + ec.message();
}

/// One parse of `text`; `ec` and `used` say how it went.
json::value parse_once(std::string_view text, bool allow_invalid_utf8,
                       json::error_code& ec, std::size_t& used) {
  json::parse_options opts;
  opts.max_depth = json_max_depth;
  opts.allow_invalid_utf8 = allow_invalid_utf8;
  // The parser keeps its partial values in a flat stack, so a document that
  // fails is torn down without deep recursion.
  json::parser p(json::storage_ptr(), opts);
  used = p.write(text.data(), text.size(), ec);
  if (ec)
    return nullptr;
  return p.release();
}

/// The stand-in for a cut value: a string no JSON text can forge (it
/// carries a per-process random nonce), replaced by null after parsing.
const std::string& cut_marker() {
  static const std::string marker = [] {
    std::random_device rd;
    std::string m = std::string(1, '\0') + "jirasync-cut:";
    for (int i = 0; i < 4; ++i)
      m += std::to_string(rd());
    return m;
  }();
  return marker;
}

/// `text` with every value nested deeper than `max_depth` replaced by the
/// cut marker (as a JSON string). Linear: each cut value is skipped once.
/// An unterminated deep value sets `unterminated` (the text was cut off).
std::string cut_deep(std::string_view text, std::size_t max_depth,
                     bool& unterminated) {
  std::string marker_json = "\"\\u0000" + cut_marker().substr(1) + "\"";
  std::string out;
  out.reserve(text.size());
  std::size_t depth = 0;
  bool in_str = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char ch = text[i];
    if (in_str) {
      out += ch;
      if (ch == '\\' && i + 1 < text.size())
        out += text[++i];
      else if (ch == '"')
        in_str = false;
      continue;
    }
    if (ch == '"') {
      in_str = true;
    } else if (ch == '[' || ch == '{') {
      if (depth >= max_depth) {
        std::size_t open = 0;
        bool s = false;
        std::size_t j = i;
        for (; j < text.size(); ++j) {
          char c = text[j];
          if (s) {
            if (c == '\\')
              ++j;
            else if (c == '"')
              s = false;
          } else if (c == '"') {
            s = true;
          } else if (c == '[' || c == '{') {
            ++open;
          } else if ((c == ']' || c == '}') && --open == 0) {
            break;
          }
        }
        if (j >= text.size()) {
          unterminated = true;
          return out;
        }
        out += marker_json;
        i = j;
        continue;
      }
      ++depth;
    } else if ((ch == ']' || ch == '}') && depth > 0) {
      --depth;
    }
    out += ch;
  }
  return out;
}

bool valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    auto n = common::utf8_sequence_length(s.substr(i));
    if (n == 0)
      return false;
    i += n;
  }
  return true;
}

std::string pointer_of(const std::vector<std::string>& path) {
  // Long paths (a cut 2,000 levels down) are shown by their start.
  constexpr std::size_t shown = 12;
  std::string out;
  for (std::size_t i = 0; i < path.size() && i < shown; ++i)
    out += "/" + json_reader::shorten(path[i]);
  if (path.size() > shown)
    out += "/... (" + std::to_string(path.size()) + " levels)";
  return out;
}

/// Finds the cut markers and the invalid UTF-8 of `root` (iteratively: the
/// tree is at most json_max_depth deep, but never recurse on input).
std::vector<json_reader::defect> find_defects(json::value& root) {
  std::vector<json_reader::defect> out;
  struct frame {
    json::value* v;
    std::size_t depth;
    std::string token;
  };
  std::vector<frame> stack;
  stack.push_back({&root, 0, {}});
  std::vector<std::string> path;
  auto add = [&](std::string message) {
    json_reader::defect d;
    d.pointer = pointer_of(path);
    d.message = std::move(message);
    d.path = path;
    out.push_back(std::move(d));
  };
  while (!stack.empty()) {
    auto f = std::move(stack.back());
    stack.pop_back();
    path.resize(f.depth > 0 ? f.depth - 1 : 0);
    if (f.depth > 0)
      path.push_back(std::move(f.token));
    auto& v = *f.v;
    if (v.is_string()) {
      auto& str = v.get_string();
      if (std::string_view(str) == cut_marker()) {
        v = nullptr;
        add("nested deeper than " + std::to_string(json_max_depth)
            + " levels (value dropped)");
      } else if (!valid_utf8(str)) {
        std::string fixed;
        common::append_valid_utf8(fixed, str);
        str = std::string_view(fixed);
        add("invalid UTF-8 in a string");
      }
    } else if (v.is_array()) {
      auto& a = v.get_array();
      for (std::size_t i = a.size(); i-- > 0;)
        stack.push_back({&a[i], f.depth + 1, std::to_string(i)});
    } else if (v.is_object()) {
      auto& o = v.get_object();
      for (auto& kv : o) {
        if (!valid_utf8(kv.key())) {
          path.push_back(std::string(kv.key()));
          add("invalid UTF-8 in a key");
          path.pop_back();
        }
        stack.push_back({&kv.value(), f.depth + 1, std::string(kv.key())});
      }
    }
  }
  return out;
}

} // namespace

namespace detail {

loaded_json load_json(std::string_view text) {
  loaded_json out;
  json::error_code ec;
  std::size_t used = 0;
  out.doc.value = parse_once(text, false, ec, used);
  if (!ec)
    return out;
  auto first = ec;
  auto first_msg = invalid_json(used, ec);
  // Too deep, or maybe invalid UTF-8 (a syntax error to Boost.JSON): try
  // again with the deep values cut and any bytes accepted; what that finds
  // are defects of their records, not of the document.
  if (first == json::error::too_deep || first == json::error::syntax) {
    std::string cut;
    std::string_view src = text;
    ec = {};
    if (first == json::error::syntax)
      out.doc.value = parse_once(src, true, ec, used);
    if (first == json::error::too_deep || ec == json::error::too_deep) {
      bool unterminated = false;
      cut = cut_deep(text, json_max_depth, unterminated);
      if (unterminated) {
        out.doc.value = nullptr;
        out.doc.errors.push_back(
          {"", "",
           invalid_json(text.size(),
                        json::make_error_code(json::error::incomplete))});
        out.doc.fatal = true;
        out.truncated = true;
        return out;
      }
      src = cut;
      ec = {};
      out.doc.value = parse_once(src, true, ec, used);
    }
    if (!ec) {
      out.defects = find_defects(out.doc.value);
      if (!out.defects.empty())
        return out;
    } else if (first == json::error::too_deep) {
      // Offsets of the cut text do not match the input's.
      first = ec;
      first_msg = ec == json::error::incomplete
                    ? invalid_json(text.size(), ec)
                    : "invalid JSON: " + ec.message();
    }
  }
  out.doc.value = nullptr;
  out.doc.errors.push_back({"", "", std::move(first_msg)});
  out.doc.fatal = true;
  out.truncated = first == json::error::incomplete;
  return out;
}

void add_unreported(const std::vector<json_reader::defect>& defects,
                    std::vector<parse_error>& errors) {
  for (const auto& d : defects)
    if (!d.reported)
      errors.push_back({"", d.pointer, d.message});
}

} // namespace detail

parsed<json::value> parse_json(std::string_view text) {
  auto loaded = detail::load_json(text);
  for (const auto& d : loaded.defects)
    loaded.doc.errors.push_back({"", d.pointer, d.message});
  return std::move(loaded.doc);
}

json_text_fault json_fault(std::string_view text) {
  auto loaded = detail::load_json(text);
  if (!loaded.doc.fatal)
    return json_text_fault::none;
  return loaded.truncated ? json_text_fault::truncated
                          : json_text_fault::malformed;
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

// ---------------------------------------------------------------------------
// Defects of the document parse_text is reading

namespace {

using defect_index = std::unordered_map<const json::value*, defect*>;

thread_local defect_index* current_defects = nullptr;

} // namespace

defect_scope::defect_scope(const json::value& doc, std::vector<defect>& defects)
    : saved_(current_defects), index_(new defect_index) {
  auto& index = *static_cast<defect_index*>(index_);
  // The defect and every value on the way to it hold it (the first defect
  // found wins).
  for (auto& d : defects) {
    const json::value* v = &doc;
    index.emplace(v, &d);
    for (const auto& token : d.path) {
      if (v->is_array()) {
        std::size_t i = std::stoul(token);
        if (i >= v->get_array().size())
          break;
        v = &v->get_array()[i];
      } else if (v->is_object()) {
        auto it = v->get_object().find(token);
        if (it == v->get_object().end())
          break;
        v = &it->value();
      } else {
        break;
      }
      index.emplace(v, &d);
    }
  }
  current_defects = &index;
}

defect_scope::~defect_scope() {
  current_defects = static_cast<defect_index*>(saved_);
  delete static_cast<defect_index*>(index_);
}

const defect* defect_within(const json::value& v) {
  if (!current_defects)
    return nullptr;
  auto it = current_defects->find(&v);
  return it == current_defects->end() ? nullptr : it->second;
}

bool fail_on_defect(ctx& c, const json::value& v) {
  if (!current_defects)
    return false;
  auto it = current_defects->find(&v);
  if (it == current_defects->end())
    return false;
  it->second->reported = true;
  c.fail(it->second->pointer, it->second->message);
  return true;
}

} // namespace json_reader

} // namespace jirasync::protocol
