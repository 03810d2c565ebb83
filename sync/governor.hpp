#pragma once
// The rate governor's arithmetic (the rate_governor actor only routes): it
// decides, for each request, "go now" or "wait until T because R", from
// what Jira documents and sends (Atlassian's "Rate limiting" guide for Jira
// Cloud):
//
//   - BURST: one token bucket per endpoint class (protocol/jira/jira_cost:
//     one class = one of Jira's per-endpoint buckets), at the class's
//     documented rate, lowered to X-RateLimit-Limit when the server states
//     a smaller bucket, and emptied when X-RateLimit-Remaining says the
//     server's bucket is emptier than ours. A 429 for a burst (or unnamed)
//     reason slows ONLY that class: its rate is halved and climbs back over
//     burst_recovery_ms, and the class waits for Retry-After.
//   - QUOTA: the hourly points quota (sync/points_quota), only once
//     structured quota headers were seen: a reserve of 5% of q, a head
//     start, then the points spread over the time to the reset. A
//     quota-reason 429 pauses EVERY class until the reset it states; so
//     does a 503 with Retry-After.
//   - SPEED: concurrency per class from Little's law: target rate (the
//     class's pace) x observed latency (EWMA) x concurrency_headroom,
//     within [1, class cap]; the media host after attachment_content's 303
//     (endpoint_class::media_download) has no bucket, only its cap;
//     max_concurrency bounds the total.
//   - NEVER SILENT, NEVER FOREVER: every refusal carries a wait_info with a
//     reason, a text and a deadline in the future. A deadline that no server
//     figure justifies (no Retry-After, no reset in the future: missing,
//     inconsistent or past) is capped at max_unexplained_wait_ms, and the
//     wait ends with a PROBE: one request of the held scope goes alone and
//     the others follow its answer. The first request of the run and the
//     first of each class are probes too, so a bucket's real size is known
//     before a burst is sent into it. A justified deadline is still capped
//     at max_justified_wait_ms.
//
// Clock: every `now_ms` is milliseconds since the Unix epoch (UTC) from one
// clock; instants in headers (X-RateLimit-Reset, X-Beta-RateLimit-Reset,
// HTTP-date Retry-After) are compared with it. Pure: tests drive it by hand.
//
// Use (by endpoint class):
//   auto r = g.try_acquire(cls, cost, now);     // before each request
//   if (!r.granted) -> ask again at r.wait.until_ms (or on any response);
//                      r.wait says why (log it when > 1 s)
//   g.on_response(report, now);                 // after each answer/failure
//   g.next_wait(now), g.waits(now), g.stats()   // progress line, summary
//
// Thread-safety: none; owned by one actor.

#include "protocol/jira/jira_cost.hpp"
#include "protocol/jira/rate_limit.hpp"
#include "sync/points_quota.hpp"

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace jirasync::sync {

/// Why a request is held back.
enum class wait_reason {
  none,
  /// The class's (or the total) in-flight limit: until a response.
  concurrency,
  /// Our copy of the class's burst bucket is empty (well under a second).
  burst_pacing,
  /// The class got a 429 (jira-burst-based, or no/other non-quota reason).
  burst_429,
  /// A quota reason (jira-quota-*-based, jira-cost-based): every class
  /// waits for the window's reset.
  quota_429,
  /// 503 with Retry-After: every class waits.
  service_unavailable,
  /// The quota's remaining points are down to the reserve: every class
  /// waits for the reset.
  quota_reserve,
  /// The quota's points are spread over the time left to the reset.
  quota_pacing,
  /// A probe is out; the rest of its scope waits for its answer.
  probe,
};

inline constexpr int wait_reason_count
  = static_cast<int>(wait_reason::probe) + 1;

/// "concurrency", "burst_pacing", "burst_429", ...
std::string_view to_string(wait_reason reason);

/// What a held request waits for.
struct wait_info {
  /// Default: none (nothing held).
  wait_reason reason = wait_reason::none;
  /// When the wait ends (ms since the epoch, later than the `now` asked
  /// about); 0 when none.
  std::int64_t until_ms = 0;
  /// The class held, for class-level waits; nullopt for waits of all.
  std::optional<protocol::endpoint_class> cls;
  /// No server figure justified the deadline: it is the configured cap, and
  /// a probe follows.
  bool unexplained = false;
  /// One line for logs and the progress line: the cause and the figures
  /// behind it (no time of day: the caller formats until_ms).
  std::string text;

  bool waiting() const {
    return reason != wait_reason::none;
  }

  /// True for every reason but concurrency (a rate limit holds it).
  bool rate_limited() const {
    return waiting() && reason != wait_reason::concurrency;
  }
};

/// "waiting for burst_429 of comments until 10:35:02 UTC": the words of
/// the progress line and the log for `w` (time of day of until_ms, UTC);
/// "" when nothing is held.
std::string describe_wait(const wait_info& w);

/// A burst bucket override: `name` is an endpoint class name (jira_cost's
/// to_string), `rate_per_sec` its refill, `burst` our bucket size.
struct bucket_config {
  std::string name;
  /// Default: 100 per second (Jira's GET burst limit).
  double rate_per_sec = 100;
  /// Default: 100.
  double burst = 100;
};

struct governor_options {
  /// Overrides of the endpoint table's burst rates, by class name (tests, a
  /// simulator with scaled rates). Default: none (the table's rates).
  std::vector<bucket_config> buckets;
  /// When rate_per_sec > 0: the bucket of every class that has a Jira
  /// bucket and no entry in `buckets`. Default: {"default", 0, 0} = the
  /// endpoint table's rates.
  bucket_config default_bucket{"default", 0, 0};
  /// Our pace as a share of the bucket's rate: headroom for requests that
  /// bunch up on the way to the server. Default: 0.95.
  double burst_rate_margin = 0.95;
  /// Our copy of a table/server bucket holds this share of one second of
  /// its rate (an override's `burst` is taken as is). Default: 0.5.
  double burst_capacity_fraction = 0.5;
  /// A class's concurrency before its latency is known. Default: 4.
  double initial_concurrency = 4;
  /// Upper bound of one class's concurrency: only a guard against a runaway
  /// latency estimate, never the limit at Jira's rates. Little's law at the
  /// fastest bucket (attachment content, paced at 285/s) x 1.5 headroom
  /// reaches 128 at a latency of 300 ms; a cap of 32 held the class to
  /// ~60% of its rate once a loaded box answered in 125 ms (bench/
  /// RESULTS.md). Default: 128.
  int class_max_concurrency = 128;
  /// Concurrency of media_download (no bucket: only this cap). One follows
  /// every attachment content answer, so it needs that class's pace x the
  /// media latency: 285/s x 200 ms (seen under load) x 1.5 = 86. Default:
  /// 128.
  int media_max_concurrency = 128;
  /// Requests in flight over all classes (and the HTTP client's
  /// connections per host): attachment content and its media downloads
  /// (together at most actors' downloads_parallel, 128) plus the issue
  /// pipelines' bulkfetch and comment pages (4 projects x 4 chunks).
  /// Default: 192.
  double max_concurrency = 192;
  /// Little's law: limit = ceil(rate x latency x this). Default: 1.5.
  double concurrency_headroom = 1.5;
  /// Weight of a new latency sample (EWMA). Default: 0.2.
  double latency_alpha = 0.2;
  /// A class's rate is multiplied by this on each of its 429s (floor 0.05).
  /// Default: 0.5.
  double burst_429_slowdown = 0.5;
  /// ... and climbs back linearly to the full rate over this. Default:
  /// 10,000 ms.
  std::int64_t burst_recovery_ms = 10'000;
  /// First wait of a class after a 429 that states no Retry-After and no
  /// future reset; doubles with each further one, up to the cap.
  /// Default: 1000 ms.
  std::int64_t unexplained_burst_wait_ms = 1'000;
  /// Cap of every wait no server figure justifies; it ends with a probe.
  /// ([sync] max_unexplained_wait_secs.) Default: 60,000 ms.
  std::int64_t max_unexplained_wait_ms = 60'000;
  /// Cap of a wait a server figure states (Jira's window is an hour; a
  /// longer figure is garbage). Default: 3,600,000 ms.
  std::int64_t max_justified_wait_ms = 3'600'000;
  /// Points quota: reserve, pacing, cost learning.
  quota_options quota;
};

/// The answer to try_acquire().
struct acquire_result {
  bool granted = false;
  /// Granted as a probe: the others of its scope wait for its answer.
  bool probe = false;
  /// When not granted: why and until when (always later than now).
  wait_info wait;
};

/// What one finished request reports back.
struct response_report {
  /// Default: unknown.
  protocol::endpoint_class cls = protocol::endpoint_class::unknown;
  /// HTTP status; 0 = no answer (transport failure).
  int status = 0;
  /// From permit to answer.
  std::int64_t latency_ms = 0;
  /// The cost given to try_acquire(); 0 = the class's average in flight.
  std::int64_t estimated_cost = 0;
  /// The answer's headers, parsed with `now` = the now_ms given to
  /// on_response() (Retry-After is relative to it).
  protocol::rate_limit_signal headers;
};

/// Per endpoint class.
struct class_stats {
  /// Permits granted.
  std::uint64_t requests = 0;
  std::uint64_t responses_429 = 0;
  std::uint64_t probes = 0;
  int in_flight = 0;
  int peak_in_flight = 0;
  /// The current Little's-law limit.
  int concurrency_limit = 0;
  /// Our current pace (requests/s); 0 = no bucket.
  double rate_per_sec = 0;
  /// Latency EWMA; 0 = no sample.
  double latency_ms = 0;
  /// Learned actual/estimated points ratio.
  double cost_ratio = 1;
};

struct governor_stats {
  /// Permits granted.
  std::uint64_t granted = 0;
  std::uint64_t responses_429 = 0;
  /// Pauses started (global or per class).
  std::uint64_t pauses = 0;
  /// Estimated points granted.
  std::int64_t points_spent = 0;
  /// Refusals because the quota reserve was reached.
  std::uint64_t reserve_waits = 0;
  /// 429s by RateLimit-Reason (index: protocol::rate_limit_reason).
  std::array<std::uint64_t, protocol::rate_limit_reason_count>
    responses_429_by_reason{};
  /// Time requests were held, by wait_reason (index): for each scope (all
  /// requests, each class) from its first refusal to its next grant,
  /// summed over scopes.
  std::array<std::int64_t, wait_reason_count> waited_ms{};
  /// Holds started, by wait_reason.
  std::array<std::uint64_t, wait_reason_count> waits{};
  /// Capped waits that no server figure justified.
  std::uint64_t unexplained_waits = 0;
  std::uint64_t probes = 0;
  /// Requests in flight at most, over all classes.
  int peak_in_flight = 0;
  /// The longest wait announced (until - now when a request was refused),
  /// and why: what the summary and the log explain.
  std::int64_t longest_wait_ms = 0;
  wait_info longest_wait;
  /// Index: protocol::endpoint_class.
  std::array<class_stats, protocol::endpoint_class_count> classes{};
};

/// The figures of `s` a run keeps with its checkpoint (`jirasync
/// status`), by name: "granted", "responses_429", "429.<RateLimit-Reason
/// or none>", "waited_ms.<wait_reason>", "peak_in_flight",
/// "requests.<class>", "peak_in_flight.<class>", "latency_ms.<class>"
/// (the EWMA at the end), "429s.<class>",
/// "unexplained_waits", "probes", "longest_wait_ms". Zero counts of
/// reasons and classes are left out.
std::map<std::string, std::int64_t> governor_counters(const governor_stats& s);

class governor {
public:
  explicit governor(governor_options options);

  /// Takes a permit for one request of `cls` estimated at `cost_points`, or
  /// says why not and until when.
  acquire_result try_acquire(protocol::endpoint_class cls,
                             std::int64_t cost_points, std::int64_t now_ms);

  /// Returns the permit of a finished request (answered or not) and learns
  /// from its headers.
  void on_response(const response_report& r, std::int64_t now_ms);

  /// The wait that matters most now: a wait of everything, else the class
  /// wait ending last; reason none when nothing is held.
  wait_info next_wait(std::int64_t now_ms) const;

  /// Every wait in effect now: of everything, then per class.
  std::vector<wait_info> waits(std::int64_t now_ms) const;

  /// Requests holding a permit.
  int in_flight() const {
    return in_flight_;
  }

  /// The Little's-law limit of `cls` now.
  int concurrency_limit(protocol::endpoint_class cls,
                        std::int64_t now_ms) const;

  /// Our pace for `cls` now (requests/s; 0 = no bucket).
  double rate_per_sec(protocol::endpoint_class cls, std::int64_t now_ms) const;

  /// Every request is paused until this time; 0 = no pause.
  std::int64_t paused_until_ms() const {
    return pause_.until_ms;
  }

  /// Counters; time held so far includes holds still open at the last call.
  governor_stats stats() const;

  const points_quota& quota() const {
    return quota_;
  }

  /// The learned actual/estimated cost ratio of `cls`.
  double cost_ratio(protocol::endpoint_class cls) const {
    return quota_.cost_ratio(cls);
  }

private:
  /// A stated wait of a scope (everything, or one class).
  struct pause_state {
    std::int64_t until_ms = 0;
    wait_reason reason = wait_reason::none;
    std::string text;
    bool unexplained = false;
  };

  enum class probe_phase { none, needed, in_flight };

  struct probe_state {
    probe_phase phase = probe_phase::none;
    std::int64_t started_ms = 0;
    /// The probe's class (its latency says when to look again).
    protocol::endpoint_class cls = protocol::endpoint_class::unknown;
  };

  /// Time held for one scope, from its first refusal to its next grant.
  struct hold_state {
    bool active = false;
    std::int64_t since_ms = 0;
    wait_reason reason = wait_reason::none;
  };

  struct class_state {
    protocol::endpoint_class cls = protocol::endpoint_class::unknown;
    /// Documented (or configured) bucket rate; 0 = no bucket.
    double table_rate = 0;
    /// Configured bucket size; 0 = derive from the rate.
    double configured_burst = 0;
    /// X-RateLimit-Limit seen; 0 = none.
    double server_limit = 0;
    double tokens = 0;
    std::int64_t tokens_at_ms = 0;
    bool tokens_fresh = true;
    /// After a 429: the rate's share right then, and when.
    double slow_floor = 1;
    std::int64_t slow_since_ms = 0;
    int unexplained_streak = 0;
    pause_state pause;
    probe_state probe;
    hold_state hold;
    /// The last refusal of this class (reported while its hold lasts).
    wait_info hold_wait;
    double latency_ms = 0;
    int in_flight = 0;
    class_stats stats;
  };

  struct observation;

  class_state& cls_state(protocol::endpoint_class cls);
  const class_state& cls_state(protocol::endpoint_class cls) const;
  double bucket_rate(const class_state& c) const;
  double pace(const class_state& c, std::int64_t now_ms) const;
  double capacity(const class_state& c, std::int64_t now_ms) const;
  void refill(class_state& c, std::int64_t now_ms);
  int limit_of(const class_state& c, std::int64_t now_ms) const;

  /// A refusal of a request of `asking`, for a wait of everything
  /// (`of_all`) or of that class.
  acquire_result refuse(protocol::endpoint_class asking, bool of_all,
                        wait_reason reason, std::int64_t until_ms,
                        std::string text, bool unexplained,
                        std::int64_t now_ms);
  /// The waits of everything (pause, probe, quota) for a request of `cls`;
  /// sets `global_probe` when this request would be the probe.
  std::optional<acquire_result> check_everything(protocol::endpoint_class cls,
                                                 std::int64_t cost_points,
                                                 std::int64_t now_ms,
                                                 bool& global_probe);
  void note_hold(hold_state& h, wait_reason reason, std::int64_t now_ms);
  void close_hold(hold_state& h, std::int64_t now_ms);
  void start_pause(pause_state& p, probe_state& probe, wait_reason reason,
                   std::int64_t until_ms, std::string text, bool unexplained,
                   std::int64_t now_ms);
  /// A refusal while `probe` is out: ask again after about one latency of
  /// its class, at the latest at its deadline (started + the cap).
  acquire_result wait_for_probe(const probe_state& probe,
                                protocol::endpoint_class asking, bool of_all,
                                std::int64_t now_ms);
  /// A stated deadline: capped at max_justified_wait_ms.
  std::int64_t justified(std::int64_t until_ms, std::int64_t now_ms) const;
  void handle(const observation& o, std::int64_t now_ms);

  governor_options opts_;
  std::array<class_state, protocol::endpoint_class_count> classes_;
  points_quota quota_;
  pause_state pause_;
  probe_state probe_;
  hold_state hold_;
  wait_info hold_wait_;
  /// The quota's own capped wait when it states no reset.
  std::int64_t quota_wait_until_ms_ = 0;
  int in_flight_ = 0;
  std::int64_t last_now_ms_ = 0;
  governor_stats stats_;
};

} // namespace jirasync::sync
