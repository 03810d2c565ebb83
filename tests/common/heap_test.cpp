#include "common/heap.hpp"

#include "test_util/proc_status.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <cstring>
#include <vector>

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

namespace {

/// RssAnon of this process, in bytes.
std::size_t resident_anon() {
  auto kib = jirasync::test::proc_status_kib("RssAnon");
  REQUIRE(kib > 0);
  return static_cast<std::size_t>(kib) * 1024;
}

} // namespace

TEST_CASE("release_free_heap gives back the free holes below live blocks",
          "[common]") {
  REQUIRE(tune_heap());
  // 48 MiB in 16 KiB blocks (below the mapping threshold: in an arena),
  // then all freed but every 64th block, which pins the arena's top: the
  // trim threshold cannot give the holes back, release_free_heap can.
  constexpr std::size_t block = 16 * 1024;
  constexpr std::size_t count = 3072;
  std::vector<char*> blocks;
  blocks.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    auto* p = static_cast<char*>(std::malloc(block));
    REQUIRE(p != nullptr);
    std::memset(p, 1, block);
    blocks.push_back(p);
  }
  for (std::size_t i = 0; i < count; ++i)
    if (i % 64 != 63) {
      std::free(blocks[i]);
      blocks[i] = nullptr;
    }
  auto held = resident_anon();
  auto free_before = heap_usage_now().free_in_arenas;
  CHECK(free_before >= 40u << 20);
  CHECK(release_free_heap());
  auto after = resident_anon();
  INFO("RssAnon " << held << " -> " << after);
  CHECK(after + (32u << 20) <= held);
  for (auto* p : blocks)
    std::free(p);
}

#endif
