#include "common/child_process.hpp"

#include "test_util/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <csignal>
#include <fstream>
#include <sstream>

#include <pthread.h>
#include <unistd.h>

using namespace jirasync::common;
using namespace std::chrono_literals;

namespace {

child_process start_sh(const std::string& script,
                       child_output out = child_output::pipe) {
  child_spec spec;
  spec.argv = {"/bin/sh", "-c", script};
  spec.out = out;
  spec.err = child_output::discard;
  auto c = child_process::start(spec);
  REQUIRE(c.has_value());
  return std::move(*c);
}

} // namespace

TEST_CASE("child_process reads lines and reports the exit status",
          "[common][child_process]") {
  auto c = start_sh("printf 'one\\ntw'; printf 'o\\nthree\\n'; exit 7");
  auto l1 = c.read_line(10s);
  REQUIRE(l1.has_value());
  CHECK(*l1 == "one");
  auto l2 = c.read_line(10s);
  REQUIRE(l2.has_value());
  CHECK(*l2 == "two"); // a line written in two pieces comes back whole
  CHECK(c.read_line(10s).value() == "three");
  auto end = c.read_line(10s); // stdout closed
  REQUIRE_FALSE(end.has_value());
  CHECK(end.error().code == errc::not_found);
  CHECK(c.wait_exit(10s) == 7);
  CHECK(c.exited());
  CHECK_FALSE(c.signal(SIGTERM)); // nothing to signal any more
}

TEST_CASE("child_process waits are bounded and stop ends the child",
          "[common][child_process]") {
  auto c = start_sh("exec sleep 60");
  auto line = c.read_line(50ms);
  REQUIRE_FALSE(line.has_value());
  CHECK(line.error().code == errc::timeout);
  CHECK_FALSE(c.wait_exit(20ms).has_value());
  CHECK_FALSE(c.exited());
  CHECK(c.stop(10s) == 128 + SIGTERM);
  CHECK(c.exited());
}

TEST_CASE("child_process escalates to SIGKILL when SIGTERM is ignored",
          "[common][child_process]") {
  auto c = start_sh("trap '' TERM; echo armed; while :; do sleep 1; done");
  REQUIRE(c.read_line(10s).value() == "armed");
  CHECK(c.stop(100ms) == 128 + SIGKILL);
}

TEST_CASE("child_process writes output files and refuses bad specs",
          "[common][child_process]") {
  jirasync::test::temp_dir dir;
  child_spec spec;
  spec.argv = {"/bin/sh", "-c", "echo out; echo err >&2"};
  spec.out = child_output::file;
  spec.out_file = dir.path() / "out.txt";
  spec.err = child_output::file;
  spec.err_file = dir.path() / "err.txt";
  auto c = child_process::start(spec);
  REQUIRE(c.has_value());
  REQUIRE(c->wait_exit(10s) == 0);
  std::ifstream o{spec.out_file}, e{spec.err_file};
  std::stringstream os, es;
  os << o.rdbuf();
  es << e.rdbuf();
  CHECK(os.str() == "out\n");
  CHECK(es.str() == "err\n");

  child_spec missing;
  missing.argv = {(dir.path() / "no-such-program").string()};
  auto m = child_process::start(missing);
  REQUIRE_FALSE(m.has_value());
  CHECK(m.error().code == errc::not_found);

  child_spec piped_err;
  piped_err.argv = {"/bin/true"};
  piped_err.err = child_output::pipe;
  CHECK(child_process::start(piped_err).error().code == errc::invalid_argument);
  CHECK(child_process::start(child_spec{}).error().code
        == errc::invalid_argument);

  auto no_pipe = start_sh("true", child_output::discard);
  CHECK(no_pipe.read_line(1s).error().code == errc::invalid_argument);
}

TEST_CASE("child_process pipes stdin, reads exact sizes, adds to the "
          "environment",
          "[common][child_process]") {
  child_spec spec;
  spec.argv = {"/bin/sh", "-c",
               "read l; printf '%s|%s|%s' \"$l\" \"$JS_A\" \"$HOME\"; cat"};
  spec.in = child_input::pipe;
  spec.out = child_output::pipe;
  spec.err = child_output::discard;
  spec.env = {"JS_A=one", "HOME=/replaced"};
  auto c = child_process::start(spec);
  REQUIRE(c.has_value());
  REQUIRE(c->write_all("hello\nrest", 10s).has_value());
  CHECK(c->read_exact(23, 10s).value()
        == "hello|one|/replaced"
           "rest");
  c->close_input(); // cat sees the end of its input and the child exits
  CHECK(c->wait_exit(10s) == 0);
  auto more = c->read_exact(1, 1s);
  REQUIRE_FALSE(more.has_value());
  CHECK(more.error().code == errc::not_found);
}

TEST_CASE("child_process: writing to a child that has ended is an error, "
          "never a SIGPIPE for the caller",
          "[common][child_process]") {
  child_spec spec;
  spec.argv = {"/bin/true"};
  spec.in = child_input::pipe;
  auto c = child_process::start(spec);
  REQUIRE(c.has_value());
  REQUIRE(c->wait_exit(10s) == 0);
  // Larger than a pipe's buffer. Had SIGPIPE reached this process (its
  // default action ends it), the test binary would have died here.
  auto w = c->write_all(std::string(1 << 20, 'x'), 10s);
  REQUIRE_FALSE(w.has_value());
  CHECK(w.error().code == errc::not_found);
  CHECK(c->write_all("x", 1s).error().code == errc::not_found);
}

TEST_CASE("child_process: the child starts with default signals, in its "
          "own process group when asked",
          "[common][child_process]") {
  // This thread blocks SIGTERM (as a service's threads do): the child
  // must not inherit that, or `stop` could only end it with SIGKILL.
  sigset_t term, old;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &term, &old);
  child_spec spec;
  spec.argv = {"/bin/sleep", "30"};
  spec.own_process_group = true;
  auto c = child_process::start(spec);
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  REQUIRE(c.has_value());
  CHECK(::getpgid(c->pid()) == c->pid());
  CHECK(::getpgid(0) != c->pid());
  CHECK(c->stop(10s) == 128 + SIGTERM);
  CHECK(signal_name(SIGKILL) == "SIGKILL");
  CHECK(signal_name(SIGXCPU) == "SIGXCPU");
  CHECK(signal_name(63) == "signal 63");
}
