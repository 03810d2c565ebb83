#pragma once

// The syntax of the JQL subset connectors send: lexer and recursive-descent
// parser. No workspace here: values stay text until jql.hpp binds them.
//
// Grammar (case-insensitive keywords):
//   query   := [expr] [ORDER BY key [ASC|DESC] {, key [ASC|DESC]}]
//   expr    := term {OR term};  term := factor {AND factor}
//   factor  := NOT factor | "(" expr ")" | clause
//   clause  := field op value | field [NOT] IN "(" value {, value} ")"
//   field   := project | created | createdDate | updated | updatedDate |
//              id | issuekey | key
//   op      := = | != | > | >= | < | <=
//   value   := bare word | "double" or 'single' quoted string | number
// Other known Jira fields (status, assignee, ...) are rejected as
// unsupported by the simulator; unknown fields get Jira's "does not exist"
// error. Error texts follow Jira's ("Error in the JQL Query: ... (line 1,
// character N)").
//
// Thread-safety: pure functions.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace jirasim {

/// Why a query was rejected (HTTP 400 with {"errorMessages":[message]}).
struct jql_error {
  std::string message;
};

enum class jql_field : uint8_t { project, created, updated, id, key };
enum class jql_op : uint8_t { eq, ne, gt, ge, lt, le, in, not_in };

/// True for >, >=, <, <=.
constexpr bool is_range(jql_op op) {
  return op == jql_op::gt || op == jql_op::ge || op == jql_op::lt
         || op == jql_op::le;
}

/// The operator as written in JQL ("=", "!=", ">", ..., "in", "not in").
std::string_view to_string(jql_op op);
/// The field's canonical JQL name ("project", "created", ...).
std::string_view to_string(jql_field f);

/// One parsed condition (values still as text; resolved at compile time).
struct jql_clause {
  jql_field field = jql_field::id;
  jql_op op = jql_op::eq;
  std::vector<std::string> values;
};

/// Expression tree node.
struct jql_node {
  enum class kind : uint8_t { clause, and_, or_, not_ } k = kind::clause;
  jql_clause clause;              // kind::clause
  std::vector<jql_node> children; // and_/or_ (>= 2), not_ (1)
};

struct jql_order {
  jql_field field = jql_field::id;
  bool descending = false;
};

/// A parsed query (syntax only).
struct jql_query {
  std::optional<jql_node> where; // empty query -> nullopt
  std::vector<jql_order> order;
};

/// The operator of the first clause comparing `id` (or key/issuekey) with
/// >, >=, <, <=; nullopt when the query has none.
std::optional<jql_op> id_range_op(const jql_query& query);

/// Parses. Errors: Jira-like "Error in the JQL Query: ..." or
/// "Field 'foo' does not exist or you do not have permission to view it.".
std::variant<jql_query, jql_error> parse_jql(std::string_view text);

} // namespace jirasim
