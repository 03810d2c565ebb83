#pragma once
// The asynchronous HTTPS client (Boost.Beast + OpenSSL on its own Asio
// threads). No Beast or Asio type appears in this header: it is included by
// actors and commands, and Beast costs ~1.8 GB / 45 s per translation unit.
//
// Thread-safety: an http_client may be used from any thread; callbacks run on
// one of the client's Asio threads and must not block.

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

namespace jirasync::protocol {

using header_list = std::vector<std::pair<std::string, std::string>>;

/// Case-insensitive look-up of the first header called `name`.
std::optional<std::string_view> find_header(const header_list& headers,
                                            std::string_view name);

struct http_timeouts {
  /// DNS + TCP connect + TLS handshake. Default: 10 s.
  std::chrono::milliseconds connect{10'000};
  /// From the request sent to the response header received. Default: 60 s.
  std::chrono::milliseconds first_byte{60'000};
  /// The whole exchange, redirects included. Default: 10 min.
  std::chrono::milliseconds total{600'000};
};

struct http_request {
  /// Default: GET.
  std::string method = "GET";
  /// Absolute http(s) URL, query included and already %-encoded.
  std::string url;
  header_list headers;
  std::string body;
  /// When set, the response body is streamed to this file (never held in
  /// memory) and its SHA-256 computed on the way.
  std::optional<std::filesystem::path> body_file;
  /// Bodies above this are cut off with http_errc::body_too_large.
  /// Default: 64 MiB.
  std::uint64_t max_body_bytes = 64ull << 20;
  /// 301/302/303/307/308 followed at most this often. Default: 5.
  int max_redirects = 5;
  /// false: a redirect is not followed but answered as the response (its
  /// Location header says where), e.g. to send the next hop as a request
  /// of its own. Default: true.
  bool follow_redirects = true;
  http_timeouts timeouts;
};

struct http_response {
  int status = 0;
  header_list headers;
  /// The (decoded) body; empty when it was streamed to body_file.
  std::string body;
  std::uint64_t body_bytes = 0;
  /// Lower-case hex SHA-256 of the decoded body (always set for body_file).
  std::string sha256_hex;
  /// The URL that produced this response, after redirects.
  std::string final_url;
  int redirects = 0;

  std::optional<std::string_view> header(std::string_view name) const {
    return find_header(headers, name);
  }
};

/// Transport-level failure kinds; callers decide retry vs fail from these
/// (HTTP statuses arrive as responses and are classified separately).
enum class http_errc {
  bad_url = 1,        // not an absolute URL, or http where not allowed
  dns,                // name resolution failed
  connect,            // TCP connect refused / unreachable
  tls,                // handshake or certificate verification failed
  timeout,            // connect, first-byte or total timeout fired
  protocol,           // malformed HTTP, connection reset/closed mid-message
  body_too_large,     // exceeded max_body_bytes
  too_many_redirects, // more than max_redirects
  io,                 // local file error while streaming the body
  cancelled,          // the client was shut down
};

/// "bad_url", "dns", ... (the enumerator's name).
std::string_view to_string(http_errc code);

struct http_error {
  http_errc code = http_errc::protocol;
  /// Human-readable, labelled by stage ("connect 127.0.0.1:443: ...").
  /// Never contains credentials.
  std::string message;
};

/// Either a response (any status) or a transport error.
struct http_result {
  std::optional<http_response> response;
  std::optional<http_error> error;
  bool ok() const {
    return response.has_value();
  }
};

/// One line for logs: "200 OK (1234 bytes, https://host/path)" or
/// "error timeout: first-byte ...". Never contains credentials or queries.
std::string describe(const http_result& result);

struct http_client_options {
  /// Asio threads running the client. Default: 2.
  std::size_t threads = 2;
  /// Open connections kept per host:port (in use + idle). Default: 32.
  std::size_t max_connections_per_host = 32;
  /// Extra trusted CA bundle (PEM) on top of the system roots. Default: none.
  std::string ca_file;
  /// Trust the system's default CA roots. Default: true.
  bool use_system_roots = true;
  /// Allow plain http, and only to loopback hosts. Default: false.
  bool allow_insecure_http = false;
  /// Send Accept-Encoding: gzip and decode gzip bodies. Default: true.
  bool accept_gzip = true;
  /// Default: "jirasync/<version>".
  std::string user_agent;
  /// An idle keep-alive connection older than this is closed instead of
  /// reused (servers drop idle connections after a while). Default: 30 s.
  std::chrono::milliseconds idle_timeout{30'000};
};

class http_client {
public:
  using callback = std::function<void(http_result)>;

  explicit http_client(http_client_options options);
  /// Cancels pending requests (their callbacks get http_errc::cancelled)
  /// and joins the Asio threads.
  ~http_client();
  http_client(const http_client&) = delete;
  http_client& operator=(const http_client&) = delete;

  /// Starts a request; `done` is called exactly once, on an Asio thread.
  void async_request(http_request request, callback done);

  /// Blocking convenience for commands and tests; never call from an actor.
  /// Called from one of the client's own threads (i.e. inside a callback)
  /// it returns http_errc::protocol at once instead of deadlocking.
  http_result request(http_request request);

  struct stats {
    std::uint64_t requests = 0;
    std::uint64_t connections_opened = 0;
    std::uint64_t connections_reused = 0;
  };
  stats get_stats() const;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace jirasync::protocol
