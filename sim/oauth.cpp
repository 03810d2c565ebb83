#include "sim/oauth.hpp"

#include <boost/json.hpp>
#include <openssl/rand.h>

namespace jirasim {

namespace json = boost::json;

namespace {

token_reply oauth_error(int status, const char* error,
                        const char* description) {
  json::object o;
  o["error"] = error;
  o["error_description"] = description;
  return {status, json::serialize(o)};
}

std::string get(const std::map<std::string, std::string>& p, const char* key) {
  auto it = p.find(key);
  return it == p.end() ? std::string{} : it->second;
}

} // namespace

std::string oauth_state::random_token(std::size_t bytes) {
  std::string raw(bytes, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()),
             static_cast<int>(raw.size()));
  static const char* alphabet
    = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  for (unsigned char c : raw)
    out += alphabet[c & 63];
  return out;
}

std::string oauth_state::issue_code(const std::string& account_id,
                                    const std::string& client_id,
                                    const std::string& redirect_uri,
                                    const std::string& scope,
                                    std::int64_t now_ms) {
  std::lock_guard lock{mu_};
  auto code = random_token(24);
  codes_[code] = {account_id, client_id, redirect_uri, scope,
                  now_ms + opt_.code_ttl_secs * 1000};
  return code;
}

token_reply oauth_state::mint(std::uint64_t family_id, bool with_refresh,
                              std::int64_t now_ms) {
  auto& fam = families_[family_id];
  auto at = "sim-at-" + random_token(32);
  access_[at] = {family_id, now_ms + opt_.access_token_ttl_secs * 1000};
  json::object o;
  o["access_token"] = at;
  if (with_refresh) {
    auto rt = "sim-rt-" + random_token(32);
    refresh_[rt] = {family_id, true, 0};
    o["refresh_token"] = rt;
  }
  o["expires_in"] = opt_.access_token_ttl_secs;
  o["scope"] = fam.scope;
  o["token_type"] = "Bearer";
  return {200, json::serialize(o)};
}

token_reply oauth_state::token(const std::map<std::string, std::string>& p,
                               std::int64_t now_ms) {
  std::lock_guard lock{mu_};
  auto grant = get(p, "grant_type");
  auto client_id = get(p, "client_id");
  auto secret = get(p, "client_secret");
  if ((!opt_.client_id.empty() && client_id != opt_.client_id)
      || (!opt_.client_secret.empty() && secret != opt_.client_secret)
      || client_id.empty())
    return oauth_error(401, "access_denied", "Unauthorized");
  if (grant == "authorization_code") {
    auto it = codes_.find(get(p, "code"));
    if (it == codes_.end() || it->second.expires_ms < now_ms
        || it->second.client_id != client_id
        || it->second.redirect_uri != get(p, "redirect_uri")) {
      if (it != codes_.end())
        codes_.erase(it);
      return oauth_error(403, "invalid_grant", "Invalid authorization code");
    }
    auto info = it->second;
    codes_.erase(it); // codes are single-use
    auto id = next_family_++;
    families_[id] = {info.account_id, info.scope, false};
    bool offline = info.scope.find("offline_access") != std::string::npos;
    return mint(id, offline, now_ms);
  }
  if (grant == "refresh_token") {
    auto it = refresh_.find(get(p, "refresh_token"));
    if (it == refresh_.end())
      return oauth_error(403, "invalid_grant",
                         "Unknown or invalid refresh token.");
    auto& rt = it->second;
    auto& fam = families_[rt.family];
    if (fam.revoked)
      return oauth_error(403, "invalid_grant",
                         "Unknown or invalid refresh token.");
    if (!rt.current && now_ms - rt.rotated_ms > opt_.reuse_leeway_secs * 1000) {
      // Replay of a rotated-out token outside the leeway: the family is
      // presumed stolen; every token of it dies.
      fam.revoked = true;
      ++revoked_;
      for (auto a = access_.begin(); a != access_.end();)
        a = a->second.family == rt.family ? access_.erase(a) : std::next(a);
      return oauth_error(403, "invalid_grant",
                         "Unknown or invalid refresh token.");
    }
    auto family_id = rt.family;
    // Rotation: every token of the family still current is rotated out now.
    for (auto& [k, r] : refresh_)
      if (r.family == family_id && r.current) {
        r.current = false;
        r.rotated_ms = now_ms;
      }
    return mint(family_id, true, now_ms);
  }
  return oauth_error(400, "unsupported_grant_type", "Unsupported grant type");
}

std::optional<oauth_grant>
oauth_state::check_access_token(const std::string& token, std::int64_t now_ms) {
  std::lock_guard lock{mu_};
  auto it = access_.find(token);
  if (it == access_.end() || it->second.expires_ms <= now_ms)
    return std::nullopt;
  auto& fam = families_[it->second.family];
  if (fam.revoked)
    return std::nullopt;
  return oauth_grant{fam.account_id, fam.scope};
}

std::uint64_t oauth_state::families_revoked() const {
  std::lock_guard lock{mu_};
  return revoked_;
}

} // namespace jirasim
