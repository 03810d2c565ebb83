#include "common/heap.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <cstring>

using namespace jirasync::common;

// AddressSanitizer replaces malloc: mallopt and mallinfo2 then describe
// nothing of the allocator in use (mallopt refuses), so these tests are
// for the normal build, the one that ships.
#if !defined(__SANITIZE_ADDRESS__)

namespace {

/// Allocates `n` bytes, touches them, and tells how much of them malloc
/// mapped on their own while they were live.
std::size_t mapped_while_live(std::size_t n) {
  auto before = heap_usage_now().mapped;
  auto* p = static_cast<char*>(std::malloc(n));
  REQUIRE(p != nullptr);
  std::memset(p, 1, n);
  auto during = heap_usage_now().mapped;
  std::free(p);
  return during - before;
}

} // namespace

TEST_CASE("after tune_heap a freed large block does not raise the mapping "
          "threshold",
          "[common]") {
  // glibc's default: freeing a mapped 4 MiB block raises the threshold to
  // 4 MiB, so the next 4 MiB block comes from an arena and stays there
  // after it is freed. With the fixed threshold each one is mapped and
  // given back.
  REQUIRE(tune_heap());
  constexpr std::size_t big = 4u << 20;
  for (int round = 0; round < 3; ++round)
    CHECK(mapped_while_live(big) >= big);
  // Below the threshold: from an arena.
  CHECK(mapped_while_live(64 * 1024) == 0);
}

TEST_CASE("heap_usage_now counts live blocks", "[common]") {
  REQUIRE(tune_heap());
  auto before = heap_usage_now();
  constexpr std::size_t n = 8u << 20;
  auto* p = static_cast<char*>(std::malloc(n));
  REQUIRE(p != nullptr);
  std::memset(p, 1, n);
  auto during = heap_usage_now();
  CHECK(during.in_use >= before.in_use + n);
  CHECK(during.mapped >= before.mapped + n);
  std::free(p);
  CHECK(heap_usage_now().in_use < during.in_use - n / 2);
}

#endif
