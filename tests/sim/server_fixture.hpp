#pragma once
// Shared by tests/sim/server_*.cpp: an in-process jira-sim (real sockets on
// 127.0.0.1), a client, and the "shape subset" comparer against the real
// Jira Cloud captures in tests/fixtures/jira-cloud/.

#include "sim/server.hpp"
#include "sim/server_app.hpp"
#include "sim/server_client.hpp"
#include "sim/server_http.hpp"

#include <boost/json.hpp>

#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace simtest {

namespace json = boost::json;

/// json::parse with room for deeply nested ADF (the default depth is 32).
inline json::value parse(std::string_view text) {
  json::parse_options po;
  po.max_depth = 1000;
  return json::parse(text, {}, po);
}

inline jirasim::sim_options small_options(std::uint32_t issues = 300) {
  jirasim::sim_options o;
  o.workspace.seed = 7;
  o.workspace.issues = issues;
  o.workspace.projects = 4;
  o.workspace.users = 30;
  o.workspace.heavy_comment_issues = 2;
  o.workspace.heavy_comment_count = 45;
  o.workspace.large_attachments = 0;
  o.server.threads = 2;
  o.limits.burst_enabled = false;
  o.limits.quota_points = 0;
  return o;
}

/// A running simulator plus a client authenticated as the API user.
struct sim_fixture {
  std::unique_ptr<jirasim::jira_app> app;
  std::unique_ptr<jirasim::server> srv;
  std::unique_ptr<jirasim::test_client> client;
  std::string email, token, auth;

  explicit sim_fixture(jirasim::sim_options o = small_options()) {
    app = std::make_unique<jirasim::jira_app>(o);
    srv = std::make_unique<jirasim::server>(o.server, app->as_handler());
    srv->start();
    app->set_base_url(srv->base_url());
    email = app->api_user_email();
    token = app->api_user_token();
    auth = jirasim::basic_auth(email, token);
    client = std::make_unique<jirasim::test_client>(srv->port(), srv->ca_pem());
  }
  ~sim_fixture() {
    client.reset();
    srv->stop();
  }

  std::unique_ptr<jirasim::test_client> new_client() const {
    return std::make_unique<jirasim::test_client>(srv->port(), srv->ca_pem());
  }

  jirasim::client_response get(const std::string& target) {
    return client->get(target, {{"Authorization", auth}});
  }
  jirasim::client_response post(const std::string& target,
                                const std::string& body) {
    return client->request("POST", target, {{"Authorization", auth}}, body);
  }
  jirasim::client_response get_as(const std::string& target,
                                  const std::string& basic) {
    return client->get(target, {{"Authorization", basic}});
  }
  json::value get_json(const std::string& target) {
    auto r = get(target);
    if (r.status != 200)
      throw std::runtime_error(target + " -> " + std::to_string(r.status) + " "
                               + r.body);
    return parse(r.body);
  }
  /// An OAuth access token for the API user (3LO code flow, auto-consent)
  /// and the gateway prefix "/ex/jira/<cloudId>" to put before API paths.
  std::string oauth_token() {
    auto cb = std::string("http://127.0.0.1:8765/callback");
    auto auth = client->get(
      "/authorize?audience=api.atlassian.com&client_id=cid"
      "&scope=read%3Ajira-work%20offline_access&redirect_uri="
      "http%3A%2F%2F127.0.0.1%3A8765%2Fcallback&state=s&response_type=code"
      "&prompt=consent");
    auto loc = std::string(auth.header("Location").value_or(""));
    jirasim::http_request redirect;
    auto path_at = loc.find('/', loc.find("//") + 2);
    if (auth.status != 302 || path_at == std::string::npos
        || !jirasim::parse_target(loc.substr(path_at), redirect)
        || !redirect.param("code"))
      throw std::runtime_error("OAuth authorize failed");
    auto code = std::string(*redirect.param("code"));
    json::object body{{"grant_type", "authorization_code"},
                      {"client_id", "cid"},
                      {"client_secret", "sec"},
                      {"code", code},
                      {"redirect_uri", cb}};
    auto tok
      = client->request("POST", "/oauth/token", {}, json::serialize(body));
    if (tok.status != 200)
      throw std::runtime_error("OAuth token exchange failed");
    return std::string(parse(tok.body).at("access_token").as_string());
  }
  /// GET `api_path` ("/rest/api/3/...") through the OAuth gateway path.
  jirasim::client_response get_oauth(const std::string& api_path,
                                     const std::string& access_token) {
    return client->get("/ex/jira/" + app->cloud_id() + api_path,
                       {{"Authorization", "Bearer " + access_token}});
  }
  json::value control(const std::string& method, const std::string& target,
                      const std::string& body = {}) {
    auto r = client->request(method, target, {}, body);
    return parse(r.body);
  }
};

inline json::value load_fixture(const std::string& name) {
  std::ifstream in(std::string(JIRASYNC_FIXTURES_DIR) + "/jira-cloud/" + name);
  if (!in)
    throw std::runtime_error("missing fixture " + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return json::parse(ss.str());
}

inline const char* kind_name(const json::value& v) {
  switch (v.kind()) {
    case json::kind::object:
      return "object";
    case json::kind::array:
      return "array";
    case json::kind::string:
      return "string";
    case json::kind::bool_:
      return "bool";
    case json::kind::null:
      return "null";
    case json::kind::double_:
      return "double";
    default:
      return "integer";
  }
}

/// Where `ours` and the real capture `real` disagree on JSON types, for the
/// keys both have (null on either side matches anything: "no value").
/// Array elements of ours are each compared with the first of real.
inline void shape_diff(const json::value& ours, const json::value& real,
                       const std::string& path, std::vector<std::string>& out,
                       const std::set<std::string>& ignore = {}) {
  if (ours.is_null() || real.is_null())
    return;
  if (std::string(kind_name(ours)) != kind_name(real)) {
    out.push_back(path + ": ours " + kind_name(ours) + ", real "
                  + kind_name(real));
    return;
  }
  if (ours.is_object()) {
    for (auto& kv : real.as_object()) {
      std::string key(kv.key());
      if (ignore.count(key) || key.rfind("customfield_", 0) == 0)
        continue;
      if (auto* o = ours.as_object().if_contains(kv.key()))
        shape_diff(*o, kv.value(), path + "." + key, out, ignore);
    }
  } else if (ours.is_array()) {
    auto& ra = real.as_array();
    if (ra.empty())
      return;
    for (auto& e : ours.as_array())
      shape_diff(e, ra[0], path + "[]", out, ignore);
  }
}

/// Keys of `real` (an object) missing from `ours`.
inline std::vector<std::string>
missing_keys(const json::value& ours, const json::value& real,
             const std::set<std::string>& optional = {}) {
  std::vector<std::string> out;
  for (auto& kv : real.as_object())
    if (!ours.as_object().contains(kv.key())
        && !optional.count(std::string(kv.key())))
      out.emplace_back(kv.key());
  return out;
}

} // namespace simtest
