#pragma once
// Beast-free helpers for http_request/http_response: target parsing and the
// small response builders every handler uses.

#include "sim/server.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>
#include <boost/system/error_code.hpp>

namespace jirasim {

/// Splits `target` into the decoded path and query parameters of `r`.
/// Returns false (and leaves path = target) when it is not origin-form.
bool parse_target(std::string_view target, http_request& r);

/// The non-empty pieces of `s` between `sep`s ("/a//b/" -> {"a", "b"}):
/// path segments, comma lists, space-separated scopes.
std::vector<std::string_view> split_nonempty(std::string_view s, char sep);

/// Base64 alphabets: standard ("+/", Basic auth) and URL-safe ("-_",
/// page tokens).
inline constexpr std::string_view base64_std
  = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
inline constexpr std::string_view base64_url
  = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
/// Decodes `in` in `alphabet` (stops at '='); nullopt on a foreign char.
std::optional<std::string> base64_decode(std::string_view in,
                                         std::string_view alphabet);
/// Encodes `in` in `alphabet`, without padding.
std::string base64_encode(std::string_view in, std::string_view alphabet);

/// Percent-encodes `s` for use in a query parameter value.
std::string url_encode(std::string_view s);

/// Parses a request body with room for deeply nested ADF (Boost.JSON's
/// default depth of 32 is less than real documents reach).
boost::json::value parse_body(std::string_view text,
                              boost::system::error_code& ec);

/// A response with `Content-Type: application/json;charset=UTF-8`.
http_response json_response(int status, std::string body);

/// Jira's error body: {"errorMessages":[msg],"errors":{}}.
http_response jira_error(int status, std::string_view message);

} // namespace jirasim
