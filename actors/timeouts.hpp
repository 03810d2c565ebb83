#pragma once
// How long each kind of wait of a sync run may last. Every request of the
// pipeline uses one of these as its timeout and handles the timeout as an
// error: nothing waits forever. The defaults are generous bounds on what
// a healthy run needs (they are backstops, not pacing); tests shrink them.
//
// Thread-safety: a plain value.

#include <chrono>

namespace jirasync::actors {

struct timeouts {
  /// The whole run: when it passes, the run fails with errc::timeout and
  /// every step request of the coordinator gives up. Default: 24 h.
  std::chrono::milliseconds run = std::chrono::hours(24);
  /// How much longer than `run` the blocking caller (run_sync) waits for
  /// the report before it reports the run as stuck. Default: 2 min.
  std::chrono::milliseconds report_grace = std::chrono::minutes(2);
  /// A permit parked in the rate_governor: a quota pause lasts until the
  /// hourly window resets, a Retry-After above 1 h is not waited for, then
  /// the backlog drains. Past this the call fails with errc::timeout.
  /// Default: 90 min.
  std::chrono::milliseconds permit = std::chrono::minutes(90);
  /// One api_call: its permits, up to backoff_policy::max_attempts attempts
  /// (each bounded by the http client's total timeout, 10 min) and the
  /// backoff between them. Default: 3 h.
  std::chrono::milliseconds api_call = std::chrono::hours(3);
  /// One store write or blob adoption (one WriteBatch with fsync, or a
  /// rename plus a text read). Default: 10 min.
  std::chrono::milliseconds store = std::chrono::minutes(10);
  /// A counter query (stats) to a live actor. Default: 30 s.
  std::chrono::milliseconds stats = std::chrono::seconds(30);
  /// One attachment: a slot of the download pool, its api_call and the
  /// adoption into the blob store. Default: 6 h.
  std::chrono::milliseconds download = std::chrono::hours(6);
  /// The attachment texts still being extracted when the issues are done
  /// (each child is bounded by its own CPU and wall-clock limits; this
  /// bounds the queue). Past this the run fails. Default: 6 h.
  std::chrono::milliseconds texts = std::chrono::hours(6);
};

} // namespace jirasync::actors
