#include "sim/jql_parser.hpp"

#include "common/ascii.hpp"

#include <cctype>
#include <cstdio>

namespace jirasim {

using jirasync::common::ascii_to_lower;

std::string_view to_string(jql_op op) {
  switch (op) {
    case jql_op::eq:
      return "=";
    case jql_op::ne:
      return "!=";
    case jql_op::gt:
      return ">";
    case jql_op::ge:
      return ">=";
    case jql_op::lt:
      return "<";
    case jql_op::le:
      return "<=";
    case jql_op::in:
      return "in";
    case jql_op::not_in:
      return "not in";
  }
  return "?";
}

std::string_view to_string(jql_field f) {
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

namespace {

// --- lexer -------------------------------------------------------------------

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

/// Punctuation and operators, the two-character ones first (longest match).
struct symbol {
  std::string_view text;
  tok kind;
};
constexpr symbol symbols[] = {
  {"!=", tok::ne},        {">=", tok::ge},    {"<=", tok::le},
  {"!~", tok::not_tilde}, {"&&", tok::and_},  {"||", tok::or_},
  {"(", tok::lparen},     {")", tok::rparen}, {",", tok::comma},
  {"=", tok::eq},         {">", tok::gt},     {"<", tok::lt},
  {"~", tok::tilde},      {"&", tok::and_},   {"|", tok::or_},
};

std::string syntax_error(const std::string& what, size_t pos) {
  return "Error in the JQL Query: " + what + " (line 1, character "
         + std::to_string(pos + 1) + ")";
}

bool word_char(char c) {
  auto u = static_cast<unsigned char>(c);
  return std::isalnum(u) || c == '_' || c == '.' || c == '-' || c == '/'
         || c == ':' || c == '[' || c == ']' || u >= 0x80;
}

/// A quoted string starting at s[i] (the quote); advances i past it.
std::variant<std::string, jql_error> quoted(std::string_view s, size_t& i) {
  auto start = i;
  auto q = s[i++];
  std::string v;
  while (i < s.size()) {
    if (s[i] == '\\' && i + 1 < s.size()) {
      v += s[i + 1];
      i += 2;
      continue;
    }
    if (s[i] == q) {
      ++i;
      return v;
    }
    v += s[i++];
  }
  return jql_error{syntax_error(
    "The quoted string '" + v + "' has not been completed.", start)};
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
    if (c == '"' || c == '\'') {
      auto q = quoted(s, i);
      if (auto* e = std::get_if<jql_error>(&q))
        return *e;
      t.kind = tok::string;
      t.text = std::move(std::get<std::string>(q));
      out.push_back(std::move(t));
      continue;
    }
    const symbol* sym = nullptr;
    for (auto& x : symbols)
      if (s.substr(i, x.text.size()) == x.text) {
        sym = &x;
        break;
      }
    if (sym) {
      t.kind = sym->kind;
      t.text = std::string{sym->text};
      i += sym->text.size();
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

// --- parser ------------------------------------------------------------------

constexpr const char* unsupported_fields[]
  = {"status",   "priority",       "assignee",    "reporter",   "labels",
     "summary",  "text",           "issuetype",   "type",       "resolution",
     "sprint",   "component",      "fixversion",  "parent",     "creator",
     "level",    "statuscategory", "description", "comment",    "attachments",
     "resolved", "duedate",        "due",         "labels",     "epic link",
     "watcher",  "voter",          "filter",      "lastviewed", "cf",
     "issuetype"};

/// Comparison operators as tokens.
std::optional<jql_op> comparison(tok k) {
  switch (k) {
    case tok::eq:
      return jql_op::eq;
    case tok::ne:
      return jql_op::ne;
    case tok::gt:
      return jql_op::gt;
    case tok::ge:
      return jql_op::ge;
    case tok::lt:
      return jql_op::lt;
    case tok::le:
      return jql_op::le;
    default:
      return std::nullopt;
  }
}

class parser {
public:
  explicit parser(std::vector<token> t) : t_(std::move(t)) {}

  std::variant<jql_query, jql_error> query() {
    jql_query q;
    if (peek().kind != tok::end && !is_kw(peek(), "order")) {
      auto w = expr(0);
      if (!w)
        return *err_;
      q.where = std::move(*w);
    }
    if (is_kw(peek(), "order")) {
      ++i_;
      if (!order_by(q.order))
        return *err_;
    }
    if (peek().kind != tok::end) {
      auto& x = peek();
      return jql_error{syntax_error(
        "Expecting either 'OR' or 'AND' but got '" + x.text + "'.", x.pos)};
    }
    return q;
  }

private:
  const token& peek() const {
    return t_[i_];
  }

  static bool is_kw(const token& x, std::string_view kw) {
    return x.kind == tok::word && ascii_to_lower(x.text) == kw;
  }

  static std::string shown(const token& x) {
    return x.kind == tok::end ? "EOF" : x.text;
  }

  void fail(std::string msg) {
    if (!err_)
      err_ = jql_error{std::move(msg)};
  }

  /// Fails with "Expecting <what> but got '<next token>'.<more>" at the
  /// next token.
  void expecting(std::string_view what, std::string_view more = {}) {
    fail(syntax_error("Expecting " + std::string{what} + " but got '"
                        + shown(peek()) + "'." + std::string{more},
                      peek().pos));
  }

  /// Consumes a token of kind `k`, or fails with "Expecting '<text>'".
  bool take(tok k, std::string_view text) {
    if (peek().kind != k) {
      expecting("'" + std::string{text} + "'");
      return false;
    }
    ++i_;
    return true;
  }

  std::optional<jql_field> field_of(const token& x) {
    auto f = ascii_to_lower(x.text);
    if (x.kind != tok::word && x.kind != tok::string) {
      expecting("a field name");
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
    if (x.kind != tok::word && x.kind != tok::string) {
      expecting("either a value, list or function");
      return std::nullopt;
    }
    if (x.kind == tok::word) {
      auto l = ascii_to_lower(x.text);
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
    ++i_;
    return x.text;
  }

  /// The operator after a field; `list` is set for IN / NOT IN.
  std::optional<jql_op> op_of(const token& field, bool& list) {
    auto& o = peek();
    if (auto op = comparison(o.kind)) {
      ++i_;
      return op;
    }
    if (is_kw(o, "in")) {
      ++i_;
      list = true;
      return jql_op::in;
    }
    if (is_kw(o, "not") && is_kw(t_[i_ + 1], "in")) {
      i_ += 2;
      list = true;
      return jql_op::not_in;
    }
    if (o.kind == tok::tilde || o.kind == tok::not_tilde || is_kw(o, "is")) {
      fail("The operator '" + o.text + "' is not supported by the '"
           + field.text + "' field.");
      return std::nullopt;
    }
    expecting("operator", " The valid operators are '=', '!=', '<', '>', "
                          "'<=', '>=', '~', '!~', 'IN', 'NOT IN', 'IS' and "
                          "'IS NOT'.");
    return std::nullopt;
  }

  std::optional<jql_node> clause() {
    auto& ft = peek();
    auto f = field_of(ft);
    if (!f)
      return std::nullopt;
    ++i_;
    jql_node n;
    n.clause.field = *f;
    bool list = false;
    auto op = op_of(ft, list);
    if (!op)
      return std::nullopt;
    n.clause.op = *op;
    if (!list) {
      auto v = value();
      if (!v)
        return std::nullopt;
      n.clause.values.push_back(std::move(*v));
      return n;
    }
    if (!take(tok::lparen, "("))
      return std::nullopt;
    for (;;) {
      auto v = value();
      if (!v)
        return std::nullopt;
      n.clause.values.push_back(std::move(*v));
      if (peek().kind == tok::comma) {
        ++i_;
        continue;
      }
      if (peek().kind == tok::rparen) {
        ++i_;
        return n;
      }
      expecting("',' or ')'");
      return std::nullopt;
    }
  }

  std::optional<jql_node> factor(int depth) {
    if (depth > 100) {
      fail(syntax_error("The query is nested too deeply.", peek().pos));
      return std::nullopt;
    }
    if (is_kw(peek(), "not")) {
      ++i_;
      auto inner = factor(depth + 1);
      if (!inner)
        return std::nullopt;
      jql_node n;
      n.k = jql_node::kind::not_;
      n.children.push_back(std::move(*inner));
      return n;
    }
    if (peek().kind == tok::lparen) {
      ++i_;
      auto inner = expr(depth + 1);
      if (!inner || !take(tok::rparen, ")"))
        return std::nullopt;
      return inner;
    }
    return clause();
  }

  bool at(jql_node::kind k) const {
    if (k == jql_node::kind::and_)
      return peek().kind == tok::and_ || is_kw(peek(), "and");
    return peek().kind == tok::or_ || is_kw(peek(), "or");
  }

  /// operand {K operand}, where operand is a factor for AND and a term
  /// (an AND chain) for OR: AND binds tighter.
  std::optional<jql_node> chain(jql_node::kind k, int depth) {
    auto operand = [&] {
      return k == jql_node::kind::and_ ? factor(depth)
                                       : chain(jql_node::kind::and_, depth);
    };
    auto first = operand();
    if (!first || !at(k))
      return first;
    jql_node n;
    n.k = k;
    n.children.push_back(std::move(*first));
    while (at(k)) {
      ++i_;
      auto next = operand();
      if (!next)
        return std::nullopt;
      n.children.push_back(std::move(*next));
    }
    return n;
  }

  std::optional<jql_node> expr(int depth) {
    return chain(jql_node::kind::or_, depth);
  }

  bool order_by(std::vector<jql_order>& out) {
    // "ORDER" already consumed.
    if (!is_kw(peek(), "by")) {
      expecting("'by'");
      return false;
    }
    ++i_;
    for (;;) {
      auto& ft = peek();
      auto f = field_of(ft);
      if (!f)
        return false;
      if (*f == jql_field::project) {
        fail("Not able to sort using field 'project'.");
        return false;
      }
      ++i_;
      jql_order o;
      o.field = *f;
      if (is_kw(peek(), "asc")) {
        ++i_;
      } else if (is_kw(peek(), "desc")) {
        o.descending = true;
        ++i_;
      }
      out.push_back(o);
      if (peek().kind != tok::comma)
        return true;
      ++i_;
    }
  }

  std::vector<token> t_;
  size_t i_ = 0;
  std::optional<jql_error> err_;
};

} // namespace

std::variant<jql_query, jql_error> parse_jql(std::string_view text) {
  auto lexed = lex(text);
  if (auto* e = std::get_if<jql_error>(&lexed))
    return *e;
  return parser{std::move(std::get<std::vector<token>>(lexed))}.query();
}

namespace {

std::optional<jql_op> id_range_op_of(const jql_node& n) {
  if (n.k == jql_node::kind::clause)
    return (n.clause.field == jql_field::id || n.clause.field == jql_field::key)
               && is_range(n.clause.op)
             ? std::optional{n.clause.op}
             : std::nullopt;
  for (const auto& c : n.children)
    if (auto op = id_range_op_of(c))
      return op;
  return std::nullopt;
}

} // namespace

std::optional<jql_op> id_range_op(const jql_query& query) {
  return query.where ? id_range_op_of(*query.where) : std::nullopt;
}

} // namespace jirasim
