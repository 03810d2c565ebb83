#include "protocol/jira/oauth.hpp"

#include "common/ascii.hpp"
#include "protocol/http/http_server.hpp"

#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <stdexcept>

namespace jirasync::protocol {

namespace json = boost::json;

namespace {

/// Token endpoint requests: the user waits for these at the terminal.
http_timeouts oauth_timeouts() {
  http_timeouts t;
  t.connect = std::chrono::seconds(10);
  t.first_byte = std::chrono::seconds(30);
  t.total = std::chrono::seconds(60);
  return t;
}

std::string trim_slashes(std::string_view s) {
  while (!s.empty() && s.back() == '/')
    s.remove_suffix(1);
  return std::string(s);
}

std::vector<std::string> split_spaces(std::string_view s) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < s.size()) {
    auto j = s.find(' ', i);
    if (j == std::string_view::npos)
      j = s.size();
    if (j > i)
      out.emplace_back(s.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

/// Atlassian's words for a refusal, without echoing anything else of the
/// body (a proxy's error page could quote our request, secret included).
std::string atlassian_words(const http_response& res) {
  auto err = parse_jira_error(res.body, res.status);
  std::string out = "HTTP " + std::to_string(res.status);
  switch (err.shape) {
    case jira_error_shape::oauth:
      out += " " + err.oauth_error;
      if (!err.oauth_error_description.empty())
        out += ": " + err.oauth_error_description;
      break;
    case jira_error_shape::gateway:
      if (!err.message.empty())
        out += ": " + err.message;
      break;
    case jira_error_shape::jira:
      for (const auto& m : err.error_messages)
        out += ": " + m;
      break;
    case jira_error_shape::unknown:
      out += " (" + std::to_string(res.body.size()) + " bytes, not an "
             + "OAuth error document)";
      break;
  }
  return out;
}

oauth_token_error token_error(oauth_failure kind, int status,
                              std::string oauth_error, std::string message) {
  return oauth_token_error{kind, status, std::move(oauth_error),
                           std::move(message)};
}

std::string resource_list(const std::vector<accessible_resource>& rs) {
  std::string out;
  for (const auto& r : rs) {
    if (!out.empty())
      out += ", ";
    out += r.url.empty() ? std::string("(no url)") : r.url;
    if (!r.name.empty())
      out += " (" + r.name + ")";
  }
  return out;
}

} // namespace

// --- scopes ------------------------------------------------------------------

const std::vector<oauth_scope>& oauth_scopes() {
  static const std::vector<oauth_scope> scopes{
    {"read:jira-work",
     "projects, fields, project roles, permission schemes, issue security "
     "schemes, issue search, bulk fetch, comments and attachments"},
    {"read:jira-user",
     "/myself (the login check and the time zone of JQL dates), users with "
     "their e-mail addresses, the list of groups"},
    {"manage:jira-configuration",
     "group members, application roles, issue security level members and "
     "the audit log: Jira requires this scope to read them; jirasync never "
     "changes anything"},
    {"read:me", "who logged in (Atlassian's user identity API)"},
    {"offline_access",
     "a refresh token, so that scheduled syncs run without anyone at a "
     "browser"},
  };
  return scopes;
}

std::string oauth_scope_string() {
  std::string out;
  for (const auto& s : oauth_scopes()) {
    if (!out.empty())
      out += ' ';
    out += s.name;
  }
  return out;
}

std::vector<std::string> missing_oauth_scopes(std::string_view granted) {
  std::vector<std::string> missing;
  auto have = split_spaces(granted);
  if (have.empty())
    return missing;
  for (const auto& s : oauth_scopes())
    if (std::find(have.begin(), have.end(), s.name) == have.end())
      missing.emplace_back(s.name);
  return missing;
}

// --- authorize ---------------------------------------------------------------

common::result<std::string> make_oauth_state() {
  std::array<unsigned char, 32> raw{};
  if (RAND_bytes(raw.data(), static_cast<int>(raw.size())) != 1)
    return common::make_error(common::errc::internal,
                              "the random generator (OpenSSL RAND_bytes) "
                              "failed; cannot make an OAuth state");
  auto b64 = base64_encode(
    std::string_view(reinterpret_cast<const char*>(raw.data()), raw.size()));
  std::string out;
  out.reserve(b64.size());
  for (char c : b64) {
    if (c == '=')
      break;
    out += c == '+' ? '-' : c == '/' ? '_' : c;
  }
  OPENSSL_cleanse(raw.data(), raw.size());
  return out;
}

std::string oauth_authorize_url(const oauth_client& client,
                                std::string_view state) {
  return trim_slashes(client.auth_url)
         + "/authorize?audience=api.atlassian.com&client_id="
         + url_encode(client.client_id)
         + "&scope=" + url_encode(oauth_scope_string())
         + "&redirect_uri=" + url_encode(client.redirect_uri)
         + "&state=" + url_encode(state) + "&response_type=code&prompt=consent";
}

bool oauth_state_matches(std::string_view expected, std::string_view got) {
  if (expected.empty() || expected.size() != got.size())
    return false;
  return CRYPTO_memcmp(expected.data(), got.data(), expected.size()) == 0;
}

oauth_callback parse_oauth_callback(std::string_view query) {
  oauth_callback cb;
  for (auto& [key, value] : parse_query(query)) {
    auto set = [&](std::optional<std::string>& slot) {
      if (!slot)
        slot = value;
    };
    if (key == "code")
      set(cb.code);
    else if (key == "state")
      set(cb.state);
    else if (key == "error")
      set(cb.error);
    else if (key == "error_description")
      set(cb.error_description);
  }
  return cb;
}

common::result<std::string>
check_oauth_callback(const oauth_callback& cb,
                     std::string_view expected_state) {
  using common::errc;
  // The state first: an answer to another login attempt (an old browser
  // tab, or a forged link) must not be acted upon, error or not.
  if (!cb.state || cb.state->empty())
    return common::make_error(errc::invalid_input,
                              "the callback has no state parameter: it does "
                              "not answer this login; nothing was stored");
  if (!oauth_state_matches(expected_state, *cb.state))
    return common::make_error(
      errc::invalid_input,
      "the callback's state does not match this login (an answer to an "
      "older attempt, or a forged link); nothing was stored, run `jirasync "
      "auth login` again");
  if (cb.error) {
    std::string msg = "authorization failed: " + *cb.error;
    if (cb.error_description && !cb.error_description->empty())
      msg += " (" + *cb.error_description + ")";
    if (*cb.error == "access_denied")
      msg += ": the consent page was declined, or the account may not "
             "authorize this app; sign in with an account that has Jira "
             "access, select the Jira site and accept";
    else
      msg += ": check the app's scopes and callback URL in the developer "
             "console";
    return common::make_error(errc::permission_denied, std::move(msg));
  }
  if (!cb.code || cb.code->empty())
    return common::make_error(errc::invalid_input,
                              "the callback has neither a code nor an error");
  return *cb.code;
}

// --- token endpoint ----------------------------------------------------------

http_request oauth_code_request(const oauth_client& client,
                                std::string_view code) {
  json::object body{{"grant_type", "authorization_code"},
                    {"client_id", client.client_id},
                    {"client_secret", client.client_secret},
                    {"code", code},
                    {"redirect_uri", client.redirect_uri}};
  http_request r;
  r.method = "POST";
  r.url = trim_slashes(client.auth_url) + "/oauth/token";
  r.headers
    = {{"Content-Type", "application/json"}, {"Accept", "application/json"}};
  r.body = json::serialize(body);
  r.max_redirects = 0; // a redirect here is wrong; never resend the secret
  r.max_body_bytes = 1 << 20;
  r.timeouts = oauth_timeouts();
  return r;
}

http_request oauth_refresh_request(const oauth_client& client,
                                   std::string_view refresh_token) {
  json::object body{{"grant_type", "refresh_token"},
                    {"client_id", client.client_id},
                    {"client_secret", client.client_secret},
                    {"refresh_token", refresh_token}};
  http_request r;
  r.method = "POST";
  r.url = trim_slashes(client.auth_url) + "/oauth/token";
  r.headers
    = {{"Content-Type", "application/json"}, {"Accept", "application/json"}};
  r.body = json::serialize(body);
  r.max_redirects = 0;
  r.max_body_bytes = 1 << 20;
  r.timeouts = oauth_timeouts();
  return r;
}

http_request accessible_resources_request(const oauth_client& client,
                                          std::string_view access_token) {
  http_request r;
  r.url
    = trim_slashes(client.api_gateway) + "/oauth/token/accessible-resources";
  r.headers = {{"Authorization", "Bearer " + std::string(access_token)},
               {"Accept", "application/json"}};
  r.max_body_bytes = 4 << 20;
  r.timeouts = oauth_timeouts();
  return r;
}

std::string oauth_api_base(std::string_view api_gateway,
                           std::string_view cloud_id) {
  return trim_slashes(api_gateway) + "/ex/jira/" + url_encode(cloud_id)
         + "/rest/api/3";
}

api_target make_oauth_target(std::string_view api_gateway,
                             std::string_view cloud_id,
                             std::string_view access_token) {
  return api_target{oauth_api_base(api_gateway, cloud_id),
                    "Bearer " + std::string(access_token)};
}

std::string_view to_string(oauth_failure f) {
  switch (f) {
    case oauth_failure::invalid_client:
      return "invalid_client";
    case oauth_failure::invalid_grant:
      return "invalid_grant";
    case oauth_failure::rejected:
      return "rejected";
    case oauth_failure::transient:
      return "transient";
    case oauth_failure::malformed:
      return "malformed";
  }
  return "unknown";
}

oauth_token_result classify_token_response(const http_result& result,
                                           oauth_grant grant) {
  bool code = grant == oauth_grant::authorization_code;
  if (!result.ok()) {
    std::string why = result.error ? result.error->message : "no answer";
    return token_error(oauth_failure::transient, 0, {},
                       "the token endpoint could not be reached: " + why);
  }
  const auto& res = *result.response;
  if (res.status >= 200 && res.status < 300) {
    auto parsed = parse_text(res.body, parse_oauth_token);
    if (!parsed.ok()) {
      std::string why = parsed.errors.empty()
                          ? std::string("unusable document")
                          : parsed.errors.front().to_string();
      return token_error(oauth_failure::malformed, res.status, {},
                         "the token endpoint answered HTTP "
                           + std::to_string(res.status)
                           + " without a usable token (" + why + ")");
    }
    if (!parsed.value.token_type.empty()
        && !common::ascii_iequals(parsed.value.token_type, "bearer"))
      return token_error(oauth_failure::malformed, res.status, {},
                         "the token endpoint issued a token of type '"
                           + parsed.value.token_type
                           + "'; only Bearer tokens are supported");
    if (parsed.value.expires_in_secs <= 0)
      parsed.value.expires_in_secs = 3600;
    return std::move(parsed.value);
  }
  auto err = parse_jira_error(res.body, res.status);
  auto words = atlassian_words(res);
  const auto& e = err.oauth_error;
  if (res.status == 408 || res.status == 429 || res.status >= 500)
    return token_error(oauth_failure::transient, res.status, e,
                       "the token endpoint is unavailable (" + words
                         + "); try again later");
  if (e == "invalid_grant")
    return token_error(
      oauth_failure::invalid_grant, res.status, e,
      code ? "the authorization code was refused (" + words
               + "): it expired (codes live a few minutes), was already "
                 "used, or was issued for another redirect_uri; run "
                 "`jirasync auth login` again"
           : "the refresh token was refused (" + words
               + "): it expired (unused for 90 days, or older than 365 "
                 "days), was revoked, or was reused after rotation; "
                 "re-authenticate with `jirasync auth login`");
  if (e == "access_denied" || e == "invalid_client"
      || e == "unauthorized_client"
      || ((res.status == 401 || res.status == 403) && e.empty()))
    return token_error(
      oauth_failure::invalid_client, res.status, e,
      "the token endpoint rejected the client credentials (" + words
        + "): check jira.client_id and the client secret "
          "(jira.client_secret_env or jira.client_secret_file) against the "
          "app's Settings page in the Atlassian developer console, copied "
          "without extra spaces, and that the app is still active");
  return token_error(oauth_failure::rejected, res.status, e,
                     "the token endpoint refused the request (" + words + ")");
}

// --- sites -------------------------------------------------------------------

std::string normalize_site_url(std::string_view url) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed)
    return trim_slashes(url);
  boost::urls::url_view u = *parsed;
  auto scheme = common::ascii_to_lower(std::string(u.scheme()));
  std::string out
    = scheme + "://" + common::ascii_to_lower(std::string(u.encoded_host()));
  bool default_port = (scheme == "https" && u.port() == "443")
                      || (scheme == "http" && u.port() == "80");
  if (u.has_port() && !u.port().empty() && !default_port)
    out += ":" + std::string(u.port());
  out += trim_slashes(std::string(u.encoded_path()));
  return out;
}

common::result<accessible_resource>
choose_site(const std::vector<accessible_resource>& resources,
            std::string_view site) {
  using common::errc;
  auto want = normalize_site_url(site);
  std::vector<accessible_resource> hits;
  for (const auto& r : resources)
    if (normalize_site_url(r.url) == want)
      hits.push_back(r);
  if (hits.size() == 1)
    return hits.front();
  if (hits.empty()) {
    if (resources.empty())
      return common::make_error(
        errc::not_found,
        "this login grants access to no Jira site (accessible-resources is "
        "empty): the account has no Jira Cloud site, or no site was selected "
        "on the consent page; run `jirasync auth login` again and select "
          + want);
    return common::make_error(
      errc::not_found,
      "none of the sites this login can access matches jira.site = " + want
        + "; it can access: " + resource_list(resources)
        + ". Set jira.site to one of them, or log in again and select " + want
        + " on the consent page");
  }
  std::string ids;
  for (const auto& r : hits)
    ids += (ids.empty() ? "" : ", ") + r.id
           + (r.name.empty() ? "" : " (" + r.name + ")");
  return common::make_error(errc::invalid_input,
                            "several accessible sites match jira.site = " + want
                              + " (cloud ids " + ids
                              + "); cannot tell which one to sync");
}

} // namespace jirasync::protocol
