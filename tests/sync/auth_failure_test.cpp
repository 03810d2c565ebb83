// The connect step's wording of refused credentials, per mode.
#include "sync/auth_failure.hpp"

#include <catch2/catch.hpp>

using namespace jirasync;
using common::errc;
using config::auth_method;

TEST_CASE("connect_failure: API-token mode names the likely causes", "[sync]") {
  auto e401 = sync::connect_failure(
    auth_method::api_token, "bot@acme.com",
    common::make_error(errc::unauthenticated,
                       "myself: HTTP 401 after 1 attempt(s)"));
  CHECK(e401.code == errc::unauthenticated);
  CHECK(e401.message
        == "authentication failed (HTTP 401): Jira refused jira.email = "
           "bot@acme.com with the API token: the token expired or was "
           "revoked, it belongs to another account, or the e-mail or the "
           "token is mistyped; create a new token at "
           "https://id.atlassian.com/manage-profile/security/api-tokens as "
           "that account and put it in jira.api_token_env or "
           "jira.api_token_file");
  auto e403 = sync::connect_failure(
    auth_method::api_token, "bot@acme.com",
    common::make_error(errc::permission_denied, "myself: HTTP 403"));
  CHECK(e403.code == errc::permission_denied);
  CHECK(e403.message.rfind("access denied (HTTP 403): Jira accepted the API "
                           "token of jira.email = bot@acme.com but refuses "
                           "it access: the account has no Jira access",
                           0)
        == 0);
  auto down = sync::connect_failure(
    auth_method::api_token, "bot@acme.com",
    common::make_error(errc::unavailable, "myself: connection refused"));
  CHECK(down.code == errc::unavailable);
  CHECK(down.message == "cannot reach Jira: myself: connection refused");
}

TEST_CASE("connect_failure: OAuth mode keeps the token session's reason",
          "[sync][oauth]") {
  auto reauth = common::make_error(
    errc::unauthenticated,
    "myself: the refresh token was refused (HTTP 403 invalid_grant: x); "
    "re-authenticate with `jirasync auth login`");
  CHECK(sync::connect_failure(auth_method::oauth, "", reauth) == reauth);
  auto e403 = sync::connect_failure(
    auth_method::oauth, "",
    common::make_error(errc::permission_denied, "myself: HTTP 403"));
  CHECK(e403.code == errc::permission_denied);
  CHECK(e403.message.find("the account that logged in has no Jira access on "
                          "this site, or the app lacks the scope "
                          "read:jira-user")
        != std::string::npos);
}
