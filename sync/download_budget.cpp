#include "sync/download_budget.hpp"

#include <algorithm>

namespace jirasync::sync {

download_budget::download_budget(std::uint64_t capacity)
    : capacity_(std::max<std::uint64_t>(capacity, 1)) {}

std::uint64_t download_budget::reservation(std::int64_t declared_size,
                                           bool size_known,
                                           std::uint64_t max_body_bytes) {
  if (!size_known)
    return std::max(max_body_bytes, min_download_reservation);
  auto declared
    = static_cast<std::uint64_t>(std::max<std::int64_t>(declared_size, 0));
  return std::max(declared, min_download_reservation);
}

bool download_budget::try_reserve(std::uint64_t bytes) {
  // Nothing in flight: it goes, whatever its size (never a deadlock).
  bool fits
    = holders_ == 0 || bytes <= capacity_ - std::min(in_flight_, capacity_);
  if (!fits) {
    ++waits_;
    return false;
  }
  in_flight_ += bytes;
  ++holders_;
  peak_ = std::max(peak_, in_flight_);
  return true;
}

void download_budget::release(std::uint64_t bytes) {
  in_flight_ -= std::min(bytes, in_flight_);
  if (holders_ > 0)
    --holders_;
  if (holders_ == 0)
    in_flight_ = 0;
}

} // namespace jirasync::sync
