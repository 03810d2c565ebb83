#include "sync/checkpoints.hpp"

#include <utility>

namespace jirasync::sync {

void project_cursor::advance(std::int64_t batch_max_updated_ms,
                             const std::string& batch_last_issue_id) {
  if (batch_max_updated_ms > max_updated_ms)
    max_updated_ms = batch_max_updated_ms;
  if (!batch_last_issue_id.empty())
    last_issue_id = batch_last_issue_id;
}

project_cursor low_water_mark::if_committed(std::int64_t end_updated_ms,
                                            const std::string& end_id,
                                            bool clean) const {
  auto c = cursor_;
  if (clean && !stopped_)
    c.advance(end_updated_ms, end_id);
  return c;
}

void low_water_mark::committed(std::int64_t end_updated_ms,
                               const std::string& end_id, bool clean) {
  cursor_ = if_committed(end_updated_ms, end_id, clean);
  if (!clean)
    stopped_ = true;
}

storage::project_checkpoint
make_project_checkpoint(const protocol::jira_project& project,
                        const project_cursor& cursor,
                        const std::string& filters_hash, bool full_sync_done,
                        std::int64_t now_ms, const std::string& access_hash) {
  storage::project_checkpoint cp;
  cp.project_key = project.key;
  cp.project_id = project.id;
  cp.last_updated_ms = cursor.max_updated_ms;
  cp.last_issue_id = cursor.last_issue_id;
  cp.filters_hash = filters_hash;
  cp.full_sync_done = full_sync_done;
  cp.synced_at_ms = now_ms;
  cp.access_hash = access_hash;
  return cp;
}

std::string_view to_string(run_result r) {
  switch (r) {
    case run_result::ok:
      return "ok";
    case run_result::partial:
      return "partial";
    case run_result::failed:
      break;
  }
  return "failed";
}

run_result result_of(const std::optional<common::error>& fatal,
                     std::size_t failures) {
  if (fatal)
    return run_result::failed;
  return failures == 0 ? run_result::ok : run_result::partial;
}

storage::sync_checkpoint
make_sync_checkpoint(const std::optional<common::error>& fatal,
                     std::size_t failures, std::int64_t started_ms,
                     std::int64_t finished_ms, const std::string& filters_hash,
                     std::map<std::string, std::int64_t> counters) {
  storage::sync_checkpoint cp;
  cp.mode = "full"; // the caller sets the run's mode
  cp.started_at_ms = started_ms;
  cp.finished_at_ms = finished_ms;
  cp.filters_hash = filters_hash;
  cp.result = std::string{to_string(result_of(fatal, failures))};
  if (fatal)
    cp.error = fatal->to_string();
  else if (failures > 0)
    cp.error = std::to_string(failures) + " record(s) or project(s) failed";
  cp.counters = std::move(counters);
  return cp;
}

} // namespace jirasync::sync
