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

#include <string>

namespace jirasync::sync {

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

/// True when `issue` lies within the filters' exact date bounds (created,
/// and updated - which falls back to created when absent).
bool within_filters(const config::filters_config& filters,
                    const protocol::jira_issue& issue);

} // namespace jirasync::sync
