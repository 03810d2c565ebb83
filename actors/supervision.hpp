#pragma once
// The supervision helpers every actor of the pipeline uses: exceptions
// become errors that end the actor (its supervisor sees them in a down
// message), and CAF errors become readable lines and common::error values.
//
// Thread-safety: free functions; call fail_on_exception from the actor's
// own initialisation.

#include "common/error.hpp"

#include <caf/error.hpp>
#include <caf/fwd.hpp>

#include <chrono>
#include <string>
#include <string_view>

namespace jirasync::actors {

/// Makes any exception escaping a handler of `self` end the actor with the
/// error "<name>: exception: <what>" (CAF's default prints to stdout and
/// ends it with a bare runtime_error). The coordinator, which monitors its
/// children, fails the run with that reason.
void fail_on_exception(caf::scheduled_actor* self);

/// One line for a CAF error: the text it carries ("users_actor: exception:
/// bad_alloc"), else its code ("request_timeout", "normal").
std::string describe(const caf::error& err);

/// A request that ended in a caf::error, as the pipeline's error: `what`
/// names the request ("store write", "permit"); code timeout for
/// request_timeout, internal otherwise.
common::error request_failed(std::string_view what, const caf::error& err);

/// True for a request_failed() whose answering actor had stopped: a
/// consequence whose cause (that actor's exit reason) the monitor of that
/// actor learns from its down message, in either order.
bool answerer_stopped(const common::error& e);

/// A timeout for messages: "24 h", "90 min", "30 s", "250 ms" (the
/// largest unit that divides it).
std::string describe(std::chrono::milliseconds d);

/// `e` with "<what>: " in front of its message (which step it failed in).
common::error prefixed(std::string_view what, common::error e);

} // namespace jirasync::actors
