#include "service/service_state.hpp"

#include "common/time_format.hpp"

#include <boost/json/array.hpp>

#include <algorithm>

namespace jirasync::service {

namespace json = boost::json;

namespace {

json::value time_or_null(std::optional<std::int64_t> ms) {
  if (!ms || *ms <= 0)
    return nullptr;
  return json::value(common::format_rfc3339_ms(*ms));
}

json::object progress_json(const actors::progress_snapshot& p) {
  return {{"phase", p.phase},
          {"projects_total", p.projects_total},
          {"projects_done", p.projects_done},
          {"issues_done", p.issues_done},
          {"issues_estimated", p.issues_estimated},
          {"comments_done", p.comments_done},
          {"attachments_done", p.attachments_done},
          {"requests", p.requests},
          {"responses_429", p.governor.responses_429},
          {"in_flight", p.in_flight()},
          {"waiting",
           p.waiting.empty() ? json::value(nullptr) : json::value(p.waiting)}};
}

/// At most this many failure lines in /status (the count is complete).
constexpr std::size_t max_failures_shown = 100;

json::object finished_json(const finished_run& r) {
  const auto& rep = r.report;
  json::array failures;
  for (std::size_t i = 0; i < rep.failures.size() && i < max_failures_shown;
       ++i)
    failures.emplace_back(rep.failures[i].to_string());
  json::array failed;
  for (auto& k : failed_projects(rep))
    failed.emplace_back(k);
  json::object counters;
  for (const auto& [name, value] : actors::run_counters(rep))
    counters[name] = value;
  json::value error = nullptr;
  if (rep.error) {
    error = rep.error->to_string();
  } else if (r.outcome == run_outcome::partial) {
    std::string why;
    if (!rep.failures.empty())
      why = std::to_string(rep.failures.size())
            + " record(s) or project(s) failed";
    if (!rep.degraded.empty())
      why += (why.empty() ? "" : "; ") + std::to_string(rep.degraded.size())
             + " project(s) degraded (permission data not readable)";
    error = std::move(why);
  }
  return {{"id", r.id},
          {"reason", to_string(r.reason)},
          {"full", r.full},
          {"result", to_string(r.outcome)},
          {"error", std::move(error)},
          {"started_at", time_or_null(r.started_ms)},
          {"finished_at", time_or_null(r.finished_ms)},
          {"duration_ms", rep.duration_ms},
          {"counts",
           {{"added", rep.store.added},
            {"updated", rep.store.updated},
            {"unchanged", rep.store.unchanged},
            {"deleted", rep.store.deleted}}},
          {"records",
           {{"users", rep.users},
            {"groups", rep.groups},
            {"projects", rep.projects},
            {"issues", rep.issues},
            {"comments", rep.comments},
            {"attachments", rep.attachments}}},
          {"requests", rep.api.requests},
          {"responses_429", rep.governor.stats.responses_429},
          {"counters", std::move(counters)},
          {"content_warnings", rep.warnings.size()},
          {"hidden_email_users", rep.hidden_email_users},
          {"failures_total", rep.failures.size()},
          {"failures", std::move(failures)},
          {"failed_projects", std::move(failed)},
          {"degraded_projects", sync::degraded_to_json(rep.degraded)}};
}

} // namespace

void run_totals::add(const finished_run& run) {
  const auto& rep = run.report;
  ++runs[static_cast<std::size_t>(run.outcome)];
  requests += rep.api.requests;
  retries += rep.api.retries;
  gave_up += rep.api.failures;
  add_governor(rep.governor.stats);
  added += rep.store.added;
  updated += rep.store.updated;
  unchanged += rep.store.unchanged;
  deleted += rep.store.deleted;
  record_failures += rep.failures.size();
  content_warnings += rep.warnings.size();
  duration_ms_sum += rep.duration_ms;
}

void run_totals::add_governor(const sync::governor_stats& g) {
  for (std::size_t i = 0; i < class_requests.size(); ++i) {
    class_requests[i] += g.classes[i].requests;
    class_429[i] += g.classes[i].responses_429;
  }
  for (std::size_t i = 0; i < by_reason_429.size(); ++i)
    by_reason_429[i] += g.responses_429_by_reason[i];
  for (std::size_t i = 0; i < waits.size(); ++i) {
    waits[i] += g.waits[i];
    waited_ms[i] += g.waited_ms[i];
  }
}

readiness ready_of(const service_state& s) {
  if (s.state == "starting")
    return {false, "starting"};
  if (s.state == "stopping")
    return {false, "stopping"};
  if (s.last_run && s.last_run->report.error
      && s.last_run->report.error->code == common::errc::unauthenticated)
    return {false, "credentials rejected by Jira in the last run: "
                     + s.last_run->report.error->message};
  return {true, ""};
}

std::vector<std::string> failed_projects(const actors::sync_report& report) {
  std::vector<std::string> keys;
  constexpr std::string_view prefix = "project ";
  for (const auto& f : report.failures)
    if (f.record.rfind(prefix, 0) == 0)
      keys.push_back(f.record.substr(prefix.size()));
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return keys;
}

json::object status_json(const service_state& s) {
  auto ready = ready_of(s);
  json::object o;
  o["state"] = s.state;
  o["strategy"] = s.strategy;
  o["interval_minutes"] = s.interval_minutes;
  o["ready"] = ready.ready;
  o["not_ready_reason"]
    = ready.ready ? json::value(nullptr) : json::value(ready.reason);
  if (s.run)
    o["run"] = json::object{{"id", s.run->id},
                            {"reason", to_string(s.run->reason)},
                            {"full", s.run->full},
                            {"started_at", time_or_null(s.run->started_ms)},
                            {"stopping", s.run->stopping},
                            {"progress", progress_json(s.run->progress)}};
  else
    o["run"] = nullptr;
  if (s.last_run)
    o["last_run"] = finished_json(*s.last_run);
  else
    o["last_run"] = nullptr;
  o["last_success_at"] = time_or_null(s.last_success_ms);
  o["next_run_at"] = time_or_null(s.next_run_ms);
  o["next_run_is_retry"] = s.next_run_is_retry;
  o["queued"] = s.queued;
  o["consecutive_failures"] = s.consecutive_failures;
  json::object runs;
  for (auto outcome :
       {run_outcome::ok, run_outcome::partial, run_outcome::failed,
        run_outcome::cancelled, run_outcome::reauth_required})
    runs[to_string(outcome)] = s.totals.runs[static_cast<std::size_t>(outcome)];
  o["runs"] = std::move(runs);
  o["store"] = json::object{{"path", s.store_path},
                            {"last_seq", s.last_seq},
                            {"size_bytes", s.store_bytes}};
  o["started_at"] = time_or_null(s.started_ms);
  return o;
}

std::string status_line(const service_state& s) {
  if (s.run) {
    // Only what changes a few times a run: one notification per phase.
    const auto& p = s.run->progress;
    return std::string{s.run->stopping ? "stopping run " : "running "}
           + s.run->id + " (" + (p.phase.empty() ? "start" : p.phase) + ")";
  }
  std::string line = s.state;
  if (s.last_run)
    line += "; last run " + std::string{to_string(s.last_run->outcome)};
  if (s.next_run_ms)
    line += std::string{s.next_run_is_retry ? "; retry at " : "; next run "}
            + common::format_rfc3339_ms(*s.next_run_ms);
  else if (s.strategy == "manual")
    line += "; manual: waiting for POST /sync";
  return line;
}

} // namespace jirasync::service
