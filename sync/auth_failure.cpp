#include "sync/auth_failure.hpp"

namespace jirasync::sync {

using common::errc;

common::error connect_failure(config::auth_method auth, std::string_view email,
                              const common::error& e) {
  std::string who = "jira.email = " + std::string(email);
  if (auth == config::auth_method::api_token) {
    if (e.code == errc::unauthenticated)
      return common::make_error(
        e.code,
        "authentication failed (HTTP 401): Jira refused " + who
          + " with the API token: the token expired or was revoked, it "
            "belongs to another account, or the e-mail or the token is "
            "mistyped; create a new token at "
            "https://id.atlassian.com/manage-profile/security/api-tokens as "
            "that account and put it in jira.api_token_env or "
            "jira.api_token_file");
    if (e.code == errc::permission_denied)
      return common::make_error(
        e.code,
        "access denied (HTTP 403): Jira accepted the API token of " + who
          + " but refuses it access: the account has no Jira access on this "
            "site (product access in admin.atlassian.com), or the "
            "organization blocks API tokens");
  } else {
    if (e.code == errc::unauthenticated)
      return e; // the token session said why and what to do
    if (e.code == errc::permission_denied)
      return common::make_error(
        e.code, "access denied (HTTP 403): Jira accepts the OAuth login but "
                "refuses it access: the account that logged in has no Jira "
                "access on this site, or the app lacks the scope "
                "read:jira-user (add it in the developer console and "
                "log in again)");
  }
  auto other = e;
  other.message = "cannot reach Jira: " + e.message;
  return other;
}

} // namespace jirasync::sync
