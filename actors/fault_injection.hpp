#pragma once
// A test seam, compiled in always and unset in production (sync_env::fault
// and run_options::fault are empty by default): when set, every actor of a
// run asks it at the start of each message it handles what to do there -
// nothing, throw (as a bug, a throwing helper or bad_alloc would), or quit
// with an error. The supervision tests use it to prove that a run ends
// with a failed report naming the reason instead of hanging.
//
// Thread-safety: the hook is called from the actors' threads, concurrently:
// it must be thread-safe.

#include <caf/error.hpp>
#include <caf/fwd.hpp>

#include <functional>
#include <string_view>

namespace jirasync::actors {

enum class fault_kind {
  /// Handle the message normally.
  none,
  /// Throw std::runtime_error("injected fault in <actor>").
  raise,
  /// Quit at once with the error "injected quit of <actor>".
  quit,
};

/// Called with the actor's name ("users_actor", "store_writer", ...).
using fault_hook = std::function<fault_kind(std::string_view actor_name)>;

/// Asks `hook` (if set) on behalf of `self`. raise: throws. quit: makes
/// `self` quit with an error and returns it; the handler must return at
/// once (answering the error when it has a reply). none: returns an empty
/// error.
caf::error check_fault(caf::scheduled_actor* self, const fault_hook& hook);

} // namespace jirasync::actors
