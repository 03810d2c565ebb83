#pragma once
// heap: the process's malloc settings and the return of freed memory to the
// system. A sync allocates and frees hundreds of MB of short-lived buffers
// (HTTP bodies, JSON documents, write batches, RocksDB memtables) on a few
// threads; with glibc's defaults the freed memory mostly stays in the
// process, so the resident size follows the most ever allocated plus the
// holes between what is still live, and grows with the length of the run
// (bench/results/analysis.md, "Memory budget").

#include <cstddef>

namespace jirasync::common {

struct heap_settings {
  /// malloc arenas: glibc makes up to 8 per core, each keeping its own
  /// freed memory. 2: the actor, HTTP and RocksDB threads share them.
  int arenas = 2;
  /// Blocks of at least this size are mapped on their own and unmapped
  /// when freed. Setting it also stops glibc from raising the threshold
  /// after each large free (up to 32 MiB), which otherwise puts every
  /// later multi-MB buffer into the arenas, where it stays. 256 KiB.
  std::size_t mmap_threshold = 256 * 1024;
  /// Free memory at the top of an arena beyond this is given back at
  /// once. 1 MiB.
  std::size_t trim_threshold = 1024 * 1024;
};

/// Applies `s` with mallopt. Call once, before any thread starts (main).
/// False when a setting was refused (the process runs with the defaults;
/// AddressSanitizer, which replaces malloc, refuses them all).
bool tune_heap(const heap_settings& s = {});

/// Gives the free memory inside every arena back to the system
/// (malloc_trim(0)): the trim threshold only returns the free top of an
/// arena, while a long sync leaves free holes below live blocks, so its
/// resident size creeps up with the largest burst it ever had. Takes the
/// arenas' locks for tens of ms (about 50 ms with 150 MB of arenas): call
/// it every few seconds, not per operation. True when memory was returned.
bool release_free_heap();

/// What malloc holds now (mallinfo2, every arena), in bytes.
struct heap_usage {
  /// Allocated and not freed (arenas and mapped blocks).
  std::size_t in_use = 0;
  /// Freed but kept in the arenas.
  std::size_t free_in_arenas = 0;
  /// Of in_use: blocks mapped on their own (mmap_threshold and larger).
  std::size_t mapped = 0;
};
heap_usage heap_usage_now();

} // namespace jirasync::common
