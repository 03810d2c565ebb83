#pragma once
// The simulator's clock: wall time plus an offset the control API can
// advance (POST /_sim/clock), so tests can expire tokens, reset quota
// windows and pass the search-index lag without sleeping.
//
// Thread-safety: all members may be called concurrently.

#include <atomic>
#include <chrono>
#include <cstdint>

namespace jirasim {

class sim_clock {
public:
  /// Milliseconds since the Unix epoch, sim time.
  std::int64_t now_ms() const {
    auto wall = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::system_clock::now().time_since_epoch())
                  .count();
    return wall + offset_ms_.load(std::memory_order_relaxed);
  }
  /// Moves sim time forward (never backward: negative values are ignored).
  void advance(std::int64_t ms) {
    if (ms > 0)
      offset_ms_.fetch_add(ms, std::memory_order_relaxed);
  }
  std::int64_t offset_ms() const {
    return offset_ms_.load();
  }

private:
  std::atomic<std::int64_t> offset_ms_{0};
};

} // namespace jirasim
