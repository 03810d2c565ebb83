#pragma once
// A tiny blocking HTTP(S) client for jira-sim's own tests and tools (it is
// not the connector's client). One keep-alive connection, reopened on error.
// Not thread-safe: one client per thread.

#include "sim/server.hpp"

#include <cstdint>
#include <memory>
#include <string>

namespace jirasim {

struct client_response {
  int status = 0;
  header_list headers;
  std::string body;
  /// Transport error ("" when a response was read).
  std::string error;

  std::optional<std::string_view> header(std::string_view name) const {
    return find_header(headers, name);
  }
};

class test_client {
public:
  /// `ca_pem` empty means plain http.
  test_client(std::uint16_t port, std::string ca_pem);
  ~test_client();
  test_client(const test_client&) = delete;
  test_client& operator=(const test_client&) = delete;

  client_response request(const std::string& method, const std::string& target,
                          const header_list& headers = {},
                          const std::string& body = {});
  /// When false every request uses a fresh connection and no request is
  /// ever retried (fault tests). Default: true.
  void set_reuse(bool reuse);

  client_response get(const std::string& target,
                      const header_list& headers = {}) {
    return request("GET", target, headers);
  }

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// "Basic base64(user:password)".
std::string basic_auth(const std::string& user, const std::string& password);

} // namespace jirasim
