#pragma once
// CAF's deterministic test scheduler (scheduler.policy = "testing") for
// Catch2: actors run on the test's thread only when run() is called, and
// time moves only when advance() says so - no wall clock, no sleeps, no
// flakiness under sanitizers. Use now_ms() as the injected clock of the
// actor under test so that its own idea of time is the test clock too.

#include <caf/all.hpp>
#include <caf/scheduler/test_coordinator.hpp>

#include <chrono>
#include <cstdint>

namespace jirasync::testing {

struct deterministic_config : caf::actor_system_config {
  deterministic_config() {
    set("scheduler.policy", caf::atom("testing"));
    set("logger.console", caf::atom("none"));
  }
};

class deterministic_fixture {
public:
  /// The test clock starts at this UTC instant (a realistic epoch value,
  /// so nothing confuses it with "unset").
  static constexpr std::int64_t start_ms = 1'700'000'000'000;

  deterministic_fixture()
      : sys_{cfg_}, sched_{dynamic_cast<caf::scheduler::test_coordinator&>(
                      sys_.scheduler())},
        self_{sys_} {
    sched_.clock().current_time
      = caf::actor_clock::time_point{std::chrono::milliseconds(start_ms)};
  }

  caf::actor_system& sys() {
    return sys_;
  }

  /// A blocking actor on the test's thread that can send and receive.
  caf::scoped_actor& self() {
    return self_;
  }

  /// Runs every actor until no message is left; returns the jobs run.
  std::size_t run() {
    return sched_.run();
  }

  /// Moves the test clock by `d`, fires what became due, runs.
  void advance(std::chrono::milliseconds d) {
    sched_.clock().advance_time(d);
    run();
  }

  /// The test clock as UTC milliseconds.
  std::int64_t now_ms() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
             sched_.clock().now().time_since_epoch())
      .count();
  }

private:
  deterministic_config cfg_;
  caf::actor_system sys_;
  caf::scheduler::test_coordinator& sched_;
  caf::scoped_actor self_;
};

} // namespace jirasync::testing
