#pragma once
// What a sync takes from the site under the sync filters: which projects,
// which issues of a project (the id listing's JQL) and the exact date
// bounds an issue must meet (JQL literals are minute-precision, so the
// listing may return a little more than the filters allow).
//
// Thread-safety: pure functions over their arguments.

#include "config/config.hpp"
#include "protocol/jira/jira_models.hpp"
#include "protocol/jira/jql.hpp"
#include "sync/id_ranges.hpp"
#include "sync/permissions.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <string>

namespace jirasync::sync {

/// A project of this run's scope whose access could be read: where the
/// issues of a project go, whichever project's listing found them (an
/// issue moved between two projects of the scope keeps one record).
struct scoped_project {
  protocol::jira_project project;
  std::shared_ptr<const project_access> access;
  /// sync::access_fingerprint of `access`.
  std::string access_hash;
};

/// By project key.
using scope_map = std::map<std::string, scoped_project>;

/// The project key filter: every project when no keys are listed, else the
/// listed ones (`in`) or all but the listed ones (`not in`).
bool project_in_scope(const config::filters_config& filters,
                      const std::string& project_key);

/// The JQL of a project's id listing: the project, the filters' date
/// bounds as minute literals in `time_zone` (the API user's zone, which is
/// how Jira reads them), ordered by id.
protocol::jql_result project_jql(const config::filters_config& filters,
                                 const std::string& project_key,
                                 const std::string& time_zone);

/// project_jql restricted to the ids of `range` (`id >= from AND id <
/// below`, an absent bound left out): one range of a reconciliation
/// listing split in ranges (sync/id_ranges.hpp).
protocol::jql_result project_range_jql(const config::filters_config& filters,
                                       const std::string& project_key,
                                       const std::string& time_zone,
                                       const id_range& range);

/// The JQL of a project's incremental listing: project_jql's restriction
/// plus `updated >= since_ms - overlap_minutes` (in `time_zone`, rounded
/// down to the minute, DST-safe), ordered by `updated ASC, id ASC` so that
/// a committed prefix of the listing is a low-water mark. The filters'
/// own `modified_after` bound is kept when it is later.
protocol::jql_result incremental_jql(const config::filters_config& filters,
                                     const std::string& project_key,
                                     const std::string& time_zone,
                                     std::int64_t since_ms,
                                     int overlap_minutes);

/// The JQL asking for the project's most recently updated issue (`ORDER BY
/// updated DESC`, one result): the high-water mark a full pass starts from.
protocol::jql_result high_water_jql(const config::filters_config& filters,
                                    const std::string& project_key,
                                    const std::string& time_zone);

/// True when `issue` lies within the filters' exact date bounds (created,
/// and updated - which falls back to created when absent).
bool within_filters(const config::filters_config& filters,
                    const protocol::jira_issue& issue);

} // namespace jirasync::sync
