#include "sim/jql.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>

#include "sim/parse_int.hpp"
#include "sim/sim_time.hpp"
#include "sim/truth.hpp"

namespace jirasim {

namespace {

// --- lexer
// -----------------------------------------------------------------------

enum class tok : uint8_t {
  end,
  word,
  string,
  lparen,
  rparen,
  comma,
  eq,
  ne,
  gt,
  ge,
  lt,
  le,
  tilde,
  not_tilde,
  and_,
  or_
};

struct token {
  tok kind = tok::end;
  std::string text;
  size_t pos = 0; // 0-based
};

std::string lower(std::string_view s) {
  std::string out{s};
  for (auto& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string syntax_error(const std::string& what, size_t pos) {
  return "Error in the JQL Query: " + what + " (line 1, character "
         + std::to_string(pos + 1) + ")";
}

bool word_char(char c) {
  auto u = static_cast<unsigned char>(c);
  return std::isalnum(u) || c == '_' || c == '.' || c == '-' || c == '/'
         || c == ':' || c == '[' || c == ']' || u >= 0x80;
}

std::variant<std::vector<token>, jql_error> lex(std::string_view s) {
  std::vector<token> out;
  size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    token t;
    t.pos = i;
    auto two = s.substr(i, 2);
    if (c == '"' || c == '\'') {
      auto q = c;
      ++i;
      std::string v;
      bool closed = false;
      while (i < s.size()) {
        if (s[i] == '\\' && i + 1 < s.size()) {
          v += s[i + 1];
          i += 2;
          continue;
        }
        if (s[i] == q) {
          closed = true;
          ++i;
          break;
        }
        v += s[i++];
      }
      if (!closed)
        return jql_error{syntax_error(
          "The quoted string '" + v + "' has not been completed.", t.pos)};
      t.kind = tok::string;
      t.text = std::move(v);
    } else if (c == '(') {
      t.kind = tok::lparen, t.text = "(", ++i;
    } else if (c == ')') {
      t.kind = tok::rparen, t.text = ")", ++i;
    } else if (c == ',') {
      t.kind = tok::comma, t.text = ",", ++i;
    } else if (two == "!=") {
      t.kind = tok::ne, t.text = "!=", i += 2;
    } else if (two == ">=") {
      t.kind = tok::ge, t.text = ">=", i += 2;
    } else if (two == "<=") {
      t.kind = tok::le, t.text = "<=", i += 2;
    } else if (two == "!~") {
      t.kind = tok::not_tilde, t.text = "!~", i += 2;
    } else if (two == "&&") {
      t.kind = tok::and_, t.text = "&&", i += 2;
    } else if (two == "||") {
      t.kind = tok::or_, t.text = "||", i += 2;
    } else if (c == '=') {
      t.kind = tok::eq, t.text = "=", ++i;
    } else if (c == '>') {
      t.kind = tok::gt, t.text = ">", ++i;
    } else if (c == '<') {
      t.kind = tok::lt, t.text = "<", ++i;
    } else if (c == '~') {
      t.kind = tok::tilde, t.text = "~", ++i;
    } else if (c == '&') {
      t.kind = tok::and_, t.text = "&", ++i;
    } else if (c == '|') {
      t.kind = tok::or_, t.text = "|", ++i;
    } else if (word_char(c)) {
      auto b = i;
      while (i < s.size() && word_char(s[i]))
        ++i;
      t.kind = tok::word;
      t.text = std::string{s.substr(b, i - b)};
    } else {
      char esc[8];
      std::snprintf(esc, sizeof esc, "\\u%04x",
                    static_cast<unsigned>(static_cast<unsigned char>(c)));
      return jql_error{syntax_error("The character '" + std::string(1, c)
                                      + "' is a reserved JQL character. You "
                                        "must enclose it in a string or use "
                                        "the escape '"
                                      + esc + "' instead.",
                                    i)};
    }
    out.push_back(std::move(t));
  }
  token e;
  e.kind = tok::end;
  e.pos = s.size();
  out.push_back(std::move(e));
  return out;
}

// --- parser
// -------------------------------------------------------------------------

constexpr const char* unsupported_fields[]
  = {"status",   "priority",       "assignee",    "reporter",   "labels",
     "summary",  "text",           "issuetype",   "type",       "resolution",
     "sprint",   "component",      "fixversion",  "parent",     "creator",
     "level",    "statuscategory", "description", "comment",    "attachments",
     "resolved", "duedate",        "due",         "labels",     "epic link",
     "watcher",  "voter",          "filter",      "lastviewed", "cf",
     "issuetype"};

struct parser {
  std::vector<token> t;
  size_t i = 0;
  std::optional<jql_error> err;

  const token& peek() const {
    return t[i];
  }

  bool is_kw(const token& x, std::string_view kw) const {
    return x.kind == tok::word && lower(x.text) == kw;
  }

  static std::string shown(const token& x) {
    return x.kind == tok::end ? "EOF" : x.text;
  }

  void fail(std::string msg) {
    if (!err)
      err = jql_error{std::move(msg)};
  }

  std::optional<jql_field> field_of(const token& x) {
    auto f = lower(x.text);
    if (x.kind != tok::word && x.kind != tok::string) {
      fail(syntax_error("Expecting a field name but got '" + shown(x) + "'.",
                        x.pos));
      return std::nullopt;
    }
    if (f == "project")
      return jql_field::project;
    if (f == "created" || f == "createddate")
      return jql_field::created;
    if (f == "updated" || f == "updateddate")
      return jql_field::updated;
    if (f == "id")
      return jql_field::id;
    if (f == "key" || f == "issuekey" || f == "issue")
      return jql_field::key;
    for (auto* u : unsupported_fields)
      if (f == u || f.rfind("cf[", 0) == 0 || f.rfind("customfield_", 0) == 0) {
        fail("jira-sim supports only project, created, updated, id and key "
             "in JQL; field '"
             + x.text + "' is not supported.");
        return std::nullopt;
      }
    fail("Field '" + x.text
         + "' does not exist or you do not have permission to view it.");
    return std::nullopt;
  }

  std::optional<std::string> value() {
    auto& x = peek();
    if (x.kind == tok::word || x.kind == tok::string) {
      if (x.kind == tok::word) {
        auto l = lower(x.text);
        if (l == "and" || l == "or" || l == "not" || l == "in" || l == "order"
            || l == "empty" || l == "null" || l == "is") {
          fail(syntax_error("Expecting either a value, list or function but "
                            "got '"
                              + x.text + "'. You must surround '" + x.text
                              + "' in quotation marks to use it as "
                                "a value.",
                            x.pos));
          return std::nullopt;
        }
      }
      ++i;
      return x.text;
    }
    fail(syntax_error("Expecting either a value, list or function but got '"
                        + shown(x) + "'.",
                      x.pos));
    return std::nullopt;
  }

  std::optional<jql_node> clause() {
    auto& ft = peek();
    auto f = field_of(ft);
    if (!f)
      return std::nullopt;
    ++i;
    jql_node n;
    n.clause.field = *f;
    auto& o = peek();
    bool list = false;
    switch (o.kind) {
      case tok::eq:
        n.clause.op = jql_op::eq;
        break;
      case tok::ne:
        n.clause.op = jql_op::ne;
        break;
      case tok::gt:
        n.clause.op = jql_op::gt;
        break;
      case tok::ge:
        n.clause.op = jql_op::ge;
        break;
      case tok::lt:
        n.clause.op = jql_op::lt;
        break;
      case tok::le:
        n.clause.op = jql_op::le;
        break;
      case tok::word:
        if (is_kw(o, "in")) {
          n.clause.op = jql_op::in;
          list = true;
          break;
        }
        if (is_kw(o, "not") && is_kw(t[i + 1], "in")) {
          n.clause.op = jql_op::not_in;
          list = true;
          ++i;
          break;
        }
        [[fallthrough]];
      default:
        if (o.kind == tok::tilde || o.kind == tok::not_tilde
            || is_kw(o, "is")) {
          fail("The operator '" + o.text + "' is not supported by the '"
               + ft.text + "' field.");
          return std::nullopt;
        }
        fail(syntax_error("Expecting operator but got '" + shown(o)
                            + "'. The valid operators are '=', '!=', '<', "
                              "'>', '<=', '>=', '~', '!~', 'IN', 'NOT IN', "
                              "'IS' and 'IS NOT'.",
                          o.pos));
        return std::nullopt;
    }
    ++i;
    if (!list) {
      auto v = value();
      if (!v)
        return std::nullopt;
      n.clause.values.push_back(std::move(*v));
      return n;
    }
    if (peek().kind != tok::lparen) {
      fail(syntax_error("Expecting '(' but got '" + shown(peek()) + "'.",
                        peek().pos));
      return std::nullopt;
    }
    ++i;
    for (;;) {
      auto v = value();
      if (!v)
        return std::nullopt;
      n.clause.values.push_back(std::move(*v));
      if (peek().kind == tok::comma) {
        ++i;
        continue;
      }
      if (peek().kind == tok::rparen) {
        ++i;
        break;
      }
      fail(syntax_error("Expecting ',' or ')' but got '" + shown(peek()) + "'.",
                        peek().pos));
      return std::nullopt;
    }
    return n;
  }

  std::optional<jql_node> factor(int depth) {
    if (depth > 100) {
      fail(syntax_error("The query is nested too deeply.", peek().pos));
      return std::nullopt;
    }
    if (is_kw(peek(), "not")) {
      ++i;
      auto inner = factor(depth + 1);
      if (!inner)
        return std::nullopt;
      jql_node n;
      n.k = jql_node::kind::not_;
      n.children.push_back(std::move(*inner));
      return n;
    }
    if (peek().kind == tok::lparen) {
      ++i;
      auto inner = expr(depth + 1);
      if (!inner)
        return std::nullopt;
      if (peek().kind != tok::rparen) {
        fail(syntax_error("Expecting ')' but got '" + shown(peek()) + "'.",
                          peek().pos));
        return std::nullopt;
      }
      ++i;
      return inner;
    }
    return clause();
  }

  bool at_and() const {
    return peek().kind == tok::and_ || is_kw(peek(), "and");
  }
  bool at_or() const {
    return peek().kind == tok::or_ || is_kw(peek(), "or");
  }

  std::optional<jql_node> term(int depth) {
    auto first = factor(depth);
    if (!first)
      return std::nullopt;
    if (!at_and())
      return first;
    jql_node n;
    n.k = jql_node::kind::and_;
    n.children.push_back(std::move(*first));
    while (at_and()) {
      ++i;
      auto next = factor(depth);
      if (!next)
        return std::nullopt;
      n.children.push_back(std::move(*next));
    }
    return n;
  }

  std::optional<jql_node> expr(int depth) {
    auto first = term(depth);
    if (!first)
      return std::nullopt;
    if (!at_or())
      return first;
    jql_node n;
    n.k = jql_node::kind::or_;
    n.children.push_back(std::move(*first));
    while (at_or()) {
      ++i;
      auto next = term(depth);
      if (!next)
        return std::nullopt;
      n.children.push_back(std::move(*next));
    }
    return n;
  }

  bool order_by(std::vector<jql_order>& out) {
    // "ORDER" already consumed.
    if (!is_kw(peek(), "by")) {
      fail(syntax_error("Expecting 'by' but got '" + shown(peek()) + "'.",
                        peek().pos));
      return false;
    }
    ++i;
    for (;;) {
      auto& ft = peek();
      if (ft.kind != tok::word && ft.kind != tok::string) {
        fail(syntax_error("Expecting a field name but got '" + shown(ft) + "'.",
                          ft.pos));
        return false;
      }
      auto f = field_of(ft);
      if (!f)
        return false;
      if (*f == jql_field::project) {
        fail("Not able to sort using field 'project'.");
        return false;
      }
      ++i;
      jql_order o;
      o.field = *f;
      if (is_kw(peek(), "asc")) {
        ++i;
      } else if (is_kw(peek(), "desc")) {
        o.descending = true;
        ++i;
      }
      out.push_back(o);
      if (peek().kind == tok::comma) {
        ++i;
        continue;
      }
      return true;
    }
  }
};

// --- binding
// --------------------------------------------------------------------------

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

const char* field_name(jql_field f) {
  switch (f) {
    case jql_field::project:
      return "project";
    case jql_field::created:
      return "created";
    case jql_field::updated:
      return "updated";
    case jql_field::id:
      return "id";
    case jql_field::key:
      return "key";
  }
  return "?";
}

const project* project_by_value(const workspace& ws, std::string_view v) {
  if (auto id = parse_i64(v))
    if (auto* p = find_project(ws, *id))
      return p;
  auto l = lower(v);
  for (auto& p : ws.projects)
    if (lower(p.key) == l)
      return &p;
  for (auto& p : ws.projects)
    if (lower(p.name) == l)
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
  bool range = c.op == jql_op::gt || c.op == jql_op::ge || c.op == jql_op::lt
               || c.op == jql_op::le;
  switch (c.field) {
    case jql_field::project:
      if (range)
        return jql_error{"The operator '"
                         + std::string{c.op == jql_op::gt   ? ">"
                                       : c.op == jql_op::ge ? ">="
                                       : c.op == jql_op::lt ? "<"
                                                            : "<="}
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
                           + field_name(c.field)
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
  bool range = c.op == jql_op::gt || c.op == jql_op::ge || c.op == jql_op::lt
               || c.op == jql_op::le;
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

std::variant<jql_query, jql_error> parse_jql(std::string_view text) {
  auto lexed = lex(text);
  if (auto* e = std::get_if<jql_error>(&lexed))
    return *e;
  parser p;
  p.t = std::move(std::get<std::vector<token>>(lexed));
  jql_query q;
  if (p.peek().kind != tok::end && !p.is_kw(p.peek(), "order")) {
    auto w = p.expr(0);
    if (!w)
      return *p.err;
    q.where = std::move(*w);
  }
  if (p.is_kw(p.peek(), "order")) {
    ++p.i;
    if (!p.order_by(q.order))
      return *p.err;
  }
  if (p.peek().kind != tok::end) {
    auto& x = p.peek();
    return jql_error{syntax_error(
      "Expecting either 'OR' or 'AND' but got '" + x.text + "'.", x.pos)};
  }
  return q;
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

bool caller_may_name(const workspace& ws, const project& p, user_ix u) {
  if (can_browse_project(ws, u, p))
    return true;
  auto* s = find_permission_scheme(ws, p.permission_scheme_id);
  if (!s || u >= ws.users.size() || !ws.users[u].active)
    return false;
  for (auto& g : s->grants)
    if (g.permission == "BROWSE_PROJECTS"
        && (g.holder.type == "reporter" || g.holder.type == "assignee"))
      return true;
  return false;
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

bool jql_compiled::less(const workspace& ws, const issue& a, const issue& b,
                        millis now_ms) const {
  auto va = index_view(a, now_ms);
  auto vb = index_view(b, now_ms);
  for (auto& o : order) {
    int cmp = 0;
    switch (o.field) {
      case jql_field::created:
        cmp = va.created_ms < vb.created_ms   ? -1
              : va.created_ms > vb.created_ms ? 1
                                              : 0;
        break;
      case jql_field::updated:
        cmp = va.updated_ms < vb.updated_ms   ? -1
              : va.updated_ms > vb.updated_ms ? 1
                                              : 0;
        break;
      case jql_field::id:
        cmp = a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
        break;
      case jql_field::key: {
        // Project key, then the number (numerically).
        auto pa = find_project(ws, va.project_id);
        auto pb = find_project(ws, vb.project_id);
        std::string ka = pa ? pa->key : "";
        std::string kb = pb ? pb->key : "";
        cmp = ka.compare(kb);
        cmp = cmp < 0 ? -1 : cmp > 0 ? 1 : 0;
        if (cmp == 0) {
          auto na = key_number(va.key).value_or(0);
          auto nb = key_number(vb.key).value_or(0);
          cmp = na < nb ? -1 : na > nb ? 1 : 0;
        }
        break;
      }
      case jql_field::project:
        break;
    }
    if (cmp != 0)
      return o.descending ? cmp > 0 : cmp < 0;
  }
  bool desc = order.empty() || order.front().descending;
  return desc ? a.id > b.id : a.id < b.id;
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
