#pragma once
// The schedule's lower bound of a sync: the shortest wall time ANY client
// could reach against a server with a given latency and burst buckets, for
// a given set of unavoidable requests. Benchmarks divide their wall time by
// it (the ratio says how far a sync is from what the server allows).
//
// The model (bench/README.md has the reasoning and an example):
//   - every request takes at least one latency L (no client is faster than
//     the server's answer);
//   - a class whose data come from another class's answer cannot start
//     before `depth_before` round trips (e.g. attachment content needs the
//     attachment ids of bulkfetch, which needs the issue ids of search/jql,
//     which needs the projects: 3), and its answers may need `depth_after`
//     more (the media download after attachment content's 303: 1);
//   - a class with a burst bucket (Jira's token bucket per endpoint) admits
//     at most `burst` requests at once and then `rate_per_sec`: its n-th
//     request cannot be sent before (n - burst) / rate after its first;
//   - the longest chain of requests that must run one after another costs
//     `chain_round_trips` x L.
// bound = max(chain_round_trips x L, max over classes of
//             (depth_before + 1 + depth_after) x L + max(0, n - burst) / rate)
// It ignores CPU, bandwidth and the client's own concurrency limits on
// purpose: those are the client's to optimise.
//
// Thread-safety: pure functions.

#include <cstdint>
#include <string>
#include <vector>

namespace jirasync::bench {

/// The unavoidable requests of one endpoint class.
struct class_load {
  /// e.g. "attachment_content".
  std::string name;
  /// Requests a perfect client must send.
  std::uint64_t requests = 0;
  /// Burst bucket refill (requests/s); 0 = no bucket (the media host).
  double rate_per_sec = 0;
  /// Tokens the bucket holds when the first request arrives (a full
  /// bucket: Jira and jira-sim hold one second of the rate).
  double burst = 0;
  /// Round trips that must finish before the first request can be sent.
  int depth_before = 0;
  /// Round trips that must follow the last answer.
  int depth_after = 0;
};

struct bound_term {
  std::string name;
  double seconds = 0;
};

struct schedule_bound {
  /// The bound (the largest term).
  double seconds = 0;
  /// The term that sets it ("chain" or a class name).
  std::string binding;
  /// Every term, in input order, "chain" first.
  std::vector<bound_term> terms;
};

/// The bound for `loads` with every answer taking `latency_ms`, and a
/// dependency chain of `chain_round_trips` requests.
schedule_bound schedule_lower_bound(const std::vector<class_load>& loads,
                                    double latency_ms, int chain_round_trips);

} // namespace jirasync::bench
