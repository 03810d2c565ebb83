#pragma once
// Extraction out of process: the format libraries run in `jirasync extract
// --worker` processes (extract/worker.hpp: the same code as the command
// line, extract_file.hpp) under resource limits, and how a file went maps
// to a text status. A crash, a timeout, a zip bomb or memory exhaustion
// costs that one file its text, never the caller.
//
// What a user of `jirasync extract FILE` sees (app/cmd_extract.cpp):
//   exit 0  the text on stdout (at most --max-bytes bytes); when it was cut
//           at the cap, stderr holds "cut: <reason>"
//   exit 1  no text; stderr holds "<status>: <reason>" with status
//           unsupported, too_large, failed or timeout
//   exit 2  usage error (bad arguments, unreadable FILE)
//
// Thread-safety: run_extraction() may be called from several threads at
// once; it blocks up to the wall-clock limit, so never on a CAF scheduler
// thread (use a detached actor or a thread of its own).

#include "extract/extract_file.hpp"
#include "extract/text_status.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace jirasync::extract {

/// Limits of the extraction processes (extract/worker.hpp).
struct runner_limits {
  /// CPU time per file (RLIMIT_CPU's soft limit, set afresh before each
  /// file: SIGXCPU ends the process); the file's status is timeout.
  /// Default: 20 s.
  std::chrono::seconds cpu{20};
  /// Wall-clock time per file, for a process that sleeps or waits rather
  /// than computes; killed, status timeout. Default: 60 s.
  std::chrono::milliseconds wall{60'000};
  /// Address space (RLIMIT_AS), 0 for none. Allocation beyond it fails in
  /// the process: status too_large (or failed when a library aborts).
  /// Under AddressSanitizer, which reserves terabytes of address space for
  /// its shadow memory at start, RLIMIT_AS is not set; the process gets
  /// ASAN_OPTIONS=hard_rss_limit_mb=<this in MiB> instead, so resident
  /// memory stays bounded. Default: 1 GiB.
  std::uint64_t address_space_bytes = std::uint64_t{1} << 30;
  /// Open descriptors (RLIMIT_NOFILE). Default: 64.
  std::uint64_t open_files = 64;
  /// Caps inside the extractors (text cap, ZIP budgets), passed to the
  /// process on its command line. The text cap is also the longest text
  /// the caller accepts. Default: see extract_limits.
  extract_limits extract;
};

struct runner_options {
  /// The `jirasync` executable to run as the process (e.g. /proc/self/exe
  /// resolved at start-up, or the path the tests built).
  std::filesystem::path jirasync_bin;
  runner_limits limits;
};

/// The result for one file.
struct extraction {
  text_status status = text_status::failed;
  /// The text when extracted (valid UTF-8, at most the text cap).
  std::optional<std::string> text;
  /// Why there is no text, or why it was cut; empty when extracted in full.
  std::string reason;
  /// The text stopped at the cap.
  bool truncated = false;
  /// CPU time the extraction used.
  std::chrono::microseconds cpu_time{0};
};

/// Extracts `req` in a worker process started for it alone (a sync keeps
/// its workers: extraction_worker in extract/worker.hpp). Never throws for
/// anything the file or the worker does.
extraction run_extraction(const runner_options& opts,
                          const extract_request& req);

/// Plain text (doc_format::text as guess_file_format() decides it: text/*,
/// JSON, XML, CSV, source code) extracted in the CALLING process, with the
/// same result a child would give; nullopt for every other file (PDF,
/// Office, HTML, unreadable or unsupported ones: run_extraction() decides
/// those). Plain text needs no format library, only jirasync's own
/// streaming decoder (text_decode.hpp): it reads 64 KiB chunks and stops
/// once the text cap (opts.limits.extract.max_text_bytes) is full, so its
/// memory is bounded by the cap plus a few chunks and its work by the cap
/// (every input byte yields output), with nothing to wait for but the
/// local file; the child's CPU, wall-clock and address-space limits have
/// nothing left to bound, and the process start (about half a second on
/// a loaded machine, several times that under AddressSanitizer) is saved.
/// Blocks on file reads: not on a CAF scheduler thread. Never throws.
std::optional<extraction> extract_without_child(const runner_options& opts,
                                                const extract_request& req);

/// The stderr line of `jirasync extract` when a file has no text:
/// "<status>: <reason>" on one line.
std::string status_line(const extract_outcome& o);

/// Why a text stops at the cap: "text cut at the <max_bytes>-byte cap".
std::string cut_reason(std::size_t max_bytes);

/// True in a build with AddressSanitizer (the address-space limit then
/// turns into an RSS limit, see runner_limits).
bool sanitized_build();

} // namespace jirasync::extract
