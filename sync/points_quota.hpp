#pragma once
// Jira's hourly points quota as the governor sees it (OAuth / Forge /
// Connect apps only). It EXISTS only once a response carried a structured
// quota header ((Beta-)RateLimit-Policy q=/w=, (Beta-)RateLimit r=/t=,
// X-Beta-RateLimit-*): API-token traffic has no quota, and X-RateLimit-*
// (the burst bucket) never feeds it.
//
// With figures it keeps `remaining` from ever reaching 0: a reserve of
// reserve_fraction x q stays unused, and the points above the reserve are
// spread evenly over the time left to the window's reset (a balance of
// points refilled at (remaining - reserve - in flight) / time-to-reset,
// holding at most pacing_burst_secs of that pace or pacing_burst_share of
// the points above the reserve; a request goes while the balance is
// positive and leaves it in debt by its cost).
// It learns, per endpoint class, how much the server really charges per
// estimated point (the drop of r between two figures vs. the estimates of
// the requests answered in between).
//
// Real headers are inconsistent at times; what is trusted:
//   - the reset: the EARLIER of t= and X-Beta-RateLimit-Reset when both lie
//     in the future (a wait ends no later than any server figure says; a
//     probe then tells the truth); instants in the past are ignored;
//   - q: the last policy seen (the policy disappears once r=0);
//   - figures that overtake each other (same window, higher r) are ignored.
// When no future reset is known, every wait the quota asks for is capped
// (the caller's max_unexplained_wait) and flagged unexplained.
//
// Pure: the clock (ms since the Unix epoch) is passed in.
// Thread-safety: none; owned by the governor.

#include "protocol/jira/jira_cost.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>

namespace jirasync::sync {

struct quota_options {
  /// Share of the window's q never spent (estimates can be low, other apps
  /// share a global pool). Without a known q, the largest r seen in the
  /// window stands in for it. Default: 0.05.
  double reserve_fraction = 0.05;
  /// Points may be spent ahead of the even pace by the larger of this many
  /// seconds of pace (so requests do not trickle one by one) ...
  /// Default: 2 s.
  double pacing_burst_secs = 2;
  /// ... and this share of the points above the reserve (so a sync that
  /// needs a small part of the window is not slowed to the even pace; a
  /// large one is spread once it has used this head start). Default: 0.1.
  double pacing_burst_share = 0.1;
  /// Weight of a new sample in the learned actual/estimated cost ratio.
  /// Default: 0.2.
  double cost_ratio_alpha = 0.2;
  /// The learned ratio is clamped to [1, this]: estimates are only ever
  /// scaled up, so reservations stay conservative. Default: 50.
  double cost_ratio_max = 50;
  /// Pacing horizon when no reset is known and no w= was sent.
  /// Default: 3600 s (Jira's window).
  std::int64_t default_window_ms = 3'600'000;
};

/// One response's quota figures on the governor's clock.
struct quota_observation {
  std::optional<std::int64_t> quota;
  std::optional<std::int64_t> window_secs;
  std::optional<std::int64_t> remaining;
  /// now + t= seconds.
  std::optional<std::int64_t> reset_from_t_ms;
  /// X-Beta-RateLimit-Reset.
  std::optional<std::int64_t> reset_header_ms;
};

/// The quota's answer for one more request.
struct quota_verdict {
  enum kind_t {
    go,      ///< nothing in the way
    reserve, ///< the request would eat into the reserve: wait for the reset
    pacing,  ///< ahead of the even pace: wait until the points refill
  };
  kind_t kind = go;
  /// When kind != go: when to ask again (> now).
  std::int64_t until_ms = 0;
  /// False when the deadline rests on no future reset stated by the server
  /// (the caller caps and probes).
  bool reset_known = true;
  /// For logs: the figures behind the verdict.
  std::string text;
};

class points_quota {
public:
  explicit points_quota(quota_options options);

  /// True once any structured quota header was seen.
  bool known() const {
    return known_;
  }

  /// Forgets the figures of a window that has reset (now >= the reset):
  /// returns true when it did, so the caller probes before trusting the new
  /// window. Call before check().
  bool roll(std::int64_t now_ms);

  /// May a request of `cls` with estimated cost `cost` go now?
  quota_verdict check(protocol::endpoint_class cls, std::int64_t cost,
                      std::int64_t now_ms);

  /// A permit was granted: reserves cost x learned ratio (at most the
  /// window's points above the reserve: a request estimated above a whole
  /// window goes at the start of one instead of waiting forever).
  void take(protocol::endpoint_class cls, std::int64_t cost,
            std::int64_t now_ms);

  /// A permitted request finished. `estimate` is what take() got (0 = the
  /// class's average in flight). `obs` when the response carried quota
  /// figures; `quota_429` for a quota-reason 429 (the window is spent);
  /// `answered_ok` for a 2xx/3xx (a success without figures while the
  /// window was believed spent drops that belief).
  void on_response(protocol::endpoint_class cls, std::int64_t estimate,
                   const std::optional<quota_observation>& obs, bool quota_429,
                   bool answered_ok, std::int64_t now_ms);

  /// The learned actual/estimated ratio of `cls` (the global one while the
  /// class has no sample); 1 = no samples.
  double cost_ratio(protocol::endpoint_class cls) const;

  /// Points per second we may spend now (0 when nothing is left above the
  /// reserve); nullopt when there is no quota or no remaining figure.
  std::optional<double> pace_per_sec(std::int64_t now_ms) const;

  /// The window's reset, when a future one was stated.
  std::optional<std::int64_t> reset_at_ms() const {
    return reset_at_ms_;
  }

  /// What is wrong with the last reset figures ("" when consistent).
  const std::string& reset_note() const {
    return reset_note_;
  }

  std::optional<std::int64_t> remaining() const {
    return remaining_;
  }

  /// q= (or the largest remaining seen when no policy came); 0 = unknown.
  std::int64_t limit() const;

  std::optional<std::int64_t> window_secs() const {
    return window_secs_;
  }

  /// reserve_fraction x limit().
  double reserve_points() const;

  /// Estimated points (after the learned ratio) of requests in flight.
  double in_flight_cost() const {
    return in_flight_cost_;
  }

  /// Estimated points granted so far.
  std::int64_t points_spent() const {
    return points_spent_;
  }

private:
  struct class_cost {
    /// Learned ratio; 0 = no sample yet.
    double ratio = 0;
    std::int64_t in_flight_estimate = 0;
    double in_flight_reserved = 0;
    int in_flight = 0;
  };

  /// The points a request of `cls` estimated at `cost` reserves: cost x
  /// the learned ratio, at most the window's points above the reserve.
  double reservation(protocol::endpoint_class cls, std::int64_t cost) const;
  void learn(const quota_observation& obs, std::int64_t reset);
  void adopt_reset(const quota_observation& obs, std::int64_t now_ms);
  double pace_per_ms(std::int64_t now_ms) const;
  /// Points above the reserve and what is in flight (>= 0).
  double available() const;
  double pacing_capacity(double pace_per_ms) const;
  void refill(std::int64_t now_ms);

  quota_options opts_;
  bool known_ = false;
  std::optional<std::int64_t> quota_;
  std::optional<std::int64_t> window_secs_;
  std::optional<std::int64_t> remaining_;
  std::int64_t largest_remaining_ = 0;
  /// The reset the current figures belong to (future when stated).
  std::optional<std::int64_t> reset_at_ms_;
  /// The reset figure of the last observation (even if past), for telling
  /// windows apart.
  std::int64_t figure_reset_ms_ = 0;
  std::string reset_note_;
  /// Pacing bucket of points.
  double tokens_ = 0;
  std::int64_t tokens_at_ms_ = 0;
  bool tokens_fresh_ = true;
  double in_flight_cost_ = 0;
  std::int64_t points_spent_ = 0;
  /// Estimates of requests answered since the last figure, per class and in
  /// total (a normalised LMS step spreads the error of a mixed interval).
  std::array<std::int64_t, protocol::endpoint_class_count> since_obs_{};
  std::int64_t since_obs_total_ = 0;
  /// What take() charged the pacing bucket for those answers: refunded
  /// down to what the server's figure says they cost.
  double since_obs_reserved_ = 0;
  double global_ratio_ = 0;
  std::array<class_cost, protocol::endpoint_class_count> costs_{};
};

} // namespace jirasync::sync
