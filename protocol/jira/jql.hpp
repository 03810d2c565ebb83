#pragma once
// Builds the bounded JQL queries the sync needs.
//
// Jira compares `updated >= "yyyy/MM/dd HH:mm"` at MINUTE precision, reading
// the literal in the API user's profile time zone (from /myself). So:
// - lower bounds (`updated >=`, `created >=`) are converted to that zone and
//   rounded DOWN to the minute; `overlap_minutes` is subtracted from the
//   `updated` lower bound first (the search index is eventually consistent);
// - upper bounds (`<=`) are rounded UP to the minute.
// Both roundings only widen the window: a record at 10:05:59.999 must not be
// lost because the literal can only say 10:05. Callers drop the few extra
// records by comparing exact timestamps (writes are idempotent by id and
// updated anyway).
// - Around DST changes a local literal can be ambiguous (fall back: it names
//   two instants) or non-existent (spring forward: Jira may shift it either
//   way). A literal is chosen so that EVERY instant Jira could read it as
//   satisfies the bound: for a lower bound all readings are <= the true
//   instant (e.g. 2024-11-03 08:30Z in Los Angeles is 01:30 PDT, but "01:30"
//   could also mean 09:30Z, so "00:59" is written); for an upper bound all
//   readings are >= it.
// - An unknown (or empty) zone name falls back to UTC and sets
//   `jql_result::time_zone_fallback` so that the caller can log a warning.
//
// Never an unbounded query: build_jql refuses (error) without a positive
// project restriction (`project = ` / `project in`) or at least one bound
// (updated/created/id). Keys and values are always quoted and escaped.
//
// Thread-safety: pure functions (the tz database is loaded once, thread-safe).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace jirasync::protocol {

enum class project_scope_op {
  in,     // project = "A" | project in ("A", "B")
  not_in, // project not in ("A", "B") -- not a restriction by itself
};

enum class jql_order {
  updated_then_id, // ORDER BY updated ASC, id ASC   (incremental sync)
  id,              // ORDER BY id ASC                (id reconciliation)
  updated_desc,    // ORDER BY updated DESC          (high-water mark)
  none,
};

struct jql_query {
  /// Project keys; empty = no project clause. Default: empty.
  std::vector<std::string> project_keys;
  /// Default: in.
  project_scope_op project_op = project_scope_op::in;
  /// Bounds as UTC milliseconds. Default: none.
  std::optional<std::int64_t> updated_from_ms;
  std::optional<std::int64_t> updated_to_ms;
  std::optional<std::int64_t> created_from_ms;
  std::optional<std::int64_t> created_to_ms;
  /// Subtracted from updated_from_ms before rounding. Default: 0.
  int overlap_minutes = 0;
  /// IANA zone of the API user (/myself timeZone). Default: "UTC".
  std::string time_zone = "UTC";
  /// `id > N`. Default: none.
  std::optional<std::int64_t> id_greater_than;
  /// `id >= N` and `id < M`: one id range of a listing split in ranges.
  /// Jira Cloud's JQL field reference ("JQL fields", section "Issue key",
  /// support.atlassian.com/jira-software-cloud/docs/jql-fields/) lists
  /// `id` as an alias of issueKey with the operators =, !=, >, >=, <, <=,
  /// in, not in; issue ids compare numerically. Default: none.
  std::optional<std::int64_t> id_at_least;
  std::optional<std::int64_t> id_below;
  /// `id in (...)`; every entry must be all digits. Default: empty.
  std::vector<std::string> ids_in;
  /// Default: updated_then_id.
  jql_order order = jql_order::updated_then_id;
};

struct jql_result {
  /// The query; empty when `error` is set.
  std::string jql;
  /// Set when the query was refused (unbounded, bad id, negative overlap).
  std::optional<std::string> error;
  /// The zone was unknown/empty and UTC was used instead.
  bool time_zone_fallback = false;

  bool ok() const {
    return !error.has_value();
  }
};

/// e.g. `project in ("A", "B") AND updated >= "2024/01/02 09:55" AND
/// updated <= "2024/01/03 00:00" ORDER BY updated ASC, id ASC`.
jql_result build_jql(const jql_query& query);

/// `"..."` with `\` and `"` escaped as `\\` / `\"`, newline/CR/tab as
/// `\n` `\r` `\t`, other control characters as `\uXXXX`.
std::string jql_quote(std::string_view value);

enum class minute_rounding { down, up };

/// The `yyyy/MM/dd HH:mm` literal for utc_ms in `time_zone`, rounded and
/// DST-safe as described above (down = lower bound, up = upper bound).
/// `fallback` (optional) is set to true when the zone was unknown.
std::string format_jql_time(std::int64_t utc_ms, std::string_view time_zone,
                            minute_rounding rounding, bool* fallback = nullptr);

} // namespace jirasync::protocol
