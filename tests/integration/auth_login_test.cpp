// `jirasync auth login` / `auth status` end to end: the real jirasync binary
// against a real jira-sim over TLS, the test acting as the browser (it
// follows the printed authorize URL to the sim's /authorize, whose redirect
// lands on jirasync's callback listener). Every run's stdout and stderr are
// searched for the client secret, the code and the tokens.
#include "oauth_fixture.hpp"

using namespace jirasync::testing;
using namespace jirasync::testing::oauth;
using namespace std::chrono_literals;

TEST_CASE("auth login: the full flow, then status and a refresh",
          "[integration][oauth]") {
  login_fixture f;
  auto cfg = f.config();
  auto login = f.start_login(cfg);
  auto url = login->wait_for_line("https://", 30s);
  REQUIRE(url.has_value());
  CHECK(url->rfind(f.sim.base_url() + "/authorize?", 0) == 0);
  CHECK(param(*url, "audience") == "api.atlassian.com");
  CHECK(param(*url, "client_id") == client_id);
  CHECK(param(*url, "scope")
        == "read:jira-work read:jira-user manage:jira-configuration read:me "
           "offline_access");
  CHECK(param(*url, "redirect_uri") == f.callback);
  CHECK(param(*url, "response_type") == "code");
  CHECK(param(*url, "prompt") == "consent");
  CHECK(param(*url, "state").size() == 43);
  auto code = authorize(f, *login);
  std::string out, err;
  REQUIRE(f.finish(*login, out, err) == 0);
  INFO(err);

  auto me = api_user(f);
  std::string name{me.at("displayName").as_string()};
  std::string email{me.at("emailAddress").as_string()};
  std::string account{me.at("accountId").as_string()};
  CHECK(out.find("Logged in to " + f.sim.base_url() + " as " + name + " ("
                 + email + "), account " + account + ".")
        != std::string::npos);
  CHECK(out.find("cloud id: " + f.sim.str("cloud_id")) != std::string::npos);
  CHECK(err.find("listening for the OAuth callback on " + f.callback)
        != std::string::npos);

  // The token file: 0600 in a 0700 folder, this site, usable tokens.
  CHECK(mode_of(f.token_file()) == 0600);
  CHECK(mode_of(f.token_file().parent_path()) == 0700);
  auto t = f.stored_tokens();
  CHECK(t.at("cloud_id").as_string() == f.sim.str("cloud_id"));
  CHECK(t.at("account_id").as_string() == account);
  CHECK(t.at("client_id").as_string() == client_id);
  std::string at{t.at("access_token").as_string()};
  std::string rt1{t.at("refresh_token").as_string()};
  REQUIRE_FALSE(at.empty());
  REQUIRE_FALSE(rt1.empty());
  auto api = f.sim_call(
    "GET", "/ex/jira/" + f.sim.str("cloud_id") + "/rest/api/3/myself", {},
    {{"Authorization", "Bearer " + at}});
  REQUIRE(api.ok());
  CHECK(api.response->status == 200);

  // auth status: who, where; never a token.
  REQUIRE(f.run({"auth", "status", "--config", cfg.string()}, out, err) == 0);
  CHECK(out.rfind("logged in as " + name + " (account " + account + ")", 0)
        == 0);
  CHECK(out.find("refresh token: stored, not rotated yet")
        != std::string::npos);

  // Two hours later (sim clock) the access token is dead: --check gets a
  // 401, refreshes, stores the rotated refresh token, and succeeds.
  REQUIRE(f.sim_call("POST", "/_sim/clock", R"({"advance_ms":7200000})")
            .response->status
          == 200);
  REQUIRE(
    f.run({"auth", "status", "--config", cfg.string(), "--check"}, out, err)
    == 0);
  CHECK(out.find("access token refreshed; the rotated refresh token is "
                 "stored")
        != std::string::npos);
  CHECK(out.find("checked: Jira answers /myself as " + name)
        != std::string::npos);
  auto t2 = f.stored_tokens();
  std::string at2{t2.at("access_token").as_string()};
  std::string rt2{t2.at("refresh_token").as_string()};
  CHECK(rt2 != rt1);
  CHECK(at2 != at);
  CHECK(t2.at("generation").as_int64() == 2);
  CHECK(mode_of(f.token_file()) == 0600);

  f.check_no_secret_in_outputs({client_secret, code, at, rt1, at2, rt2});
}

TEST_CASE("auth login: a callback with another state is rejected",
          "[integration][oauth]") {
  login_fixture f;
  auto login = f.start_login(f.config());
  auto url = login->wait_for_line("https://", 30s);
  REQUIRE(url.has_value());
  // The sim sends back whatever state it was given, as Atlassian does: a
  // link with another state (a forged or stale one) lands with that state.
  auto b = f.browser();
  auto landing = f.get(b, with_param(*url, "state", "forged-state-value"), 5);
  REQUIRE(landing.ok());
  CHECK(landing.response->final_url.find("state=forged-state-value")
        != std::string::npos);
  auto code = param(landing.response->final_url, "code");
  CHECK(landing.response->status == 400);
  CHECK(landing.response->body.find("did not succeed") != std::string::npos);
  std::string out, err;
  CHECK(f.finish(*login, out, err) == 1);
  CHECK(err.find("jirasync: auth login: the callback's state does not match "
                 "this login")
        != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(f.token_file()));
  f.check_no_secret_in_outputs({client_secret, code});
}

TEST_CASE("auth login: the user declines on the consent page",
          "[integration][oauth]") {
  login_fixture f;
  auto login = f.start_login(f.config());
  auto url = login->wait_for_line("https://", 30s);
  REQUIRE(url.has_value());
  // "Cancel" on the consent page: Atlassian (and the sim, told so with
  // sim_consent=deny) redirects back with error=access_denied and the state
  // (RFC 6749 4.1.2.1).
  auto b = f.browser();
  auto landing = f.get(b, *url + "&sim_consent=deny", 5);
  REQUIRE(landing.ok());
  CHECK(landing.response->redirects == 1);
  CHECK(landing.response->final_url.find("error=access_denied")
        != std::string::npos);
  CHECK(landing.response->status == 400);
  std::string out, err;
  CHECK(f.finish(*login, out, err) == 1);
  CHECK(err.find("jirasync: auth login: authorization failed: access_denied "
                 "(User did not authorize the request): the consent page was "
                 "declined")
        != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(f.token_file()));
}

TEST_CASE("auth login: a callback URL other than the app's never comes "
          "back - the wait ends and says what to check",
          "[integration][oauth]") {
  // The app registered another port: Atlassian shows an error page and
  // never redirects to jirasync.
  login_fixture f{{"--issues", "10"}, "http://127.0.0.1:1/callback"};
  auto login = f.start_login(f.config(), {"--timeout", "3"});
  auto url = login->wait_for_line("https://", 30s);
  REQUIRE(url.has_value());
  auto b = f.browser();
  auto page = f.get(b, *url, 5);
  REQUIRE(page.ok());
  CHECK(page.response->status == 400);
  CHECK(page.response->redirects == 0);
  CHECK(page.response->body.find("does not match any of the callback URLs")
        != std::string::npos);
  std::string out, err;
  CHECK(f.finish(*login, out, err) == 1);
  CHECK(err.find("no authorization arrived on " + f.callback
                 + " within 3 s. If the browser showed an error about the "
                   "redirect or callback URL, the app's callback URL in the "
                   "developer console must be exactly jira.redirect_uri")
        != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(f.token_file()));
}

TEST_CASE("auth login: a wrong client secret is named as such",
          "[integration][oauth]") {
  login_fixture f;
  const char* wrong = "not-the-right-secret-3321";
  ::setenv("JIRASYNC_TEST_WRONG_SECRET", wrong, 1);
  auto login = f.start_login(f.config("", "JIRASYNC_TEST_WRONG_SECRET"));
  auto code = authorize(f, *login);
  std::string out, err;
  CHECK(f.finish(*login, out, err) == 1);
  CHECK(err.find("jirasync: auth login: the token endpoint rejected the "
                 "client credentials (HTTP 401 access_denied: Unauthorized): "
                 "check jira.client_id and the client secret")
        != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(f.token_file()));
  f.check_no_secret_in_outputs({client_secret, wrong, code});
}

TEST_CASE("auth login: jira.site must be one of the accessible sites",
          "[integration][oauth]") {
  login_fixture f;
  auto login = f.start_login(f.config("https://acme.atlassian.net"));
  authorize(f, *login);
  std::string out, err;
  CHECK(f.finish(*login, out, err) == 1);
  CHECK(err.find("none of the sites this login can access matches jira.site "
                 "= https://acme.atlassian.net; it can access: "
                 + f.sim.base_url())
        != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(f.token_file()));
}

TEST_CASE("auth login: several accessible sites", "[integration][oauth]") {
  login_fixture f;
  // jira-sim serves the site itself as the one accessible resource; other
  // sites the login reaches are declared with POST /_sim/oauth/resources.
  auto probe = f.sim_call("POST", "/_sim/oauth/resources", R"({"extra":[]})");
  REQUIRE(probe.ok());
  REQUIRE(probe.response->status == 200);
  SECTION("one of several matches: its cloud id is stored") {
    REQUIRE(f.sim_call("POST", "/_sim/oauth/resources",
                       R"({"extra":[{"id":"other-cloud","name":"other",)"
                       R"("url":"https://other.atlassian.net"}]})")
              .response->status
            == 200);
    auto login = f.start_login(f.config());
    authorize(f, *login);
    std::string out, err;
    REQUIRE(f.finish(*login, out, err) == 0);
    CHECK(f.stored_tokens().at("cloud_id").as_string()
          == f.sim.str("cloud_id"));
  }
  SECTION("two resources with the site's URL: refused, both named") {
    REQUIRE(f.sim_call("POST", "/_sim/oauth/resources",
                       R"({"extra":[{"id":"twin-cloud","name":"twin","url":")"
                         + f.sim.base_url() + R"("}]})")
              .response->status
            == 200);
    auto login = f.start_login(f.config());
    authorize(f, *login);
    std::string out, err;
    CHECK(f.finish(*login, out, err) == 1);
    CHECK(err.find("several accessible sites match jira.site")
          != std::string::npos);
    CHECK(err.find("twin-cloud (twin)") != std::string::npos);
    CHECK(err.find(f.sim.str("cloud_id")) != std::string::npos);
  }
}

TEST_CASE("auth login: every wait ends", "[integration][oauth]") {
  login_fixture f;
  SECTION("no callback within --timeout") {
    auto login = f.start_login(f.config(), {"--timeout", "1"});
    std::string out, err;
    CHECK(f.finish(*login, out, err) == 1);
    CHECK(err.find("no authorization arrived on " + f.callback
                   + " within 1 s. If the browser showed an error about the "
                     "redirect or callback URL, the app's callback URL in the "
                     "developer console must be exactly jira.redirect_uri = "
                   + f.callback)
          != std::string::npos);
  }
  SECTION("the callback port is taken") {
    auto blocker = protocol::http_server::start(
      [&] {
        protocol::http_server_options o;
        o.port = f.port;
        return o;
      }(),
      [](protocol::server_request, protocol::responder r) {
        r.send({200, {}, "someone else"});
      });
    REQUIRE(blocker.has_value());
    auto login = f.start_login(f.config());
    std::string out, err;
    CHECK(f.finish(*login, out, err) == 1);
    CHECK(err.find("cannot receive the OAuth callback of jira.redirect_uri ("
                   + f.callback
                   + "): cannot listen on 127.0.0.1:" + std::to_string(f.port))
          != std::string::npos);
  }
}

TEST_CASE("auth: wrong mode, no login, unusable redirect_uri",
          "[integration][oauth]") {
  login_fixture f;
  std::string out, err;
  auto api_cfg = f.dir.path() / "api-token.toml";
  {
    std::ofstream o{api_cfg};
    o << "[jira]\nsite = \"" << f.sim.base_url() << "\"\nemail = \""
      << f.sim.str("email") << "\"\napi_token_env = \"" << secret_env
      << "\"\n[storage]\npath = \"" << f.store().string() << "\"\n";
  }
  CHECK(f.run({"auth", "login", "--config", api_cfg.string()}, out, err) == 2);
  CHECK(err.find("`jirasync auth` is for OAuth 2.0") != std::string::npos);

  auto cfg = f.config();
  CHECK(f.run({"auth", "status", "--config", cfg.string()}, out, err) == 1);
  CHECK(
    out.rfind("not logged in: no OAuth tokens at " + f.token_file().string(), 0)
    == 0);

  auto https_cfg = f.dir.path() / "https-redirect.toml";
  {
    auto text = read_file(cfg);
    auto at = text.find(f.callback);
    text.replace(at, f.callback.size(), "https://connector.example.com/cb");
    std::ofstream o{https_cfg};
    o << text;
  }
  CHECK(f.run({"auth", "login", "--config", https_cfg.string()}, out, err)
        == 2);
  CHECK(err.find("not an http URL. `auth login` receives the callback "
                 "itself")
        != std::string::npos);
  CHECK(f.run({"auth", "login", "--config", cfg.string(), "--timeout", "0"},
              out, err)
        == 2);
  f.check_no_secret_in_outputs({client_secret});
}

TEST_CASE("auth status --check: a revoked token family asks for "
          "re-authentication, once",
          "[integration][oauth]") {
  login_fixture f;
  auto cfg = f.config();
  auto login = f.start_login(cfg);
  auto code = authorize(f, *login);
  std::string out, err;
  REQUIRE(f.finish(*login, out, err) == 0);
  std::string rt1{f.stored_tokens().at("refresh_token").as_string()};
  std::string at1{f.stored_tokens().at("access_token").as_string()};

  // A refresh rotates rt1 out (the sim's clock says the token expired).
  f.sim_call("POST", "/_sim/clock", R"({"advance_ms":7200000})");
  REQUIRE(
    f.run({"auth", "status", "--config", cfg.string(), "--check"}, out, err)
    == 0);
  std::string rt2{f.stored_tokens().at("refresh_token").as_string()};
  std::string at2{f.stored_tokens().at("access_token").as_string()};
  REQUIRE(rt2 != rt1);

  // Someone replays rt1 outside the 10-minute leeway: Atlassian (and the
  // sim) revoke the whole family, rt2 included.
  f.sim_call("POST", "/_sim/clock", R"({"advance_ms":7200000})");
  json::object replay{{"grant_type", "refresh_token"},
                      {"client_id", client_id},
                      {"client_secret", client_secret},
                      {"refresh_token", rt1}};
  auto replayed = f.sim_call("POST", "/oauth/token", json::serialize(replay));
  REQUIRE(replayed.ok());
  CHECK(replayed.response->status == 403);
  REQUIRE(f.sim_call("POST", "/_sim/stats/reset").response->status == 200);

  CHECK(f.run({"auth", "status", "--config", cfg.string(), "--check"}, out, err)
        == 1);
  CHECK(err.find("jirasync: auth status: the refresh token was refused (HTTP "
                 "403 invalid_grant: Unknown or invalid refresh token.)")
        != std::string::npos);
  CHECK(err.find("re-authenticate with `jirasync auth login`")
        != std::string::npos);
  // Exactly one refresh attempt: no retry loop on invalid_grant.
  auto stats = f.sim_call("GET", "/_sim/stats");
  REQUIRE(stats.ok());
  auto by_endpoint = json::parse(stats.response->body)
                       .as_object()
                       .at("requests_by_endpoint")
                       .as_object();
  REQUIRE(by_endpoint.contains("POST /oauth/token"));
  CHECK(by_endpoint.at("POST /oauth/token").to_number<int>() == 1);
  CHECK(json::parse(stats.response->body)
          .as_object()
          .at("oauth_families_revoked")
          .to_number<int>()
        == 1);

  // The state is on disk: status says so without asking Atlassian.
  CHECK(f.stored_tokens().contains("reauth_reason"));
  CHECK(mode_of(f.token_file()) == 0600);
  CHECK(f.run({"auth", "status", "--config", cfg.string()}, out, err) == 1);
  CHECK(out.find("re-authentication required since") != std::string::npos);
  CHECK(out.find("re-authenticate with `jirasync auth login`")
        != std::string::npos);
  f.check_no_secret_in_outputs({client_secret, code, rt1, rt2, at1, at2});
}
