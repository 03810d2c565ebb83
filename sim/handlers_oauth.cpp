// OAuth 2.0 (3LO) endpoints as auth.atlassian.com / api.atlassian.com serve
// them: /authorize (auto-consent), /oauth/token, and with a Bearer token
// /oauth/token/accessible-resources and /me.
#include "sim/server_handlers.hpp"
#include "sim/server_http.hpp"
#include "sim/server_internals.hpp"

#include <map>

namespace jirasim {

namespace {

std::optional<user_ix> bearer_user(jira_app& app, const workspace& ws,
                                   const http_request& r, std::int64_t now_ms,
                                   std::string* scope) {
  auto auth = r.header("Authorization");
  if (!auth || auth->substr(0, 7) != "Bearer ")
    return std::nullopt;
  auto grant
    = app.in().oauth.check_access_token(std::string(auth->substr(7)), now_ms);
  if (!grant)
    return std::nullopt;
  auto u = find_user_ix(ws, grant->account_id);
  if (!u || !ws.users[*u].active)
    return std::nullopt;
  if (scope)
    *scope = grant->scope;
  return u;
}

http_response gateway_401() {
  return json_response(401, R"({"code":401,"message":"Unauthorized"})");
}

std::string with_query(const std::string& uri, const std::string& q) {
  return uri + (uri.find('?') == std::string::npos ? "?" : "&") + q;
}

} // namespace

http_response handle_oauth(jira_app& app, const workspace& ws, http_request& r,
                           std::int64_t now_ms) {
  auto& in = app.in();
  in.count(r.method + " " + r.path);
  if (r.path == "/authorize") {
    auto redirect = r.param("redirect_uri");
    auto client = r.param("client_id");
    if (!redirect || redirect->empty() || !client || client->empty())
      return json_response(
        400,
        R"({"error":"invalid_request","error_description":"redirect_uri and client_id are required"})");
    if (!in.oauth.options().client_id.empty()
        && *client != in.oauth.options().client_id)
      return json_response(
        400,
        R"({"error":"invalid_client","error_description":"Unknown client"})");
    // The redirect_uri must be the callback URL registered for the app
    // ("redirect_uri: set to the callback URL configured for OAuth 2.0
    // (3LO) for your app", developer.atlassian.com/cloud/jira/platform/
    // oauth-2-3lo-apps/). On a mismatch Atlassian shows an error page and
    // never redirects (RFC 6749 4.1.2.1: an invalid redirection URI must
    // not be redirected to), so the client only sees its wait end.
    const auto& registered = in.oauth.options().callback_url;
    if (!registered.empty() && *redirect != registered) {
      http_response page;
      page.status = 400;
      page.set("Content-Type", "text/html; charset=utf-8");
      page.body = "<!doctype html><html><body><h1>Something went wrong</h1>"
                  "<p>The redirect_uri does not match any of the callback "
                  "URLs registered for this app.</p></body></html>\n";
      return page;
    }
    if (r.param("response_type").value_or("code") != "code")
      return json_response(
        400,
        R"({"error":"unsupported_response_type","error_description":"response_type must be code"})");
    // Back to the app's callback with `q` and the state, as a 302.
    auto back_to_app = [&](std::string q) {
      if (auto st = r.param("state"))
        q += "&state=" + url_encode(*st);
      http_response res;
      res.status = 302;
      res.set("Location", with_query(std::string(*redirect), q));
      return res;
    };
    // Declined consent ("Cancel" on the consent page, or an account that
    // may not authorize the app): back to the client with
    // error=access_denied and the state (RFC 6749 4.1.2.1, which
    // Atlassian's authorization server follows). `sim_consent=deny` is the
    // test's stand-in for the user's click.
    if (r.param("sim_consent") == std::optional<std::string_view>("deny")) {
      std::string q = "error=access_denied&error_description="
                      + url_encode("User did not authorize the request");
      return back_to_app(q);
    }
    // Auto-consent as the API user, or as `sim_account_id` (tests).
    std::string account = ws.users[ws.api_user].account_id;
    if (auto who = r.param("sim_account_id")) {
      if (!find_user(ws, *who))
        return json_response(
          400,
          R"({"error":"invalid_request","error_description":"unknown sim_account_id"})");
      account = std::string(*who);
    }
    auto code = in.oauth.issue_code(
      account, std::string(*client), std::string(*redirect),
      std::string(r.param("scope").value_or("")), now_ms);
    std::string q = "code=" + url_encode(code);
    return back_to_app(q);
  }
  if (r.path == "/oauth/token") {
    if (r.method != "POST")
      return jira_error(405, "Method not allowed");
    std::map<std::string, std::string> params;
    auto ct = r.header("Content-Type").value_or("");
    if (ct.find("application/x-www-form-urlencoded")
        != std::string_view::npos) {
      http_request form;
      parse_target("/?" + r.body, form);
      for (auto& [k, v] : form.query)
        params[k] = v;
    } else {
      boost::system::error_code ec;
      auto v = parse_body(r.body, ec);
      if (ec || !v.is_object())
        return json_response(
          400,
          R"({"error":"invalid_request","error_description":"Malformed request body"})");
      for (auto& kv : v.as_object())
        if (kv.value().is_string())
          params[std::string(kv.key())] = std::string(kv.value().as_string());
    }
    auto reply = in.oauth.token(params, now_ms);
    auto res = json_response(reply.status, reply.body);
    res.set("Cache-Control", "no-store");
    return res;
  }
  std::string scope;
  auto u = bearer_user(app, ws, r, now_ms, &scope);
  if (!u)
    return gateway_401();
  if (r.path == "/oauth/token/accessible-resources") {
    json::array scopes;
    for (auto s : split_nonempty(scope, ' '))
      scopes.emplace_back(s);
    json::object site;
    site["id"] = ws.site.cloud_id;
    site["name"] = ws.site.name;
    site["url"] = app.base_url();
    site["scopes"] = std::move(scopes);
    site["avatarUrl"]
      = "https://site-admin-avatar-cdn.prod.public.atl-paas.net/avatars/240/"
        "rocket.png";
    json::array all{site};
    {
      std::lock_guard lock{app.in().resources_mu};
      for (const auto& extra : app.in().extra_resources)
        all.push_back(extra);
    }
    return json_response(200, json::serialize(all));
  }
  if (r.path == "/me") {
    const auto& usr = ws.users[*u];
    json::object o;
    o["account_type"] = std::string(to_string(usr.type));
    o["account_id"] = usr.account_id;
    o["email"] = usr.email;
    o["name"] = usr.display_name;
    o["picture"]
      = "https://avatar-management--avatars.us-west-2.prod.public.atl-paas.net/"
        "default.png";
    o["account_status"] = usr.active ? "active" : "inactive";
    o["nickname"] = usr.display_name;
    o["zoneinfo"] = usr.time_zone;
    o["locale"] = usr.locale;
    o["extended_profile"] = json::object{};
    return json_response(200, json::serialize(o));
  }
  return json_response(404, R"({"code":404,"message":"Not Found"})");
}

} // namespace jirasim
