#include "service/metrics.hpp"

#include <charconv>
#include <string_view>

namespace jirasync::service {

namespace {

class writer {
public:
  /// The # HELP and # TYPE lines of one metric.
  void head(std::string_view name, std::string_view type,
            std::string_view help) {
    out_ += "# HELP ";
    out_ += name;
    out_ += ' ';
    out_ += help;
    out_ += "\n# TYPE ";
    out_ += name;
    out_ += ' ';
    out_ += type;
    out_ += '\n';
  }

  template<class T>
  void sample(std::string_view name, T value, std::string_view label = {},
              std::string_view label_value = {}) {
    out_ += name;
    if (!label.empty()) {
      out_ += '{';
      out_ += label;
      out_ += "=\"";
      out_ += label_value; // our own names: no quote or backslash in them
      out_ += "\"}";
    }
    out_ += ' ';
    out_ += number(value);
    out_ += '\n';
  }

  std::string take() {
    return std::move(out_);
  }

private:
  static std::string number(double v) {
    // The shortest text that reads back as the same double ("3.753").
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, r.ptr);
  }
  static std::string number(std::uint64_t v) {
    return std::to_string(v);
  }
  static std::string number(std::int64_t v) {
    return std::to_string(v);
  }
  static std::string number(int v) {
    return std::to_string(v);
  }

  std::string out_;
};

double seconds(std::int64_t ms) {
  return static_cast<double>(ms) / 1000.0;
}

std::string_view sv(std::string_view v) {
  return v;
}

} // namespace

std::string metrics_text(const service_state& s) {
  const auto* live = s.run ? &s.run->progress : nullptr;
  // Counters: the finished runs plus what the run in progress has done so
  // far (its governor's live figures). When it ends, its final figures
  // (never smaller) replace the live ones in the totals.
  auto t = s.totals;
  if (live)
    t.add_governor(live->governor);
  // Gauges of the governor: the run in progress, else the last run's end.
  const sync::governor_stats* gov = nullptr;
  if (live)
    gov = &live->governor;
  else if (s.last_run)
    gov = &s.last_run->report.governor.stats;
  writer w;

  w.head("jirasync_runs_total", "counter", "Finished sync runs by result.");
  for (auto o : {run_outcome::ok, run_outcome::partial, run_outcome::failed,
                 run_outcome::cancelled, run_outcome::reauth_required})
    w.sample("jirasync_runs_total", t.runs[static_cast<std::size_t>(o)],
             "result", to_string(o));
  w.head("jirasync_run_in_progress", "gauge", "1 while a sync run is going.");
  w.sample("jirasync_run_in_progress", s.run ? 1 : 0);
  w.head("jirasync_last_run_duration_seconds", "gauge",
         "Duration of the last finished run.");
  w.sample("jirasync_last_run_duration_seconds",
           s.last_run ? seconds(s.last_run->report.duration_ms) : 0.0);
  w.head("jirasync_run_duration_seconds", "summary",
         "Durations of the finished runs.");
  w.sample("jirasync_run_duration_seconds_sum", seconds(t.duration_ms_sum));
  std::uint64_t finished = 0;
  for (auto n : t.runs)
    finished += n;
  w.sample("jirasync_run_duration_seconds_count", finished);
  w.head("jirasync_last_success_timestamp_seconds", "gauge",
         "Unix time of the end of the last run that was ok or partial (0: "
         "none yet).");
  w.sample("jirasync_last_success_timestamp_seconds",
           seconds(s.last_success_ms.value_or(0)));
  w.head("jirasync_consecutive_failures", "gauge", "Failed runs in a row.");
  w.sample("jirasync_consecutive_failures", s.consecutive_failures);

  w.head("jirasync_requests_total", "counter",
         "HTTP requests sent to Jira (attempts, retries included).");
  w.sample("jirasync_requests_total", t.requests + (live ? live->requests : 0));
  w.head("jirasync_requests_by_class_total", "counter",
         "Requests by endpoint class (rate-governor permits).");
  for (int i = 0; i < protocol::endpoint_class_count; ++i)
    w.sample("jirasync_requests_by_class_total",
             t.class_requests[static_cast<std::size_t>(i)], "class",
             protocol::to_string(static_cast<protocol::endpoint_class>(i)));
  w.head("jirasync_request_retries_total", "counter",
         "Requests sent again after a retryable failure (finished runs).");
  w.sample("jirasync_request_retries_total", t.retries);
  w.head("jirasync_requests_gave_up_total", "counter",
         "Requests given up after their retries (finished runs).");
  w.sample("jirasync_requests_gave_up_total", t.gave_up);
  w.head("jirasync_rate_limited_total", "counter",
         "HTTP 429 answers by endpoint class.");
  for (int i = 0; i < protocol::endpoint_class_count; ++i)
    w.sample("jirasync_rate_limited_total",
             t.class_429[static_cast<std::size_t>(i)], "class",
             protocol::to_string(static_cast<protocol::endpoint_class>(i)));
  w.head("jirasync_rate_limited_by_reason_total", "counter",
         "HTTP 429 answers by RateLimit-Reason (none: no reason stated).");
  for (int i = 0; i < protocol::rate_limit_reason_count; ++i)
    w.sample("jirasync_rate_limited_by_reason_total",
             t.by_reason_429[static_cast<std::size_t>(i)], "reason",
             protocol::to_string(static_cast<protocol::rate_limit_reason>(i)));
  w.head("jirasync_rate_limit_waits_total", "counter",
         "Times requests were held by the rate governor, by reason.");
  for (int i = 1; i < sync::wait_reason_count; ++i)
    w.sample("jirasync_rate_limit_waits_total",
             t.waits[static_cast<std::size_t>(i)], "reason",
             sync::to_string(static_cast<sync::wait_reason>(i)));
  w.head("jirasync_rate_limit_wait_seconds_total", "counter",
         "Time requests were held by the rate governor, by reason (a hold "
         "still going counts up to the last refresh).");
  for (int i = 1; i < sync::wait_reason_count; ++i)
    w.sample("jirasync_rate_limit_wait_seconds_total",
             seconds(t.waited_ms[static_cast<std::size_t>(i)]), "reason",
             sync::to_string(static_cast<sync::wait_reason>(i)));

  w.head("jirasync_records_total", "counter",
         "Records written to the store by operation (finished runs; "
         "unchanged = compared and left as they were).");
  w.sample("jirasync_records_total", t.added, "op", sv("added"));
  w.sample("jirasync_records_total", t.updated, "op", sv("updated"));
  w.sample("jirasync_records_total", t.unchanged, "op", sv("unchanged"));
  w.sample("jirasync_records_total", t.deleted, "op", sv("deleted"));
  w.head("jirasync_record_failures_total", "counter",
         "Failed records and projects named in run summaries.");
  w.sample("jirasync_record_failures_total", t.record_failures);
  w.head("jirasync_content_warnings_total", "counter",
         "Records written with content cut or rendered leniently (finished "
         "runs).");
  w.sample("jirasync_content_warnings_total", t.content_warnings);
  w.head("jirasync_last_run_degraded_projects", "gauge",
         "Projects the last finished run synced with narrower ACLs "
         "(permission data not readable).");
  w.sample("jirasync_last_run_degraded_projects",
           s.last_run ? s.last_run->report.degraded.size() : std::size_t{0});

  w.head("jirasync_requests_in_flight", "gauge",
         "Requests holding a rate-governor permit now (0 between runs).");
  w.sample("jirasync_requests_in_flight", live ? live->in_flight() : 0);
  w.head("jirasync_governor_concurrency", "gauge",
         "The rate governor's concurrency limit per endpoint class (Little's "
         "law: pace x latency; the run in progress, else the last run's "
         "end).");
  for (int i = 0; i < protocol::endpoint_class_count; ++i)
    w.sample(
      "jirasync_governor_concurrency",
      gov ? gov->classes[static_cast<std::size_t>(i)].concurrency_limit : 0,
      "class", protocol::to_string(static_cast<protocol::endpoint_class>(i)));
  w.head("jirasync_feed_last_seq", "gauge",
         "Sequence number of the change feed's last entry.");
  w.sample("jirasync_feed_last_seq", s.last_seq);
  w.head("jirasync_store_size_bytes", "gauge",
         "Bytes on disk under storage.path (refreshed about once a minute).");
  w.sample("jirasync_store_size_bytes", s.store_bytes);
  return w.take();
}

} // namespace jirasync::service
