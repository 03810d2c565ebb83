#include "sync/governor.hpp"

#include "common/time_format.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <tuple>

namespace jirasync::sync {

using protocol::endpoint_class;
using protocol::rate_limit_reason;

namespace {

/// A class's rate never drops below this share after 429s.
constexpr double min_slow_factor = 0.05;

std::size_t index(endpoint_class cls) {
  auto i = static_cast<std::size_t>(cls);
  return i < protocol::endpoint_class_count
           ? i
           : static_cast<std::size_t>(endpoint_class::unknown);
}

std::int64_t to_ms(std::chrono::system_clock::time_point tp) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           tp.time_since_epoch())
    .count();
}

std::string secs(std::int64_t ms) {
  return std::to_string((ms + 999) / 1000) + " s";
}

std::string per_sec(double rate) {
  auto tenths = std::llround(rate * 10);
  return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + "/s";
}

/// A quota-like reason: everything is denied until the window resets.
/// jira-cost-based is ASSUMED to be one (it names the points cost; the
/// documentation does not say more).
bool pauses_everything(rate_limit_reason r) {
  return r == rate_limit_reason::quota_global
         || r == rate_limit_reason::quota_tenant
         || r == rate_limit_reason::cost_based;
}

} // namespace

std::string_view to_string(wait_reason reason) {
  switch (reason) {
    case wait_reason::none:
      return "none";
    case wait_reason::concurrency:
      return "concurrency";
    case wait_reason::burst_pacing:
      return "burst_pacing";
    case wait_reason::burst_429:
      return "burst_429";
    case wait_reason::quota_429:
      return "quota_429";
    case wait_reason::service_unavailable:
      return "service_unavailable";
    case wait_reason::quota_reserve:
      return "quota_reserve";
    case wait_reason::quota_pacing:
      return "quota_pacing";
    case wait_reason::probe:
      return "probe";
  }
  return "none";
}

std::string describe_wait(const wait_info& w) {
  if (!w.waiting())
    return "";
  std::string out = "waiting for ";
  out += to_string(w.reason);
  if (w.cls) {
    out += " of ";
    out += protocol::to_string(*w.cls);
  }
  // "YYYY-MM-DDTHH:MM:SS.mmmZ" -> "HH:MM:SS", rounded up: the wait never
  // reads as ending earlier than it does.
  auto up = (w.until_ms + 999) / 1000 * 1000;
  out += " until " + common::format_rfc3339_ms(up).substr(11, 8) + " UTC";
  return out;
}

/// One answer, on the governor's clock.
struct governor::observation {
  endpoint_class cls = endpoint_class::unknown;
  int status = 0;
  std::int64_t latency_ms = 0;
  std::int64_t estimate = 0;
  /// The larger of Retry-After and Beta-Retry-After.
  std::optional<std::int64_t> retry_after_ms;
  rate_limit_reason reason = rate_limit_reason::none;
  std::string reason_raw;
  std::optional<std::int64_t> burst_limit;
  std::optional<std::int64_t> burst_remaining;
  std::optional<std::int64_t> burst_reset_ms;
  std::optional<quota_observation> quota;
};

governor::governor(governor_options options)
    : opts_(std::move(options)), quota_(opts_.quota) {
  opts_.max_concurrency = std::max(1.0, opts_.max_concurrency);
  opts_.max_unexplained_wait_ms
    = std::max<std::int64_t>(1, opts_.max_unexplained_wait_ms);
  for (std::size_t i = 0; i < classes_.size(); ++i) {
    auto& c = classes_[i];
    c.cls = static_cast<endpoint_class>(i);
    c.table_rate = protocol::info(c.cls).burst_per_sec;
    if (c.table_rate > 0 && opts_.default_bucket.rate_per_sec > 0) {
      c.table_rate = opts_.default_bucket.rate_per_sec;
      c.configured_burst = opts_.default_bucket.burst;
    }
    for (const auto& b : opts_.buckets)
      if (protocol::endpoint_class_from_name(b.name) == c.cls
          && b.rate_per_sec > 0) {
        c.table_rate = b.rate_per_sec;
        c.configured_burst = b.burst;
      }
    // The first request of each bucket goes alone: its answer states the
    // bucket's real size before a burst is sent into it.
    if (c.table_rate > 0)
      c.probe.phase = probe_phase::needed;
  }
  // Likewise the first request of the run (a quota, if any, shows there).
  probe_.phase = probe_phase::needed;
}

governor::class_state& governor::cls_state(endpoint_class cls) {
  return classes_[index(cls)];
}

const governor::class_state& governor::cls_state(endpoint_class cls) const {
  return classes_[index(cls)];
}

double governor::bucket_rate(const class_state& c) const {
  if (c.table_rate <= 0)
    return 0;
  // X-RateLimit-Limit may state a smaller bucket than documented (a
  // simulator's scaled rates, a stricter tenant); never a larger one.
  return c.server_limit > 0 ? std::min(c.table_rate, c.server_limit)
                            : c.table_rate;
}

double governor::pace(const class_state& c, std::int64_t now_ms) const {
  double factor = 1;
  if (c.slow_floor < 1) {
    auto since = static_cast<double>(
      std::max<std::int64_t>(0, now_ms - c.slow_since_ms));
    factor = std::min(1.0, c.slow_floor
                             + since
                                 / static_cast<double>(std::max<std::int64_t>(
                                   1, opts_.burst_recovery_ms)));
  }
  return bucket_rate(c) * opts_.burst_rate_margin * factor;
}

double governor::capacity(const class_state& c, std::int64_t now_ms) const {
  double base = c.configured_burst > 0
                  ? c.configured_burst
                  : bucket_rate(c) * opts_.burst_capacity_fraction;
  // Shrinks with the class's slow-down after 429s.
  auto full = bucket_rate(c) * opts_.burst_rate_margin;
  double factor = full > 0 ? pace(c, now_ms) / full : 1.0;
  return std::max(1.0, base * factor);
}

void governor::refill(class_state& c, std::int64_t now_ms) {
  auto cap = capacity(c, now_ms);
  if (c.tokens_fresh) {
    c.tokens = cap;
    c.tokens_at_ms = now_ms;
    c.tokens_fresh = false;
    return;
  }
  if (now_ms > c.tokens_at_ms) {
    c.tokens += pace(c, now_ms) * static_cast<double>(now_ms - c.tokens_at_ms)
                / 1000.0;
    c.tokens_at_ms = now_ms;
  }
  c.tokens = std::min(c.tokens, cap);
}

int governor::limit_of(const class_state& c, std::int64_t now_ms) const {
  int cap = c.cls == endpoint_class::media_download
              ? opts_.media_max_concurrency
              : opts_.class_max_concurrency;
  cap = std::max(1, cap);
  if (bucket_rate(c) <= 0)
    return cap; // no bucket: only the cap
  // The bucket's pace is the target: the quota's pace holds requests by
  // itself (and lets a head start through, which a concurrency of one
  // would not).
  double rate = pace(c, now_ms);
  if (c.latency_ms <= 0)
    return std::clamp(static_cast<int>(opts_.initial_concurrency), 1, cap);
  // Little's law: requests in flight = arrival rate x time in the system.
  auto l = std::ceil(rate * c.latency_ms / 1000.0 * opts_.concurrency_headroom);
  return static_cast<int>(std::clamp(l, 1.0, static_cast<double>(cap)));
}

int governor::concurrency_limit(endpoint_class cls, std::int64_t now_ms) const {
  return limit_of(cls_state(cls), now_ms);
}

double governor::rate_per_sec(endpoint_class cls, std::int64_t now_ms) const {
  return pace(cls_state(cls), now_ms);
}

std::int64_t governor::justified(std::int64_t until_ms,
                                 std::int64_t now_ms) const {
  return std::min(until_ms, now_ms + opts_.max_justified_wait_ms);
}

void governor::note_hold(hold_state& h, wait_reason reason,
                         std::int64_t now_ms) {
  if (h.active && h.reason == reason)
    return;
  close_hold(h, now_ms);
  h.active = true;
  h.since_ms = now_ms;
  h.reason = reason;
  ++stats_.waits[static_cast<std::size_t>(reason)];
}

void governor::close_hold(hold_state& h, std::int64_t now_ms) {
  if (!h.active)
    return;
  stats_.waited_ms[static_cast<std::size_t>(h.reason)]
    += std::max<std::int64_t>(0, now_ms - h.since_ms);
  h.active = false;
}

acquire_result governor::refuse(endpoint_class asking, bool of_all,
                                wait_reason reason, std::int64_t until_ms,
                                std::string text, bool unexplained,
                                std::int64_t now_ms) {
  acquire_result r;
  r.wait.reason = reason;
  r.wait.until_ms = std::max(until_ms, now_ms + 1);
  if (!of_all)
    r.wait.cls = asking;
  r.wait.unexplained = unexplained;
  r.wait.text = std::move(text);
  if (r.wait.until_ms - now_ms > stats_.longest_wait_ms) {
    stats_.longest_wait_ms = r.wait.until_ms - now_ms;
    stats_.longest_wait = r.wait;
  }
  auto& c = cls_state(asking);
  if (of_all) {
    // Held by everything: the class's own hold (if any) ends here, so the
    // same time is not counted twice.
    close_hold(c.hold, now_ms);
    note_hold(hold_, reason, now_ms);
    hold_wait_ = r.wait;
  } else {
    note_hold(c.hold, reason, now_ms);
    c.hold_wait = r.wait;
  }
  return r;
}

void governor::start_pause(pause_state& p, probe_state& probe,
                           wait_reason reason, std::int64_t until_ms,
                           std::string text, bool unexplained,
                           std::int64_t now_ms) {
  until_ms = std::max(until_ms, now_ms + 1);
  if (until_ms > p.until_ms) {
    p.until_ms = until_ms;
    p.reason = reason;
    p.text = std::move(text);
    p.unexplained = unexplained;
    ++stats_.pauses;
    if (unexplained)
      ++stats_.unexplained_waits;
  }
  // When the pause ends, one request finds out whether it is over.
  probe.phase = probe_phase::needed;
}

acquire_result governor::wait_for_probe(const probe_state& probe,
                                        endpoint_class asking, bool of_all,
                                        std::int64_t now_ms) {
  auto deadline = probe.started_ms + opts_.max_unexplained_wait_ms;
  auto latency = cls_state(probe.cls).latency_ms;
  auto again
    = now_ms
      + std::max<std::int64_t>(1, latency > 0 ? std::llround(latency) : 1'000);
  auto name = std::string{protocol::info(probe.cls).name};
  return refuse(asking, of_all, wait_reason::probe, std::min(again, deadline),
                "waiting for the answer of a probe (one " + name
                  + " request goes first"
                  + (of_all ? std::string{" after a pause or at the start"}
                            : std::string{" into an unknown or paused bucket"})
                  + "; sent " + secs(now_ms - probe.started_ms)
                  + " ago, another goes after " + secs(deadline - now_ms) + ")",
                false, now_ms);
}

std::optional<acquire_result>
governor::check_everything(endpoint_class cls, std::int64_t cost_points,
                           std::int64_t now_ms, bool& global_probe) {
  const auto& e = protocol::info(cls);
  auto cap = opts_.max_unexplained_wait_ms;
  if (now_ms < pause_.until_ms)
    return refuse(cls, true, pause_.reason, pause_.until_ms, pause_.text,
                  pause_.unexplained, now_ms);
  if (quota_.roll(now_ms))
    probe_.phase = probe_phase::needed; // a new window: trust nothing yet
  if (probe_.phase == probe_phase::in_flight) {
    if (now_ms < probe_.started_ms + cap)
      return wait_for_probe(probe_, cls, true, now_ms);
    probe_.phase = probe_phase::needed; // no answer in time: probe again
  }
  global_probe = probe_.phase == probe_phase::needed;
  if (e.counts_points) {
    auto v = quota_.check(cls, cost_points, now_ms);
    if (v.kind != quota_verdict::go) {
      auto reason = v.kind == quota_verdict::reserve
                      ? wait_reason::quota_reserve
                      : wait_reason::quota_pacing;
      if (v.kind == quota_verdict::reserve)
        ++stats_.reserve_waits;
      bool short_wait
        = v.kind == quota_verdict::pacing && v.until_ms - now_ms <= cap;
      if (v.reset_known || short_wait) {
        quota_wait_until_ms_ = 0;
        return refuse(cls, true, reason, justified(v.until_ms, now_ms), v.text,
                      false, now_ms);
      }
      // The server states no future reset: a capped wait, then one
      // request goes whatever the figures say, as a probe. (A probe due
      // after a capped pause goes at once: that pause was the wait.)
      if (global_probe && probe_.phase == probe_phase::needed) {
        quota_wait_until_ms_ = 0;
        close_hold(hold_, now_ms);
        return std::nullopt;
      }
      if (quota_wait_until_ms_ == 0) {
        quota_wait_until_ms_ = now_ms + cap;
        ++stats_.unexplained_waits;
      }
      if (now_ms < quota_wait_until_ms_)
        return refuse(cls, true, reason, quota_wait_until_ms_,
                      v.text + "; capped at " + secs(cap) + ", then a probe",
                      true, now_ms);
      quota_wait_until_ms_ = 0;
      global_probe = true;
    }
  }
  close_hold(hold_, now_ms);
  return std::nullopt;
}

acquire_result governor::try_acquire(endpoint_class cls,
                                     std::int64_t cost_points,
                                     std::int64_t now_ms) {
  last_now_ms_ = std::max(last_now_ms_, now_ms);
  cls = static_cast<endpoint_class>(index(cls));
  cost_points = std::max<std::int64_t>(0, cost_points);
  auto& c = cls_state(cls);
  const auto& e = protocol::info(cls);
  auto cap = opts_.max_unexplained_wait_ms;

  // --- waits of everything -------------------------------------------------
  // The media host is no Jira API: Jira's pauses, quota and probes do not
  // hold it (its URL came from an attachment_content answer already).
  bool global_probe = false;
  if (cls != endpoint_class::media_download)
    if (auto r = check_everything(cls, cost_points, now_ms, global_probe))
      return std::move(*r);

  // --- waits of this class -------------------------------------------------
  if (now_ms < c.pause.until_ms)
    return refuse(cls, false, c.pause.reason, c.pause.until_ms, c.pause.text,
                  c.pause.unexplained, now_ms);
  if (c.probe.phase == probe_phase::in_flight) {
    if (now_ms < c.probe.started_ms + cap)
      return wait_for_probe(c.probe, cls, false, now_ms);
    c.probe.phase = probe_phase::needed;
  }
  bool class_probe = c.probe.phase == probe_phase::needed;
  auto expected_answer = [&] {
    return now_ms
           + std::max<std::int64_t>(
             1, c.latency_ms > 0 ? std::llround(c.latency_ms) : 1'000);
  };
  if (in_flight_ >= static_cast<int>(opts_.max_concurrency))
    return refuse(cls, true, wait_reason::concurrency, expected_answer(),
                  std::to_string(in_flight_)
                    + " requests in flight (the total limit)",
                  false, now_ms);
  if (!class_probe && !global_probe) {
    auto limit = limit_of(c, now_ms);
    if (c.in_flight >= limit)
      return refuse(cls, false, wait_reason::concurrency, expected_answer(),
                    std::string{e.name} + ": " + std::to_string(c.in_flight)
                      + " in flight (limit " + std::to_string(limit) + ")",
                    false, now_ms);
  }
  bool has_bucket = bucket_rate(c) > 0;
  if (has_bucket) {
    refill(c, now_ms);
    if (c.tokens < 1.0) {
      auto p = pace(c, now_ms);
      auto wait = static_cast<std::int64_t>(
        std::ceil((1.0 - c.tokens) * 1000.0 / std::max(p, 0.001)));
      return refuse(cls, false, wait_reason::burst_pacing,
                    now_ms + std::max<std::int64_t>(wait, 1),
                    std::string{e.name} + " burst bucket at " + per_sec(p),
                    false, now_ms);
    }
  }

  // --- granted -------------------------------------------------------------
  close_hold(c.hold, now_ms);
  if (has_bucket)
    c.tokens -= 1.0;
  ++in_flight_;
  ++c.in_flight;
  quota_.take(cls, cost_points, now_ms);
  ++stats_.granted;
  ++c.stats.requests;
  c.stats.peak_in_flight = std::max(c.stats.peak_in_flight, c.in_flight);
  stats_.peak_in_flight = std::max(stats_.peak_in_flight, in_flight_);
  acquire_result r;
  r.granted = true;
  if (global_probe) {
    probe_ = {probe_phase::in_flight, now_ms, cls};
    r.probe = true;
  }
  if (class_probe) {
    c.probe = {probe_phase::in_flight, now_ms, cls};
    r.probe = true;
  }
  if (r.probe) {
    ++stats_.probes;
    ++c.stats.probes;
  }
  return r;
}

void governor::handle(const observation& o, std::int64_t now_ms) {
  last_now_ms_ = std::max(last_now_ms_, now_ms);
  auto& c = cls_state(o.cls);
  const auto& e = protocol::info(o.cls);
  auto cap = opts_.max_unexplained_wait_ms;
  if (in_flight_ > 0)
    --in_flight_;
  if (c.in_flight > 0)
    --c.in_flight;
  // Any answer ends a probe: it carries fresh figures (or, for a transport
  // failure, the retry policy takes over).
  if (probe_.phase == probe_phase::in_flight)
    probe_.phase = probe_phase::none;
  if (c.probe.phase == probe_phase::in_flight)
    c.probe.phase = probe_phase::none;
  if (o.status != 0) {
    auto sample = static_cast<double>(std::max<std::int64_t>(1, o.latency_ms));
    c.latency_ms
      = c.latency_ms <= 0
          ? sample
          : c.latency_ms + opts_.latency_alpha * (sample - c.latency_ms);
  }
  bool is_429 = o.status == 429;
  bool everything = is_429 && pauses_everything(o.reason);
  bool ok = o.status >= 200 && o.status < 400;
  quota_.on_response(o.cls, o.estimate, o.quota, everything, ok, now_ms);
  if (o.quota)
    quota_wait_until_ms_ = 0; // new figures: judge them afresh

  // Burst figures: the server's bucket of this class.
  if (o.burst_limit && *o.burst_limit > 0)
    c.server_limit = static_cast<double>(*o.burst_limit);
  if (o.burst_remaining && bucket_rate(c) > 0) {
    refill(c, now_ms);
    // Never more tokens than the server has left, minus what we still
    // have on the way (another client may share the bucket).
    auto server = static_cast<double>(*o.burst_remaining - c.in_flight);
    c.tokens = std::max(std::min(c.tokens, server), -capacity(c, now_ms));
  }

  if (is_429) {
    ++stats_.responses_429;
    ++c.stats.responses_429;
    ++stats_.responses_429_by_reason[static_cast<std::size_t>(o.reason)];
    std::string why
      = o.reason_raw.empty() ? std::string{"429"} : o.reason_raw + " 429";
    if (everything) {
      // Everything is denied until the window resets: the deadline is the
      // later of Retry-After and the earliest future reset stated.
      std::optional<std::int64_t> until;
      std::string figures;
      if (o.retry_after_ms) {
        until = now_ms + *o.retry_after_ms;
        figures = "Retry-After " + secs(*o.retry_after_ms);
      }
      if (auto reset = quota_.reset_at_ms()) {
        if (!until || *reset > *until)
          until = *reset;
        figures += (figures.empty() ? "" : ", ") + std::string{"reset in "}
                   + secs(*reset - now_ms);
      }
      if (!quota_.reset_note().empty())
        figures += (figures.empty() ? "" : "; ") + quota_.reset_note();
      if (until) {
        auto capped = justified(*until, now_ms);
        start_pause(pause_, probe_, wait_reason::quota_429, capped,
                    why + ": every request waits for the quota window's reset ("
                      + figures + ")"
                      + (capped < *until ? "; capped at the longest wait "
                                           "trusted"
                                         : ""),
                    false, now_ms);
      } else {
        start_pause(pause_, probe_, wait_reason::quota_429, now_ms + cap,
                    why
                      + ": every request waits; no Retry-After and no reset "
                        "in the future"
                      + (figures.empty() ? "" : " (" + figures + ")")
                      + ", capped at " + secs(cap) + ", then a probe",
                    true, now_ms);
      }
      return;
    }
    // Burst (or an unnamed / per-issue reason): slow down this class only.
    auto p = pace(c, now_ms);
    auto full = bucket_rate(c) * opts_.burst_rate_margin;
    double factor = full > 0 ? p / full : 1.0;
    c.slow_floor = std::max(min_slow_factor, factor * opts_.burst_429_slowdown);
    c.slow_since_ms = now_ms;
    c.tokens = std::min(c.tokens, 0.0);
    std::string slowed
      = std::string{e.name} + " slowed to " + per_sec(pace(c, now_ms));
    if (o.retry_after_ms) {
      c.unexplained_streak = 0;
      start_pause(c.pause, c.probe, wait_reason::burst_429,
                  justified(now_ms + *o.retry_after_ms, now_ms),
                  why + ": " + slowed + ", waits Retry-After "
                    + secs(*o.retry_after_ms),
                  false, now_ms);
    } else if (o.burst_reset_ms && *o.burst_reset_ms > now_ms) {
      c.unexplained_streak = 0;
      start_pause(c.pause, c.probe, wait_reason::burst_429,
                  justified(*o.burst_reset_ms, now_ms),
                  why + ": " + slowed + ", waits for X-RateLimit-Reset (in "
                    + secs(*o.burst_reset_ms - now_ms) + ")",
                  false, now_ms);
    } else {
      auto wait = opts_.unexplained_burst_wait_ms;
      for (int i = 0; i < c.unexplained_streak && wait < cap; ++i)
        wait *= 2;
      wait = std::clamp<std::int64_t>(wait, 1, cap);
      ++c.unexplained_streak;
      start_pause(c.pause, c.probe, wait_reason::burst_429, now_ms + wait,
                  why + ": " + slowed
                    + "; no Retry-After and no reset in the future, waits "
                    + secs(wait) + " (at most " + secs(cap) + "), then a probe",
                  true, now_ms);
    }
    return;
  }
  if (o.status == 503 && o.retry_after_ms) {
    // The site is unavailable, not one endpoint: everything waits.
    auto until = justified(now_ms + *o.retry_after_ms, now_ms);
    start_pause(pause_, probe_, wait_reason::service_unavailable, until,
                "503 Service Unavailable: every request waits Retry-After "
                  + secs(*o.retry_after_ms),
                false, now_ms);
  }
  if (ok)
    c.unexplained_streak = 0;
}

void governor::on_response(const response_report& r, std::int64_t now_ms) {
  observation o;
  o.cls = static_cast<endpoint_class>(index(r.cls));
  o.status = r.status;
  o.latency_ms = r.latency_ms;
  o.estimate = r.estimated_cost;
  const auto& h = r.headers;
  if (auto ra = h.retry_after_max())
    o.retry_after_ms = ra->count();
  o.reason = h.effective_reason();
  o.reason_raw
    = h.reason != rate_limit_reason::none ? h.reason_raw : h.beta_reason_raw;
  auto burst = h.burst();
  o.burst_limit = burst.limit;
  o.burst_remaining = burst.remaining;
  if (burst.reset_at)
    o.burst_reset_ms = to_ms(*burst.reset_at);
  if (auto q = h.quota()) {
    quota_observation qo;
    qo.quota = q->quota;
    qo.window_secs = q->window_secs;
    qo.remaining = q->remaining;
    if (q->reset_secs)
      qo.reset_from_t_ms = now_ms + *q->reset_secs * 1000;
    if (q->reset_at)
      qo.reset_header_ms = to_ms(*q->reset_at);
    o.quota = qo;
  }
  handle(o, now_ms);
}

std::vector<wait_info> governor::waits(std::int64_t now_ms) const {
  std::vector<wait_info> out;
  if (now_ms < pause_.until_ms) {
    out.push_back(wait_info{pause_.reason, pause_.until_ms, std::nullopt,
                            pause_.unexplained, pause_.text});
  } else if (hold_.active && hold_wait_.until_ms > now_ms) {
    out.push_back(hold_wait_);
  }
  for (const auto& c : classes_) {
    if (now_ms < c.pause.until_ms)
      out.push_back(wait_info{c.pause.reason, c.pause.until_ms, c.cls,
                              c.pause.unexplained, c.pause.text});
    else if (c.hold.active && c.hold_wait.until_ms > now_ms)
      out.push_back(c.hold_wait);
  }
  return out;
}

namespace {

/// Which wait to show first: stated pauses, then probes, then pacing, then
/// concurrency.
int severity(wait_reason r) {
  switch (r) {
    case wait_reason::quota_429:
    case wait_reason::service_unavailable:
    case wait_reason::quota_reserve:
    case wait_reason::burst_429:
      return 4;
    case wait_reason::probe:
      return 3;
    case wait_reason::quota_pacing:
    case wait_reason::burst_pacing:
      return 2;
    case wait_reason::concurrency:
      return 1;
    case wait_reason::none:
      return 0;
  }
  return 0;
}

} // namespace

wait_info governor::next_wait(std::int64_t now_ms) const {
  auto all = waits(now_ms);
  const wait_info* best = nullptr;
  for (const auto& w : all) {
    // A wait of everything first, then the most severe, then the one
    // ending last.
    auto key = [](const wait_info& x) {
      return std::make_tuple(!x.cls, severity(x.reason), x.until_ms);
    };
    if (!best || key(w) > key(*best))
      best = &w;
  }
  return best ? *best : wait_info{};
}

governor_stats governor::stats() const {
  auto s = stats_;
  auto add_open = [&](const hold_state& h) {
    if (h.active)
      s.waited_ms[static_cast<std::size_t>(h.reason)]
        += std::max<std::int64_t>(0, last_now_ms_ - h.since_ms);
  };
  add_open(hold_);
  for (std::size_t i = 0; i < classes_.size(); ++i) {
    const auto& c = classes_[i];
    add_open(c.hold);
    auto& cs = s.classes[i];
    cs = c.stats;
    cs.in_flight = c.in_flight;
    cs.concurrency_limit = limit_of(c, last_now_ms_);
    cs.rate_per_sec = pace(c, last_now_ms_);
    cs.latency_ms = c.latency_ms;
    cs.cost_ratio = quota_.cost_ratio(c.cls);
  }
  s.points_spent = quota_.points_spent();
  return s;
}

std::map<std::string, std::int64_t> governor_counters(const governor_stats& s) {
  std::map<std::string, std::int64_t> c;
  auto i64 = [](auto v) {
    return static_cast<std::int64_t>(v);
  };
  c["granted"] = i64(s.granted);
  c["responses_429"] = i64(s.responses_429);
  for (int r = 0; r < protocol::rate_limit_reason_count; ++r)
    if (auto n = s.responses_429_by_reason[static_cast<std::size_t>(r)])
      c["429."
        + std::string{protocol::to_string(
          static_cast<protocol::rate_limit_reason>(r))}]
        = i64(n);
  for (int w = 0; w < wait_reason_count; ++w)
    if (auto ms = s.waited_ms[static_cast<std::size_t>(w)])
      c["waited_ms." + std::string{to_string(static_cast<wait_reason>(w))}]
        = ms;
  c["peak_in_flight"] = s.peak_in_flight;
  for (int k = 0; k < protocol::endpoint_class_count; ++k) {
    const auto& cs = s.classes[static_cast<std::size_t>(k)];
    if (cs.requests == 0)
      continue;
    std::string name{protocol::to_string(static_cast<endpoint_class>(k))};
    c["requests." + name] = i64(cs.requests);
    c["peak_in_flight." + name] = cs.peak_in_flight;
    c["latency_ms." + name] = std::llround(cs.latency_ms);
    if (cs.responses_429 > 0)
      c["429s." + name] = i64(cs.responses_429);
  }
  c["unexplained_waits"] = i64(s.unexplained_waits);
  c["probes"] = i64(s.probes);
  c["longest_wait_ms"] = s.longest_wait_ms;
  return c;
}

} // namespace jirasync::sync
