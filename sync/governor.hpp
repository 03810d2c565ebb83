#pragma once
// The rate governor's arithmetic (the rate_governor actor only routes):
// token buckets per endpoint class (Jira's burst limits), a global pause for
// quota 429s and Retry-After, adaptive concurrency (AIMD on 429s and
// latency) and an hourly points budget (the points cost model). Pure: the
// clock is passed in as milliseconds, so tests drive time by hand.
//
// Thread-safety: none; owned by one actor.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace jirasync::sync {

/// A token bucket: `rate_per_sec` tokens refill per second up to `burst`.
struct bucket_config {
  /// Endpoint class name (e.g. "get", "get_issue", "attachment_content").
  std::string name;
  /// Default: 100 per second (Jira's GET burst limit).
  double rate_per_sec = 100;
  /// Bucket size. Default: 100.
  double burst = 100;
};

struct governor_options {
  /// Per-class buckets; a class not listed uses `default_bucket`.
  /// Default: none.
  std::vector<bucket_config> buckets;
  /// Default: {"default", 100/s, 100}.
  bucket_config default_bucket{"default", 100, 100};
  /// Concurrency window at start. Default: 8.
  double initial_concurrency = 8;
  /// Default: 1.
  double min_concurrency = 1;
  /// Default: 32.
  double max_concurrency = 32;
  /// A response slower than this counts as congestion (multiplicative
  /// decrease, at most once per `decrease_interval_ms`). Default: 5000 ms.
  std::int64_t latency_target_ms = 5000;
  /// Minimum time between two multiplicative decreases. Default: 1000 ms.
  std::int64_t decrease_interval_ms = 1000;
  /// Points per UTC hour we allow ourselves; 0 = unlimited. Default: 0.
  std::int64_t points_per_hour = 0;
  /// Share of the server's quota LIMIT (X-RateLimit-Limit or the policy's
  /// q=) kept unused, so the governor never triggers a lockout: no new
  /// permit once (remaining - in-flight reserved cost - this request's
  /// cost) would fall below the reserve; requests wait for the window reset
  /// instead. Without a known limit the largest remaining seen in the
  /// window stands in for it. Default: 0.05.
  double points_reserve_fraction = 0.05;
  /// Lower bound of that reserve once the limit is known from a header
  /// (one search page of 100 issues with users costs a few hundred
  /// points). Default: 500 points.
  std::int64_t points_reserve_min = 500;
  /// Weight of a new sample in the learned actual/estimated cost ratio
  /// (exponential moving average per endpoint class). Default: 0.2.
  double cost_ratio_alpha = 0.2;
  /// The learned ratio is clamped to [1, this]: estimates are only ever
  /// scaled up, so reservations stay conservative. Default: 50.
  double cost_ratio_max = 50;
  /// Pause after a 429 without Retry-After. Default: 1000 ms.
  std::int64_t default_429_pause_ms = 1000;
};

/// The answer to try_acquire().
struct acquire_result {
  bool granted = false;
  /// When not granted: the earliest time (ms) worth trying again; nullopt
  /// means "blocked on concurrency: try again when a request completes".
  std::optional<std::int64_t> retry_at_ms;
  /// When not granted: true when the cause is a rate limit (bucket empty,
  /// pause, quota) rather than the concurrency window.
  bool rate_limited = false;
};

/// What one finished request reports back.
struct completion {
  std::string bucket;
  std::int64_t latency_ms = 0;
  /// HTTP status (0 for transport failures).
  int status = 0;
  /// Retry-After in ms, when sent.
  std::optional<std::int64_t> retry_after_ms;
  /// The 429 named a quota reason: pause everything until the reset.
  bool quota_reason = false;
  /// X-RateLimit-Remaining, when sent.
  std::optional<std::int64_t> remaining;
  /// X-RateLimit-Reset as UTC ms, when sent. (On a burst 429 this is the
  /// burst bucket's reset, not the quota window's.)
  std::optional<std::int64_t> reset_at_ms;
  /// The quota limit: X-RateLimit-Limit or the (Beta-)RateLimit-Policy q=.
  std::optional<std::int64_t> limit = std::nullopt;
  /// The quota window's reset as UTC ms, from (Beta-)RateLimit t= (jira-sim
  /// and Jira send it on every response, X-RateLimit-Reset only on 429s).
  std::optional<std::int64_t> quota_reset_at_ms = std::nullopt;
  /// The estimated cost given to try_acquire() for this request; when 0
  /// the average in-flight estimate of `bucket` is used.
  std::int64_t cost_points = 0;
};

struct governor_stats {
  std::uint64_t granted = 0;
  std::uint64_t responses_429 = 0;
  std::uint64_t pauses = 0;
  std::int64_t points_spent = 0;
  /// Permits refused because the quota reserve was reached (counted once
  /// per refusal).
  std::uint64_t reserve_waits = 0;
};

class governor {
public:
  explicit governor(governor_options options);

  /// Takes a permit for one request of class `bucket` costing `cost_points`
  /// at time `now_ms`, or says when to try again.
  acquire_result try_acquire(const std::string& bucket,
                             std::int64_t cost_points, std::int64_t now_ms);

  /// Returns the permit of a finished request and learns from it.
  void on_complete(const completion& c, std::int64_t now_ms);

  /// Requests holding a permit.
  int in_flight() const {
    return in_flight_;
  }

  /// The current concurrency window (AIMD).
  double concurrency() const {
    return window_;
  }

  /// Requests are paused for everyone until this time (ms); 0 = no pause.
  std::int64_t paused_until_ms() const {
    return paused_until_ms_;
  }

  const governor_stats& stats() const {
    return stats_;
  }

  /// The learned actual/estimated cost ratio of endpoint class `bucket`
  /// (the global one when the class has no samples yet). 1 = no samples.
  double cost_ratio(const std::string& bucket) const;

  /// The quota limit in use (header or largest remaining seen); 0 = none.
  std::int64_t quota_limit() const {
    return limit_header_ ? limit_header_ : limit_seen_;
  }

  /// Estimated points (after the learned ratio) of requests in flight.
  double in_flight_cost() const {
    return in_flight_cost_;
  }

private:
  struct bucket_state {
    bucket_config cfg;
    double tokens = 0;
    std::int64_t last_ms = 0;
    std::int64_t blocked_until_ms = 0;
  };

  bucket_state& bucket(const std::string& name, std::int64_t now_ms);
  void decrease(std::int64_t now_ms);

  governor_options opts_;
  std::map<std::string, bucket_state> buckets_;
  double window_;
  int in_flight_ = 0;
  std::int64_t paused_until_ms_ = 0;
  std::int64_t last_decrease_ms_ = -1'000'000'000;
  std::int64_t hour_start_ms_ = -1;
  std::int64_t hour_spent_ = 0;
  struct cost_class {
    /// Learned ratio; 0 = no sample yet.
    double ratio = 0;
    /// Raw estimates and count of this class's requests in flight.
    std::int64_t in_flight_estimate = 0;
    /// Their reserved (ratio-scaled) cost.
    double in_flight_reserved = 0;
    int in_flight = 0;
  };

  double reserve_points() const;
  void learn(const completion& c, std::int64_t estimate, std::int64_t now_ms);

  /// Server's remaining quota at the last response that said so.
  std::optional<std::int64_t> remaining_;
  /// When the server's quota window resets (UTC ms).
  std::int64_t remaining_reset_ms_ = 0;
  std::int64_t limit_header_ = 0;
  std::int64_t limit_seen_ = 0;
  /// Reserved (ratio-scaled) cost of the permits in flight.
  double in_flight_cost_ = 0;
  /// Raw estimates of the requests completed since the last observation,
  /// in total and per class (a normalised LMS step spreads the error of a
  /// mixed interval over its classes).
  std::int64_t estimate_since_obs_ = 0;
  std::map<std::string, std::int64_t> class_estimates_since_obs_;
  double global_ratio_ = 0;
  std::map<std::string, cost_class> costs_;
  governor_stats stats_;
};

} // namespace jirasync::sync
