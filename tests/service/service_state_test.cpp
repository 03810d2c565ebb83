// /status and /metrics rendered from a known service state (no clock, no
// server): the last run's real counts, failed and degraded projects,
// totals, the run in progress's governor figures, the Prometheus text
// format.
#include "service/metrics.hpp"
#include "service/service_state.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

using namespace jirasync;
using namespace jirasync::service;
namespace json = boost::json;

namespace {

constexpr std::int64_t t0 = 1'767'225'600'000; // 2026-01-01T00:00:00Z

finished_run a_run(run_outcome outcome) {
  finished_run r;
  r.id = "0badc0de";
  r.reason = run_reason::trigger;
  r.outcome = outcome;
  r.started_ms = t0;
  r.finished_ms = t0 + 2500;
  auto& rep = r.report;
  rep.users = 12;
  rep.issues = 60;
  rep.store = {1, 1, 70, 0, 9};
  rep.api.requests = 40;
  rep.api.retries = 2;
  auto& bulk
    = rep.governor.stats
        .classes[static_cast<std::size_t>(protocol::endpoint_class::bulkfetch)];
  bulk.requests = 7;
  bulk.responses_429 = 3;
  bulk.concurrency_limit = 5;
  rep.governor.stats.granted = 40;
  rep.governor.stats.responses_429 = 3;
  rep.governor.stats.responses_429_by_reason[static_cast<std::size_t>(
    protocol::rate_limit_reason::burst)]
    = 3;
  rep.governor.stats
    .waits[static_cast<std::size_t>(sync::wait_reason::burst_429)]
    = 2;
  rep.governor.stats
    .waited_ms[static_cast<std::size_t>(sync::wait_reason::burst_429)]
    = 1500;
  rep.duration_ms = 2500;
  rep.warnings = {common::make_error(common::errc::invalid_argument,
                                     "unsupported ADF node rendered as text",
                                     "issue OPS-2")};
  if (outcome == run_outcome::partial) {
    rep.degraded
      = {{"WEB", {{"permission scheme", "Administer projects", "HTTP 403"}}}};
    rep.failures = {
      common::make_error(common::errc::permission_denied, "HTTP 403",
                         "project OPS"),
      common::make_error(common::errc::unavailable, "HTTP 503", "issue OPS-1"),
      common::make_error(common::errc::permission_denied, "again",
                         "project ABC")};
  }
  if (outcome == run_outcome::failed)
    rep.error = common::make_error(common::errc::unauthenticated,
                                   "authentication failed (HTTP 401)");
  return r;
}

service_state state_after(const finished_run& r) {
  service_state s;
  s.state = "idle";
  s.started_ms = t0 - 1000;
  s.last_run = r;
  s.totals.add(r);
  if (r.outcome != run_outcome::failed)
    s.last_success_ms = r.finished_ms;
  s.next_run_ms = t0 + 3'600'000;
  s.last_seq = 123;
  s.store_bytes = 4096;
  s.store_path = "/var/lib/jirasync";
  return s;
}

bool has_line(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos
         || text.rfind(line + "\n", 0) == 0;
}

} // namespace

TEST_CASE("status_json shows the last run's real counts and its failures",
          "[service]") {
  auto s = state_after(a_run(run_outcome::partial));
  auto o = status_json(s);
  CHECK(o.at("state") == "idle");
  CHECK(o.at("ready") == true);
  CHECK(o.at("run").is_null());
  auto& last = o.at("last_run").as_object();
  CHECK(last.at("id") == "0badc0de");
  CHECK(last.at("result") == "partial");
  CHECK(last.at("reason") == "trigger");
  CHECK(last.at("started_at") == "2026-01-01T00:00:00.000Z");
  CHECK(last.at("finished_at") == "2026-01-01T00:00:02.500Z");
  auto& counts = last.at("counts").as_object();
  CHECK(counts.at("added") == 1);
  CHECK(counts.at("updated") == 1);
  CHECK(counts.at("unchanged") == 70);
  CHECK(counts.at("deleted") == 0);
  CHECK(last.at("requests") == 40);
  CHECK(last.at("failures_total") == 3);
  CHECK(last.at("failures").as_array().at(1) == "issue OPS-1: HTTP 503");
  CHECK(last.at("failed_projects") == json::array{"ABC", "OPS"});
  auto& degraded = last.at("degraded_projects").as_array();
  REQUIRE(degraded.size() == 1);
  CHECK(degraded.at(0).at("project_key") == "WEB");
  CHECK(degraded.at(0).at("gaps").at(0).at("missing_permission")
        == "Administer projects");
  CHECK(last.at("error")
        == "3 record(s) or project(s) failed; 1 project(s) degraded "
           "(permission data not readable)");
  CHECK(last.at("responses_429") == 3);
  CHECK(last.at("content_warnings") == 1);
  // The same counters as the run's checkpoint (`jirasync status`).
  auto& counters = last.at("counters").as_object();
  CHECK(counters.at("requests") == 40);
  CHECK(counters.at("retries") == 2);
  CHECK(counters.at("responses_429") == 3);
  CHECK(counters.at("429.jira-burst-based") == 3);
  CHECK(counters.at("waited_ms.burst_429") == 1500);
  CHECK(counters.at("content_warnings") == 1);
  CHECK(o.at("next_run_at") == "2026-01-01T01:00:00.000Z");
  CHECK(o.at("runs").at("partial") == 1);
  CHECK(o.at("store").at("last_seq") == 123);
}

TEST_CASE("a run rejected for its credentials makes the service not ready",
          "[service]") {
  auto s = state_after(a_run(run_outcome::failed));
  auto r = ready_of(s);
  CHECK_FALSE(r.ready);
  CHECK(r.reason
        == "credentials rejected by Jira in the last run: authentication "
           "failed (HTTP 401)");
  auto o = status_json(s);
  CHECK(o.at("ready") == false);
  CHECK(o.at("last_run").at("error") == "authentication failed (HTTP 401)");
  CHECK(o.at("last_success_at").is_null());
  service_state starting;
  CHECK(ready_of(starting).reason == "starting");
}

TEST_CASE("metrics_text renders counters and gauges in Prometheus format",
          "[service]") {
  auto s = state_after(a_run(run_outcome::ok));
  s.totals.add(a_run(run_outcome::failed));
  auto text = metrics_text(s);
  CHECK(has_line(text, "# TYPE jirasync_runs_total counter"));
  CHECK(has_line(text, "jirasync_runs_total{result=\"ok\"} 1"));
  CHECK(has_line(text, "jirasync_runs_total{result=\"failed\"} 1"));
  CHECK(has_line(text, "jirasync_requests_total 80"));
  CHECK(has_line(text, "jirasync_requests_by_class_total{class=\"bulkfetch\"} "
                       "14"));
  CHECK(has_line(text, "jirasync_rate_limit_waits_total{reason=\"burst_429\"} "
                       "4"));
  CHECK(has_line(text, "jirasync_rate_limit_wait_seconds_total{reason=\"burst_"
                       "429\"} 3"));
  CHECK(has_line(text, "jirasync_rate_limited_total{class=\"bulkfetch\"} 6"));
  CHECK(has_line(text, "jirasync_rate_limited_by_reason_total{reason=\"jira-"
                       "burst-based\"} 6"));
  CHECK(has_line(text, "jirasync_content_warnings_total 2"));
  // Between runs: nothing in flight; the last run's concurrency limits.
  CHECK(has_line(text, "jirasync_requests_in_flight 0"));
  CHECK(has_line(text, "jirasync_governor_concurrency{class=\"bulkfetch\"} 5"));
  CHECK(has_line(text, "jirasync_governor_concurrency{class=\"comments\"} 0"));
  CHECK(has_line(text, "jirasync_records_total{op=\"added\"} 2"));
  CHECK(has_line(text, "jirasync_records_total{op=\"unchanged\"} 140"));
  CHECK(has_line(text, "jirasync_run_duration_seconds_sum 5"));
  CHECK(has_line(text, "jirasync_run_duration_seconds_count 2"));
  CHECK(has_line(text, "jirasync_last_success_timestamp_seconds 1767225602.5"));
  CHECK(has_line(text, "jirasync_run_in_progress 0"));
  CHECK(has_line(text, "jirasync_feed_last_seq 123"));
  CHECK(has_line(text, "jirasync_store_size_bytes 4096"));
  // The run in progress adds its live figures: requests, and its
  // governor's counters and gauges from the progress snapshot.
  s.run = current_run{};
  auto& p = s.run->progress;
  p.requests = 5;
  auto& comments
    = p.governor
        .classes[static_cast<std::size_t>(protocol::endpoint_class::comments)];
  comments.in_flight = 2;
  comments.concurrency_limit = 9;
  comments.responses_429 = 1;
  auto& live_bulk
    = p.governor
        .classes[static_cast<std::size_t>(protocol::endpoint_class::bulkfetch)];
  live_bulk.in_flight = 1;
  live_bulk.requests = 4;
  p.governor.responses_429_by_reason[static_cast<std::size_t>(
    protocol::rate_limit_reason::quota_tenant)]
    = 1;
  p.governor.waits[static_cast<std::size_t>(sync::wait_reason::quota_429)] = 1;
  p.governor.waited_ms[static_cast<std::size_t>(sync::wait_reason::quota_429)]
    = 2250;
  auto live = metrics_text(s);
  CHECK(has_line(live, "jirasync_requests_total 85"));
  CHECK(has_line(live, "jirasync_requests_by_class_total{class=\"bulkfetch\"} "
                       "18"));
  CHECK(has_line(live, "jirasync_requests_in_flight 3"));
  CHECK(has_line(live, "jirasync_run_in_progress 1"));
  CHECK(has_line(live, "jirasync_rate_limited_total{class=\"comments\"} 1"));
  CHECK(has_line(live, "jirasync_rate_limited_by_reason_total{reason=\"jira-"
                       "quota-tenant-based\"} 1"));
  CHECK(has_line(live, "jirasync_rate_limit_waits_total{reason=\"quota_429\"} "
                       "1"));
  CHECK(has_line(live, "jirasync_rate_limit_wait_seconds_total{reason=\"quota_"
                       "429\"} 2.25"));
  CHECK(has_line(live, "jirasync_rate_limit_wait_seconds_total{reason=\"burst_"
                       "429\"} 3"));
  CHECK(has_line(live, "jirasync_governor_concurrency{class=\"comments\"} 9"));
  CHECK(has_line(live, "jirasync_governor_concurrency{class=\"bulkfetch\"} 0"));
  // Every sample line belongs to a metric announced by # TYPE before it.
  std::size_t pos = 0;
  std::string typed;
  while (pos < text.size()) {
    auto end = text.find('\n', pos);
    auto line = text.substr(pos, end - pos);
    pos = end + 1;
    if (line.rfind("# TYPE ", 0) == 0) {
      typed = line.substr(7, line.find(' ', 7) - 7);
      continue;
    }
    if (line[0] == '#')
      continue;
    INFO(line);
    CHECK(line.rfind(typed, 0) == 0);
  }
}
