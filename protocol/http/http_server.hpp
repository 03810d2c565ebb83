#pragma once
// A small HTTP/1.1 server (Boost.Beast, plain HTTP, on its own Asio threads)
// for the two places where jirasync is the server: the OAuth callback of
// `jirasync auth login` (redirect_uri's loopback host:port) and the admin
// endpoints of `jirasync serve` (/healthz, /status, /metrics, /feed with
// long-polls). No Beast or Asio type appears in this header.
//
// Threading contract:
// - The handler is called on one of the server's Asio threads, once per
//   request, and must not block (a blocked handler stalls every connection
//   served by that thread). It answers through the `responder` it is given,
//   at once or later, from any thread: a long-poll keeps the responder and
//   answers when data arrives or its own wait ends.
// - Every responder member may be called from any thread, at any time, also
//   after the connection is gone (the call then does nothing and returns
//   false). Callbacks given to the responder (write completions, on_close)
//   run on a server thread and must not block either.
// - start(), stop(), port() and the destructor are for the owning thread;
//   stop() and the destructor must not be called from a server thread.
//
// Every wait has an end: a new connection or an idle keep-alive connection
// waits at most idle_timeout for the first byte of a request, a request must
// arrive completely within read_timeout, each write must finish within
// write_timeout, and the handler must answer (or write the next chunk of a
// stream) within response_timeout, or the server answers 503 itself (or,
// once a stream has started, closes the connection).

#include "common/error.hpp"
#include "protocol/http/http_client.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace jirasync::protocol {

struct http_server_options {
  /// Address to bind: an IPv4 or IPv6 literal, or a host name resolved at
  /// start ("localhost" binds every loopback address it resolves to).
  /// Default: "127.0.0.1".
  std::string host = "127.0.0.1";
  /// TCP port; 0 binds an ephemeral port (see http_server::port()).
  /// Default: 0.
  std::uint16_t port = 0;
  /// Asio threads serving connections. Default: 1.
  std::size_t threads = 1;
  /// Open connections at most; one more is answered 503 and closed.
  /// Default: 64.
  std::size_t max_connections = 64;
  /// Request line + headers at most; larger requests get 431. Default: 16 KiB.
  std::uint32_t max_header_bytes = 16 * 1024;
  /// Request body at most; larger bodies get 413. Default: 1 MiB.
  std::uint64_t max_body_bytes = 1 << 20;
  /// Wait for the first byte of a request (new or keep-alive connection).
  /// Default: 30 s.
  std::chrono::milliseconds idle_timeout{30'000};
  /// Reading one whole request once its first byte arrived; on expiry the
  /// server answers 408 and closes. Default: 10 s.
  std::chrono::milliseconds read_timeout{10'000};
  /// Each write to the socket (a response, a chunk). Default: 30 s.
  std::chrono::milliseconds write_timeout{30'000};
  /// The handler's answer, and the gap between two chunks of a stream.
  /// Long-poll handlers must answer before it (keep their wait below it).
  /// Default: 120 s.
  std::chrono::milliseconds response_timeout{120'000};
  /// Value of the Server header. Default: "jirasync".
  std::string server_name = "jirasync";
};

/// One request, complete (body read) before the handler sees it.
struct server_request {
  /// As sent, e.g. "GET".
  std::string method;
  /// The request target as sent: %-encoded path and query.
  std::string target;
  /// The target up to '?', still %-encoded, e.g. "/callback".
  std::string path;
  /// The target after '?', still %-encoded; "" when there is none.
  std::string query;
  header_list headers;
  std::string body;
  /// The client's address, "127.0.0.1:54321" or "[::1]:54321".
  std::string peer;

  std::optional<std::string_view> header(std::string_view name) const {
    return find_header(headers, name);
  }
};

/// A complete response. Content-Length, Transfer-Encoding, Connection and
/// Server are set by the server (values given for them are ignored).
struct server_response {
  /// Default: 200.
  int status = 200;
  header_list headers;
  std::string body;
};

/// Decodes an application/x-www-form-urlencoded query ("a=1&b=x%20y+z") into
/// name/value pairs in order ('+' is a space). Malformed %-escapes are kept
/// as written.
std::vector<std::pair<std::string, std::string>>
parse_query(std::string_view query);

/// The decoded value of the first parameter called `name`, if any.
std::optional<std::string> query_param(std::string_view query,
                                       std::string_view name);

namespace detail {
struct exchange_state;
} // namespace detail

/// How a handler answers one request (see the threading contract above).
/// Exactly one of: send(), or start_stream() + write()... + finish().
/// Copyable; all copies answer the same request.
class responder {
public:
  /// Called with true when a chunk was handed to the socket, false when it
  /// never will be (connection gone, write timeout, server stopping).
  using write_done = std::function<void(bool ok)>;

  explicit responder(std::shared_ptr<detail::exchange_state> state)
      : st_(std::move(state)) {
    // nop
  }

  /// Sends a complete response. False when the request was already
  /// answered or is gone (client disconnected, timed out, server stopped).
  bool send(server_response response) const;

  /// Starts a chunked response: status and headers now, the body in chunks.
  bool start_stream(int status, header_list headers) const;

  /// Queues one chunk of a started stream (empty chunks are skipped). When
  /// it returns true, `done` (if set) is called exactly once; write the next
  /// chunk from there to keep memory bounded (backpressure).
  bool write(std::string chunk, write_done done = {}) const;

  /// Ends a started stream.
  bool finish() const;

  /// True until the response is complete or the request is gone.
  bool open() const;

  /// `f` is called once when the request goes away before its response is
  /// complete (client disconnected, timeout, server stopping), so that a
  /// long-poll can stop waiting. Called at once (on this thread) when that
  /// already happened.
  void on_close(std::function<void()> f) const;

private:
  std::shared_ptr<detail::exchange_state> st_;
};

/// The request handler (see the threading contract above).
using request_handler = std::function<void(server_request, responder)>;

class http_server {
public:
  struct stats {
    std::uint64_t connections_accepted = 0;
    /// Answered 503 because max_connections were open.
    std::uint64_t connections_rejected = 0;
    std::uint64_t requests = 0;
    /// Requests answered 503 by the server after response_timeout.
    std::uint64_t response_timeouts = 0;
    /// Connections closed by idle_timeout, read_timeout or write_timeout.
    std::uint64_t connection_timeouts = 0;
    std::size_t open_connections = 0;
  };

  /// Binds, listens and starts the threads. Errors: errc::unavailable when
  /// the address cannot be bound (in use, not local), errc::invalid_argument
  /// for an unresolvable host.
  static common::result<std::unique_ptr<http_server>>
  start(http_server_options options, request_handler handler);

  /// stop(0 ms).
  ~http_server();
  http_server(const http_server&) = delete;
  http_server& operator=(const http_server&) = delete;

  /// The bound port (the ephemeral one when options.port was 0).
  std::uint16_t port() const;

  /// Where it listens, e.g. "127.0.0.1:41234" (the first bound address).
  std::string local_address() const;

  /// Stops accepting, closes idle connections, lets requests in progress
  /// finish for up to `grace` (their responses carry Connection: close),
  /// then closes whatever is left and joins the threads. Pending responders
  /// turn inert (their calls return false). Returns the number of
  /// connections that had to be closed at the deadline. Idempotent.
  std::size_t stop(std::chrono::milliseconds grace);

  stats get_stats() const;

private:
  struct impl;
  explicit http_server(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

} // namespace jirasync::protocol
