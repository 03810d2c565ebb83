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

namespace {

protocol::jql_query scoped_query(const config::filters_config& f,
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
  return q;
}

} // namespace

protocol::jql_result project_jql(const config::filters_config& f,
                                 const std::string& key,
                                 const std::string& tz) {
  auto q = scoped_query(f, key, tz);
  q.order = protocol::jql_order::id;
  return protocol::build_jql(q);
}

protocol::jql_result project_range_jql(const config::filters_config& f,
                                       const std::string& key,
                                       const std::string& tz,
                                       const id_range& range) {
  auto q = scoped_query(f, key, tz);
  q.id_at_least = range.from;
  q.id_below = range.below;
  q.order = protocol::jql_order::id;
  return protocol::build_jql(q);
}

protocol::jql_result incremental_jql(const config::filters_config& f,
                                     const std::string& key,
                                     const std::string& tz,
                                     std::int64_t since_ms,
                                     int overlap_minutes) {
  auto q = scoped_query(f, key, tz);
  q.order = protocol::jql_order::updated_then_id;
  // One lower bound: the later of the filter's and the checkpoint's (the
  // overlap applies to the checkpoint only).
  auto from = since_ms - std::int64_t{overlap_minutes} * 60'000;
  if (!q.updated_from_ms || *q.updated_from_ms < from) {
    q.updated_from_ms = since_ms;
    q.overlap_minutes = overlap_minutes;
  }
  return protocol::build_jql(q);
}

protocol::jql_result high_water_jql(const config::filters_config& f,
                                    const std::string& key,
                                    const std::string& tz) {
  auto q = scoped_query(f, key, tz);
  q.order = protocol::jql_order::updated_desc;
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
