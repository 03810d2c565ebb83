#include "sim/jql.hpp"

#include <algorithm>
#include <cctype>

#include "common/ascii.hpp"
#include "sim/parse_int.hpp"
#include "sim/sim_time.hpp"
#include "sim/truth.hpp"

namespace jirasim {

namespace {

using jirasync::common::ascii_to_lower;

// Parses "yyyy/MM/dd[ HH:mm]" or "yyyy-MM-dd[ HH:mm]".
std::optional<millis> parse_date(std::string_view s, std::string_view tz) {
  size_t i = 0;
  auto num = [&](size_t min_digits, size_t max_digits) -> std::optional<int> {
    size_t b = i;
    int v = 0;
    while (i < s.size() && i - b < max_digits
           && std::isdigit(static_cast<unsigned char>(s[i])))
      v = v * 10 + (s[i++] - '0');
    if (i - b < min_digits)
      return std::nullopt;
    return v;
  };
  auto y = num(4, 4);
  if (!y || i >= s.size() || (s[i] != '/' && s[i] != '-'))
    return std::nullopt;
  char sep = s[i++];
  auto mo = num(1, 2);
  if (!mo || i >= s.size() || s[i] != sep)
    return std::nullopt;
  ++i;
  auto d = num(1, 2);
  if (!d)
    return std::nullopt;
  int h = 0, mi = 0;
  if (i < s.size()) {
    if (s[i] != ' ')
      return std::nullopt;
    while (i < s.size() && s[i] == ' ')
      ++i;
    auto hh = num(1, 2);
    if (!hh || i >= s.size() || s[i] != ':')
      return std::nullopt;
    ++i;
    auto mm = num(2, 2);
    if (!mm || i != s.size())
      return std::nullopt;
    h = *hh;
    mi = *mm;
  }
  return local_to_utc_ms(tz, *y, static_cast<unsigned>(*mo),
                         static_cast<unsigned>(*d), static_cast<unsigned>(h),
                         static_cast<unsigned>(mi));
}

const project* project_by_value(const workspace& ws, std::string_view v) {
  if (auto id = parse_i64(v))
    if (auto* p = find_project(ws, *id))
      return p;
  auto l = ascii_to_lower(v);
  for (auto& p : ws.projects)
    if (ascii_to_lower(p.key) == l)
      return &p;
  for (auto& p : ws.projects)
    if (ascii_to_lower(p.name) == l)
      return &p;
  return nullptr;
}

// (project prefix, number) of "ABC-12".
std::optional<std::pair<std::string, int64_t>> split_key(std::string_view k) {
  auto dash = k.rfind('-');
  if (dash == std::string_view::npos || dash == 0)
    return std::nullopt;
  auto n = parse_i64(k.substr(dash + 1));
  if (!n)
    return std::nullopt;
  return std::make_pair(std::string{k.substr(0, dash)}, *n);
}

// Visibility filter for project values (nullptr = every project).
using project_filter = bool (*)(const workspace&, const project&, user_ix);

struct bind_ctx {
  std::string_view tz;
  project_filter filter = nullptr;
  user_ix caller = no_user;
};

std::optional<jql_error> bind_node(const workspace& ws, const jql_node& n,
                                   const bind_ctx& bc, jql_bound_node& out) {
  auto tz = bc.tz;
  out.k = n.k;
  if (n.k != jql_node::kind::clause) {
    for (auto& c : n.children) {
      jql_bound_node b;
      if (auto e = bind_node(ws, c, bc, b))
        return e;
      out.children.push_back(std::move(b));
    }
    return std::nullopt;
  }
  auto& c = n.clause;
  auto& b = out.clause;
  b.field = c.field;
  b.op = c.op;
  bool range = is_range(c.op);
  switch (c.field) {
    case jql_field::project:
      if (range)
        return jql_error{"The operator '" + std::string{to_string(c.op)}
                         + "' is not supported by the 'project' field."};
      for (auto& v : c.values) {
        auto* p = project_by_value(ws, v);
        if (p && bc.filter && !bc.filter(ws, *p, bc.caller))
          p = nullptr;
        if (!p)
          return jql_error{"The value '" + v
                           + "' does not exist for the field 'project'."};
        b.ids.push_back(p->id);
      }
      break;
    case jql_field::created:
    case jql_field::updated:
      for (auto& v : c.values) {
        auto t = parse_date(v, tz);
        if (!t)
          return jql_error{"Date value '" + v + "' for field '"
                           + std::string{to_string(c.field)}
                           + "' is invalid. Valid formats include: "
                             "'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', "
                             "'yyyy/MM/dd', 'yyyy-MM-dd', or a period format "
                             "e.g. '-5d', '4w 2d'."};
        b.instants.push_back(*t);
      }
      break;
    case jql_field::id:
      for (auto& v : c.values) {
        auto id = parse_i64(v);
        if (!id) {
          // Jira accepts keys for `id` too.
          if (auto* i = find_issue_by_id_or_key(ws, v)) {
            b.ids.push_back(i->id);
            continue;
          }
          return jql_error{"The value '" + v
                           + "' does not exist for the field 'id'."};
        }
        b.ids.push_back(*id);
      }
      break;
    case jql_field::key:
      for (auto& v : c.values) {
        if (range) {
          auto sk = split_key(v);
          auto* p = sk ? project_by_value(ws, sk->first) : nullptr;
          if (!p)
            return jql_error{"An issue with key '" + v
                             + "' does not exist for field 'key'."};
          b.key_bounds.emplace_back(p->id, sk->second);
          continue;
        }
        auto* i = find_issue_by_id_or_key(ws, v);
        if (!i && parse_i64(v))
          continue; // a numeric id that is gone: matches nothing
        if (!i)
          return jql_error{"An issue with key '" + v
                           + "' does not exist for field 'key'."};
        b.ids.push_back(i->id);
      }
      break;
  }
  return std::nullopt;
}

template<class T>
bool compare(jql_op op, T have, T bound) {
  switch (op) {
    case jql_op::gt:
      return have > bound;
    case jql_op::ge:
      return have >= bound;
    case jql_op::lt:
      return have < bound;
    case jql_op::le:
      return have <= bound;
    default:
      return false;
  }
}

template<class T>
bool member_test(jql_op op, T have, const std::vector<T>& values) {
  bool in = std::find(values.begin(), values.end(), have) != values.end();
  return (op == jql_op::eq || op == jql_op::in) ? in : !in;
}

std::optional<int64_t> key_number(const std::string& key) {
  auto sk = split_key(key);
  if (!sk)
    return std::nullopt;
  return sk->second;
}

bool eval(const jql_bound_node& n, const issue& i, const index_entry& v) {
  switch (n.k) {
    case jql_node::kind::and_:
      for (auto& c : n.children)
        if (!eval(c, i, v))
          return false;
      return true;
    case jql_node::kind::or_:
      for (auto& c : n.children)
        if (eval(c, i, v))
          return true;
      return false;
    case jql_node::kind::not_:
      return !eval(n.children.front(), i, v);
    case jql_node::kind::clause:
      break;
  }
  auto& c = n.clause;
  bool range = is_range(c.op);
  switch (c.field) {
    case jql_field::project:
      return member_test(c.op, v.project_id, c.ids);
    case jql_field::created:
    case jql_field::updated: {
      auto t = c.field == jql_field::created ? v.created_ms : v.updated_ms;
      if (range)
        return compare(c.op, t, c.instants.front());
      return member_test(c.op, t, c.instants);
    }
    case jql_field::id:
      if (range)
        return compare(c.op, i.id, c.ids.front());
      return member_test(c.op, i.id, c.ids);
    case jql_field::key:
      if (range) {
        auto& [pid, num] = c.key_bounds.front();
        auto have = key_number(v.key);
        return v.project_id == pid && have && compare(c.op, *have, num);
      }
      return member_test(c.op, i.id, c.ids);
  }
  return false;
}

} // namespace

index_entry index_view(const issue& i, millis now_ms) {
  if (i.indexed_at_ms <= now_ms)
    return index_entry{true, i.project_id, i.key, i.created_ms, i.updated_ms};
  return i.previous_index;
}

namespace {

std::variant<jql_compiled, jql_error>
compile_with(const workspace& ws, std::string_view text, const bind_ctx& bc) {
  auto parsed = parse_jql(text);
  if (auto* e = std::get_if<jql_error>(&parsed))
    return *e;
  auto& q = std::get<jql_query>(parsed);
  if (!q.where)
    return jql_error{std::string{jql_unbounded_message}};
  jql_compiled c;
  jql_bound_node root;
  if (auto e = bind_node(ws, *q.where, bc, root))
    return *e;
  c.where = std::move(root);
  c.order = q.order;
  return c;
}

/// A project the caller may name in JQL: one it can see (a reporter or
/// assignee grant included, as in Jira: can_browse_project). Which of its
/// issues match is decided per issue.
bool caller_may_name(const workspace& ws, const project& p, user_ix u) {
  return can_browse_project(ws, u, p);
}

} // namespace

std::variant<jql_compiled, jql_error> compile_jql(const workspace& ws,
                                                  std::string_view text,
                                                  std::string_view time_zone) {
  return compile_with(ws, text, bind_ctx{time_zone, nullptr, no_user});
}

std::variant<jql_compiled, jql_error> compile_jql(const workspace& ws,
                                                  std::string_view text,
                                                  std::string_view time_zone,
                                                  user_ix caller) {
  return compile_with(ws, text, bind_ctx{time_zone, &caller_may_name, caller});
}

bool jql_compiled::matches(const workspace&, const issue& i,
                           millis now_ms) const {
  auto v = index_view(i, now_ms);
  if (!v.present)
    return false;
  return !where || eval(*where, i, v);
}

std::vector<int64_t> run_jql(const workspace& ws, const jql_compiled& q,
                             millis now_ms) {
  // Sort keys are computed once per hit (the comparator of `less` would
  // recompute the index view and parse keys on every comparison).
  struct row {
    int64_t id;
    millis created;
    millis updated;
    const std::string* project_key;
    int64_t number;
  };
  static const std::string none;
  std::vector<row> hits;
  for (auto& i : ws.issues) {
    auto v = index_view(i, now_ms);
    if (!v.present || (q.where && !eval(*q.where, i, v)))
      continue;
    auto* p = find_project(ws, v.project_id);
    hits.push_back(row{i.id, v.created_ms, v.updated_ms, p ? &p->key : &none,
                       key_number(v.key).value_or(0)});
  }
  auto cmp3 = [](auto a, auto b) {
    return a < b ? -1 : a > b ? 1 : 0;
  };
  bool tie_desc = q.order.empty() || q.order.front().descending;
  std::sort(hits.begin(), hits.end(), [&](const row& a, const row& b) {
    for (auto& o : q.order) {
      int c = 0;
      switch (o.field) {
        case jql_field::created:
          c = cmp3(a.created, b.created);
          break;
        case jql_field::updated:
          c = cmp3(a.updated, b.updated);
          break;
        case jql_field::id:
          c = cmp3(a.id, b.id);
          break;
        case jql_field::key:
          c = a.project_key->compare(*b.project_key);
          c = c < 0 ? -1 : c > 0 ? 1 : 0;
          if (c == 0)
            c = cmp3(a.number, b.number);
          break;
        case jql_field::project:
          break;
      }
      if (c != 0)
        return o.descending ? c > 0 : c < 0;
    }
    return tie_desc ? a.id > b.id : a.id < b.id;
  });
  std::vector<int64_t> out;
  out.reserve(hits.size());
  for (auto& h : hits)
    out.push_back(h.id);
  return out;
}

} // namespace jirasim
