#pragma once
// Atlassian OAuth 2.0 (3LO) responses: the token endpoint and the
// accessible resources. Parsing contract: json_reader.hpp.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "protocol/jira/json_reader.hpp"

namespace jirasync::protocol {

/// POST https://auth.atlassian.com/oauth/token (authorization_code or
/// refresh_token grant).
struct oauth_token_response {
  std::string access_token; // required
  /// Absent in some refresh responses: keep the old one then.
  std::optional<std::string> refresh_token;
  /// Default: 3600 when absent.
  std::int64_t expires_in_secs = 3600;
  std::string scope;
  std::string token_type;
};
parsed<oauth_token_response> parse_oauth_token(const boost::json::value& doc);

/// GET https://api.atlassian.com/oauth/token/accessible-resources.
struct accessible_resource {
  std::string id; // cloudId; required
  std::string name;
  std::string url;
  std::vector<std::string> scopes;
  std::optional<std::string> avatar_url;
};
parsed<std::vector<accessible_resource>>
parse_accessible_resources(const boost::json::value& doc);

} // namespace jirasync::protocol
