#pragma once
// The CAF configuration of the actor tests that run real threads (the
// opposite of deterministic_fixture.hpp): two scheduler threads, CAF's own
// console logger off. One object for the whole test binary.

#include <caf/actor_system_config.hpp>
#include <caf/atom.hpp>

namespace jirasync::testing {

inline caf::actor_system_config& threaded_config() {
  static caf::actor_system_config cfg = [] {
    caf::actor_system_config c;
    c.set("scheduler.max-threads", 2);
    c.set("logger.console", caf::atom("none"));
    return c;
  }();
  return cfg;
}

} // namespace jirasync::testing
