#include "schedule_bound.hpp"

#include <algorithm>

namespace jirasync::bench {

schedule_bound schedule_lower_bound(const std::vector<class_load>& loads,
                                    double latency_ms, int chain_round_trips) {
  schedule_bound b;
  auto latency = std::max(0.0, latency_ms) / 1000.0;
  b.terms.push_back({"chain", std::max(0, chain_round_trips) * latency});
  for (const auto& c : loads) {
    if (c.requests == 0)
      continue;
    double t = (c.depth_before + 1 + c.depth_after) * latency;
    if (c.rate_per_sec > 0) {
      auto over = static_cast<double>(c.requests) - std::max(1.0, c.burst);
      t += std::max(0.0, over) / c.rate_per_sec;
    }
    b.terms.push_back({c.name, t});
  }
  for (const auto& t : b.terms)
    if (t.seconds > b.seconds || b.binding.empty()) {
      b.seconds = std::max(b.seconds, t.seconds);
      b.binding = t.name;
    }
  return b;
}

} // namespace jirasync::bench
