#include "protocol/governor.hpp"

#include <algorithm>
#include <cmath>

namespace jirasync::protocol {

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
    st.tokens = std::min(st.cfg.burst,
                         st.tokens
                           + st.cfg.rate_per_sec
                               * static_cast<double>(now_ms - st.last_ms)
                               / 1000.0);
    st.last_ms = now_ms;
  }
  return st;
}

acquire_result governor::try_acquire(const std::string& name,
                                     std::int64_t cost, std::int64_t now_ms) {
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
  if (remaining_ && now_ms < remaining_reset_ms_) {
    if (*remaining_ < cost) {
      r.retry_at_ms = remaining_reset_ms_;
      r.rate_limited = true;
      return r;
    }
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
  if (remaining_)
    *remaining_ -= cost;
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

void governor::on_complete(const completion& c, std::int64_t now_ms) {
  if (in_flight_ > 0)
    --in_flight_;
  if (c.remaining) {
    // Keep a reserve of the server's figure so we never hit the lockout.
    auto reserve = static_cast<std::int64_t>(
      std::ceil(static_cast<double>(*c.remaining)
                * opts_.points_reserve_fraction));
    remaining_ = *c.remaining - reserve;
    remaining_reset_ms_ = c.reset_at_ms ? *c.reset_at_ms
                                        : now_ms - now_ms % hour_ms + hour_ms;
  }
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
  if (c.status == 503 && c.retry_after_ms) {
    auto& b = bucket(c.bucket, now_ms);
    b.blocked_until_ms = std::max(b.blocked_until_ms,
                                  now_ms + *c.retry_after_ms);
  }
  if (c.latency_ms > opts_.latency_target_ms || c.status >= 500
      || c.status == 0) {
    decrease(now_ms);
    return;
  }
  // Additive increase: about +1 per window's worth of successes.
  window_ = std::min(opts_.max_concurrency, window_ + 1.0 / window_);
}

} // namespace jirasync::protocol
