#pragma once
// The error bodies of Jira and the Atlassian gateways, in their three
// shapes, read into one jira_error with a one-line describe().

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace jirasync::protocol {

enum class jira_error_shape {
  jira,    // {"errorMessages":[...],"errors":{...}}
  gateway, // {"code":401,"message":"..."}
  oauth,   // {"error":"invalid_grant","error_description":"..."}
  unknown, // anything else (not JSON, empty, other shape)
};

struct jira_error {
  jira_error_shape shape = jira_error_shape::unknown;
  /// HTTP status given to parse_jira_error (0 = unknown).
  int http_status = 0;
  std::vector<std::string> error_messages;
  /// errors{field: message}, sorted by field.
  std::map<std::string, std::string> errors;
  /// Gateway code / message.
  std::optional<int> code;
  std::string message;
  /// OAuth error / error_description.
  std::string oauth_error;
  std::string oauth_error_description;
  /// For the unknown shape: the start of the body (at most 200 bytes,
  /// control characters replaced).
  std::string raw_excerpt;

  /// One line for logs and the CLI, e.g.
  /// `HTTP 400: Field 'foo' does not exist (jql: bad clause)`,
  /// `HTTP 401: Unauthorized; scope does not match (gateway code 401)`,
  /// `HTTP 403: invalid_grant: Unknown or invalid refresh token.`.
  std::string describe() const;
  /// describe() without the leading `HTTP <status>: `, for callers that
  /// name the status themselves.
  std::string detail() const;
};

/// Never fails: anything unrecognised becomes the unknown shape.
jira_error parse_jira_error(std::string_view body, int http_status = 0);

} // namespace jirasync::protocol
