// OAuth 2.0 (3LO): code flow, Bearer access under /ex/jira/{cloudId},
// rotating refresh tokens, reuse leeway and family revocation.
#include "server_fixture.hpp"

#include "sim/oauth.hpp"
#include "sim/server_http.hpp"

#include <catch2/catch.hpp>

using namespace simtest;
using namespace jirasim;

namespace {

std::string query_value(const std::string& url, const std::string& key) {
  http_request r;
  parse_target(url.substr(url.find('/', 8)), r);
  return std::string(r.param(key).value_or(""));
}

json::object token_call(sim_fixture& f, const json::object& body, int* status) {
  auto r = f.client->request("POST", "/oauth/token", {}, json::serialize(body));
  *status = r.status;
  return simtest::parse(r.body).as_object();
}

} // namespace

TEST_CASE("OAuth code flow, rotation and reuse revocation", "[sim]") {
  auto o = small_options();
  o.oauth.access_token_ttl_secs = 100;
  sim_fixture f{o};
  auto cb = std::string("http://127.0.0.1:8765/callback");
  auto auth = f.client->get(
    "/authorize?audience=api.atlassian.com&client_id=cid"
    "&scope=read%3Ajira-work%20offline_access&redirect_uri="
    + url_encode(cb) + "&state=xyz&response_type=code&prompt=consent");
  REQUIRE(auth.status == 302);
  auto loc = std::string(*auth.header("Location"));
  CHECK(loc.rfind(cb + "?", 0) == 0);
  CHECK(query_value(loc, "state") == "xyz");
  auto code = query_value(loc, "code");
  REQUIRE_FALSE(code.empty());

  int st = 0;
  json::object ex{{"grant_type", "authorization_code"},
                  {"client_id", "cid"},
                  {"client_secret", "sec"},
                  {"code", code},
                  {"redirect_uri", cb}};
  auto tok = token_call(f, ex, &st);
  REQUIRE(st == 200);
  CHECK(tok.at("expires_in").as_int64() == 100);
  CHECK(tok.at("token_type").as_string() == "Bearer");
  auto at = std::string(tok.at("access_token").as_string());
  auto rt1 = std::string(tok.at("refresh_token").as_string());
  // Codes are single-use.
  token_call(f, ex, &st);
  CHECK(st == 403);

  // Accessible resources -> cloudId -> API through the gateway path.
  auto res = f.client->get("/oauth/token/accessible-resources",
                           {{"Authorization", "Bearer " + at}});
  REQUIRE(res.status == 200);
  auto sites = simtest::parse(res.body).as_array();
  REQUIRE(sites.size() == 1);
  auto cloud = std::string(sites[0].at("id").as_string());
  CHECK(cloud == f.app->cloud_id());
  CHECK(sites[0].at("url").as_string() == f.srv->base_url());
  CHECK(sites[0].at("scopes").as_array().size() == 2);
  auto me
    = f.client->get("/rest/api/3/myself", {{"Authorization", "Bearer " + at}});
  CHECK(me.status == 401); // Bearer only under /ex/jira/{cloudId}
  auto api = "/ex/jira/" + cloud + "/rest/api/3/myself";
  auto ok = f.client->get(api, {{"Authorization", "Bearer " + at}});
  REQUIRE(ok.status == 200);
  auto self = std::string(simtest::parse(ok.body).at("self").as_string());
  CHECK(self.find("/ex/jira/" + cloud + "/rest/api/3/user")
        != std::string::npos);
  auto bad = f.client->get(api, {{"Authorization", "Bearer nope"}});
  CHECK(bad.status == 401);
  CHECK(simtest::parse(bad.body).at("code").as_int64() == 401);
  CHECK(f.client->get("/me", {{"Authorization", "Bearer " + at}}).status
        == 200);

  // Access tokens expire.
  f.control("POST", "/_sim/clock", R"({"advance_ms":101000})");
  CHECK(f.client->get(api, {{"Authorization", "Bearer " + at}}).status == 401);

  // Refresh rotates: a new RT each time.
  json::object rf{{"grant_type", "refresh_token"},
                  {"client_id", "cid"},
                  {"client_secret", "sec"},
                  {"refresh_token", rt1}};
  auto t2 = token_call(f, rf, &st);
  REQUIRE(st == 200);
  auto rt2 = std::string(t2.at("refresh_token").as_string());
  auto at2 = std::string(t2.at("access_token").as_string());
  CHECK(rt2 != rt1);
  CHECK(f.client->get(api, {{"Authorization", "Bearer " + at2}}).status == 200);
  // Form-encoded body works too.
  auto form = f.client->request(
    "POST", "/oauth/token",
    {{"Content-Type", "application/x-www-form-urlencoded"}},
    "grant_type=refresh_token&client_id=cid&client_secret=sec&refresh_token="
      + rt2);
  REQUIRE(form.status == 200);
  auto rt3
    = std::string(simtest::parse(form.body).at("refresh_token").as_string());

  // Replaying rt1 within the leeway is tolerated...
  auto t4 = token_call(f, rf, &st);
  CHECK(st == 200);
  auto rt4 = std::string(t4.at("refresh_token").as_string());
  // ...outside it, it revokes the whole family.
  f.control("POST", "/_sim/clock", R"({"advance_ms":660000})");
  auto dead = token_call(f, rf, &st);
  CHECK(st == 403);
  CHECK(dead.at("error").as_string() == "invalid_grant");
  CHECK(dead.at("error_description").as_string()
        == "Unknown or invalid refresh token.");
  json::object rf4{{"grant_type", "refresh_token"},
                   {"client_id", "cid"},
                   {"client_secret", "sec"},
                   {"refresh_token", rt4}};
  token_call(f, rf4, &st);
  CHECK(st == 403); // even the newest token of the family is dead
  CHECK(f.control("GET", "/_sim/stats")
          .at("oauth_families_revoked")
          .to_number<std::uint64_t>()
        == 1);
  (void)rt3;
}

TEST_CASE("oauth_state: without offline_access no refresh token", "[sim]") {
  oauth_state s{oauth_options{}};
  auto code = s.issue_code("acc", "cid", "http://x/cb", "read:jira-work", 1000);
  auto r = s.token({{"grant_type", "authorization_code"},
                    {"client_id", "cid"},
                    {"client_secret", "s"},
                    {"code", code},
                    {"redirect_uri", "http://x/cb"}},
                   1000);
  REQUIRE(r.status == 200);
  auto o = simtest::parse(r.body).as_object();
  CHECK_FALSE(o.contains("refresh_token"));
  auto at = std::string(o.at("access_token").as_string());
  CHECK(s.check_access_token(at, 1000)->account_id == "acc");
  CHECK_FALSE(s.check_access_token(at, 1000 + 3600 * 1000).has_value());
  // Wrong redirect_uri is refused.
  auto code2 = s.issue_code("acc", "cid", "http://x/cb", "", 1000);
  CHECK(s.token({{"grant_type", "authorization_code"},
                 {"client_id", "cid"},
                 {"code", code2},
                 {"redirect_uri", "http://evil/cb"}},
                1000)
          .status
        == 403);
}

TEST_CASE("/authorize: a redirect_uri other than the registered callback "
          "URL gets an error page, no redirect",
          "[sim]") {
  auto o = small_options();
  o.oauth.callback_url = "http://127.0.0.1:8765/callback";
  sim_fixture f{o};
  auto start = "/authorize?audience=api.atlassian.com&client_id=cid&scope=read"
               "%3Ajira-work&state=s1&response_type=code&redirect_uri=";
  for (const char* other :
       {"http://localhost:8765/callback", "http://127.0.0.1:8765/callback/",
        "https://127.0.0.1:8765/callback", "http://127.0.0.1:8766/callback"}) {
    INFO(other);
    auto r = f.client->get(start + url_encode(other));
    CHECK(r.status == 400);
    CHECK_FALSE(r.header("Location").has_value());
    CHECK(r.body.find("does not match any of the callback URLs")
          != std::string::npos);
  }
  auto ok = f.client->get(start + url_encode(o.oauth.callback_url));
  REQUIRE(ok.status == 302);
  CHECK(std::string(*ok.header("Location"))
          .rfind(o.oauth.callback_url + "?code=", 0)
        == 0);
}

TEST_CASE("/authorize: declined consent comes back as error=access_denied "
          "with the state",
          "[sim]") {
  sim_fixture f{small_options()};
  auto cb = std::string("http://127.0.0.1:8765/callback");
  auto r = f.client->get("/authorize?audience=api.atlassian.com&client_id=cid"
                         "&scope=read%3Ajira-work&redirect_uri="
                         + url_encode(cb)
                         + "&state=st-42&response_type=code&sim_consent=deny");
  REQUIRE(r.status == 302);
  auto loc = std::string(*r.header("Location"));
  CHECK(loc.rfind(cb + "?", 0) == 0);
  CHECK(query_value(loc, "error") == "access_denied");
  CHECK(query_value(loc, "error_description")
        == "User did not authorize the request");
  CHECK(query_value(loc, "state") == "st-42");
  CHECK(query_value(loc, "code").empty());
}

TEST_CASE("accessible resources: extra sites from /_sim/oauth/resources",
          "[sim]") {
  sim_fixture f{small_options()};
  auto at = f.oauth_token();
  auto sites = [&] {
    auto r = f.client->get("/oauth/token/accessible-resources",
                           {{"Authorization", "Bearer " + at}});
    REQUIRE(r.status == 200);
    return simtest::parse(r.body).as_array();
  };
  CHECK(sites().size() == 1);
  auto set = f.client->request(
    "POST", "/_sim/oauth/resources", {},
    R"({"extra":[{"id":"c2","name":"two","url":"https://two.atlassian.net"}]})");
  REQUIRE(set.status == 200);
  auto all = sites();
  REQUIRE(all.size() == 2);
  CHECK(all[0].at("id").as_string() == f.app->cloud_id());
  CHECK(all[1].at("id").as_string() == "c2");
  CHECK(all[1].at("name").as_string() == "two");
  CHECK(all[1].at("url").as_string() == "https://two.atlassian.net");
  CHECK(all[1].at("scopes").is_array());
  // Malformed declarations are refused and change nothing.
  for (const char* body :
       {R"({"extra":{}})", R"({"extra":[{"name":"no id"}]})", "[]", "nope"}) {
    INFO(body);
    CHECK(f.client->request("POST", "/_sim/oauth/resources", {}, body).status
          == 400);
  }
  CHECK(sites().size() == 2);
  REQUIRE(
    f.client->request("POST", "/_sim/oauth/resources", {}, R"({"extra":[]})")
      .status
    == 200);
  CHECK(sites().size() == 1);
}
