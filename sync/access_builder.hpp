#pragma once
// Project access (step 4): which grants of a permission scheme decide who
// may see a project's issues.
//
// Thread-safety: pure functions.

#include "protocol/jira/jira_models.hpp"

#include <vector>

namespace jirasync::sync {

/// The holders of the scheme's BROWSE_PROJECTS grants (the permission that
/// makes a project's issues visible); every other grant is dropped.
std::vector<protocol::permission_holder>
browse_holders(protocol::permission_scheme scheme);

} // namespace jirasync::sync
