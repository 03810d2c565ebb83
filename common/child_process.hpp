#pragma once
// A child process that runs alongside the caller (a jira-sim for the demo and
// the tests, a `jirasync` under test, a long-lived `jirasync extract
// --worker`): started with posix_spawn (no copy of the caller's page tables,
// however large the caller), its stdout and stderr inherited, sent to a file
// or (stdout only) piped back, its stdin inherited or a pipe the caller
// writes; every wait on it is bounded; the destructor stops it (SIGTERM, then
// SIGKILL after a grace period) and reaps it, so no child outlives its owner
// or is left a zombie. The child starts with an empty signal mask and the
// default action for SIGINT, SIGTERM, SIGHUP, SIGQUIT and SIGPIPE, whatever
// the spawning thread had. For a child that runs to completion with captured
// output, caps and rlimits, use `run_subprocess` (subprocess.hpp) instead.
//
// Blocking: `read_line`, `read_exact`, `write_all`, `wait_exit` and `stop`
// block the calling thread up to their limit. Never call them from a CAF
// scheduler thread. One thread at a time per child_process.

#include "common/error.hpp"

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <sys/types.h>

namespace jirasync::common {

/// Where one of the child's output streams goes.
enum class child_output {
  inherit, ///< the caller's own stream
  file,    ///< a file (created or truncated, mode 0600)
  pipe,    ///< back to the caller, read with `read_line` (stdout only)
  discard, ///< /dev/null
};

/// Where the child's stdin comes from.
enum class child_input {
  inherit, ///< the caller's own stdin
  pipe,    ///< a pipe the caller writes with `write_all`
  null,    ///< /dev/null
};

/// What to start.
struct child_spec {
  /// Program and arguments; argv[0] is a path (no $PATH look-up). Required.
  std::vector<std::string> argv;
  child_output out = child_output::inherit;
  std::filesystem::path out_file; ///< with child_output::file
  child_output err = child_output::inherit;
  std::filesystem::path err_file; ///< with child_output::file
  child_input in = child_input::inherit;
  /// Variables ("NAME=value") set in the child's environment on top of the
  /// caller's, replacing a variable of the same name. Default: none.
  std::vector<std::string> env;
  /// The child leads a process group of its own, so that a terminal's
  /// Ctrl-C (sent to the foreground group) reaches the caller alone, which
  /// then stops the child in its own time. Default: false.
  bool own_process_group = false;
};

/// A running (or ended, not yet destroyed) child. Movable, not copyable.
class child_process {
public:
  /// Starts the child. Errors: errc::invalid_argument (empty argv, a pipe
  /// asked for stderr, a file mode without a file), errc::not_found (argv[0]
  /// does not exist), errc::io_error (the file, pipe or spawn failed).
  static result<child_process> start(const child_spec& spec);

  child_process(child_process&& other) noexcept;
  child_process& operator=(child_process&& other) noexcept;
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  /// Stops the child if it still runs (`stop()` with the default grace).
  ~child_process();

  pid_t pid() const {
    return pid_;
  }

  /// The next line the child wrote on its stdout (without the '\n'), waiting
  /// at most `limit`. Errors: errc::timeout (no complete line in time: the
  /// partial line is kept for the next call), errc::not_found (the child
  /// closed its stdout first), errc::invalid_argument (stdout not piped).
  result<std::string> read_line(std::chrono::milliseconds limit);

  /// Exactly `n` bytes of the child's stdout, waiting at most `limit`.
  /// Errors as `read_line` (on a timeout the bytes read so far are kept).
  result<std::string> read_exact(std::size_t n,
                                 std::chrono::milliseconds limit);

  /// Writes all of `data` to the child's stdin, waiting at most `limit` for
  /// the pipe to take it. Errors: errc::timeout, errc::not_found (the child
  /// closed its stdin or ended: EPIPE, never a SIGPIPE for the caller),
  /// errc::invalid_argument (stdin not piped), errc::io_error.
  result<void> write_all(std::string_view data,
                         std::chrono::milliseconds limit);

  /// Closes the child's stdin (it reads end of file); no-op if not piped.
  void close_input();

  /// The exit status (128 + signal number when a signal ended it), waiting at
  /// most `limit`; nullopt when it still runs then.
  std::optional<int> wait_exit(std::chrono::milliseconds limit);

  /// Whether the child has ended (reaps it when it has).
  bool exited();

  /// Sends `sig` to the child if it still runs; false when it has ended.
  bool signal(int sig);

  /// SIGTERM, up to `grace` for the child to exit, then SIGKILL; returns the
  /// exit status as `wait_exit` does.
  int stop(std::chrono::milliseconds grace = std::chrono::seconds(10));

private:
  child_process() = default;
  void release() noexcept;
  /// Reads what the child wrote next into pending_ (at least one byte).
  result<void> fill(std::chrono::steady_clock::time_point deadline,
                    std::chrono::milliseconds limit, const char* what);

  pid_t pid_ = -1;
  int out_fd_ = -1;           // read end of the stdout pipe
  int in_fd_ = -1;            // write end of the stdin pipe
  std::string pending_;       // bytes read past the last returned line
  std::optional<int> status_; // set once reaped
};

/// "SIGSEGV" for 11, "SIGKILL" for 9, ... ("signal N" when unknown).
std::string signal_name(int sig);

} // namespace jirasync::common
