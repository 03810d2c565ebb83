// OAuth 2.0 (3LO) wire logic: authorize URL, state, callback checks, token
// requests and the classification of the token endpoint's answers, site
// choice. Error bodies are Atlassian's documented shapes
// ({"error","error_description"}, RFC 6749 section 5.2).
#include "protocol/jira/oauth.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <set>

using namespace jirasync;
using namespace jirasync::protocol;

namespace {

oauth_client client() {
  oauth_client c;
  c.auth_url = "https://auth.example.test/";
  c.api_gateway = "https://api.example.test";
  c.client_id = "cid 1";
  c.client_secret = "TOP-SECRET-VALUE";
  c.redirect_uri = "http://127.0.0.1:8765/callback";
  return c;
}

http_result answer(int status, std::string body) {
  http_result r;
  r.response = http_response{};
  r.response->status = status;
  r.response->body = std::move(body);
  return r;
}

} // namespace

TEST_CASE("oauth: the scopes asked for", "[jira][oauth]") {
  CHECK(oauth_scope_string()
        == "read:jira-work read:jira-user manage:jira-configuration read:me "
           "offline_access");
  for (const auto& s : oauth_scopes())
    CHECK_FALSE(s.why.empty());
  CHECK(
    missing_oauth_scopes("offline_access read:jira-work read:me")
    == std::vector<std::string>{"read:jira-user", "manage:jira-configuration"});
  CHECK(missing_oauth_scopes(oauth_scope_string()).empty());
  CHECK(missing_oauth_scopes("").empty()); // not said: nothing reported
}

TEST_CASE("oauth: state from the CSPRNG", "[jira][oauth]") {
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) {
    auto s = make_oauth_state();
    REQUIRE(s.has_value());
    CHECK(s->size() == 43);
    CHECK(s->find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrs"
                               "tuvwxyz0123456789-_")
          == std::string::npos);
    seen.insert(*s);
  }
  CHECK(seen.size() == 50);
  CHECK(oauth_state_matches("abc", "abc"));
  CHECK_FALSE(oauth_state_matches("abc", "abd"));
  CHECK_FALSE(oauth_state_matches("abc", "abcd"));
  CHECK_FALSE(oauth_state_matches("", ""));
}

TEST_CASE("oauth: authorize URL", "[jira][oauth]") {
  CHECK(oauth_authorize_url(client(), "st-1_x")
        == "https://auth.example.test/authorize?audience=api.atlassian.com"
           "&client_id=cid%201"
           "&scope=read%3Ajira-work%20read%3Ajira-user%20manage%3Ajira-"
           "configuration%20read%3Ame%20offline_access"
           "&redirect_uri=http%3A%2F%2F127.0.0.1%3A8765%2Fcallback"
           "&state=st-1_x&response_type=code&prompt=consent");
}

TEST_CASE("oauth: the callback is checked against the state", "[jira][oauth]") {
  const std::string st = "expected-state";
  SECTION("matching state: the code") {
    auto cb = parse_oauth_callback("code=the%2Fcode&state=expected-state");
    auto r = check_oauth_callback(cb, st);
    REQUIRE(r.has_value());
    CHECK(*r == "the/code");
  }
  SECTION("another state: refused without quoting anything") {
    auto cb = parse_oauth_callback("code=CODE123&state=forged-state");
    auto r = check_oauth_callback(cb, st);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == common::errc::invalid_input);
    CHECK(r.error().message.find("state does not match") != std::string::npos);
    CHECK(r.error().message.find("CODE123") == std::string::npos);
    CHECK(r.error().message.find("forged-state") == std::string::npos);
    CHECK(r.error().message.find(st) == std::string::npos);
  }
  SECTION("no state") {
    auto r = check_oauth_callback(parse_oauth_callback("code=c"), st);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == common::errc::invalid_input);
    CHECK(r.error().message.find("no state") != std::string::npos);
  }
  SECTION("the user declined") {
    auto cb = parse_oauth_callback("error=access_denied&error_description="
                                   "User+did+not+authorize+the+request"
                                   "&state=expected-state");
    auto r = check_oauth_callback(cb, st);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == common::errc::permission_denied);
    CHECK(r.error().message
          == "authorization failed: access_denied (User did not authorize the "
             "request): the consent page was declined, or the account may not "
             "authorize this app; sign in with an account that has Jira "
             "access, select the Jira site and accept");
  }
  SECTION("an error with a forged state is a state problem first") {
    auto r = check_oauth_callback(
      parse_oauth_callback("error=access_denied&state=other"), st);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == common::errc::invalid_input);
  }
  SECTION("neither code nor error") {
    auto r
      = check_oauth_callback(parse_oauth_callback("state=expected-state"), st);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().message == "the callback has neither a code nor an error");
  }
}

TEST_CASE("oauth: token, resources and API requests", "[jira][oauth]") {
  auto code = oauth_code_request(client(), "CODE");
  CHECK(code.method == "POST");
  CHECK(code.url == "https://auth.example.test/oauth/token");
  CHECK(code.max_redirects == 0);
  CHECK(find_header(code.headers, "content-type")
        == std::optional<std::string_view>{"application/json"});
  auto body = boost::json::parse(code.body).as_object();
  CHECK(
    body
    == boost::json::object{{"grant_type", "authorization_code"},
                           {"client_id", "cid 1"},
                           {"client_secret", "TOP-SECRET-VALUE"},
                           {"code", "CODE"},
                           {"redirect_uri", "http://127.0.0.1:8765/callback"}});
  auto refresh = oauth_refresh_request(client(), "RT");
  CHECK(refresh.url == "https://auth.example.test/oauth/token");
  CHECK(boost::json::parse(refresh.body).as_object()
        == boost::json::object{{"grant_type", "refresh_token"},
                               {"client_id", "cid 1"},
                               {"client_secret", "TOP-SECRET-VALUE"},
                               {"refresh_token", "RT"}});
  auto res = accessible_resources_request(client(), "AT");
  CHECK(res.method == "GET");
  CHECK(res.url == "https://api.example.test/oauth/token/accessible-resources");
  CHECK(find_header(res.headers, "authorization")
        == std::optional<std::string_view>{"Bearer AT"});
  CHECK(oauth_api_base("https://api.example.test/", "11-22")
        == "https://api.example.test/ex/jira/11-22/rest/api/3");
  auto t = make_oauth_target("https://api.example.test", "11-22", "AT");
  CHECK(t.api_base == "https://api.example.test/ex/jira/11-22/rest/api/3");
  CHECK(t.authorization == "Bearer AT");
  CHECK(get_myself(t).http.url
        == "https://api.example.test/ex/jira/11-22/rest/api/3/myself");
}

TEST_CASE("oauth: token endpoint answers", "[jira][oauth]") {
  using g = oauth_grant;
  SECTION("a token with a rotated refresh token") {
    auto r = classify_token_response(
      answer(200,
             R"({"access_token":"AT2","refresh_token":"RT2",)"
             R"("expires_in":3600,"scope":"read:jira-work offline_access",)"
             R"("token_type":"Bearer"})"),
      g::refresh_token);
    REQUIRE(r.has_value());
    CHECK(r->access_token == "AT2");
    CHECK(r->refresh_token == std::optional<std::string>{"RT2"});
    CHECK(r->expires_in_secs == 3600);
    CHECK(r->scope == "read:jira-work offline_access");
  }
  SECTION("no refresh token in the answer") {
    auto r = classify_token_response(
      answer(200,
             R"({"access_token":"AT2","expires_in":60,"token_type":"bearer"})"),
      g::refresh_token);
    REQUIRE(r.has_value());
    CHECK_FALSE(r->refresh_token.has_value());
    CHECK(r->expires_in_secs == 60);
  }
  SECTION("2xx without a usable token") {
    auto r = classify_token_response(answer(200, "<html>"), g::refresh_token);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().kind == oauth_failure::malformed);
    auto mac = classify_token_response(
      answer(200, R"({"access_token":"x","token_type":"mac"})"),
      g::refresh_token);
    REQUIRE_FALSE(mac.has_value());
    CHECK(mac.error().kind == oauth_failure::malformed);
  }
  SECTION("wrong client secret (401 access_denied)") {
    auto r = classify_token_response(
      answer(401,
             R"({"error":"access_denied","error_description":"Unauthorized"})"),
      g::authorization_code);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().kind == oauth_failure::invalid_client);
    CHECK(r.error().http_status == 401);
    CHECK(r.error().message
          == "the token endpoint rejected the client credentials (HTTP 401 "
             "access_denied: Unauthorized): check jira.client_id and the "
             "client secret (jira.client_secret_env or "
             "jira.client_secret_file) against the app's Settings page in the "
             "Atlassian developer console, copied without extra spaces, and "
             "that the app is still active");
  }
  SECTION("refresh token revoked, expired or reused") {
    auto r = classify_token_response(
      answer(
        403,
        R"({"error":"invalid_grant","error_description":"Unknown or invalid refresh token."})"),
      g::refresh_token);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().kind == oauth_failure::invalid_grant);
    CHECK(r.error().oauth_error == "invalid_grant");
    CHECK(r.error().message.find("HTTP 403 invalid_grant: Unknown or invalid "
                                 "refresh token.")
          != std::string::npos);
    CHECK(r.error().message.find("re-authenticate with `jirasync auth login`")
          != std::string::npos);
  }
  SECTION("authorization code refused") {
    auto r = classify_token_response(
      answer(
        403,
        R"({"error":"invalid_grant","error_description":"Invalid authorization code"})"),
      g::authorization_code);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().kind == oauth_failure::invalid_grant);
    CHECK(r.error().message.rfind("the authorization code was refused", 0)
          == 0);
  }
  SECTION("transient: 5xx, 429, transport") {
    CHECK(
      classify_token_response(answer(503, ""), g::refresh_token).error().kind
      == oauth_failure::transient);
    CHECK(
      classify_token_response(answer(429, "{}"), g::refresh_token).error().kind
      == oauth_failure::transient);
    http_result down;
    down.error = http_error{http_errc::connect, "connect auth: refused"};
    auto r = classify_token_response(down, g::refresh_token);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().kind == oauth_failure::transient);
    CHECK(r.error().http_status == 0);
    CHECK(r.error().message
          == "the token endpoint could not be reached: connect auth: refused");
  }
  SECTION("other refusals; bodies that are not OAuth errors are not echoed") {
    auto bad = classify_token_response(
      answer(400, R"({"error":"invalid_request","error_description":"bad"})"),
      g::refresh_token);
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().kind == oauth_failure::rejected);
    CHECK(bad.error().message
          == "the token endpoint refused the request (HTTP 400 "
             "invalid_request: bad)");
    auto echo = classify_token_response(
      answer(400, "proxy error for client_secret=TOP-SECRET-VALUE&code=CODE"),
      g::authorization_code);
    REQUIRE_FALSE(echo.has_value());
    CHECK(echo.error().message.find("TOP-SECRET-VALUE") == std::string::npos);
    CHECK(echo.error().message.find("not an OAuth error document")
          != std::string::npos);
  }
}

TEST_CASE("oauth: site URLs and the choice of the cloudId", "[jira][oauth]") {
  CHECK(normalize_site_url("HTTPS://Acme.Atlassian.NET:443/")
        == "https://acme.atlassian.net");
  CHECK(normalize_site_url("https://127.0.0.1:8443")
        == "https://127.0.0.1:8443");
  CHECK(normalize_site_url("http://LOCALHOST:80/jira/")
        == "http://localhost/jira");
  std::vector<accessible_resource> rs(3);
  rs[0].id = "c-1";
  rs[0].name = "acme";
  rs[0].url = "https://acme.atlassian.net";
  rs[1].id = "c-2";
  rs[1].name = "beta";
  rs[1].url = "https://beta.atlassian.net/";
  rs[2].id = "c-3";
  rs[2].url = "https://gamma.atlassian.net";
  SECTION("one match") {
    auto r = choose_site(rs, "https://Beta.atlassian.net");
    REQUIRE(r.has_value());
    CHECK(r->id == "c-2");
  }
  SECTION("none: every accessible site listed") {
    auto r = choose_site(rs, "https://delta.atlassian.net");
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == common::errc::not_found);
    CHECK(r.error().message
          == "none of the sites this login can access matches jira.site = "
             "https://delta.atlassian.net; it can access: "
             "https://acme.atlassian.net (acme), https://beta.atlassian.net/ "
             "(beta), https://gamma.atlassian.net. Set jira.site to one of "
             "them, or log in again and select https://delta.atlassian.net on "
             "the consent page");
  }
  SECTION("no site at all") {
    auto r = choose_site({}, "https://acme.atlassian.net");
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().message.find("grants access to no Jira site")
          != std::string::npos);
  }
  SECTION("several") {
    rs[2].url = "https://acme.atlassian.net/";
    auto r = choose_site(rs, "https://acme.atlassian.net");
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == common::errc::invalid_input);
    CHECK(r.error().message.find("c-1 (acme), c-3") != std::string::npos);
  }
}
