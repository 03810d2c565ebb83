// The cap on attachment bytes in flight (issue 11): reservations, releases,
// and the attachment larger than the whole budget that runs alone.
#include "sync/download_budget.hpp"

#include <catch2/catch.hpp>

using jirasync::sync::download_budget;
using jirasync::sync::min_download_reservation;

namespace {
constexpr std::uint64_t mib = 1024 * 1024;
} // namespace

TEST_CASE("download_budget: a reservation is the declared size, at least "
          "the minimum",
          "[sync][download_budget]") {
  CHECK(min_download_reservation == 65536);
  CHECK(download_budget::reservation(5 * mib, true, 50 * mib) == 5 * mib);
  CHECK(download_budget::reservation(65537, true, 50 * mib) == 65537);
  // 0 bytes declared, a few bytes, a negative size: the minimum.
  CHECK(download_budget::reservation(0, true, 50 * mib) == 65536);
  CHECK(download_budget::reservation(10, true, 50 * mib) == 65536);
  CHECK(download_budget::reservation(-3, true, 50 * mib) == 65536);
  // No size from Jira: the most its body may have.
  CHECK(download_budget::reservation(0, false, 50 * mib) == 50 * mib);
  CHECK(download_budget::reservation(0, false, 1000) == 65536);
}

TEST_CASE("download_budget: reservations up to the capacity, released ones "
          "make room",
          "[sync][download_budget]") {
  download_budget b{10 * mib};
  CHECK(b.capacity() == 10 * mib);
  CHECK(b.try_reserve(4 * mib));
  CHECK(b.try_reserve(4 * mib));
  CHECK(b.in_flight() == 8 * mib);
  CHECK(b.holders() == 2);
  // 8 + 3 > 10: waits; 8 + 2 = 10 fits exactly.
  CHECK_FALSE(b.try_reserve(3 * mib));
  CHECK(b.waits() == 1);
  CHECK(b.in_flight() == 8 * mib);
  CHECK(b.try_reserve(2 * mib));
  CHECK(b.in_flight() == 10 * mib);
  CHECK_FALSE(b.try_reserve(min_download_reservation));
  CHECK(b.waits() == 2);
  b.release(4 * mib);
  CHECK(b.in_flight() == 6 * mib);
  CHECK(b.holders() == 2);
  CHECK(b.try_reserve(3 * mib));
  CHECK(b.in_flight() == 9 * mib);
  CHECK(b.peak() == 10 * mib);
  b.release(4 * mib);
  b.release(2 * mib);
  b.release(3 * mib);
  CHECK(b.in_flight() == 0);
  CHECK(b.holders() == 0);
  CHECK(b.peak() == 10 * mib);
}

TEST_CASE("download_budget: an attachment larger than the budget waits for "
          "an empty pipe, then runs alone",
          "[sync][download_budget]") {
  download_budget b{10 * mib};
  CHECK(b.try_reserve(1 * mib));
  // 30 MiB > 10 MiB: not while anything else is in flight ...
  CHECK_FALSE(b.try_reserve(30 * mib));
  b.release(1 * mib);
  // ... but at once when nothing is: never skipped, never stuck.
  CHECK(b.try_reserve(30 * mib));
  CHECK(b.in_flight() == 30 * mib);
  CHECK(b.peak() == 30 * mib);
  // Nothing joins it, however small.
  CHECK_FALSE(b.try_reserve(min_download_reservation));
  b.release(30 * mib);
  CHECK(b.in_flight() == 0);
  CHECK(b.try_reserve(10 * mib));
  CHECK(b.holders() == 1);
}

TEST_CASE("download_budget: a capacity of 0 lets one download at a time",
          "[sync][download_budget]") {
  download_budget b{0};
  CHECK(b.capacity() == 1);
  CHECK(b.try_reserve(min_download_reservation));
  CHECK_FALSE(b.try_reserve(min_download_reservation));
  b.release(min_download_reservation);
  CHECK(b.try_reserve(min_download_reservation));
}
