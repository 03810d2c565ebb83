#pragma once

// The JQL subset connectors send, bound to a workspace and evaluated
// against its search index view (index lag respected). The syntax lives in
// jql_parser.hpp.
//
// Dates: "yyyy/MM/dd HH:mm", "yyyy-MM-dd HH:mm", "yyyy/MM/dd", "yyyy-MM-dd",
// read in the caller's profile time zone at minute precision (DST-correct).
// An issue matches `updated >= D` iff its updated instant >= D's instant.
// A query with no clause at all (empty, or only ORDER BY) is rejected as
// unbounded (Jira's /search/jql rule); every supported field restricts.
// Values: project by id, key or name (case-insensitive; unknown -> error);
// key/issuekey by key (old keys of moved issues resolve; unknown -> error,
// as Jira); id by number (unknown ids simply match nothing). Date `=` is an
// exact instant match.
//
// Thread-safety: pure functions over a workspace the caller keeps stable.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "sim/jql_parser.hpp"
#include "sim/workspace.hpp"

namespace jirasim {

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

/// Ids of the issues the index shows for the query at `now_ms`, ordered per
/// ORDER BY (ties broken by id in the direction of the first key; without
/// ORDER BY: id descending, newest first). Permissions are NOT applied here:
/// the server filters by caller.
std::vector<int64_t> run_jql(const workspace& ws, const jql_compiled& q,
                             millis now_ms);

/// The Jira error texts (for tests and the server).
inline constexpr std::string_view jql_unbounded_message
  = "Unbounded JQL queries are not allowed here. Please add a search "
    "restriction to your query.";

} // namespace jirasim
