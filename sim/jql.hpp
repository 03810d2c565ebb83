#pragma once

// The JQL subset connectors send, parsed and evaluated against the
// workspace's search index view (index lag respected).
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
// Dates: "yyyy/MM/dd HH:mm", "yyyy-MM-dd HH:mm", "yyyy/MM/dd", "yyyy-MM-dd",
// read in the caller's profile time zone at minute precision (DST-correct).
// An issue matches `updated >= D` iff its updated instant >= D's instant.
// A query with no clause at all (empty, or only ORDER BY) is rejected as
// unbounded (Jira's /search/jql rule); every supported field restricts.
// Values: project by id, key or name (case-insensitive; unknown -> error);
// key/issuekey by key (old keys of moved issues resolve; unknown -> error,
// as Jira); id by number (unknown ids simply match nothing). Date `=` is an
// exact instant match. Other known Jira fields (status, assignee, ...) are
// rejected as unsupported by the simulator.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "sim/workspace.hpp"

namespace jirasim {

/// Why a query was rejected (HTTP 400 with {"errorMessages":[message]}).
struct jql_error {
  std::string message;
};

enum class jql_field : uint8_t { project, created, updated, id, key };
enum class jql_op : uint8_t { eq, ne, gt, ge, lt, le, in, not_in };

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

/// Parses. Errors: Jira-like "Error in the JQL Query: ..." or
/// "Field 'foo' does not exist or you do not have permission to view it.".
std::variant<jql_query, jql_error> parse_jql(std::string_view text);

/// A clause with its values resolved against the workspace.
struct jql_bound_clause {
  jql_field field = jql_field::id;
  jql_op op = jql_op::eq;
  /// project: project ids; id/key: issue ids (eq/ne/in/not_in) or, for
  /// ranges on id, the numeric bound.
  std::vector<int64_t> ids;
  /// key ranges: (project id, key number) of the bound.
  std::vector<std::pair<int64_t, int64_t>> key_bounds;
  /// created/updated: instants (ms) of the date values.
  std::vector<millis> instants;
};

struct jql_bound_node {
  jql_node::kind k = jql_node::kind::clause;
  jql_bound_clause clause;
  std::vector<jql_bound_node> children;
};

/// A query bound to a workspace and a caller time zone: dates converted to
/// instants, project keys/ids and issue keys resolved, boundedness checked.
struct jql_compiled {
  std::optional<jql_bound_node> where;
  std::vector<jql_order> order;

  /// Does `i`'s index entry (as of `now_ms`) match? False for issues not yet
  /// in the index.
  bool matches(const workspace& ws, const issue& i, millis now_ms) const;
  /// Strict weak order of two issues per ORDER BY (ties broken by id in the
  /// direction of the first ORDER BY key). Without ORDER BY: id descending
  /// (newest first).
  bool less(const workspace& ws, const issue& a, const issue& b,
            millis now_ms) const;
};

/// The index entry JQL sees for `i` at `now_ms` (the current fields once
/// `indexed_at_ms <= now_ms`, else `previous_index`).
index_entry index_view(const issue& i, millis now_ms);

/// Parse + bind: `time_zone` is the caller's profile zone.
std::variant<jql_compiled, jql_error> compile_jql(const workspace& ws,
                                                  std::string_view text,
                                                  std::string_view time_zone);

/// Same, as `caller` (a user index): a project value the caller may not
/// browse is reported like a missing one ("The value 'X' does not exist for
/// the field 'project'."), as Jira does. Projects whose BROWSE_PROJECTS
/// grants include reporter/assignee count as browsable (the caller may see
/// some of their issues).
std::variant<jql_compiled, jql_error> compile_jql(const workspace& ws,
                                                  std::string_view text,
                                                  std::string_view time_zone,
                                                  user_ix caller);

/// Ids of the issues the index shows for the query at `now_ms`, ordered.
/// (Permissions are NOT applied here: the server filters by caller.)
std::vector<int64_t> run_jql(const workspace& ws, const jql_compiled& q,
                             millis now_ms);

/// The Jira error texts (for tests and the server).
inline constexpr std::string_view jql_unbounded_message
  = "Unbounded JQL queries are not allowed here. Please add a search "
    "restriction to your query.";

} // namespace jirasim
