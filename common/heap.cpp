#include "common/heap.hpp"

#include <malloc.h>

namespace jirasync::common {

bool tune_heap(const heap_settings& s) {
  bool ok = mallopt(M_ARENA_MAX, s.arenas) == 1;
  ok = mallopt(M_MMAP_THRESHOLD, static_cast<int>(s.mmap_threshold)) == 1 && ok;
  ok = mallopt(M_TRIM_THRESHOLD, static_cast<int>(s.trim_threshold)) == 1 && ok;
  return ok;
}

bool release_free_heap() {
  return malloc_trim(0) == 1;
}

heap_usage heap_usage_now() {
  auto mi = mallinfo2();
  return heap_usage{mi.uordblks + mi.hblkhd, mi.fordblks, mi.hblkhd};
}

} // namespace jirasync::common
