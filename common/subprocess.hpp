#pragma once
// Runs a program as a child process and waits for it, bounded in every
// direction: the argv is executed directly (no shell), the child gets
// /dev/null as stdin, its stdout and stderr are captured up to byte caps, it
// may be given resource limits (setrlimit in the child before exec) and an
// environment, and it is killed (SIGKILL, its whole process group) and
// reaped when the deadline passes. Every descriptor but 0, 1, 2 is closed in
// the child; signal dispositions and the signal mask are reset to defaults.
// The call never blocks past the deadline plus the time the kernel takes to
// deliver SIGKILL.
//
// Why not Boost.Process (v1, header-only in Boost 1.81): capturing two pipes
// with caps and a deadline needs its async_pipe, i.e. Asio in every user's
// translation unit; rlimits need custom initializers anyway; and its
// wait_for() has open bugs (boostorg/process#69, #204, #217). Linux: pidfd
// when available, else a short polling interval.
//
// Thread-safety: `run_subprocess` may be called from several threads at
// once (fork/exec in the child uses only async-signal-safe calls). It must
// not be called from a CAF scheduler thread: it blocks up to the deadline.

#include "common/error.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace jirasync::common {

/// One resource limit applied in the child before exec (setrlimit(2)).
struct subprocess_rlimit {
  /// RLIMIT_CPU, RLIMIT_AS, RLIMIT_FSIZE, RLIMIT_NOFILE, RLIMIT_CORE, ...
  int resource = 0;
  /// The soft limit (for RLIMIT_CPU: seconds until SIGXCPU).
  std::uint64_t soft = 0;
  /// The hard limit (for RLIMIT_CPU: seconds until SIGKILL).
  std::uint64_t hard = 0;
};

/// How to run the child.
struct subprocess_options {
  /// Program and arguments; argv[0] is the program: a path, or a bare name
  /// looked up in $PATH (in the parent, before fork). Required.
  std::vector<std::string> argv;
  /// Variables ("NAME=value") set in the child's environment, replacing any
  /// inherited variable of the same name. Default: none.
  std::vector<std::string> env;
  /// Whether the child starts from this process's environment (true) or
  /// from `env` alone (false). Default: true.
  bool inherit_env = true;
  /// Limits applied in the child before exec. Default: none.
  std::vector<subprocess_rlimit> rlimits;
  /// Wall-clock time after which the child (and its process group) is
  /// killed with SIGKILL and the run reported as timed out. Must be
  /// positive. Default: 60 s.
  std::chrono::milliseconds timeout{60'000};
  /// Bytes of stdout kept; the rest is counted and dropped. Default: 1 MiB.
  std::size_t max_stdout_bytes = 1 << 20;
  /// Bytes of stderr kept; the rest is counted and dropped. Default: 64 KiB.
  std::size_t max_stderr_bytes = 64 << 10;
  /// Kill the child as soon as stdout exceeds `max_stdout_bytes` (true), or
  /// keep reading and dropping until it exits (false). Default: false.
  bool kill_on_stdout_overflow = false;
};

/// How the child ended and what it wrote.
struct subprocess_result {
  /// The exit status when the child exited normally.
  std::optional<int> exit_code;
  /// The signal that ended the child (SIGKILL after a timeout or an
  /// overflow kill, SIGSEGV for a crash, SIGXCPU at the CPU limit, ...).
  std::optional<int> term_signal;
  /// The deadline passed and the child was killed.
  bool timed_out = false;
  /// stdout exceeded its cap and the child was killed for it
  /// (`kill_on_stdout_overflow`).
  bool killed_for_output = false;
  /// The first `max_stdout_bytes` / `max_stderr_bytes` bytes written.
  std::string out;
  std::string err;
  /// Bytes written in total (also counting those dropped past the caps).
  std::uint64_t out_total = 0;
  std::uint64_t err_total = 0;
  /// CPU time (user + system) the child used, from wait4(2).
  std::chrono::microseconds cpu_time{0};

  bool out_truncated() const {
    return out_total > out.size();
  }
  bool err_truncated() const {
    return err_total > err.size();
  }
  /// Exited normally with status 0.
  bool succeeded() const {
    return exit_code && *exit_code == 0;
  }
  /// "exit code 3", "killed by signal 11 (SIGSEGV)", "timed out after the
  /// deadline (killed)": for diagnostics.
  std::string describe() const;
};

/// Runs the child to completion (or to the deadline). An error only when it
/// could not be started: errc::invalid_argument (empty argv, non-positive
/// timeout), errc::not_found (the program does not exist or is not in
/// $PATH), errc::io_error (pipe/fork/exec failed, with errno's text). How
/// the child itself ended is in the result, never an error.
result<subprocess_result> run_subprocess(const subprocess_options& opts);

/// "SIGSEGV" for 11, "SIGKILL" for 9, ... ("signal N" when unknown).
std::string signal_name(int sig);

} // namespace jirasync::common
