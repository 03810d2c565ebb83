#pragma once
// OAuth 2.0 (3LO) as Atlassian runs it: authorization codes, access tokens,
// rotating refresh tokens with a reuse leeway, and family revocation when
// an invalidated refresh token is replayed outside the leeway.
// Pure state machine, time passed in; HTTP glue is in handlers_oauth.cpp.
//
// Thread-safety: every member may be called concurrently.

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace jirasim {

struct oauth_options {
  /// Accepted client_id; empty accepts any. Default: "".
  std::string client_id;
  /// Accepted client_secret; empty accepts any. Default: "".
  std::string client_secret;
  /// The app's registered callback URL; /authorize refuses any other
  /// redirect_uri with an error page and no redirect. Empty accepts any.
  /// Default: "".
  std::string callback_url;
  /// Access-token lifetime (expires_in). Default: 3600 s.
  std::int64_t access_token_ttl_secs = 3600;
  /// Authorization-code lifetime. Default: 600 s.
  std::int64_t code_ttl_secs = 600;
  /// A rotated-out refresh token may be replayed this long after it was
  /// rotated without harm (it is rotated again). Default: 600 s.
  std::int64_t reuse_leeway_secs = 600;
};

struct oauth_grant {
  std::string account_id;
  std::string scope;
};

/// The outcome of POST /oauth/token: HTTP status and JSON body.
struct token_reply {
  int status = 200;
  std::string body;
};

class oauth_state {
public:
  explicit oauth_state(oauth_options options) : opt_(std::move(options)) {}

  /// A fresh authorization code for `account_id` (auto-consent).
  std::string issue_code(const std::string& account_id,
                         const std::string& client_id,
                         const std::string& redirect_uri,
                         const std::string& scope, std::int64_t now_ms);

  /// POST /oauth/token with the already-decoded parameters.
  token_reply token(const std::map<std::string, std::string>& params,
                    std::int64_t now_ms);

  /// The grant behind a valid, unexpired access token.
  std::optional<oauth_grant> check_access_token(const std::string& token,
                                                std::int64_t now_ms);

  /// Number of refresh-token families revoked by reuse (for stats).
  std::uint64_t families_revoked() const;

  oauth_options& options() {
    return opt_;
  }

private:
  struct code_info {
    std::string account_id, client_id, redirect_uri, scope;
    std::int64_t expires_ms = 0;
  };
  struct family {
    std::string account_id, scope;
    bool revoked = false;
  };
  struct refresh_info {
    std::uint64_t family = 0;
    bool current = true;
    std::int64_t rotated_ms = 0;
  };
  struct access_info {
    std::uint64_t family = 0;
    std::int64_t expires_ms = 0;
  };

  std::string random_token(std::size_t bytes);
  token_reply mint(std::uint64_t family_id, bool with_refresh,
                   std::int64_t now_ms);

  oauth_options opt_;
  mutable std::mutex mu_;
  std::map<std::string, code_info> codes_;
  std::map<std::uint64_t, family> families_;
  std::map<std::string, refresh_info> refresh_;
  std::map<std::string, access_info> access_;
  std::uint64_t next_family_ = 1;
  std::uint64_t revoked_ = 0;
};

} // namespace jirasim
