#pragma once
// Atlassian OAuth 2.0 (3LO) on the wire: the authorize URL, the callback's
// query, the token requests (authorization_code and refresh_token grants),
// the classification of the token endpoint's answers, the accessible
// resources and the choice of the cloudId that matches `jira.site`, and the
// API target of OAuth mode ({api_gateway}/ex/jira/{cloudId}/rest/api/3 with
// a Bearer token). Pure functions apart from make_oauth_state() (OpenSSL's
// CSPRNG); no I/O.
//
// Secrets: requests built here carry the client secret, the code or a token
// in their body or Authorization header; never log a request. Error messages
// built here never contain a secret, a code or a token.
//
// Thread-safety: reentrant functions over plain values.

#include "common/error.hpp"
#include "protocol/http/http_client.hpp"
#include "protocol/jira/jira_api.hpp"
#include "protocol/jira/jira_models.hpp"

#include <boost/system/result.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace jirasync::protocol {

/// One scope jirasync asks for and why (docs/authentication.md shows the
/// same table to users).
struct oauth_scope {
  std::string_view name;
  std::string_view why;
};

/// The scopes of the authorize URL, in order. Classic Jira scopes only: the
/// Jira OpenAPI spec lists a classic scope as the current requirement of
/// every endpoint the sync calls, so no granular scope is needed.
const std::vector<oauth_scope>& oauth_scopes();

/// oauth_scopes() joined with spaces.
std::string oauth_scope_string();

/// The scopes of oauth_scopes() missing from a granted, space-separated
/// scope list (the token response's `scope`). Empty `granted` means the
/// server did not say: nothing is reported missing then.
std::vector<std::string> missing_oauth_scopes(std::string_view granted);

/// Everything the OAuth requests need from the config.
struct oauth_client {
  /// Authorize + token host, no trailing slash. e.g.
  /// "https://auth.atlassian.com".
  std::string auth_url;
  /// accessible-resources and /ex/jira host, no trailing slash. e.g.
  /// "https://api.atlassian.com".
  std::string api_gateway;
  std::string client_id;
  /// Never log it.
  std::string client_secret;
  /// Exactly as registered in the developer console.
  std::string redirect_uri;
};

/// A fresh `state`: 32 bytes from OpenSSL's CSPRNG (RAND_bytes), base64url
/// without padding (43 characters). errc::internal when the CSPRNG fails.
common::result<std::string> make_oauth_state();

/// {auth_url}/authorize?audience=api.atlassian.com&client_id=...&scope=...
/// &redirect_uri=...&state=...&response_type=code&prompt=consent, every
/// value %-encoded.
std::string oauth_authorize_url(const oauth_client& client,
                                std::string_view state);

/// Equality in time independent of where the strings differ.
bool oauth_state_matches(std::string_view expected, std::string_view got);

/// The query of the redirect to redirect_uri.
struct oauth_callback {
  std::optional<std::string> code;
  std::optional<std::string> state;
  /// e.g. "access_denied" when the user declined (RFC 6749 4.1.2.1).
  std::optional<std::string> error;
  std::optional<std::string> error_description;
};

/// Decodes the callback's query string.
oauth_callback parse_oauth_callback(std::string_view query);

/// The code of a callback whose state matches `expected_state`, or why not:
/// errc::permission_denied for an authorization error sent back (the user
/// declined, the app is not allowed, ...), errc::invalid_input for a missing
/// or mismatching state or a missing code. Messages never quote the code or
/// the states.
common::result<std::string>
check_oauth_callback(const oauth_callback& cb, std::string_view expected_state);

/// POST {auth_url}/oauth/token, JSON body, authorization_code grant.
http_request oauth_code_request(const oauth_client& client,
                                std::string_view code);

/// POST {auth_url}/oauth/token, JSON body, refresh_token grant.
http_request oauth_refresh_request(const oauth_client& client,
                                   std::string_view refresh_token);

/// GET {api_gateway}/oauth/token/accessible-resources with the Bearer token.
http_request accessible_resources_request(const oauth_client& client,
                                          std::string_view access_token);

/// "{api_gateway}/ex/jira/{cloudId}/rest/api/3".
std::string oauth_api_base(std::string_view api_gateway,
                           std::string_view cloud_id);

/// OAuth mode's api_target: oauth_api_base() and "Bearer <access token>".
api_target make_oauth_target(std::string_view api_gateway,
                             std::string_view cloud_id,
                             std::string_view access_token);

/// Which grant a token response answers (the wording of errors differs).
enum class oauth_grant { authorization_code, refresh_token };

/// Why the token endpoint gave no token, for deciding what to do next.
enum class oauth_failure {
  /// 401/403 access_denied, invalid_client, unauthorized_client: wrong
  /// client_id or client secret, or the app is disabled. Retrying with the
  /// same configuration cannot help.
  invalid_client = 1,
  /// invalid_grant: for a code, expired, used or issued for another
  /// redirect_uri; for a refresh token, expired, revoked or reused after
  /// rotation (the whole token family is then revoked): re-authenticate.
  invalid_grant,
  /// Any other refusal (4xx): invalid_request, invalid_scope, ...
  rejected,
  /// 408, 429, 5xx or a transport error: try again later.
  transient,
  /// 2xx whose body holds no usable access token.
  malformed,
};

/// "invalid_client", ... (the enumerator's name).
std::string_view to_string(oauth_failure f);

struct oauth_token_error {
  oauth_failure kind = oauth_failure::transient;
  /// 0 for a transport error.
  int http_status = 0;
  /// The `error` field of the answer, when there was one.
  std::string oauth_error;
  /// One line for the user: what failed, Atlassian's words, what to do.
  /// Never contains the secret, the code or a token.
  std::string message;
};

using oauth_token_result
  = boost::system::result<oauth_token_response, oauth_token_error>;

/// Classifies the token endpoint's answer to `grant`.
oauth_token_result classify_token_response(const http_result& result,
                                           oauth_grant grant);

/// Lower-case scheme and host, the scheme's default port dropped, no
/// trailing slash, no query or fragment: "HTTPS://Acme.atlassian.net:443/"
/// -> "https://acme.atlassian.net". Unparsable input comes back trimmed of
/// trailing slashes only.
std::string normalize_site_url(std::string_view url);

/// The accessible resource whose url matches `site` (both normalized).
/// errc::not_found when none matches (the message lists every site the
/// login can access, or says there is none); errc::invalid_input when
/// several do (listed with their cloud ids).
common::result<accessible_resource>
choose_site(const std::vector<accessible_resource>& resources,
            std::string_view site);

} // namespace jirasync::protocol
