#pragma once
// A long-lived extraction process: `jirasync extract --worker`, started
// once with posix_spawn and given one file after another over a pipe.
//
// Why not a child per file: starting `jirasync` costs ~40 ms of CPU (the
// dynamic loader binding 50-odd libraries), and fork() from a sync holding
// a few hundred MB copies its page tables and then every page it touches;
// at 13,000 PDF and Office attachments (the 50k-issue benchmark) that was
// most of the sync's CPU. A worker pays the start once per `max_jobs` files.
//
// What stays the same for every file (extract/runner.hpp): the same
// extractors, the same caps, the same statuses and reasons, and the same
// limits: the worker applies its own rlimits (address space, open files,
// no core or regular files) before it reads its first request and sets the
// CPU limit afresh before each file; the caller enforces the wall-clock
// limit per file and kills the worker when it passes. A worker that
// crashes, hits a limit or answers out of protocol costs the file it was
// given its text (status timeout or failed) and is replaced for the next.
// Resource limits are not a sandbox: files given to one worker share its
// address space, as they share the user's rights with every child.
//
// The protocol (stdin -> stdout, all lengths in bytes, decimal):
//   request:  "extract <file-len> <mime-len> <name-len>\n" file mime name
//   answer:   "<status> <cut 0|1> <has-text 0|1> <text-len> <reason-len>
//              <cpu-us>\n" text reason
// status is a text_status name; the text (has-text 1) is at most the text
// cap, the reason at most max_reason_bytes. Anything else is out of
// protocol. The worker exits at the end of its stdin.
//
// Thread-safety: an extraction_worker is used by one thread at a time. It
// blocks up to the wall-clock limit: never on a CAF scheduler thread.

#include "common/child_process.hpp"
#include "extract/runner.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace jirasync::extract {

/// Longest reason a worker may send.
inline constexpr std::size_t max_reason_bytes = 4096;

/// Longest file path, MIME type or file name in a request.
inline constexpr std::size_t max_request_field_bytes = 4096;

/// The header and fields of one request.
std::string encode_request(const extract_request& req);

/// The sizes a request header announces.
struct request_header {
  std::size_t file = 0;
  std::size_t mime = 0;
  std::size_t name = 0;
};

/// Parses "extract <file-len> <mime-len> <name-len>"; nullopt for anything
/// else, or a field over max_request_field_bytes.
std::optional<request_header> parse_request_header(std::string_view line);

/// What an answer header announces.
struct answer_header {
  text_status status = text_status::failed;
  bool cut = false;
  bool has_text = false;
  std::size_t text = 0;
  std::size_t reason = 0;
  std::uint64_t cpu_us = 0;
};

/// The header and body of one answer (the text, when any, then the reason).
std::string encode_answer(const answer_header& h, std::string_view text,
                          std::string_view reason);

/// Parses an answer header; nullopt for anything else, a reason over
/// max_reason_bytes, or a text length without has-text. (The text's cap is
/// the caller's to check: over it, the worker broke its limits.)
std::optional<answer_header> parse_answer_header(std::string_view line);

/// The worker's command line (argv, the program first).
std::vector<std::string> worker_argv(const runner_options& opts);

/// The caller's side: one worker process, started when needed.
class extraction_worker {
public:
  /// Files one worker process extracts before it is replaced (memory the
  /// format libraries keep does not pile up). Default: 256.
  explicit extraction_worker(runner_options opts, std::size_t max_jobs = 256);
  ~extraction_worker();
  extraction_worker(const extraction_worker&) = delete;
  extraction_worker& operator=(const extraction_worker&) = delete;

  /// The text of one file. Never throws for anything the file or the
  /// worker does; starts a worker when none runs. A worker that dies on a
  /// file after serving others is replaced and the file tried once more:
  /// only a fresh process's end is the file's own.
  extraction extract(const extract_request& req);

  /// The running worker's pid, if one runs (for tests and diagnostics).
  std::optional<int> pid() const;

  /// Worker processes started so far.
  std::uint64_t starts() const {
    return starts_;
  }

  /// Ends the worker (end of its input, then SIGKILL after `grace`).
  void stop(std::chrono::milliseconds grace = std::chrono::seconds(1));

private:
  common::result<void> start();
  extraction once(const extract_request& req);
  /// The worker stopped answering (its output ended or broke): how it ended.
  extraction ended();
  /// The file's wall-clock limit passed: the worker is killed.
  extraction timed_out();

  runner_options opts_;
  std::size_t max_jobs_;
  std::optional<common::child_process> child_;
  std::size_t jobs_ = 0;
  std::uint64_t starts_ = 0;
  bool died_after_reuse_ = false;
};

/// The worker's side (`jirasync extract --worker`): applies `limits`
/// (rlimits) to itself, then answers requests from stdin on stdout until
/// stdin ends. Returns the process exit code: 0 at the end of stdin, 2 for
/// a request out of protocol or limits that cannot be applied.
int serve_extractions(const runner_limits& limits);

} // namespace jirasync::extract
