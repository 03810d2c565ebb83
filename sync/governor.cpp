#include "sync/governor.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace jirasync::sync {

namespace {

constexpr std::int64_t hour_ms = 3'600'000;

} // namespace

governor::governor(governor_options options)
    : opts_(std::move(options)), window_(opts_.initial_concurrency) {
  window_ = std::clamp(window_, opts_.min_concurrency, opts_.max_concurrency);
}

governor::bucket_state& governor::bucket(const std::string& name,
                                         std::int64_t now_ms) {
  auto i = buckets_.find(name);
  if (i == buckets_.end()) {
    bucket_state st;
    st.cfg = opts_.default_bucket;
    for (const auto& b : opts_.buckets)
      if (b.name == name)
        st.cfg = b;
    st.cfg.name = name;
    st.tokens = st.cfg.burst;
    st.last_ms = now_ms;
    i = buckets_.emplace(name, std::move(st)).first;
  }
  auto& st = i->second;
  if (now_ms > st.last_ms) {
    st.tokens = std::min(
      st.cfg.burst, st.tokens
                      + st.cfg.rate_per_sec
                          * static_cast<double>(now_ms - st.last_ms) / 1000.0);
    st.last_ms = now_ms;
  }
  return st;
}

acquire_result governor::try_acquire(const std::string& name, std::int64_t cost,
                                     std::int64_t now_ms) {
  acquire_result r;
  if (now_ms < paused_until_ms_) {
    r.retry_at_ms = paused_until_ms_;
    r.rate_limited = true;
    return r;
  }
  // Hourly points budget (our own cap) and the server's remaining quota.
  auto hour = now_ms - now_ms % hour_ms;
  if (hour != hour_start_ms_) {
    hour_start_ms_ = hour;
    hour_spent_ = 0;
  }
  if (opts_.points_per_hour > 0 && hour_spent_ + cost > opts_.points_per_hour
      && hour_spent_ > 0) {
    r.retry_at_ms = hour + hour_ms;
    r.rate_limited = true;
    return r;
  }
  if (remaining_ && now_ms >= remaining_reset_ms_) {
    // The server's window rolled over: the old figure means nothing now.
    remaining_.reset();
    limit_seen_ = 0;
    estimate_since_obs_ = 0;
    class_estimates_since_obs_.clear();
  }
  auto reserved = static_cast<double>(cost) * cost_ratio(name);
  if (remaining_
      && static_cast<double>(*remaining_) - in_flight_cost_ - reserved
           < reserve_points()) {
    // Keep the reserve: wait for the window reset instead of running into
    // the quota lockout. Completions in between re-check (drain), so a
    // request freed by a cheaper-than-reserved answer still goes.
    r.retry_at_ms = remaining_reset_ms_;
    r.rate_limited = true;
    ++stats_.reserve_waits;
    return r;
  }
  auto& b = bucket(name, now_ms);
  if (now_ms < b.blocked_until_ms) {
    r.retry_at_ms = b.blocked_until_ms;
    r.rate_limited = true;
    return r;
  }
  if (in_flight_ >= static_cast<int>(std::floor(window_))) {
    return r; // wait for a completion
  }
  if (b.tokens < 1.0) {
    auto missing = 1.0 - b.tokens;
    auto wait = static_cast<std::int64_t>(
      std::ceil(missing * 1000.0 / std::max(b.cfg.rate_per_sec, 0.001)));
    r.retry_at_ms = now_ms + std::max<std::int64_t>(wait, 1);
    r.rate_limited = true;
    return r;
  }
  b.tokens -= 1.0;
  ++in_flight_;
  hour_spent_ += cost;
  auto& cc = costs_[name];
  cc.in_flight_estimate += cost;
  cc.in_flight_reserved += reserved;
  ++cc.in_flight;
  in_flight_cost_ += reserved;
  ++stats_.granted;
  stats_.points_spent += cost;
  r.granted = true;
  return r;
}

void governor::decrease(std::int64_t now_ms) {
  if (now_ms - last_decrease_ms_ < opts_.decrease_interval_ms)
    return;
  last_decrease_ms_ = now_ms;
  window_ = std::max(opts_.min_concurrency, window_ / 2);
}

double governor::cost_ratio(const std::string& name) const {
  auto i = costs_.find(name);
  double r = i != costs_.end() && i->second.ratio > 0 ? i->second.ratio
                                                      : global_ratio_;
  if (r <= 0)
    return 1.0;
  return std::clamp(r, 1.0, std::max(1.0, opts_.cost_ratio_max));
}

double governor::reserve_points() const {
  if (limit_header_ > 0)
    return std::max(static_cast<double>(limit_header_)
                      * opts_.points_reserve_fraction,
                    static_cast<double>(opts_.points_reserve_min));
  return std::ceil(static_cast<double>(limit_seen_)
                   * opts_.points_reserve_fraction);
}

void governor::learn(const completion& c, std::int64_t estimate,
                     std::int64_t now_ms) {
  // Which window does this figure belong to?
  std::int64_t reset = 0;
  if (c.quota_reset_at_ms)
    reset = *c.quota_reset_at_ms;
  else if (c.reset_at_ms && (c.status != 429 || c.quota_reason))
    reset = *c.reset_at_ms;
  else if (remaining_ && now_ms < remaining_reset_ms_)
    reset = remaining_reset_ms_;
  else
    reset = now_ms - now_ms % hour_ms + hour_ms;

  if (estimate > 0) {
    class_estimates_since_obs_[c.bucket] += estimate;
    estimate_since_obs_ += estimate;
  }
  bool same_window = remaining_
                     && std::llabs(reset - remaining_reset_ms_)
                          < 5'000; // t= is rounded to seconds
  if (same_window && *c.remaining <= *remaining_ && estimate_since_obs_ > 0
      && c.status != 429) {
    // What the server charged since the last figure vs. what we estimated
    // for the answers that arrived since. Answers overtaking each other make
    // single samples noisy; the moving average smooths that out.
    auto sample = static_cast<double>(*remaining_ - *c.remaining)
                  / static_cast<double>(estimate_since_obs_);
    // One outlier (a cheap class's interval holding an expensive
    // neighbour's charge) must not swing the average beyond the clamp.
    sample = std::min(sample, std::max(1.0, opts_.cost_ratio_max));
    global_ratio_
      = global_ratio_ <= 0
          ? sample
          : global_ratio_ + opts_.cost_ratio_alpha * (sample - global_ratio_);
    // Per class: normalised LMS on drop ~ sum(ratio_c * estimate_c); with
    // one class in the interval this is the plain moving average.
    double predicted = 0;
    double norm = 0;
    for (const auto& [name, e] : class_estimates_since_obs_) {
      auto& r = costs_[name].ratio;
      if (r <= 0)
        r = sample;
      predicted += r * static_cast<double>(e);
      norm += static_cast<double>(e) * static_cast<double>(e);
    }
    auto drop = std::min(static_cast<double>(*remaining_ - *c.remaining),
                         sample * static_cast<double>(estimate_since_obs_));
    auto err = drop - predicted;
    if (norm > 0)
      for (const auto& [name, e] : class_estimates_since_obs_) {
        auto& r = costs_[name].ratio;
        r = std::clamp(
          r + opts_.cost_ratio_alpha * err * static_cast<double>(e) / norm,
          0.01, std::max(1.0, opts_.cost_ratio_max));
      }
  }
  if (same_window && *c.remaining > *remaining_) {
    // An older figure overtaken by a newer one: keep the lower (newer)
    // figure and keep accumulating estimates for the next sample.
    limit_seen_ = std::max(limit_seen_, *c.remaining);
    return;
  }
  if (!same_window)
    limit_seen_ = 0;
  remaining_ = *c.remaining;
  remaining_reset_ms_ = reset;
  limit_seen_ = std::max(limit_seen_, *c.remaining);
  estimate_since_obs_ = 0;
  class_estimates_since_obs_.clear();
}

void governor::on_complete(const completion& c, std::int64_t now_ms) {
  if (in_flight_ > 0)
    --in_flight_;
  // Release this request's reservation.
  std::int64_t estimate = c.cost_points;
  double released = 0;
  {
    auto& cc = costs_[c.bucket];
    if (cc.in_flight > 0) {
      auto avg_est = cc.in_flight_estimate / cc.in_flight;
      if (estimate <= 0)
        estimate = avg_est;
      released = cc.in_flight_reserved / cc.in_flight;
      cc.in_flight_estimate -= std::min(estimate, cc.in_flight_estimate);
      cc.in_flight_reserved -= released;
      --cc.in_flight;
      if (cc.in_flight == 0) {
        cc.in_flight_estimate = 0;
        cc.in_flight_reserved = 0;
      }
    }
    in_flight_cost_ = std::max(0.0, in_flight_cost_ - released);
    if (in_flight_ == 0)
      in_flight_cost_ = 0;
  }
  if (c.limit && *c.limit > 0)
    limit_header_ = *c.limit;
  // An answer without a figure (e.g. a CDN/media download) is not assumed
  // to be charged: the next figure the server sends tells the truth, and
  // counting such answers drained the known remaining to a needless stall.
  if (c.remaining)
    learn(c, estimate, now_ms);
  if (c.status == 429) {
    ++stats_.responses_429;
    auto pause = c.retry_after_ms.value_or(opts_.default_429_pause_ms);
    if (c.quota_reason) {
      auto until = c.reset_at_ms.value_or(now_ms + pause);
      until = std::max(until, now_ms + pause);
      if (until > paused_until_ms_) {
        paused_until_ms_ = until;
        ++stats_.pauses;
      }
    } else {
      auto& b = bucket(c.bucket, now_ms);
      b.tokens = 0;
      b.blocked_until_ms = std::max(b.blocked_until_ms, now_ms + pause);
      ++stats_.pauses;
    }
    decrease(now_ms);
    return;
  }
  // A 503 with Retry-After says the site is unavailable, not one endpoint:
  // every request waits, like for a quota 429.
  if (c.status == 503 && c.retry_after_ms
      && now_ms + *c.retry_after_ms > paused_until_ms_) {
    paused_until_ms_ = now_ms + *c.retry_after_ms;
    ++stats_.pauses;
  }
  if (c.latency_ms > opts_.latency_target_ms || c.status >= 500
      || c.status == 0) {
    decrease(now_ms);
    return;
  }
  // Additive increase: about +1 per window's worth of successes.
  window_ = std::min(opts_.max_concurrency, window_ + 1.0 / window_);
}

} // namespace jirasync::sync
