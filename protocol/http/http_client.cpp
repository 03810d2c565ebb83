// The HTTP client on Boost.Beast + OpenSSL. This is the only translation unit
// of the connector that includes Beast (see http_client.hpp for the contract).
//
// Shape (Beast's async-ssl client, split in two so connections can be pooled):
//   exchange   one logical request: URL checks, redirects, the one-time
//              stale-connection retry, the total deadline, the callback.
//   host_pool  per scheme://host:port: open count (capped), idle connections,
//              FIFO of exchanges waiting for a connection. Guarded by
//              core_::mu.
//   connection one socket (TLS or plain) on its own strand; one "hop" (a
//              coroutine: resolve -> connect -> handshake -> write -> read
//              header -> read body) runs on that strand at a time.
// Cancellation: the destructor marks the core stopping, fails the waiters,
// closes every live connection on its strand and joins the threads once all
// coroutines have finished (each finishes its exchange exactly once).

#include "protocol/http/http_client.hpp"

#include "protocol/http/http_body.hpp"

#include "common/ascii.hpp"
#include "common/sha256.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <deque>
#include <future>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace jirasync::protocol {

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
namespace urls = boost::urls;
using tcp = net::ip::tcp;
using steady = std::chrono::steady_clock;
using strand_t = net::strand<net::io_context::executor_type>;

/// Response headers above this are a protocol error (Jira's are ~2 KiB).
constexpr std::uint32_t header_limit_bytes = 64 * 1024;
/// Bytes read per body chunk (also the bound on what a chunk holds in RAM).
constexpr std::size_t chunk_bytes = 64 * 1024;
/// A redirect's body is read and dropped up to this size to keep the
/// connection; a larger one closes the connection instead.
constexpr std::uint64_t redirect_drain_bytes = 256 * 1024;

http_error make_error(http_errc code, std::string message) {
  return http_error{code, std::move(message)};
}

http_result error_result(http_errc code, std::string message) {
  http_result r;
  r.error = make_error(code, std::move(message));
  return r;
}

/// A checked, split absolute URL.
struct target_url {
  bool tls = true;
  std::string host;        // lower case, IPv6 without brackets
  std::string port;        // always set
  std::string target;      // path + query, %-encoded, starts with '/'
  std::string host_header; // Host: value
  std::string key;         // scheme://host:port (pool and origin key)
  std::string display;     // scheme://host:port/path (no query: tokens)
  bool host_is_ip = false;
  std::string full; // the URL as given
};

bool is_loopback(const urls::url_view& u, const std::string& host) {
  switch (u.host_type()) {
    case urls::host_type::ipv4:
      return u.host_ipv4_address().to_bytes()[0] == 127;
    case urls::host_type::ipv6:
      return u.host_ipv6_address().is_loopback();
    case urls::host_type::name:
      return host == "localhost";
    default:
      return false;
  }
}

std::optional<http_error> parse_target(std::string_view text,
                                       bool allow_insecure, target_url& out) {
  auto parsed = urls::parse_uri(text);
  if (!parsed)
    return make_error(http_errc::bad_url, "bad url: not an absolute URL ("
                                            + parsed.error().message() + ")");
  urls::url_view u = *parsed;
  auto scheme = u.scheme_id();
  if (scheme != urls::scheme::https && scheme != urls::scheme::http)
    return make_error(http_errc::bad_url, "bad url: scheme '"
                                            + std::string(u.scheme())
                                            + "' is not http(s)");
  if (!u.has_authority() || u.encoded_host().empty())
    return make_error(http_errc::bad_url, "bad url: no host");
  if (u.has_userinfo())
    return make_error(http_errc::bad_url,
                      "bad url: credentials in the URL are not allowed");
  out = target_url{};
  out.tls = scheme == urls::scheme::https;
  out.host = common::ascii_to_lower(u.host_address());
  out.host_is_ip = u.host_type() == urls::host_type::ipv4
                   || u.host_type() == urls::host_type::ipv6;
  std::string default_port = out.tls ? "443" : "80";
  out.port
    = u.has_port() && !u.port().empty() ? std::string(u.port()) : default_port;
  if (out.tls == false && !(allow_insecure && is_loopback(u, out.host)))
    return make_error(
      http_errc::bad_url,
      "bad url: plain http to " + out.host
        + (allow_insecure ? " refused: http is only allowed to loopback hosts"
                          : " refused: https is required "
                            "(allow_insecure_http is off)"));
  out.target = std::string(u.encoded_target());
  if (out.target.empty() || out.target.front() != '/')
    out.target.insert(0, "/");
  std::string bracketed
    = u.host_type() == urls::host_type::ipv6 ? "[" + out.host + "]" : out.host;
  out.host_header = bracketed;
  if (out.port != default_port)
    out.host_header += ":" + out.port;
  out.key = std::string(out.tls ? "https" : "http") + "://" + bracketed + ":"
            + out.port;
  out.display = out.key + std::string(u.encoded_path());
  out.full = std::string(text);
  return std::nullopt;
}

bool is_redirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307
         || status == 308;
}

/// Errors that mean "the peer closed the connection" (a stale keep-alive
/// connection shows up as one of these on write or on the first read).
bool is_closed_error(const beast::error_code& ec) {
  return ec == net::error::eof || ec == net::error::connection_reset
         || ec == net::error::broken_pipe
         || ec == net::error::connection_aborted
         || ec == bhttp::error::end_of_stream
         || ec == bhttp::error::partial_message
         || ec == ssl::error::stream_truncated;
}

struct connection {
  connection(net::io_context& ioc, ssl::context& ctx, bool tls,
             std::string pool_key, std::uint64_t conn_id)
      : strand(net::make_strand(ioc)), resolver(strand), resolve_timer(strand),
        key(std::move(pool_key)), id(conn_id) {
    if (tls)
      tls_stream.emplace(strand, ctx);
    else
      plain.emplace(strand);
  }

  beast::tcp_stream& lowest() {
    return tls_stream ? beast::get_lowest_layer(*tls_stream) : *plain;
  }

  /// Runs on the strand (or while nobody else holds the connection).
  void close() {
    closed = true;
    resolver.cancel();
    resolve_timer.cancel();
    beast::error_code ec;
    lowest().socket().shutdown(tcp::socket::shutdown_both, ec);
    lowest().close();
  }

  strand_t strand;
  tcp::resolver resolver;
  net::steady_timer resolve_timer;
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls_stream;
  std::optional<beast::tcp_stream> plain;
  beast::flat_buffer buffer;
  std::vector<char> chunk;
  std::string key;
  std::uint64_t id = 0;
  bool connected = false;
  bool closed = false;
  bool reused = false; // this hop got it from the idle list
  bool resolve_timed_out = false;
  steady::time_point idle_since{};
};

using connection_ptr = std::shared_ptr<connection>;

struct hop_outcome {
  std::optional<http_error> error;
  bool retry_fresh = false; // stale keep-alive: try again on a new socket
  std::optional<http_response> response;
  std::string location; // set for a redirect to follow
  int status = 0;
  bool reusable = false;
};

} // namespace

struct http_client::impl {
  struct exchange;
  using exchange_ptr = std::shared_ptr<exchange>;

  struct waiter {
    std::uint64_t id = 0;
    exchange_ptr ex;
    std::shared_ptr<net::steady_timer> timer;
  };

  struct host_pool {
    std::size_t open = 0;
    std::vector<connection_ptr> idle;
    std::deque<waiter> waiters;
  };

  struct exchange {
    http_request req;
    callback done;
    target_url url;
    std::string method;
    std::string body;
    header_list headers;
    steady::time_point total_deadline;
    int redirects = 0;
    bool retried = false;
    std::atomic<bool> finished{false};

    void finish(http_result r) {
      if (finished.exchange(true))
        return;
      auto cb = std::move(done);
      done = nullptr;
      if (cb)
        cb(std::move(r));
    }
  };

  explicit impl(http_client_options opts)
      : options(std::move(opts)), ctx(ssl::context::tls_client),
        work(net::make_work_guard(ioc)) {
    if (options.threads == 0)
      options.threads = 1;
    if (options.max_connections_per_host == 0)
      options.max_connections_per_host = 1;
    if (options.user_agent.empty()) {
#ifdef JIRASYNC_VERSION
      options.user_agent = std::string("jirasync/") + JIRASYNC_VERSION;
#else
      options.user_agent = "jirasync";
#endif
    }
    SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
    ctx.set_verify_mode(ssl::verify_peer);
    beast::error_code ec;
    if (options.use_system_roots) {
      ctx.set_default_verify_paths(ec);
      if (ec)
        throw std::runtime_error("http client: cannot load the system CA "
                                 "roots: "
                                 + ec.message());
    }
    if (!options.ca_file.empty()) {
      ctx.load_verify_file(options.ca_file, ec);
      if (ec)
        throw std::runtime_error("http client: cannot load ca_file "
                                 + options.ca_file + ": " + ec.message());
    }
    threads.reserve(options.threads);
    for (std::size_t i = 0; i < options.threads; ++i)
      threads.emplace_back([this] {
        ioc.run();
      });
  }

  ~impl() {
    shutdown();
    work.reset();
    for (auto& t : threads)
      t.join();
  }

  // --- entry -----------------------------------------------------------

  void start(http_request req, callback done) {
    ++n_requests;
    auto ex = std::make_shared<exchange>();
    ex->done = std::move(done);
    ex->method = req.method.empty() ? std::string("GET") : req.method;
    for (auto& c : ex->method)
      c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    ex->body = std::move(req.body);
    ex->headers = std::move(req.headers);
    ex->req = std::move(req);
    ex->total_deadline = steady::now() + ex->req.timeouts.total;
    if (stopping) {
      fail_later(ex, http_errc::cancelled, "http client: shut down");
      return;
    }
    if (auto e
        = parse_target(ex->req.url, options.allow_insecure_http, ex->url)) {
      fail_later(ex, e->code, e->message);
      return;
    }
    acquire(ex, false);
  }

  void fail_later(const exchange_ptr& ex, http_errc code, std::string msg) {
    net::post(ioc, [ex, code, msg = std::move(msg)]() mutable {
      ex->finish(error_result(code, std::move(msg)));
    });
  }

  // --- pool --------------------------------------------------------------

  /// Gets a connection for ex->url (idle, new, or by queueing). `fresh`
  /// skips idle ones: used for the retry after a stale connection.
  void acquire(const exchange_ptr& ex, bool fresh) {
    connection_ptr conn;
    std::vector<connection_ptr> expired;
    {
      std::lock_guard<std::mutex> guard{mu};
      if (stopping) {
        fail_later(ex, http_errc::cancelled, "http client: shut down");
        return;
      }
      auto& pool = pools[ex->url.key];
      auto now = steady::now();
      while (!pool.idle.empty()) {
        auto c = std::move(pool.idle.back());
        pool.idle.pop_back();
        if (fresh || now - c->idle_since > options.idle_timeout) {
          // Idle ones left behind a stale one are suspect too.
          --pool.open;
          live.erase(c->id);
          expired.push_back(std::move(c));
          continue;
        }
        conn = std::move(c);
        conn->reused = true;
        ++n_reused;
        break;
      }
      if (!conn && pool.open < options.max_connections_per_host) {
        ++pool.open;
        conn = new_connection(ex->url);
      }
      if (!conn) {
        waiter w;
        w.id = ++next_waiter_id;
        w.ex = ex;
        w.timer = std::make_shared<net::steady_timer>(net::make_strand(ioc));
        w.timer->expires_at(ex->total_deadline);
        w.timer->async_wait([this, key = ex->url.key, id = w.id,
                             t = w.timer](beast::error_code ec) {
          if (!ec)
            waiter_timed_out(key, id);
        });
        pool.waiters.push_back(std::move(w));
      }
    }
    for (auto& c : expired)
      net::post(c->strand, [c] {
        c->close();
      });
    if (conn)
      run_hop(ex, conn);
  }

  /// Under mu.
  connection_ptr new_connection(const target_url& url) {
    auto c = std::make_shared<connection>(ioc, ctx, url.tls, url.key,
                                          ++next_conn_id);
    c->chunk.resize(chunk_bytes);
    live[c->id] = c;
    return c;
  }

  void waiter_timed_out(const std::string& key, std::uint64_t id) {
    exchange_ptr ex;
    {
      std::lock_guard<std::mutex> guard{mu};
      auto it = pools.find(key);
      if (it == pools.end())
        return;
      auto& ws = it->second.waiters;
      auto w = std::find_if(ws.begin(), ws.end(), [id](const waiter& x) {
        return x.id == id;
      });
      if (w == ws.end())
        return;
      ex = std::move(w->ex);
      ws.erase(w);
    }
    ex->finish(error_result(
      http_errc::timeout,
      "timeout: total (" + std::to_string(ex->req.timeouts.total.count())
        + " ms) while waiting for a free connection to " + ex->url.key));
  }

  /// Gives a connection back after a hop: reuse it (first waiter or idle
  /// list) or close it and let the first waiter open a new one.
  void release(const connection_ptr& conn, bool reusable) {
    exchange_ptr next_ex;
    connection_ptr next_conn;
    std::shared_ptr<net::steady_timer> timer;
    bool close_it = false;
    {
      std::lock_guard<std::mutex> guard{mu};
      auto& pool = pools[conn->key];
      if (reusable && !stopping && !conn->closed) {
        if (!pool.waiters.empty()) {
          auto w = std::move(pool.waiters.front());
          pool.waiters.pop_front();
          next_ex = std::move(w.ex);
          timer = std::move(w.timer);
          next_conn = conn;
          next_conn->reused = true;
          ++n_reused;
        } else {
          conn->idle_since = steady::now();
          conn->reused = false;
          pool.idle.push_back(conn);
        }
      } else {
        close_it = true;
        --pool.open;
        live.erase(conn->id);
        if (!stopping && !pool.waiters.empty()
            && pool.open < options.max_connections_per_host) {
          auto w = std::move(pool.waiters.front());
          pool.waiters.pop_front();
          next_ex = std::move(w.ex);
          timer = std::move(w.timer);
          ++pool.open;
          next_conn = new_connection(next_ex->url);
        }
      }
    }
    if (close_it)
      conn->close(); // called on conn's strand (end of its hop)
    if (timer)
      net::post(timer->get_executor(), [timer] {
        timer->cancel();
      });
    if (next_ex)
      run_hop(next_ex, next_conn);
  }

  void shutdown() {
    std::vector<connection_ptr> conns;
    std::vector<waiter> waiters;
    {
      std::lock_guard<std::mutex> guard{mu};
      stopping = true;
      for (auto& [id, weak] : live)
        if (auto c = weak.lock())
          conns.push_back(std::move(c));
      for (auto& [key, pool] : pools) {
        pool.idle.clear();
        for (auto& w : pool.waiters)
          waiters.push_back(std::move(w));
        pool.waiters.clear();
      }
    }
    for (auto& w : waiters) {
      auto t = w.timer;
      net::post(t->get_executor(), [t] {
        t->cancel();
      });
      fail_later(w.ex, http_errc::cancelled, "http client: shut down");
    }
    for (auto& c : conns)
      net::post(c->strand, [c] {
        c->close();
      });
  }

  // --- one hop -------------------------------------------------------------

  void run_hop(const exchange_ptr& ex, const connection_ptr& conn) {
    net::co_spawn(conn->strand, hop(ex, conn),
                  [this, ex, conn](std::exception_ptr e, hop_outcome out) {
                    if (e) {
                      out = hop_outcome{};
                      out.error = make_error(http_errc::protocol,
                                             "http client: internal error");
                    }
                    after_hop(ex, conn, std::move(out));
                  });
  }

  /// Which deadline bounds the operation that failed (for timeout messages).
  enum class bound { connect, first_byte, total };

  http_error stage_error(const exchange& ex, const std::string& stage,
                         http_errc code, const beast::error_code& ec,
                         bound deadline) {
    if (stopping)
      return make_error(http_errc::cancelled, "http client: shut down");
    if (ec == beast::error::timeout) {
      const char* which = deadline == bound::connect      ? "connect"
                          : deadline == bound::first_byte ? "first-byte"
                                                          : "total";
      auto limit = deadline == bound::connect      ? ex.req.timeouts.connect
                   : deadline == bound::first_byte ? ex.req.timeouts.first_byte
                                                   : ex.req.timeouts.total;
      return make_error(http_errc::timeout,
                        std::string("timeout: ") + which + " ("
                          + std::to_string(limit.count()) + " ms) during "
                          + stage + " " + ex.url.display);
    }
    return make_error(code, stage + " " + ex.url.display + ": " + ec.message());
  }

  net::awaitable<hop_outcome> hop(exchange_ptr ex, connection_ptr conn) {
    hop_outcome out;
    if (conn->closed || stopping) {
      out.error = make_error(http_errc::cancelled, "http client: shut down");
      co_return out;
    }
    if (!conn->connected) {
      if (auto e = co_await connect(*ex, conn)) {
        out.error = std::move(e);
        co_return out;
      }
    }
    if (conn->tls_stream)
      co_await transact(*conn->tls_stream, *ex, *conn, out);
    else
      co_await transact(*conn->plain, *ex, *conn, out);
    conn->lowest().expires_never();
    co_return out;
  }

  net::awaitable<std::optional<http_error>> connect(exchange& ex,
                                                    connection_ptr conn_ptr) {
    connection& conn = *conn_ptr;
    auto connect_deadline = steady::now() + ex.req.timeouts.connect;
    auto which
      = ex.total_deadline <= connect_deadline ? bound::total : bound::connect;
    auto deadline = std::min(connect_deadline, ex.total_deadline);
    beast::error_code ec;

    // Resolve (the resolver has no timeout of its own: a timer cancels it).
    conn.resolve_timed_out = false;
    conn.resolve_timer.expires_at(deadline);
    conn.resolve_timer.async_wait([conn_ptr](beast::error_code tec) {
      if (!tec) {
        conn_ptr->resolve_timed_out = true;
        conn_ptr->resolver.cancel();
      }
    });
    auto endpoints = co_await conn.resolver.async_resolve(
      ex.url.host, ex.url.port, net::redirect_error(net::use_awaitable, ec));
    conn.resolve_timer.cancel();
    if (conn.resolve_timed_out)
      co_return stage_error(ex, "resolve", http_errc::dns,
                            beast::error::timeout, which);
    if (ec)
      co_return stage_error(ex, "resolve", http_errc::dns, ec, which);
    if (conn.closed)
      co_return make_error(http_errc::cancelled, "http client: shut down");

    conn.lowest().expires_at(deadline);
    co_await conn.lowest().async_connect(
      endpoints, net::redirect_error(net::use_awaitable, ec));
    if (ec)
      co_return stage_error(ex, "connect", http_errc::connect, ec, which);
    if (conn.closed)
      co_return make_error(http_errc::cancelled, "http client: shut down");

    if (conn.tls_stream) {
      auto& s = *conn.tls_stream;
      // SNI only for names (RFC 6066 forbids IP literals there).
      if (!ex.url.host_is_ip
          && !SSL_set_tlsext_host_name(s.native_handle(), ex.url.host.c_str()))
        co_return make_error(http_errc::tls,
                             "tls " + ex.url.key + ": cannot set SNI");
      // Checks the certificate's DNS or IP subjectAltNames against the host.
      s.set_verify_callback(ssl::host_name_verification(ex.url.host));
      co_await s.async_handshake(ssl::stream_base::client,
                                 net::redirect_error(net::use_awaitable, ec));
      if (ec)
        co_return stage_error(ex, "tls handshake", http_errc::tls, ec, which);
    }
    conn.lowest().expires_never();
    conn.connected = true;
    ++n_opened;
    co_return std::nullopt;
  }

  template<class Stream>
  net::awaitable<void> transact(Stream& stream, exchange& ex, connection& conn,
                                hop_outcome& out) {
    beast::error_code ec;
    bhttp::request<bhttp::string_body> req;
    req.version(11);
    req.method_string(ex.method);
    req.target(ex.url.target);
    req.set(bhttp::field::host, ex.url.host_header);
    req.set(bhttp::field::user_agent, options.user_agent);
    bool caller_encoding
      = find_header(ex.headers, "accept-encoding").has_value();
    if (options.accept_gzip && !caller_encoding)
      req.set(bhttp::field::accept_encoding, "gzip, deflate");
    for (const auto& [name, value] : ex.headers) {
      if (common::ascii_iequals(name, "host")
          || common::ascii_iequals(name, "content-length")
          || common::ascii_iequals(name, "transfer-encoding")
          || common::ascii_iequals(name, "connection"))
        continue;
      req.insert(name, value);
    }
    req.body() = ex.body;
    req.prepare_payload();

    // First byte: from sending the request to the response header.
    auto fb_deadline = steady::now() + ex.req.timeouts.first_byte;
    auto which
      = ex.total_deadline <= fb_deadline ? bound::total : bound::first_byte;
    conn.lowest().expires_at(std::min(fb_deadline, ex.total_deadline));
    bool idempotent = ex.method == "GET" || ex.method == "HEAD";

    co_await bhttp::async_write(stream, req,
                                net::redirect_error(net::use_awaitable, ec));
    if (ec) {
      if (conn.reused && is_closed_error(ec) && !ex.retried && !stopping)
        out.retry_fresh = true;
      out.error = stage_error(ex, "write", http_errc::protocol, ec, which);
      co_return;
    }

    bhttp::response_parser<bhttp::buffer_body> parser;
    parser.header_limit(header_limit_bytes);
    parser.body_limit(boost::none); // the body_sink limits decoded bytes
    if (ex.method == "HEAD")
      parser.skip(true);
    co_await bhttp::async_read_header(
      stream, conn.buffer, parser, net::redirect_error(net::use_awaitable, ec));
    if (ec) {
      if (conn.reused && is_closed_error(ec) && !ex.retried && !stopping
          && (idempotent || !parser.got_some()))
        out.retry_fresh = true;
      out.error
        = stage_error(ex, "read header", http_errc::protocol, ec, which);
      co_return;
    }

    auto& msg = parser.get();
    int status = static_cast<int>(msg.result_int());
    http_response resp;
    resp.status = status;
    for (const auto& field : msg)
      resp.headers.emplace_back(std::string(field.name_string()),
                                std::string(field.value()));
    out.status = status;

    // The rest of the exchange is bounded by the total deadline only.
    conn.lowest().expires_at(ex.total_deadline);
    auto location = resp.header("location");
    bool follow = ex.req.follow_redirects && is_redirect(status) && location
                  && !location->empty();

    if (follow) {
      out.location = std::string(*location);
      std::uint64_t drained = 0;
      while (!parser.is_done() && drained <= redirect_drain_bytes) {
        co_await read_chunk(stream, conn, parser, ec);
        drained += chunk_bytes - parser.get().body().size;
        if (ec)
          break;
      }
      // A failed or oversized drain only costs the connection.
      out.reusable = !ec && parser.is_done() && parser.keep_alive();
      co_return;
    }

    auto encoding = resp.header("content-encoding");
    bool to_file = ex.req.body_file && status >= 200 && status < 300;
    auto length = parser.content_length();
    if (!encoding && length && *length > ex.req.max_body_bytes) {
      out.error
        = make_error(http_errc::body_too_large,
                     "body " + ex.url.display + ": Content-Length "
                       + std::to_string(*length) + " exceeds max_body_bytes ("
                       + std::to_string(ex.req.max_body_bytes) + ")");
      co_return;
    }
    detail::body_sink sink(encoding.value_or(""),
                           to_file ? ex.req.body_file : std::nullopt,
                           ex.req.max_body_bytes);
    if (sink.init_error()) {
      out.error = sink.init_error();
      co_return;
    }
    while (!parser.is_done()) {
      co_await read_chunk(stream, conn, parser, ec);
      std::size_t got = chunk_bytes - parser.get().body().size;
      if (got > 0) {
        if (auto e = sink.consume(conn.chunk.data(), got)) {
          sink.abort();
          out.error = std::move(e);
          co_return;
        }
      }
      if (ec) {
        sink.abort();
        bool closed = is_closed_error(ec);
        out.error = stage_error(
          ex, closed ? "read body (connection closed mid-body)" : "read body",
          http_errc::protocol, ec, bound::total);
        co_return;
      }
    }
    if (auto e = sink.finish(resp)) {
      out.error = std::move(e);
      co_return;
    }
    out.reusable = parser.keep_alive();
    out.response = std::move(resp);
  }

  /// Reads the next body chunk into conn.chunk; afterwards
  /// `parser.get().body().size` is the unused part of the chunk.
  template<class Stream>
  net::awaitable<void>
  read_chunk(Stream& stream, connection& conn,
             bhttp::response_parser<bhttp::buffer_body>& parser,
             beast::error_code& ec) {
    parser.get().body().data = conn.chunk.data();
    parser.get().body().size = conn.chunk.size();
    co_await bhttp::async_read(stream, conn.buffer, parser,
                               net::redirect_error(net::use_awaitable, ec));
    if (ec == bhttp::error::need_buffer)
      ec = {};
  }

  // --- after a hop -----------------------------------------------------------

  void after_hop(const exchange_ptr& ex, const connection_ptr& conn,
                 hop_outcome out) {
    release(conn, out.reusable && !out.error);
    if (out.error) {
      if (out.retry_fresh && !ex->retried && !stopping) {
        ex->retried = true;
        acquire(ex, true);
        return;
      }
      if (stopping)
        out.error = make_error(http_errc::cancelled, "http client: shut down");
      ex->finish(http_result{std::nullopt, std::move(out.error)});
      return;
    }
    if (!out.location.empty()) {
      if (ex->redirects >= ex->req.max_redirects) {
        ex->finish(error_result(http_errc::too_many_redirects,
                                "redirect " + ex->url.display + ": more than "
                                  + std::to_string(ex->req.max_redirects)
                                  + " redirects"));
        return;
      }
      if (auto e = follow_redirect(*ex, out.status, out.location)) {
        ex->finish(http_result{std::nullopt, std::move(e)});
        return;
      }
      ex->redirects += 1;
      ex->retried = false;
      acquire(ex, false);
      return;
    }
    out.response->final_url = ex->url.full;
    out.response->redirects = ex->redirects;
    if (out.response->sha256_hex.empty())
      out.response->sha256_hex = common::sha256_hex(out.response->body);
    ex->finish(http_result{std::move(out.response), std::nullopt});
  }

  /// Points ex at the Location target: resolves a relative reference, changes
  /// the method where HTTP says so and drops credentials on a new origin.
  std::optional<http_error> follow_redirect(exchange& ex, int status,
                                            const std::string& location) {
    auto base = urls::parse_uri(ex.url.full);
    auto ref = urls::parse_uri_reference(location);
    if (!base || !ref)
      return make_error(http_errc::protocol,
                        "redirect " + ex.url.display
                          + ": unparsable Location header");
    urls::url dest;
    auto rv = resolve(*base, *ref, dest); // Boost.URL, found by ADL
    if (!rv)
      return make_error(http_errc::protocol, "redirect " + ex.url.display
                                               + ": cannot resolve Location: "
                                               + rv.error().message());
    dest.remove_fragment();
    target_url next;
    if (auto e
        = parse_target(dest.buffer(), options.allow_insecure_http, next)) {
      e->message = "redirect from " + ex.url.display + ": " + e->message;
      return e;
    }
    bool to_get = (status == 303 && ex.method != "HEAD")
                  || ((status == 301 || status == 302) && ex.method == "POST");
    if (to_get) {
      ex.method = "GET";
      ex.body.clear();
      std::erase_if(ex.headers, [](const auto& h) {
        return common::ascii_iequals(h.first, "content-type");
      });
    }
    if (next.key != ex.url.key) {
      // Jira's attachment content redirects to a media host: never hand it
      // our credentials.
      std::erase_if(ex.headers, [](const auto& h) {
        return common::ascii_iequals(h.first, "authorization")
               || common::ascii_iequals(h.first, "cookie")
               || common::ascii_iequals(h.first, "proxy-authorization");
      });
    }
    ex.url = std::move(next);
    return std::nullopt;
  }

  // --- members (declaration order = reverse destruction order) ------------

  http_client_options options;
  net::io_context ioc;
  ssl::context ctx;
  std::mutex mu;
  std::atomic<bool> stopping{false};
  std::map<std::string, host_pool> pools;                  // under mu
  std::map<std::uint64_t, std::weak_ptr<connection>> live; // under mu
  std::uint64_t next_conn_id = 0;                          // under mu
  std::uint64_t next_waiter_id = 0;                        // under mu
  std::atomic<std::uint64_t> n_requests{0};
  std::atomic<std::uint64_t> n_opened{0};
  std::atomic<std::uint64_t> n_reused{0};
  net::executor_work_guard<net::io_context::executor_type> work;
  std::vector<std::thread> threads;
};

http_client::http_client(http_client_options options)
    : impl_(std::make_unique<impl>(std::move(options))) {}

http_client::~http_client() = default;

void http_client::async_request(http_request request, callback done) {
  impl_->start(std::move(request), std::move(done));
}

http_result http_client::request(http_request request) {
  // Waiting on a client thread would wait for itself.
  if (impl_->ioc.get_executor().running_in_this_thread())
    return error_result(http_errc::protocol,
                        "http client: request() called on a client thread "
                        "(use async_request)");
  std::promise<http_result> promise;
  auto result = promise.get_future();
  async_request(std::move(request), [&promise](http_result r) {
    promise.set_value(std::move(r));
  });
  return result.get();
}

http_client::stats http_client::get_stats() const {
  stats s;
  s.requests = impl_->n_requests.load();
  s.connections_opened = impl_->n_opened.load();
  s.connections_reused = impl_->n_reused.load();
  return s;
}

} // namespace jirasync::protocol
