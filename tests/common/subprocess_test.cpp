#include "common/subprocess.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include <fcntl.h>
#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

using namespace jirasync::common;

namespace {

subprocess_options sh(std::string script) {
  subprocess_options o;
  o.argv = {"/bin/sh", "-c", std::move(script)};
  o.timeout = std::chrono::seconds(60);
  return o;
}

subprocess_result run_ok(const subprocess_options& o) {
  auto r = run_subprocess(o);
  REQUIRE(r.has_value());
  return *r;
}

/// Whether `pid` still runs (neither gone nor a zombie), polled for up to
/// 5 s: the init process of the machine reaps orphans on its own schedule.
bool still_running(pid_t pid) {
  for (int i = 0; i < 100; ++i) {
    std::ifstream stat{"/proc/" + std::to_string(pid) + "/stat"};
    std::string line;
    if (!std::getline(stat, line))
      return false;
    auto close = line.rfind(')');
    if (close != std::string::npos && close + 2 < line.size()
        && line[close + 2] == 'Z')
      return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

} // namespace

TEST_CASE("subprocess: exit code and both streams, separately",
          "[common][subprocess]") {
  auto r = run_ok(sh("printf 'to out'; printf 'to err' >&2; exit 7"));
  CHECK(r.exit_code == 7);
  CHECK_FALSE(r.term_signal);
  CHECK_FALSE(r.timed_out);
  CHECK_FALSE(r.succeeded());
  CHECK(r.out == "to out");
  CHECK(r.err == "to err");
  CHECK(r.describe() == "exit code 7");

  auto ok = run_ok(sh("echo fine"));
  CHECK(ok.succeeded());
  CHECK(ok.out == "fine\n");
  CHECK(ok.err.empty());
}

TEST_CASE("subprocess: argv is passed as is, never through a shell",
          "[common][subprocess]") {
  subprocess_options o;
  o.argv = {"printf", "%s|", "a b", "$HOME", "; echo no", "*"};
  auto r = run_ok(o);
  CHECK(r.out == "a b|$HOME|; echo no|*|");
}

TEST_CASE("subprocess: a crashing child is reported with its signal",
          "[common][subprocess]") {
  auto r = run_ok(sh("kill -SEGV $$"));
  CHECK_FALSE(r.exit_code);
  CHECK(r.term_signal == SIGSEGV);
  CHECK_FALSE(r.timed_out);
  CHECK(r.describe() == "killed by signal 11 (SIGSEGV)");

  auto a = run_ok(sh("kill -ABRT $$"));
  CHECK(a.term_signal == SIGABRT);
}

TEST_CASE("subprocess: a child that sleeps is killed at the deadline",
          "[common][subprocess]") {
  subprocess_options o;
  o.argv = {"sleep", "30"};
  o.timeout = std::chrono::milliseconds(300);
  auto t0 = std::chrono::steady_clock::now();
  auto r = run_ok(o);
  auto took = std::chrono::steady_clock::now() - t0;
  CHECK(r.timed_out);
  CHECK(r.term_signal == SIGKILL);
  CHECK_FALSE(r.exit_code);
  CHECK(r.describe() == "timed out (killed at the deadline)");
  // Not a timing assertion: had it not been killed, sleep would have run
  // its 30 s out.
  CHECK(took < std::chrono::seconds(30));
}

TEST_CASE("subprocess: the deadline kill reaches the child's own children",
          "[common][subprocess]") {
  auto o = sh("sleep 30 & echo $!; wait");
  o.timeout = std::chrono::milliseconds(500);
  auto r = run_ok(o);
  CHECK(r.timed_out);
  REQUIRE_FALSE(r.out.empty());
  pid_t grandchild = std::stoi(r.out);
  CHECK_FALSE(still_running(grandchild));
}

TEST_CASE("subprocess: returns when the child exits even if a descendant "
          "keeps its stdout open",
          "[common][subprocess]") {
  auto o = sh("sleep 30 & echo $!");
  auto t0 = std::chrono::steady_clock::now();
  auto r = run_ok(o);
  auto took = std::chrono::steady_clock::now() - t0;
  CHECK(r.exit_code == 0);
  CHECK_FALSE(r.timed_out);
  REQUIRE_FALSE(r.out.empty());
  CHECK(took < std::chrono::seconds(30)); // did not wait for the sleep
  // What the child left behind in its process group was killed.
  CHECK_FALSE(still_running(std::stoi(r.out)));
}

TEST_CASE("subprocess: output beyond the caps is counted and dropped",
          "[common][subprocess]") {
  auto o = sh("head -c 100000 /dev/zero; head -c 5000 /dev/zero >&2");
  o.max_stdout_bytes = 1000;
  o.max_stderr_bytes = 10;
  auto r = run_ok(o);
  CHECK(r.exit_code == 0);
  CHECK(r.out.size() == 1000);
  CHECK(r.out_total == 100000);
  CHECK(r.out_truncated());
  CHECK(r.err.size() == 10);
  CHECK(r.err_total == 5000);
  CHECK(r.err_truncated());
  CHECK_FALSE(r.killed_for_output);
}

TEST_CASE("subprocess: large output on both streams does not deadlock",
          "[common][subprocess]") {
  auto o = sh("head -c 300000 /dev/zero >&2; head -c 700000 /dev/zero");
  auto r = run_ok(o);
  CHECK(r.exit_code == 0);
  CHECK(r.err_total == 300000);
  CHECK(r.out_total == 700000);
  CHECK(r.out.size() == 700000);
  CHECK(r.err.size() == 64 * 1024); // the default stderr cap
}

TEST_CASE("subprocess: kill_on_stdout_overflow stops an endless writer",
          "[common][subprocess]") {
  subprocess_options o;
  o.argv = {"yes"};
  o.max_stdout_bytes = 4096;
  o.kill_on_stdout_overflow = true;
  o.timeout = std::chrono::seconds(60);
  auto r = run_ok(o);
  CHECK(r.killed_for_output);
  CHECK_FALSE(r.timed_out);
  CHECK(r.term_signal == SIGKILL);
  CHECK(r.out.size() == 4096);
  CHECK(r.out.substr(0, 4) == "y\ny\n");
  CHECK(r.out_total > 4096);
}

TEST_CASE("subprocess: rlimits are applied in the child",
          "[common][subprocess]") {
  auto o = sh("ulimit -t; ulimit -v; ulimit -c; ulimit -n");
  o.rlimits = {{RLIMIT_CPU, 7, 8},
               {RLIMIT_AS, 256ull << 20, 256ull << 20},
               {RLIMIT_CORE, 0, 0},
               {RLIMIT_NOFILE, 32, 32}};
  auto r = run_ok(o);
  CHECK(r.exit_code == 0);
  CHECK(r.out == "7\n262144\n0\n32\n");
}

TEST_CASE("subprocess: the CPU limit stops a busy child with SIGXCPU",
          "[common][subprocess]") {
  auto o = sh("while :; do :; done");
  o.rlimits = {{RLIMIT_CPU, 1, 2}};
  auto r = run_ok(o);
  CHECK(r.term_signal == SIGXCPU);
  CHECK_FALSE(r.timed_out);
  // It ran until the limit. The kernel checks RLIMIT_CPU against its tick
  // accounting while rusage sums precise times, so the figure reported can
  // be well under 1 s on a busy machine (876 ms seen): only a clear lower
  // bound is checked.
  CHECK(r.cpu_time >= std::chrono::milliseconds(500));
}

TEST_CASE("subprocess: the address-space limit makes allocation fail",
          "[common][subprocess]") {
  // dd's buffer of 512 MiB cannot be had under a 64 MiB address space.
  subprocess_options o;
  o.argv = {"dd", "if=/dev/zero", "of=/dev/null", "bs=512M", "count=1"};
  o.rlimits = {{RLIMIT_AS, 64ull << 20, 64ull << 20}};
  auto r = run_ok(o);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("memory") != std::string::npos);
  o.rlimits.clear();
  o.argv.back() = "count=0"; // the same command is fine without the limit
  CHECK(run_ok(o).exit_code == 0);
}

TEST_CASE("subprocess: environment replaced, extended or overridden",
          "[common][subprocess]") {
  subprocess_options o;
  o.argv = {"/usr/bin/env"};
  o.inherit_env = false;
  o.env = {"ONLY=this", "AND=that"};
  CHECK(run_ok(o).out == "ONLY=this\nAND=that\n");

  ::setenv("JIRASYNC_SUBPROCESS_TEST", "parent", 1);
  auto s = sh("echo \"$JIRASYNC_SUBPROCESS_TEST/$EXTRA\"");
  CHECK(run_ok(s).out == "parent/\n");
  s.env = {"JIRASYNC_SUBPROCESS_TEST=child", "EXTRA=x"};
  CHECK(run_ok(s).out == "child/x\n");
  ::unsetenv("JIRASYNC_SUBPROCESS_TEST");
}

TEST_CASE("subprocess: inherited descriptors are closed, stdin is empty",
          "[common][subprocess]") {
  // Opened without O_CLOEXEC, as careless code elsewhere in the process
  // might.
  int fd = ::open("/dev/null", O_RDONLY);
  REQUIRE(fd >= 3);
  auto fd_s = std::to_string(fd);
  auto r = run_ok(sh("if [ -e /proc/self/fd/" + fd_s
                     + " ]; then echo open; else echo closed; fi; cat; "
                       "echo end"));
  ::close(fd);
  CHECK(r.out == "closed\nend\n");
}

TEST_CASE("subprocess: a blocked signal mask and ignored signals are not "
          "inherited",
          "[common][subprocess]") {
  sigset_t term, old;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  REQUIRE(::pthread_sigmask(SIG_BLOCK, &term, &old) == 0);
  auto old_pipe = std::signal(SIGPIPE, SIG_IGN);
  auto r = run_ok(sh("kill -TERM $$; echo survived"));
  auto p = run_ok(sh("kill -PIPE $$; echo survived"));
  std::signal(SIGPIPE, old_pipe);
  ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
  CHECK(r.term_signal == SIGTERM);
  CHECK(r.out.empty());
  CHECK(p.term_signal == SIGPIPE);
}

TEST_CASE("subprocess: start failures are errors, not results",
          "[common][subprocess]") {
  subprocess_options o;
  o.argv = {"/nonexistent/program"};
  auto r = run_subprocess(o);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == errc::not_found);
  CHECK(r.error().message.find("/nonexistent/program") != std::string::npos);

  o.argv = {"jirasync-no-such-program-in-path"};
  r = run_subprocess(o);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == errc::not_found);

  auto plain = std::filesystem::temp_directory_path()
               / ("jirasync-subprocess-" + std::to_string(::getpid()));
  std::ofstream{plain} << "not a program\n";
  std::filesystem::permissions(plain, std::filesystem::perms::owner_read
                                        | std::filesystem::perms::owner_write);
  o.argv = {plain.string()}; // exists, not executable
  r = run_subprocess(o);
  std::filesystem::remove(plain);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == errc::io_error);
  CHECK(r.error().message.find("Permission denied") != std::string::npos);

  o.argv.clear();
  CHECK(run_subprocess(o).error().code == errc::invalid_argument);
  o.argv = {"true"};
  o.timeout = std::chrono::milliseconds(0);
  CHECK(run_subprocess(o).error().code == errc::invalid_argument);
}

TEST_CASE("subprocess: an impossible rlimit fails the start",
          "[common][subprocess]") {
  subprocess_options o;
  o.argv = {"true"};
  o.rlimits = {{RLIMIT_NOFILE, 10, 5}}; // soft above hard: EINVAL
  auto r = run_subprocess(o);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == errc::io_error);
  CHECK(r.error().message.find("Invalid argument") != std::string::npos);
}

TEST_CASE("subprocess: signal names", "[common][subprocess]") {
  CHECK(signal_name(SIGKILL) == "SIGKILL");
  CHECK(signal_name(SIGXCPU) == "SIGXCPU");
  CHECK(signal_name(63) == "signal 63");
}
