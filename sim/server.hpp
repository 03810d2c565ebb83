#pragma once
// The HTTP(S) server core of jira-sim: accept loop, TLS, keep-alive, and the
// application of latency and transport faults. It knows nothing about Jira;
// it hands every parsed request to a `handler` and writes what comes back.
// No Beast or Asio type appears here (Beast lives in server.cpp only).
//
// Thread-safety: start() and stop() from one thread; the handler is called
// concurrently from the server's io threads and must be thread-safe.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace jirasim {

using header_list = std::vector<std::pair<std::string, std::string>>;

/// Case-insensitive look-up of the first header called `name`.
std::optional<std::string_view> find_header(const header_list& headers,
                                            std::string_view name);

/// One parsed HTTP request, independent of Beast.
struct http_request {
  std::string method; // "GET", "POST", ...
  std::string target; // as received: path + query, %-encoded
  std::string path;   // decoded path, no query
  /// Decoded query parameters in order (repeated keys kept).
  std::vector<std::pair<std::string, std::string>> query;
  header_list headers;
  std::string body;

  std::optional<std::string_view> header(std::string_view name) const {
    return find_header(headers, name);
  }
  /// First query parameter called `key`.
  std::optional<std::string_view> param(std::string_view key) const;
};

/// Transport-level misbehaviour the server applies to a response (see
/// faults.hpp for how they are chosen).
enum class transport_fault {
  none,
  connection_reset, // close the socket (RST) without a response
  truncated_body,   // full Content-Length announced, half the body sent
  slow_headers,     // the response is held back `slow_ms` before sending
};

struct http_response {
  int status = 200;
  header_list headers;
  std::string body;
  /// When set, the body is this file's content (sent chunked); the file is
  /// deleted after sending when `delete_body_file` is true.
  std::optional<std::filesystem::path> body_file;
  bool delete_body_file = false;
  /// Send with Transfer-Encoding: chunked instead of Content-Length.
  bool chunked = false;
  /// Extra delay before the response is written (latency model). Default: 0.
  std::chrono::milliseconds delay{0};
  transport_fault fault = transport_fault::none;

  void set(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
  }
};

using handler = std::function<http_response(http_request&)>;

struct server_options {
  /// Listen address. Default: 127.0.0.1 (the simulator is loopback-only).
  std::string address = "127.0.0.1";
  /// TCP port; 0 picks a free one. Default: 0.
  std::uint16_t port = 0;
  /// Serve TLS with a generated certificate. Default: true.
  bool tls = true;
  /// Where the generated CA and server certificate go (created; removed by
  /// the server's destructor). Default: a fresh temp dir.
  std::filesystem::path cert_dir;
  /// io_context threads. Default: 4.
  std::size_t threads = 4;
  /// Request bodies larger than this get 413. Default: 16 MiB.
  std::size_t max_body_bytes = 16u << 20;
  /// Idle keep-alive connections are closed after this. Default: 60 s.
  std::chrono::milliseconds idle_timeout{60'000};
};

class server {
public:
  server(server_options options, handler h);
  /// Stops (if running) and removes the certificate dir.
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  /// Binds, writes the certificates and starts the io threads. Throws
  /// std::runtime_error when the port cannot be bound.
  void start();
  /// Closes the acceptor and every connection, joins the threads.
  void stop();

  std::uint16_t port() const;
  bool tls() const;
  /// "https://127.0.0.1:P" (or http://).
  std::string base_url() const;
  /// PEM file of the CA that signed the server certificate ("" for http).
  std::string ca_file() const;
  /// The CA certificate (PEM) ("" for http).
  std::string ca_pem() const;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace jirasim
