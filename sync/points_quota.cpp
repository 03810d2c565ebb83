#include "sync/points_quota.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace jirasync::sync {

namespace {

/// t= is rounded to seconds and answers overtake each other: resets closer
/// than this belong to the same window.
constexpr std::int64_t same_window_ms = 5'000;

/// X-Beta-RateLimit-Reset has minute precision: a larger gap to t= is an
/// inconsistency worth naming.
constexpr std::int64_t reset_tolerance_ms = 60'000;

std::size_t index(protocol::endpoint_class cls) {
  auto i = static_cast<std::size_t>(cls);
  return i < protocol::endpoint_class_count
           ? i
           : static_cast<std::size_t>(protocol::endpoint_class::unknown);
}

} // namespace

points_quota::points_quota(quota_options options) : opts_(options) {
  // nop
}

std::int64_t points_quota::limit() const {
  return quota_ && *quota_ > 0 ? *quota_ : largest_remaining_;
}

double points_quota::reserve_points() const {
  return std::ceil(static_cast<double>(limit()) * opts_.reserve_fraction);
}

double points_quota::reservation(protocol::endpoint_class cls,
                                 std::int64_t cost) const {
  auto reserved = static_cast<double>(cost) * cost_ratio(cls);
  // A request estimated above what a whole window allows over the reserve
  // would wait for one reset after another and never go: it counts as the
  // whole window, so it goes when a window starts with nothing in flight.
  auto window = static_cast<double>(limit()) - reserve_points();
  if (known_ && limit() > 0 && window >= 1 && reserved > window)
    return window;
  return reserved;
}

bool points_quota::roll(std::int64_t now_ms) {
  if (!remaining_ || !reset_at_ms_ || now_ms < *reset_at_ms_)
    return false;
  // The window reset: the old figures mean nothing now.
  remaining_.reset();
  reset_at_ms_.reset();
  reset_note_.clear();
  largest_remaining_ = 0;
  since_obs_.fill(0);
  since_obs_total_ = 0;
  since_obs_reserved_ = 0;
  tokens_fresh_ = true;
  return true;
}

double points_quota::available() const {
  if (!remaining_)
    return 0;
  return std::max(0.0, static_cast<double>(*remaining_) - in_flight_cost_
                         - reserve_points());
}

double points_quota::pace_per_ms(std::int64_t now_ms) const {
  auto avail = available();
  if (avail <= 0)
    return 0;
  std::int64_t horizon
    = reset_at_ms_ ? std::max<std::int64_t>(1'000, *reset_at_ms_ - now_ms)
      : window_secs_ && *window_secs_ > 0 ? *window_secs_ * 1000
                                          : opts_.default_window_ms;
  return avail / static_cast<double>(std::max<std::int64_t>(horizon, 1));
}

double points_quota::pacing_capacity(double pace_per_ms) const {
  return std::max({1.0, pace_per_ms * opts_.pacing_burst_secs * 1000.0,
                   available() * opts_.pacing_burst_share});
}

void points_quota::refill(std::int64_t now_ms) {
  auto pace = pace_per_ms(now_ms);
  auto cap = pacing_capacity(pace);
  if (tokens_fresh_) {
    tokens_ = cap;
    tokens_at_ms_ = now_ms;
    tokens_fresh_ = false;
    return;
  }
  if (now_ms > tokens_at_ms_) {
    tokens_ += pace * static_cast<double>(now_ms - tokens_at_ms_);
    tokens_at_ms_ = now_ms;
  }
  tokens_ = std::min(tokens_, cap);
}

std::optional<double> points_quota::pace_per_sec(std::int64_t now_ms) const {
  if (!known_ || !remaining_)
    return std::nullopt;
  return pace_per_ms(now_ms) * 1000.0;
}

double points_quota::cost_ratio(protocol::endpoint_class cls) const {
  const auto& cc = costs_[index(cls)];
  double r = cc.ratio > 0 ? cc.ratio : global_ratio_;
  if (r <= 0)
    return 1.0;
  return std::clamp(r, 1.0, std::max(1.0, opts_.cost_ratio_max));
}

quota_verdict points_quota::check(protocol::endpoint_class cls,
                                  std::int64_t cost, std::int64_t now_ms) {
  quota_verdict v;
  if (!known_ || !remaining_)
    return v;
  auto reserved = reservation(cls, cost);
  if (reserved <= 0)
    return v;
  auto reserve = reserve_points();
  auto figures = [&] {
    return "r=" + std::to_string(*remaining_) + ", "
           + std::to_string(std::llround(in_flight_cost_)) + " in flight, "
           + std::to_string(std::llround(reserved)) + " for this request, "
           + "reserve " + std::to_string(std::llround(reserve))
           + " of q=" + std::to_string(limit());
  };
  if (static_cast<double>(*remaining_) - in_flight_cost_ - reserved < reserve) {
    // Keep the reserve: wait for the window's reset instead of running into
    // the quota lockout. Completions in between re-check, so a request
    // freed by a cheaper answer still goes.
    v.kind = quota_verdict::reserve;
    v.reset_known = reset_at_ms_.has_value();
    v.until_ms = reset_at_ms_.value_or(0);
    v.text = "quota reserve reached (" + figures() + ")";
    if (!v.reset_known)
      v.text
        += "; no reset in the future stated"
           + (reset_note_.empty() ? std::string{} : " (" + reset_note_ + ")");
    return v;
  }
  refill(now_ms);
  auto pace = pace_per_ms(now_ms);
  // Any request may go while the balance is positive and runs it into
  // debt by its cost: cheap requests cannot starve an expensive one, and
  // the debt of one request is at most its cost <= the points above the
  // reserve, so the wait is at most the time to the reset.
  if (tokens_ > 0 || pace <= 0)
    return v;
  auto wait = static_cast<std::int64_t>(std::ceil(-tokens_ / pace)) + 1;
  v.kind = quota_verdict::pacing;
  v.reset_known = reset_at_ms_.has_value();
  v.until_ms = now_ms + std::max<std::int64_t>(wait, 1);
  v.text = "quota pacing: " + std::to_string(std::llround(pace * 1000.0))
           + " points/s until the "
           + (reset_at_ms_ ? std::string{"reset"}
                           : std::string{"end of an assumed window"})
           + " (" + figures() + ")";
  return v;
}

void points_quota::take(protocol::endpoint_class cls, std::int64_t cost,
                        std::int64_t now_ms) {
  auto reserved = reservation(cls, cost);
  if (known_ && remaining_) {
    refill(now_ms);
    tokens_ -= reserved;
  }
  auto& cc = costs_[index(cls)];
  cc.in_flight_estimate += cost;
  cc.in_flight_reserved += reserved;
  ++cc.in_flight;
  in_flight_cost_ += reserved;
  points_spent_ += cost;
}

void points_quota::adopt_reset(const quota_observation& obs,
                               std::int64_t now_ms) {
  const auto& t = obs.reset_from_t_ms;
  const auto& h = obs.reset_header_ms;
  if (!t && !h)
    return; // nothing said about the reset: keep what we know
  bool t_future = t && *t > now_ms;
  bool h_future = h && *h > now_ms;
  reset_note_.clear();
  if (h && !h_future)
    reset_note_ = "X-Beta-RateLimit-Reset lies "
                  + std::to_string((now_ms - *h) / 1000) + " s in the past";
  else if (t && !t_future && !h_future)
    reset_note_ = "t=0";
  if (t_future && h_future && std::llabs(*t - *h) > reset_tolerance_ms)
    reset_note_ = "t= and X-Beta-RateLimit-Reset disagree by "
                  + std::to_string(std::llabs(*t - *h) / 1000)
                  + " s; using the earlier";
  if (t_future && h_future)
    reset_at_ms_ = std::min(*t, *h);
  else if (t_future)
    reset_at_ms_ = *t;
  else if (h_future)
    reset_at_ms_ = *h;
  else
    reset_at_ms_.reset(); // the figures state no future reset
}

void points_quota::learn(const quota_observation& obs, std::int64_t reset) {
  bool has_reset = obs.reset_from_t_ms || obs.reset_header_ms;
  bool same_window
    = remaining_
      && (!has_reset || std::llabs(reset - figure_reset_ms_) < same_window_ms);
  if (same_window && *obs.remaining <= *remaining_ && since_obs_total_ > 0) {
    // What the server charged since the last figure vs. what we estimated
    // for the answers that arrived since. Answers overtaking each other make
    // single samples noisy; the moving average smooths that out.
    auto drop = static_cast<double>(*remaining_ - *obs.remaining);
    // The pacing bucket was charged the reservations of these answers;
    // the server charged `drop`. Pacing follows what is really spent: an
    // estimate made for a full page (5,000 ids, 2,000 points of users) that
    // came back with 140 must not hold the next requests back as if it had
    // cost its reservation. (The reserve check stays on the reservations
    // of what is still in flight; refill() caps the bucket.)
    if (since_obs_reserved_ > drop)
      tokens_ += since_obs_reserved_ - drop;
    auto sample = drop / static_cast<double>(since_obs_total_);
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
    for (std::size_t i = 0; i < since_obs_.size(); ++i) {
      if (since_obs_[i] <= 0)
        continue;
      auto& r = costs_[i].ratio;
      if (r <= 0)
        r = sample;
      auto e = static_cast<double>(since_obs_[i]);
      predicted += r * e;
      norm += e * e;
    }
    drop = std::min(drop, sample * static_cast<double>(since_obs_total_));
    auto err = drop - predicted;
    if (norm > 0)
      for (std::size_t i = 0; i < since_obs_.size(); ++i) {
        if (since_obs_[i] <= 0)
          continue;
        auto& r = costs_[i].ratio;
        r = std::clamp(r
                         + opts_.cost_ratio_alpha * err
                             * static_cast<double>(since_obs_[i]) / norm,
                       0.01, std::max(1.0, opts_.cost_ratio_max));
      }
  }
  if (same_window && *obs.remaining > *remaining_) {
    // An older figure overtaken by a newer one: keep the lower (newer)
    // figure and keep accumulating estimates for the next sample.
    largest_remaining_ = std::max(largest_remaining_, *obs.remaining);
    return;
  }
  if (!same_window) {
    largest_remaining_ = 0;
    tokens_fresh_ = true;
  }
  remaining_ = *obs.remaining;
  if (has_reset)
    figure_reset_ms_ = reset;
  largest_remaining_ = std::max(largest_remaining_, *obs.remaining);
  since_obs_.fill(0);
  since_obs_total_ = 0;
  since_obs_reserved_ = 0;
}

void points_quota::on_response(protocol::endpoint_class cls,
                               std::int64_t estimate,
                               const std::optional<quota_observation>& obs,
                               bool quota_429, bool answered_ok,
                               std::int64_t now_ms) {
  auto i = index(cls);
  auto& cc = costs_[i];
  double released = 0;
  if (cc.in_flight > 0) {
    if (estimate <= 0)
      estimate = cc.in_flight_estimate / cc.in_flight;
    released = cc.in_flight_reserved / cc.in_flight;
    cc.in_flight_estimate -= std::min(estimate, cc.in_flight_estimate);
    cc.in_flight_reserved -= released;
    if (--cc.in_flight == 0) {
      cc.in_flight_estimate = 0;
      cc.in_flight_reserved = 0;
    }
  }
  in_flight_cost_ = std::max(0.0, in_flight_cost_ - released);
  if (std::all_of(costs_.begin(), costs_.end(), [](const class_cost& c) {
        return c.in_flight == 0;
      }))
    in_flight_cost_ = 0;
  if (!obs && !quota_429) {
    // An answer without a figure is not assumed to be charged. But a
    // success while we believed the window spent proves it is not: forget
    // that figure rather than wait for a reset nobody stated.
    if (answered_ok && remaining_
        && static_cast<double>(*remaining_) <= reserve_points())
      remaining_.reset();
    return;
  }
  known_ = true;
  if (obs) {
    if (obs->quota && *obs->quota > 0)
      quota_ = obs->quota;
    if (obs->window_secs && *obs->window_secs > 0)
      window_secs_ = obs->window_secs;
    if (obs->remaining) {
      if (estimate > 0) {
        since_obs_[i] += estimate;
        since_obs_total_ += estimate;
        since_obs_reserved_ += released;
      }
      std::int64_t reset = obs->reset_from_t_ms   ? *obs->reset_from_t_ms
                           : obs->reset_header_ms ? *obs->reset_header_ms
                                                  : 0;
      learn(*obs, reset);
    }
    adopt_reset(*obs, now_ms);
  }
  if (quota_429)
    remaining_ = 0; // the server says the window is spent
}

} // namespace jirasync::sync
