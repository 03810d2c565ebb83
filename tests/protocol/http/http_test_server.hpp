#pragma once
// A scripted HTTP(S) server for the http client tests: listens on
// 127.0.0.1:0, serves each connection on its own thread with Beast's
// synchronous API, answers by path with handlers the test installs, counts
// accepted connections and records every request it saw.
//
// Thread-safety: on(), requests() and connections() may be called from any
// thread; handlers run on connection threads.

#include "protocol/http/http_client.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace jirasync::test {

struct test_request {
  std::string method;
  std::string target; // path + query as received
  protocol::header_list headers;
  std::string body;
  std::uint64_t connection = 0; // 1-based accept order

  std::optional<std::string_view> header(std::string_view name) const {
    return protocol::find_header(headers, name);
  }
};

struct test_response {
  int status = 200;
  /// Sent as given; Content-Length is added unless present here.
  protocol::header_list headers;
  std::string body;
  /// When > 0 (and body empty): send this many bytes of pattern_byte(i),
  /// generated chunk by chunk (never held in memory).
  std::uint64_t stream_bytes = 0;
  /// When > 0: Content-Length announces this, the server sends what body /
  /// stream_bytes hold and then resets the connection (TCP RST).
  std::uint64_t declared_length = 0;
  /// Never answer (until the server stops).
  bool hang = false;
  /// Wait this long before sending the header.
  std::chrono::milliseconds delay{0};
  /// Close the connection after this response without saying so (a stale
  /// keep-alive connection for the client).
  bool silent_close = false;
  /// Send the body (body or stream_bytes) with Transfer-Encoding: chunked
  /// in 64 KiB chunks instead of a Content-Length.
  bool chunked = false;
};

using test_handler = std::function<test_response(const test_request&)>;

/// The byte at offset i of a pattern body (cheap, not periodic in 64 KiB).
inline char pattern_byte(std::uint64_t i) {
  std::uint64_t x = i * 0x9E3779B97F4A7C15ull;
  return static_cast<char>((x >> 29) ^ (i >> 11));
}

class test_server {
public:
  struct options {
    /// Serve TLS with this certificate (PEM); plain HTTP when empty.
    std::string cert_pem;
    std::string key_pem;
  };

  explicit test_server(options opts);
  ~test_server();
  test_server(const test_server&) = delete;
  test_server& operator=(const test_server&) = delete;

  /// Handler for an exact path (query ignored); "*" is the fallback.
  /// Unknown paths get 404 "no handler".
  void on(std::string path, test_handler handler);

  std::uint16_t port() const;
  /// "<scheme>://<host>:<port><path>".
  std::string url(std::string_view host, std::string_view path) const;
  std::size_t connections() const;
  std::vector<test_request> requests() const;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace jirasync::test
