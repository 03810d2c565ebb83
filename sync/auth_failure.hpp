#pragma once
// What a run says when Jira refuses its credentials at the first request
// (GET /myself): the likely causes for the user to check, per
// authentication mode. OAuth failures that the token session already
// explained (re-authentication required, client credentials rejected) are
// kept as they are.
//
// Thread-safety: pure functions.

#include "common/error.hpp"
#include "config/config.hpp"

#include <string_view>

namespace jirasync::sync {

/// The run's error for the connect step's failure `e` (an api_client
/// error: code from the HTTP status). 401 (unauthenticated) and 403
/// (permission_denied) get a message naming the likely causes: in API-token
/// mode an expired, revoked or mistyped token, a token of another account
/// than `email`, or an account without Jira access; in OAuth mode a login
/// whose account lost Jira access or whose app lacks a scope. Other errors
/// come back prefixed "cannot reach Jira: ". The code is kept.
common::error connect_failure(config::auth_method auth, std::string_view email,
                              const common::error& e);

} // namespace jirasync::sync
