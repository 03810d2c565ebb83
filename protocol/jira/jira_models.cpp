#include "protocol/jira/jira_models.hpp"

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

namespace {

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

// Collects the errors of one record. `own` counts the errors in the
// record's own fields (which reject the record); errors of sub-records are
// appended without counting (they only reject the sub-record).
struct ctx {
  std::string record;
  std::vector<parse_error>* errors;
  int own = 0;

  void fail(std::string_view field, std::string message) {
    errors->push_back({record, std::string(field), std::move(message)});
    ++own;
  }
};

// Runs `fn(sub)` for a sub-record; returns whether the sub-record is good.
template<class F>
bool sub_record(ctx& parent, F&& fn) {
  ctx sub{parent.record, parent.errors, 0};
  fn(sub);
  return sub.own == 0;
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

// Record label: `kind[i] (key K)` / `(id N)` / `(accountId A)`.
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

// Reads each element of `arr` as a record with `read(ctx&, object, T&)`.
template<class T, class F>
void read_records(const json::array& arr, std::string_view kind,
                  std::vector<T>& out, std::vector<parse_error>& errors,
                  F&& read) {
  out.reserve(arr.size());
  for (std::size_t i = 0; i < arr.size(); ++i) {
    const auto& e = arr[i];
    ctx c{label(kind, i, e), &errors, 0};
    if (!e.is_object()) {
      c.fail("", "expected an object, " + got(e));
      continue;
    }
    T value{};
    read(c, e.get_object(), value);
    if (c.own == 0)
      out.push_back(std::move(value));
  }
}

// Reads the elements of o[key] as sub-records of the record `c`.
template<class T, class F>
void read_sub_records(ctx& c, const json::object& o, std::string_view key,
                      std::string_view prefix, std::vector<T>& out, F&& read) {
  const auto* arr = opt_arr(c, o, key, prefix);
  if (!arr)
    return;
  std::string base = join(prefix, key);
  for (std::size_t i = 0; i < arr->size(); ++i) {
    const auto& e = (*arr)[i];
    std::string path = indexed(base, i);
    T value{};
    bool good = sub_record(c, [&](ctx& sub) {
      if (!e.is_object()) {
        sub.fail(path, "expected an object, " + got(e));
        return;
      }
      read(sub, e.get_object(), path, value);
    });
    if (good)
      out.push_back(std::move(value));
  }
}

// Top-level shape checks.
template<class T>
const json::object* top_object(const json::value& doc, parsed<T>& out,
                               std::string_view what) {
  if (!doc.is_object()) {
    out.errors.push_back(
      {std::string(what), "", "expected a JSON object, " + got(doc)});
    out.fatal = true;
    return nullptr;
  }
  return &doc.get_object();
}

template<class T>
const json::array* top_array(const json::value& doc, parsed<T>& out,
                             std::string_view what) {
  if (!doc.is_array()) {
    out.errors.push_back(
      {std::string(what), "", "expected a JSON array, " + got(doc)});
    out.fatal = true;
    return nullptr;
  }
  return &doc.get_array();
}

// A page member that must be an array (`values`, `issues`...).
template<class T>
const json::array* page_array(const json::object& o, std::string_view key,
                              parsed<T>& out, std::string_view what) {
  const auto* v = get(o, key);
  if (!v || !v->is_array()) {
    out.errors.push_back(
      {std::string(what), std::string(key),
       v ? "expected an array, " + got(*v) : std::string("missing")});
    out.fatal = true;
    return nullptr;
  }
  return &v->get_array();
}

// Single-object parse: runs `read` on the object as one record.
template<class T, class F>
parsed<T> single(const json::value& doc, std::string_view kind, F&& read) {
  parsed<T> out;
  const auto* o = top_object(doc, out, kind);
  if (!o)
    return out;
  ctx c{label(kind, std::nullopt, doc), &out.errors, 0};
  read(c, *o, out.value);
  out.fatal = c.own > 0;
  return out;
}

// ---------------------------------------------------------------------------
// Record readers

void read_user(ctx& c, const json::object& o, std::string_view p,
               jira_user& u) {
  u.account_id = req_str(c, o, "accountId", p);
  u.account_type_raw = str_or_empty(c, o, "accountType", p);
  if (u.account_type_raw == "atlassian")
    u.type = account_type::atlassian;
  else if (u.account_type_raw == "app")
    u.type = account_type::app;
  else if (u.account_type_raw == "customer")
    u.type = account_type::customer;
  else
    u.type = account_type::unknown;
  u.email = opt_str(c, o, "emailAddress", p);
  if (u.email && u.email->empty())
    u.email.reset(); // "" = hidden, like null
  u.display_name = str_or_empty(c, o, "displayName", p);
  u.active = opt_bool(c, o, "active", p).value_or(true);
  u.time_zone = opt_str(c, o, "timeZone", p);
  u.locale = opt_str(c, o, "locale", p);
}

// An embedded user (reporter, author, lead...): absent/null -> nullopt; an
// invalid user is an error of the enclosing record.
std::optional<jira_user> user_field(ctx& c, const json::object& o,
                                    std::string_view key, std::string_view p) {
  const auto* uo = opt_obj(c, o, key, p);
  if (!uo)
    return std::nullopt;
  jira_user u;
  read_user(c, *uo, join(p, key), u);
  return u;
}

void read_group(ctx& c, const json::object& o, std::string_view p,
                jira_group& g) {
  g.group_id = req_str(c, o, "groupId", p);
  g.name = req_str(c, o, "name", p);
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

// Page-level fields are read in a context that makes any error fatal.
template<class T>
page_info page_fields(const json::object& o, std::size_t count, parsed<T>& out,
                      std::string_view what) {
  ctx c{std::string(what), &out.errors, 0};
  auto pi = read_page_info(c, o, count);
  if (c.own > 0)
    out.fatal = true;
  return pi;
}

void read_project(ctx& c, const json::object& o, std::string_view p,
                  jira_project& pr) {
  pr.id = req_id(c, o, "id", p);
  pr.key = req_str(c, o, "key", p);
  pr.name = str_or_empty(c, o, "name", p);
  pr.lead = user_field(c, o, "lead", p);
  pr.project_type_key = str_or_empty(c, o, "projectTypeKey", p);
  pr.simplified = opt_bool(c, o, "simplified", p).value_or(false);
  pr.style = str_or_empty(c, o, "style", p);
  pr.is_private = opt_bool(c, o, "isPrivate", p);
}

void read_holder(ctx& c, const json::object& o, std::string_view p,
                 permission_holder& h) {
  h.type_raw = req_str(c, o, "type", p);
  h.type = holder_type_from(h.type_raw);
  h.parameter = opt_text(c, o, "parameter", p);
  h.value = opt_text(c, o, "value", p);
  h.expand = opt_str(c, o, "expand", p);
  if (const auto* g = opt_obj(c, o, "group", p)) {
    std::string gp = join(p, "group");
    jira_group grp;
    grp.name = str_or_empty(c, *g, "name", gp);
    grp.group_id = opt_id(c, *g, "groupId", gp).value_or("");
    h.group = std::move(grp);
  }
  if (const auto* r = opt_obj(c, o, "projectRole", p)) {
    std::string rp = join(p, "projectRole");
    h.project_role_id = opt_id(c, *r, "id", rp);
    h.project_role_name = opt_str(c, *r, "name", rp);
  }
  h.user = user_field(c, o, "user", p);
  // A grant to nobody in particular would be silently wrong: require the
  // identifying parameter for the holder types that need one.
  switch (h.type) {
    case holder_type::group:
      if (!h.group_id() && !h.group_name())
        c.fail(join(p, "parameter"), "missing for holder type group");
      break;
    case holder_type::project_role:
      if (!h.role_id())
        c.fail(join(p, "parameter"), "missing for holder type projectRole");
      break;
    case holder_type::user:
      if (!h.account_id())
        c.fail(join(p, "parameter"), "missing for holder type user");
      break;
    case holder_type::group_custom_field:
    case holder_type::user_custom_field:
      if (!h.parameter && !h.value)
        c.fail(join(p, "parameter"), "missing for holder type " + h.type_raw);
      break;
    default:
      break;
  }
}

void read_grant(ctx& c, const json::object& o, std::string_view p,
                permission_grant& g) {
  g.id = opt_id(c, o, "id", p);
  g.permission = req_str(c, o, "permission", p);
  const auto* h = opt_obj(c, o, "holder", p);
  if (!h) {
    if (!get(o, "holder"))
      c.fail(join(p, "holder"), "missing");
    return;
  }
  read_holder(c, *h, join(p, "holder"), g.holder);
}

void read_scheme(ctx& c, const json::object& o, std::string_view p,
                 permission_scheme& s) {
  s.id = req_id(c, o, "id", p);
  s.name = str_or_empty(c, o, "name", p);
  s.description = opt_str(c, o, "description", p);
  read_sub_records(c, o, "permissions", p, s.permissions,
                   [](ctx& sc, const json::object& go, const std::string& gp,
                      permission_grant& g) {
                     read_grant(sc, go, gp, g);
                   });
}

void read_actor(ctx& c, const json::object& o, std::string_view p,
                role_actor& a) {
  a.id = opt_id(c, o, "id", p);
  a.display_name = str_or_empty(c, o, "displayName", p);
  a.type_raw = req_str(c, o, "type", p);
  if (a.type_raw == "atlassian-group-role-actor") {
    a.type = role_actor_type::group;
    if (const auto* g = opt_obj(c, o, "actorGroup", p)) {
      std::string gp = join(p, "actorGroup");
      a.group_name = opt_str(c, *g, "name", gp);
      a.group_id = opt_id(c, *g, "groupId", gp);
    }
    if (!a.group_name) // old shapes carry the group name on the actor
      a.group_name = opt_str(c, o, "name", p);
    if (!a.group_name && !a.group_id)
      c.fail(join(p, "actorGroup"), "missing for a group actor");
  } else if (a.type_raw == "atlassian-user-role-actor") {
    a.type = role_actor_type::user;
    if (const auto* u = opt_obj(c, o, "actorUser", p))
      a.account_id = opt_str(c, *u, "accountId", join(p, "actorUser"));
    if (!a.account_id || a.account_id->empty())
      c.fail(join(p, "actorUser.accountId"), "missing for a user actor");
  } else {
    a.type = role_actor_type::other;
  }
}

void read_role(ctx& c, const json::object& o, std::string_view p,
               project_role& r) {
  r.id = req_id(c, o, "id", p);
  r.name = str_or_empty(c, o, "name", p);
  r.description = opt_str(c, o, "description", p);
  read_sub_records(
    c, o, "actors", p, r.actors,
    [](ctx& sc, const json::object& ao, const std::string& ap, role_actor& a) {
      read_actor(sc, ao, ap, a);
    });
}

void read_level(ctx& c, const json::object& o, std::string_view p,
                security_level& l) {
  l.id = req_id(c, o, "id", p);
  l.name = str_or_empty(c, o, "name", p);
  l.description = opt_str(c, o, "description", p);
}

void read_level_scheme(ctx& c, const json::object& o, std::string_view p,
                       security_level_scheme& s) {
  s.id = opt_id(c, o, "id", p);
  s.name = str_or_empty(c, o, "name", p);
  s.description = opt_str(c, o, "description", p);
  s.default_level_id = opt_id(c, o, "defaultSecurityLevelId", p);
  read_sub_records(c, o, "levels", p, s.levels,
                   [](ctx& sc, const json::object& lo, const std::string& lp,
                      security_level& l) {
                     read_level(sc, lo, lp, l);
                   });
}

void read_member(ctx& c, const json::object& o, std::string_view p,
                 security_level_member& m) {
  m.id = req_id(c, o, "id", p);
  m.level_id = req_id(c, o, "issueSecurityLevelId", p);
  const auto* h = opt_obj(c, o, "holder", p);
  if (!h) {
    if (!get(o, "holder"))
      c.fail(join(p, "holder"), "missing");
    return;
  }
  read_holder(c, *h, join(p, "holder"), m.holder);
}

void read_field(ctx& c, const json::object& o, std::string_view p,
                jira_field& f) {
  f.id = req_str(c, o, "id", p);
  f.key = opt_str(c, o, "key", p);
  f.name = str_or_empty(c, o, "name", p);
  f.custom = opt_bool(c, o, "custom", p).value_or(false);
  if (const auto* s = opt_obj(c, o, "schema", p)) {
    std::string sp = join(p, "schema");
    field_schema fs;
    fs.type = str_or_empty(c, *s, "type", sp);
    fs.items = opt_str(c, *s, "items", sp);
    fs.system = opt_str(c, *s, "system", sp);
    fs.custom = opt_str(c, *s, "custom", sp);
    fs.custom_id = opt_int(c, *s, "customId", sp);
    f.schema = std::move(fs);
  }
}

void read_comment(ctx& c, const json::object& o, std::string_view p,
                  jira_comment& cm) {
  cm.id = req_id(c, o, "id", p);
  cm.author = user_field(c, o, "author", p);
  cm.update_author = user_field(c, o, "updateAuthor", p);
  if (const auto* b = get(o, "body"))
    cm.body = *b;
  cm.created_ms = req_time(c, o, "created", p);
  cm.updated_ms = opt_time(c, o, "updated", p).value_or(cm.created_ms);
  if (const auto* v = opt_obj(c, o, "visibility", p)) {
    std::string vp = join(p, "visibility");
    comment_visibility vis;
    vis.type = req_str(c, *v, "type", vp);
    vis.value = str_or_empty(c, *v, "value", vp);
    vis.identifier = opt_id(c, *v, "identifier", vp);
    if (vis.value.empty() && !vis.identifier)
      c.fail(join(vp, "value"), "missing (a restriction to nobody known)");
    cm.visibility = std::move(vis);
  }
  cm.jsd_public = opt_bool(c, o, "jsdPublic", p);
}

void read_comment_list(ctx& c, const json::object& o, std::string_view key,
                       std::string_view p, std::vector<jira_comment>& out) {
  read_sub_records(c, o, key, p, out,
                   [](ctx& sc, const json::object& co, const std::string& cp,
                      jira_comment& cm) {
                     read_comment(sc, co, cp, cm);
                   });
}

void read_attachment(ctx& c, const json::object& o, std::string_view p,
                     jira_attachment& a) {
  a.id = req_id(c, o, "id", p);
  a.filename = str_or_empty(c, o, "filename", p);
  a.author = user_field(c, o, "author", p);
  a.created_ms = opt_time(c, o, "created", p).value_or(0);
  a.size_bytes = opt_int(c, o, "size", p).value_or(0);
  a.mime_type = str_or_empty(c, o, "mimeType", p);
  a.content_url = str_or_empty(c, o, "content", p);
}

void read_fields(ctx& c, const json::object& o, std::string_view p,
                 issue_fields& f) {
  f.summary = opt_str(c, o, "summary", p);
  if (auto it = o.find("description"); it != o.end())
    f.description = it->value();
  if (const auto* s = opt_obj(c, o, "status", p)) {
    std::string sp = join(p, "status");
    issue_status st;
    st.name = str_or_empty(c, *s, "name", sp);
    if (const auto* cat = opt_obj(c, *s, "statusCategory", sp))
      st.category_key
        = str_or_empty(c, *cat, "key", join(sp, "statusCategory"));
    f.status = std::move(st);
  }
  if (const auto* pr = opt_obj(c, o, "priority", p)) {
    std::string pp = join(p, "priority");
    f.priority = issue_priority{str_or_empty(c, *pr, "name", pp),
                                opt_id(c, *pr, "id", pp).value_or("")};
  }
  f.labels = str_list(c, o, "labels", p);
  if (const auto* t = opt_obj(c, o, "issuetype", p))
    f.issue_type = opt_str(c, *t, "name", join(p, "issuetype"));
  if (const auto* pr = opt_obj(c, o, "project", p)) {
    std::string pp = join(p, "project");
    f.project
      = project_ref{req_id(c, *pr, "id", pp), str_or_empty(c, *pr, "key", pp),
                    str_or_empty(c, *pr, "name", pp)};
  }
  if (const auto* pa = opt_obj(c, o, "parent", p)) {
    std::string pp = join(p, "parent");
    f.parent
      = issue_ref{req_id(c, *pa, "id", pp), str_or_empty(c, *pa, "key", pp)};
  }
  f.reporter = user_field(c, o, "reporter", p);
  f.assignee = user_field(c, o, "assignee", p);
  f.creator = user_field(c, o, "creator", p);
  f.created_ms = opt_time(c, o, "created", p);
  f.updated_ms = opt_time(c, o, "updated", p);
  if (const auto* s = opt_obj(c, o, "security", p)) {
    std::string sp = join(p, "security");
    f.security = security_level_ref{req_id(c, *s, "id", sp),
                                    str_or_empty(c, *s, "name", sp)};
  }
  if (const auto* cv = get(o, "comment")) {
    std::string cp = join(p, "comment");
    comment_page page;
    if (cv->is_object()) {
      const auto& co = cv->get_object();
      read_comment_list(c, co, "comments", cp, page.comments);
      page.start_at = opt_int(c, co, "startAt", cp).value_or(0);
      page.max_results = opt_int(c, co, "maxResults", cp).value_or(0);
      auto listed = static_cast<std::int64_t>(
        co.contains("comments") && co.at("comments").is_array()
          ? co.at("comments").get_array().size()
          : 0);
      page.total = opt_int(c, co, "total", cp).value_or(listed);
      f.comment = std::move(page);
    } else if (cv->is_array()) {
      // Old captures: a bare array of comments.
      read_comment_list(c, o, "comment", p, page.comments);
      page.total = static_cast<std::int64_t>(cv->get_array().size());
      page.max_results = page.total;
      f.comment = std::move(page);
    } else {
      c.fail(cp, "expected an object or an array, " + got(*cv));
    }
  }
  read_sub_records(c, o, "attachment", p, f.attachments,
                   [](ctx& sc, const json::object& ao, const std::string& ap,
                      jira_attachment& a) {
                     read_attachment(sc, ao, ap, a);
                   });
  for (const auto& kv : o) {
    std::string_view k = kv.key();
    if (k.starts_with("customfield_") && !kv.value().is_null())
      f.custom_fields.emplace(std::string(k), kv.value());
  }
}

void read_issue(ctx& c, const json::object& o, std::string_view p,
                jira_issue& is) {
  is.id = req_id(c, o, "id", p);
  is.key = opt_str(c, o, "key", p);
  is.self = str_or_empty(c, o, "self", p);
  if (const auto* f = opt_obj(c, o, "fields", p)) {
    is.has_fields = true;
    read_fields(c, *f, join(p, "fields"), is.fields);
  }
}

void read_audit_item(ctx& c, const json::object& o, std::string_view p,
                     audit_item& it) {
  it.id = opt_id(c, o, "id", p);
  it.name = str_or_empty(c, o, "name", p);
  it.type_name = str_or_empty(c, o, "typeName", p);
  it.parent_id = opt_id(c, o, "parentId", p);
  it.parent_name = opt_str(c, o, "parentName", p);
}

void read_audit_record(ctx& c, const json::object& o, std::string_view p,
                       audit_record& r) {
  r.id = req_id(c, o, "id", p);
  r.summary = str_or_empty(c, o, "summary", p);
  r.created_ms = req_time(c, o, "created", p);
  r.category = str_or_empty(c, o, "category", p);
  r.event_source = str_or_empty(c, o, "eventSource", p);
  r.author_account_id = opt_str(c, o, "authorAccountId", p);
  if (const auto* oi = opt_obj(c, o, "objectItem", p)) {
    audit_item item;
    read_audit_item(c, *oi, join(p, "objectItem"), item);
    r.object_item = std::move(item);
  }
  read_sub_records(c, o, "changedValues", p, r.changed_values,
                   [](ctx& sc, const json::object& vo, const std::string& vp,
                      audit_changed_value& v) {
                     v.field_name = str_or_empty(sc, vo, "fieldName", vp);
                     v.changed_from = opt_text(sc, vo, "changedFrom", vp);
                     v.changed_to = opt_text(sc, vo, "changedTo", vp);
                   });
  read_sub_records(
    c, o, "associatedItems", p, r.associated_items,
    [](ctx& sc, const json::object& io, const std::string& ip, audit_item& it) {
      read_audit_item(sc, io, ip, it);
    });
}

} // namespace

// ---------------------------------------------------------------------------
// Enums

std::string_view to_string(account_type type) {
  switch (type) {
    case account_type::atlassian:
      return "atlassian";
    case account_type::app:
      return "app";
    case account_type::customer:
      return "customer";
    case account_type::unknown:
      return "unknown";
  }
  return "unknown";
}

namespace {

struct holder_name {
  holder_type type;
  std::string_view name;
};

constexpr holder_name holder_names[] = {
  {holder_type::anyone, "anyone"},
  {holder_type::application_role, "applicationRole"},
  {holder_type::assignee, "assignee"},
  {holder_type::group, "group"},
  {holder_type::group_custom_field, "groupCustomField"},
  {holder_type::project_lead, "projectLead"},
  {holder_type::project_role, "projectRole"},
  {holder_type::reporter, "reporter"},
  {holder_type::sd_customer_portal_only, "sd.customer.portal.only"},
  {holder_type::user, "user"},
  {holder_type::user_custom_field, "userCustomField"},
};

} // namespace

std::string_view to_string(holder_type type) {
  for (const auto& h : holder_names)
    if (h.type == type)
      return h.name;
  return "other";
}

holder_type holder_type_from(std::string_view raw) {
  for (const auto& h : holder_names)
    if (h.name == raw)
      return h.type;
  return holder_type::other;
}

std::optional<std::string> permission_holder::group_id() const {
  if (type != holder_type::group)
    return std::nullopt;
  if (value && !value->empty())
    return value;
  if (group && !group->group_id.empty())
    return group->group_id;
  return std::nullopt;
}

std::optional<std::string> permission_holder::group_name() const {
  if (type != holder_type::group)
    return std::nullopt;
  if (parameter && !parameter->empty())
    return parameter;
  if (group && !group->name.empty())
    return group->name;
  return std::nullopt;
}

std::optional<std::string> permission_holder::role_id() const {
  if (type != holder_type::project_role)
    return std::nullopt;
  if (parameter && !parameter->empty())
    return parameter;
  if (project_role_id && !project_role_id->empty())
    return project_role_id;
  if (value && !value->empty())
    return value;
  return std::nullopt;
}

std::optional<std::string> permission_holder::account_id() const {
  if (type != holder_type::user)
    return std::nullopt;
  if (parameter && !parameter->empty())
    return parameter;
  if (value && !value->empty())
    return value;
  if (user && !user->account_id.empty())
    return user->account_id;
  return std::nullopt;
}

// ---------------------------------------------------------------------------
// Public parsers

parsed<std::vector<jira_user>> parse_users(const json::value& doc) {
  parsed<std::vector<jira_user>> out;
  if (const auto* a = top_array(doc, out, "users"))
    read_records(*a, "users", out.value, out.errors,
                 [](ctx& c, const json::object& o, jira_user& u) {
                   read_user(c, o, "", u);
                 });
  return out;
}

parsed<jira_user> parse_user(const json::value& doc, std::string_view record) {
  return single<jira_user>(doc, record,
                           [](ctx& c, const json::object& o, jira_user& u) {
                             read_user(c, o, "", u);
                           });
}

parsed<jira_user> parse_myself(const json::value& doc) {
  return parse_user(doc, "myself");
}

parsed<jira_page<jira_group>> parse_group_page(const json::value& doc) {
  parsed<jira_page<jira_group>> out;
  const auto* o = top_object(doc, out, "group page");
  if (!o)
    return out;
  const auto* a = page_array(*o, "values", out, "group page");
  if (!a)
    return out;
  read_records(*a, "groups", out.value.values, out.errors,
               [](ctx& c, const json::object& g, jira_group& v) {
                 read_group(c, g, "", v);
               });
  out.value.page = page_fields(*o, a->size(), out, "group page");
  return out;
}

parsed<jira_page<jira_user>> parse_group_member_page(const json::value& doc) {
  parsed<jira_page<jira_user>> out;
  const auto* o = top_object(doc, out, "group member page");
  if (!o)
    return out;
  const auto* a = page_array(*o, "values", out, "group member page");
  if (!a)
    return out;
  read_records(*a, "members", out.value.values, out.errors,
               [](ctx& c, const json::object& u, jira_user& v) {
                 read_user(c, u, "", v);
               });
  out.value.page = page_fields(*o, a->size(), out, "group member page");
  return out;
}

parsed<jira_page<jira_project>> parse_project_page(const json::value& doc) {
  parsed<jira_page<jira_project>> out;
  const auto* o = top_object(doc, out, "project page");
  if (!o)
    return out;
  const auto* a = page_array(*o, "values", out, "project page");
  if (!a)
    return out;
  read_records(*a, "projects", out.value.values, out.errors,
               [](ctx& c, const json::object& po, jira_project& v) {
                 read_project(c, po, "", v);
               });
  out.value.page = page_fields(*o, a->size(), out, "project page");
  return out;
}

parsed<permission_scheme_ref>
parse_permission_scheme_ref(const json::value& doc) {
  return single<permission_scheme_ref>(
    doc, "permission scheme",
    [](ctx& c, const json::object& o, permission_scheme_ref& r) {
      r.id = req_id(c, o, "id", "");
      r.name = str_or_empty(c, o, "name", "");
    });
}

parsed<permission_scheme> parse_permission_scheme(const json::value& doc) {
  return single<permission_scheme>(
    doc, "permission scheme",
    [](ctx& c, const json::object& o, permission_scheme& s) {
      read_scheme(c, o, "", s);
    });
}

parsed<std::vector<permission_scheme>>
parse_permission_schemes(const json::value& doc) {
  parsed<std::vector<permission_scheme>> out;
  const auto* o = top_object(doc, out, "permission schemes");
  if (!o)
    return out;
  const auto* a
    = page_array(*o, "permissionSchemes", out, "permission schemes");
  if (!a)
    return out;
  read_records(*a, "permissionSchemes", out.value, out.errors,
               [](ctx& c, const json::object& so, permission_scheme& s) {
                 read_scheme(c, so, "", s);
               });
  return out;
}

parsed<std::vector<project_role_link>>
parse_project_role_map(const json::value& doc) {
  parsed<std::vector<project_role_link>> out;
  const auto* o = top_object(doc, out, "project roles");
  if (!o)
    return out;
  for (const auto& kv : *o) {
    std::string name(kv.key());
    ctx c{"project roles (name " + shorten(name) + ")", &out.errors, 0};
    if (!kv.value().is_string()) {
      c.fail("", "expected a role URL, " + got(kv.value()));
      continue;
    }
    std::string url(kv.value().get_string());
    std::string_view path = url;
    if (auto q = path.find_first_of("?#"); q != std::string_view::npos)
      path = path.substr(0, q);
    while (!path.empty() && path.back() == '/')
      path.remove_suffix(1);
    std::string_view id = path.substr(path.rfind('/') + 1);
    bool digits = !id.empty() && id.size() <= 18;
    for (char ch : id)
      digits = digits && ch >= '0' && ch <= '9';
    if (!digits || path.find('/') == std::string_view::npos) {
      c.fail("", "expected a role URL ending in /role/<id>, got \""
                   + shorten(url) + "\"");
      continue;
    }
    out.value.push_back({std::move(name), std::string(id), std::move(url)});
  }
  return out;
}

parsed<project_role> parse_project_role(const json::value& doc) {
  return single<project_role>(
    doc, "project role", [](ctx& c, const json::object& o, project_role& r) {
      read_role(c, o, "", r);
    });
}

parsed<std::vector<project_role>> parse_project_roles(const json::value& doc) {
  parsed<std::vector<project_role>> out;
  if (const auto* a = top_array(doc, out, "roles"))
    read_records(*a, "roles", out.value, out.errors,
                 [](ctx& c, const json::object& o, project_role& r) {
                   read_role(c, o, "", r);
                 });
  return out;
}

parsed<security_level_scheme>
parse_security_level_scheme(const json::value& doc) {
  return single<security_level_scheme>(
    doc, "security level scheme",
    [](ctx& c, const json::object& o, security_level_scheme& s) {
      read_level_scheme(c, o, "", s);
    });
}

parsed<std::vector<security_level_scheme>>
parse_security_schemes(const json::value& doc) {
  parsed<std::vector<security_level_scheme>> out;
  const auto* o = top_object(doc, out, "issue security schemes");
  if (!o)
    return out;
  const auto* a
    = page_array(*o, "issueSecuritySchemes", out, "issue security schemes");
  if (!a)
    return out;
  read_records(*a, "issueSecuritySchemes", out.value, out.errors,
               [](ctx& c, const json::object& so, security_level_scheme& s) {
                 read_level_scheme(c, so, "", s);
                 if (!s.id)
                   c.fail("id", "missing");
               });
  return out;
}

parsed<jira_page<security_level_member>>
parse_security_member_page(const json::value& doc) {
  parsed<jira_page<security_level_member>> out;
  const auto* o = top_object(doc, out, "security level members");
  if (!o)
    return out;
  const auto* a = page_array(*o, "values", out, "security level members");
  if (!a)
    return out;
  read_records(*a, "members", out.value.values, out.errors,
               [](ctx& c, const json::object& mo, security_level_member& m) {
                 read_member(c, mo, "", m);
               });
  out.value.page = page_fields(*o, a->size(), out, "security level members");
  return out;
}

parsed<std::vector<jira_field>> parse_fields(const json::value& doc) {
  parsed<std::vector<jira_field>> out;
  if (const auto* a = top_array(doc, out, "fields"))
    read_records(*a, "fields", out.value, out.errors,
                 [](ctx& c, const json::object& o, jira_field& f) {
                   read_field(c, o, "", f);
                 });
  return out;
}

parsed<comment_page> parse_comment_page(const json::value& doc) {
  parsed<comment_page> out;
  const auto* o = top_object(doc, out, "comment page");
  if (!o)
    return out;
  const auto* a = page_array(*o, "comments", out, "comment page");
  if (!a)
    return out;
  read_records(*a, "comment", out.value.comments, out.errors,
               [](ctx& c, const json::object& co, jira_comment& cm) {
                 read_comment(c, co, "", cm);
               });
  ctx c{"comment page", &out.errors, 0};
  out.value.start_at = opt_int(c, *o, "startAt", "").value_or(0);
  out.value.max_results = opt_int(c, *o, "maxResults", "").value_or(0);
  out.value.total = opt_int(c, *o, "total", "")
                      .value_or(static_cast<std::int64_t>(a->size()));
  if (c.own > 0)
    out.fatal = true;
  return out;
}

parsed<jira_attachment> parse_attachment(const json::value& doc) {
  return single<jira_attachment>(
    doc, "attachment", [](ctx& c, const json::object& o, jira_attachment& a) {
      read_attachment(c, o, "", a);
    });
}

parsed<attachment_settings> parse_attachment_settings(const json::value& doc) {
  return single<attachment_settings>(
    doc, "attachment settings",
    [](ctx& c, const json::object& o, attachment_settings& s) {
      s.enabled = opt_bool(c, o, "enabled", "").value_or(false);
      s.upload_limit_bytes = opt_int(c, o, "uploadLimit", "").value_or(0);
    });
}

parsed<jira_issue> parse_issue(const json::value& doc) {
  return single<jira_issue>(doc, "issue",
                            [](ctx& c, const json::object& o, jira_issue& i) {
                              read_issue(c, o, "", i);
                            });
}

parsed<search_page> parse_search_page(const json::value& doc) {
  parsed<search_page> out;
  const auto* o = top_object(doc, out, "search page");
  if (!o)
    return out;
  const auto* a = page_array(*o, "issues", out, "search page");
  if (!a)
    return out;
  read_records(*a, "issue", out.value.issues, out.errors,
               [](ctx& c, const json::object& io, jira_issue& i) {
                 read_issue(c, io, "", i);
               });
  ctx c{"search page", &out.errors, 0};
  out.value.next_page_token = opt_str(c, *o, "nextPageToken", "");
  if (out.value.next_page_token && out.value.next_page_token->empty())
    out.value.next_page_token.reset();
  out.value.is_last = opt_bool(c, *o, "isLast", "")
                        .value_or(!out.value.next_page_token.has_value());
  if (c.own > 0)
    out.fatal = true;
  return out;
}

parsed<std::int64_t> parse_approximate_count(const json::value& doc) {
  return single<std::int64_t>(
    doc, "approximate count",
    [](ctx& c, const json::object& o, std::int64_t& n) {
      if (!get(o, "count"))
        c.fail("count", "missing");
      else
        n = opt_int(c, o, "count", "").value_or(0);
    });
}

parsed<bulkfetch_result> parse_bulkfetch(const json::value& doc) {
  parsed<bulkfetch_result> out;
  const auto* o = top_object(doc, out, "bulkfetch");
  if (!o)
    return out;
  ctx top{"bulkfetch", &out.errors, 0};
  if (const auto* a = opt_arr(top, *o, "issues", ""))
    read_records(*a, "issue", out.value.issues, out.errors,
                 [](ctx& c, const json::object& io, jira_issue& i) {
                   read_issue(c, io, "", i);
                 });
  if (const auto* a = opt_arr(top, *o, "issueErrors", "")) {
    for (std::size_t i = 0; i < a->size(); ++i) {
      const auto& e = (*a)[i];
      ctx c{label("issueErrors", i, e), &out.errors, 0};
      if (!e.is_object()) {
        c.fail("", "expected an object, " + got(e));
        continue;
      }
      const auto& eo = e.get_object();
      bulk_issue_error be;
      be.id = opt_id(c, eo, "id", "");
      if (auto st = opt_int(c, eo, "status", ""))
        be.status = static_cast<int>(*st);
      be.messages = str_list(c, eo, "errorMessages", "");
      if (auto m = opt_str(c, eo, "errorMessage", ""))
        be.messages.push_back(*m);
      if (const auto* errs = opt_obj(c, eo, "errors", ""))
        for (const auto& kv : *errs)
          if (kv.value().is_string())
            be.messages.push_back(std::string(kv.key()) + ": "
                                  + std::string(kv.value().get_string()));
      out.value.issue_errors.push_back(std::move(be));
    }
  }
  if (top.own > 0)
    out.fatal = true;
  return out;
}

parsed<audit_page> parse_audit_page(const json::value& doc) {
  parsed<audit_page> out;
  const auto* o = top_object(doc, out, "audit page");
  if (!o)
    return out;
  const auto* a = page_array(*o, "records", out, "audit page");
  if (!a)
    return out;
  read_records(*a, "records", out.value.records, out.errors,
               [](ctx& c, const json::object& ro, audit_record& r) {
                 read_audit_record(c, ro, "", r);
               });
  ctx c{"audit page", &out.errors, 0};
  out.value.offset = opt_int(c, *o, "offset", "").value_or(0);
  out.value.limit = opt_int(c, *o, "limit", "").value_or(0);
  out.value.total = opt_int(c, *o, "total", "")
                      .value_or(static_cast<std::int64_t>(a->size()));
  if (c.own > 0)
    out.fatal = true;
  return out;
}

// ---------------------------------------------------------------------------
// Errors

std::string jira_error::describe() const {
  std::string out;
  if (http_status != 0)
    out = "HTTP " + std::to_string(http_status) + ": ";
  std::string detail;
  auto add = [&](const std::string& s) {
    if (s.empty())
      return;
    if (!detail.empty())
      detail += "; ";
    detail += s;
  };
  switch (shape) {
    case jira_error_shape::jira: {
      for (const auto& m : error_messages)
        add(m);
      std::string fields;
      for (const auto& [k, v] : errors) {
        if (!fields.empty())
          fields += "; ";
        fields += k + ": " + v;
      }
      if (!fields.empty())
        detail += detail.empty() ? fields : " (" + fields + ")";
      break;
    }
    case jira_error_shape::gateway:
      add(message);
      if (code)
        detail += " (gateway code " + std::to_string(*code) + ")";
      break;
    case jira_error_shape::oauth:
      detail = oauth_error;
      if (!oauth_error_description.empty())
        detail += ": " + oauth_error_description;
      break;
    case jira_error_shape::unknown:
      detail = raw_excerpt.empty() ? "empty body" : raw_excerpt;
      break;
  }
  if (detail.empty())
    detail = "no error message";
  return out + detail;
}

jira_error parse_jira_error(std::string_view body, int http_status) {
  jira_error e;
  e.http_status = http_status;
  auto doc = parse_json(body);
  if (doc.ok() && doc.value.is_object()) {
    const auto& o = doc.value.get_object();
    std::vector<parse_error> ignored;
    ctx c{"error", &ignored, 0};
    if (o.contains("errorMessages") || o.contains("errors")) {
      e.shape = jira_error_shape::jira;
      if (const auto* a = get(o, "errorMessages"); a && a->is_array())
        for (const auto& m : a->get_array())
          if (m.is_string())
            e.error_messages.emplace_back(m.get_string());
      if (const auto* eo = get(o, "errors"); eo && eo->is_object())
        for (const auto& kv : eo->get_object())
          if (kv.value().is_string())
            e.errors.emplace(std::string(kv.key()),
                             std::string(kv.value().get_string()));
      return e;
    }
    if (const auto* err = get(o, "error"); err && err->is_string()) {
      e.shape = jira_error_shape::oauth;
      e.oauth_error = std::string(err->get_string());
      e.oauth_error_description
        = opt_str(c, o, "error_description", "").value_or("");
      return e;
    }
    if (const auto* m = get(o, "message"); m && m->is_string()) {
      e.shape = jira_error_shape::gateway;
      e.message = std::string(m->get_string());
      if (const auto* code = get(o, "code"))
        if (auto n = as_int(*code))
          e.code = static_cast<int>(*n);
      return e;
    }
  }
  e.shape = jira_error_shape::unknown;
  for (char ch : body.substr(0, 200))
    e.raw_excerpt += static_cast<unsigned char>(ch) < 0x20 ? ' ' : ch;
  while (!e.raw_excerpt.empty() && e.raw_excerpt.back() == ' ')
    e.raw_excerpt.pop_back();
  return e;
}

// ---------------------------------------------------------------------------
// OAuth

parsed<oauth_token_response> parse_oauth_token(const json::value& doc) {
  return single<oauth_token_response>(
    doc, "oauth token",
    [](ctx& c, const json::object& o, oauth_token_response& t) {
      t.access_token = req_str(c, o, "access_token", "");
      t.refresh_token = opt_str(c, o, "refresh_token", "");
      if (t.refresh_token && t.refresh_token->empty())
        t.refresh_token.reset();
      t.expires_in_secs = opt_int(c, o, "expires_in", "").value_or(3600);
      t.scope = str_or_empty(c, o, "scope", "");
      t.token_type = str_or_empty(c, o, "token_type", "");
    });
}

parsed<std::vector<accessible_resource>>
parse_accessible_resources(const json::value& doc) {
  parsed<std::vector<accessible_resource>> out;
  if (const auto* a = top_array(doc, out, "accessible resources"))
    read_records(*a, "resources", out.value, out.errors,
                 [](ctx& c, const json::object& o, accessible_resource& r) {
                   r.id = req_str(c, o, "id", "");
                   r.name = str_or_empty(c, o, "name", "");
                   r.url = str_or_empty(c, o, "url", "");
                   r.scopes = str_list(c, o, "scopes", "");
                   r.avatar_url = opt_str(c, o, "avatarUrl", "");
                 });
  return out;
}

} // namespace jirasync::protocol
