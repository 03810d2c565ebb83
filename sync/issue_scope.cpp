#include "sync/issue_scope.hpp"

#include <algorithm>

namespace jirasync::sync {

bool project_in_scope(const config::filters_config& f, const std::string& key) {
  if (f.project_keys.empty())
    return true;
  bool listed = std::find(f.project_keys.begin(), f.project_keys.end(), key)
                != f.project_keys.end();
  return f.project_keys_op == config::keys_op::in ? listed : !listed;
}

protocol::jql_result project_jql(const config::filters_config& f,
                                 const std::string& key,
                                 const std::string& tz) {
  protocol::jql_query q;
  q.project_keys = {key};
  if (f.modified_after)
    q.updated_from_ms = f.modified_after->utc_ms;
  if (f.modified_before)
    q.updated_to_ms = f.modified_before->utc_ms;
  if (f.created_after)
    q.created_from_ms = f.created_after->utc_ms;
  if (f.created_before)
    q.created_to_ms = f.created_before->utc_ms;
  q.time_zone = tz;
  q.order = protocol::jql_order::id;
  return protocol::build_jql(q);
}

bool within_filters(const config::filters_config& f,
                    const protocol::jira_issue& i) {
  auto created = i.fields.created_ms.value_or(0);
  auto updated = i.fields.updated_ms.value_or(created);
  if (f.modified_after && updated < f.modified_after->utc_ms)
    return false;
  if (f.modified_before && updated > f.modified_before->utc_ms)
    return false;
  if (f.created_after && created < f.created_after->utc_ms)
    return false;
  if (f.created_before && created > f.created_before->utc_ms)
    return false;
  return true;
}

} // namespace jirasync::sync
