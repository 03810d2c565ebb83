// The HTTP/1.1 server on Boost.Beast (plain HTTP). The second of the two
// Beast translation units of the connector (see http_server.hpp for the
// contract).
//
// Shape (Beast's advanced server, with coroutines like http_client.cpp):
//   server_core  io_context + threads, the acceptors, the registry of open
//                sessions (for the cap and for stop()).
//   session      one connection on its own strand; one coroutine reads a
//                request, calls the handler, then applies the events the
//                responder posts (full response, stream start, chunks, end)
//                in order, each write with its own timeout, and loops for
//                keep-alive.
//   exchange_state  shared by a responder and its session: the phase of the
//                answer (guarded by a mutex, so that responder calls from
//                any thread get a truthful bool) and the close callback.
// A responder never touches the socket: it posts to the session's strand and
// wakes the session's coroutine by cancelling its `signal` timer.

#include "protocol/http/http_server.hpp"

#include "common/ascii.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

namespace jirasync::protocol {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using steady = std::chrono::steady_clock;

namespace detail {

struct session;

/// Calls a write completion exactly once: explicitly, or with false when the
/// event carrying it is dropped (connection gone, server stopping).
class done_once {
public:
  done_once() = default;
  explicit done_once(responder::write_done f) : f_(std::move(f)) {
    // nop
  }
  done_once(done_once&& other) noexcept : f_(std::move(other.f_)) {
    other.f_ = nullptr;
  }
  done_once& operator=(done_once&& other) noexcept {
    if (this != &other) {
      call(false);
      f_ = std::move(other.f_);
      other.f_ = nullptr;
    }
    return *this;
  }
  done_once(const done_once&) = delete;
  done_once& operator=(const done_once&) = delete;
  ~done_once() {
    call(false);
  }
  void call(bool ok) {
    auto f = std::move(f_);
    f_ = nullptr;
    if (f)
      f(ok);
  }

private:
  responder::write_done f_;
};

/// What a responder asks its session to do (applied in order on the
/// session's strand).
struct out_event {
  enum class kind { full, stream_start, chunk, stream_end };
  kind what = kind::full;
  /// The exchange it belongs to (events of an earlier request that arrive
  /// late are dropped, never written into the next response).
  std::uint64_t seq = 0;
  server_response response; // full; stream_start uses status + headers
  std::string chunk;
  done_once done;
};

struct exchange_state {
  enum class phase { waiting, streaming, complete, gone };

  std::mutex mu;
  phase ph = phase::waiting;
  std::function<void()> close_cb;
  std::weak_ptr<session> sess;
  /// Set once by the session before the handler runs.
  std::uint64_t seq = 0;

  /// Hands `ev` to the session; false when the session is gone.
  bool push(out_event ev);

  /// The request went away before its response was complete: later
  /// responder calls return false; the close callback runs (here).
  void abandon() {
    std::function<void()> cb;
    {
      std::lock_guard<std::mutex> guard{mu};
      if (ph == phase::complete || ph == phase::gone)
        return;
      ph = phase::gone;
      cb = std::move(close_cb);
      close_cb = nullptr;
    }
    if (cb)
      cb();
  }
};

struct server_core;

struct session : std::enable_shared_from_this<session> {
  session(server_core& c, tcp::socket sock, std::uint64_t session_id)
      : core(c), stream(std::move(sock)), signal(stream.get_executor()),
        read_timer(stream.get_executor()), id(session_id) {
    // nop
  }

  /// Strand: queues a responder event and wakes the coroutine.
  void deliver(out_event ev) {
    if (closed || ev.seq != current_seq)
      return; // ev.done reports false as ev dies
    events.push_back(std::move(ev));
    signal.cancel();
  }

  /// Strand: closes the socket; pending operations end with errors.
  void close() {
    if (closed)
      return;
    closed = true;
    beast::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream.close();
    signal.cancel();
    read_timer.cancel();
  }

  net::awaitable<void> run();
  net::awaitable<bool> serve_response(exchange_state& ex, bool keep_alive,
                                      bool head, unsigned version);
  net::awaitable<bool> write_full(server_response r, bool keep_alive, bool head,
                                  unsigned version);
  net::awaitable<void> reject_request(int status, const char* text,
                                      unsigned version);
  void start_watch();
  void fail_events() {
    events.clear(); // each dropped event reports done(false)
  }

  server_core& core;
  beast::tcp_stream stream;
  net::steady_timer signal;
  net::steady_timer read_timer;
  beast::flat_buffer buffer;
  std::deque<out_event> events;            // strand
  std::shared_ptr<exchange_state> current; // strand
  std::uint64_t current_seq = 0;           // strand: 0 = none
  std::uint64_t next_seq = 0;              // strand
  bool busy = false;                       // strand: a request is in
  bool closed = false;                     // strand
  bool peer_gone = false;                  // strand
  unsigned watch_gen = 0;                  // strand
  unsigned read_gen = 0;                   // strand
  bool read_timed_out = false;             // strand
  std::uint64_t id = 0;
  std::string peer;
};

bool exchange_state::push(out_event ev) {
  auto s = sess.lock();
  if (!s)
    return false;
  ev.seq = seq;
  net::post(s->stream.get_executor(), [s, ev = std::move(ev)]() mutable {
    s->deliver(std::move(ev));
  });
  return true;
}

struct server_core {
  server_core(http_server_options o, request_handler h)
      : opt(std::move(o)), handler(std::move(h)),
        work(net::make_work_guard(ioc)) {
    if (opt.threads == 0)
      opt.threads = 1;
    if (opt.max_connections == 0)
      opt.max_connections = 1;
  }

  ~server_core() {
    shutdown(std::chrono::milliseconds{0});
  }

  void forget(std::uint64_t session_id) {
    {
      std::lock_guard<std::mutex> guard{mu};
      sessions.erase(session_id);
    }
    cv.notify_all();
  }

  std::vector<std::shared_ptr<session>> live_sessions() {
    std::vector<std::shared_ptr<session>> out;
    std::lock_guard<std::mutex> guard{mu};
    for (auto& [key, weak] : sessions)
      if (auto s = weak.lock())
        out.push_back(std::move(s));
    return out;
  }

  net::awaitable<void> accept_loop(tcp::acceptor& acc);
  net::awaitable<void> reject_connection(tcp::socket sock);

  std::size_t shutdown(std::chrono::milliseconds grace) {
    {
      std::lock_guard<std::mutex> guard{stop_mu};
      if (stopped)
        return 0;
      stopped = true;
    }
    stopping = true;
    for (auto& acc : acceptors)
      net::post(acc->get_executor(), [a = acc.get()] {
        beast::error_code ec;
        a->close(ec);
      });
    // Idle connections go now; busy ones may finish within the grace.
    for (auto& s : live_sessions())
      net::post(s->stream.get_executor(), [s] {
        if (!s->busy)
          s->close();
      });
    std::size_t left = 0;
    {
      std::unique_lock<std::mutex> lock{mu};
      cv.wait_for(lock, grace, [this] {
        return sessions.empty();
      });
      left = sessions.size();
    }
    for (auto& s : live_sessions())
      net::post(s->stream.get_executor(), [s] {
        s->close();
      });
    work.reset();
    for (auto& t : threads)
      if (t.joinable())
        t.join();
    threads.clear();
    return left;
  }

  http_server_options opt;
  request_handler handler;
  net::io_context ioc;
  net::executor_work_guard<net::io_context::executor_type> work;
  std::vector<std::unique_ptr<tcp::acceptor>> acceptors;
  std::vector<std::thread> threads;
  std::uint16_t bound_port = 0;
  std::string bound_address;

  std::mutex mu;
  std::condition_variable cv;
  std::map<std::uint64_t, std::weak_ptr<session>> sessions; // under mu
  std::uint64_t next_id = 0;                                // under mu
  std::mutex stop_mu;
  bool stopped = false; // under stop_mu
  std::atomic<bool> stopping{false};

  std::atomic<std::uint64_t> n_accepted{0};
  std::atomic<std::uint64_t> n_rejected{0};
  std::atomic<std::uint64_t> n_requests{0};
  std::atomic<std::uint64_t> n_response_timeouts{0};
  std::atomic<std::uint64_t> n_connection_timeouts{0};
};

} // namespace detail

namespace {

using detail::exchange_state;
using detail::out_event;
using detail::server_core;
using detail::session;
using phase = exchange_state::phase;

const char* reason_text(int status) {
  switch (status) {
    case 400:
      return "bad request\n";
    case 408:
      return "request timeout: the request did not arrive in time\n";
    case 413:
      return "request body too large\n";
    case 431:
      return "request header too large\n";
    case 500:
      return "internal error\n";
    default:
      return "\n";
  }
}

bool is_peer_close(const beast::error_code& ec) {
  return ec == bhttp::error::end_of_stream || ec == net::error::eof
         || ec == net::error::connection_reset || ec == net::error::broken_pipe
         || ec == net::error::connection_aborted
         || ec == net::error::operation_aborted;
}

/// Headers the server owns (framing and identity).
bool server_owned(std::string_view name) {
  return common::ascii_iequals(name, "content-length")
         || common::ascii_iequals(name, "transfer-encoding")
         || common::ascii_iequals(name, "connection")
         || common::ascii_iequals(name, "server");
}

template<class Body>
void fill_headers(bhttp::response<Body>& res, int status,
                  const header_list& headers, const std::string& server_name,
                  unsigned version) {
  res.version(version);
  res.result(
    static_cast<unsigned>(status >= 100 && status <= 999 ? status : 500));
  res.set(bhttp::field::server, server_name);
  for (const auto& [name, value] : headers)
    if (!server_owned(name))
      res.insert(name, value);
}

std::string endpoint_text(const tcp::endpoint& ep) {
  auto addr = ep.address();
  auto host = addr.to_string();
  if (addr.is_v6())
    host = "[" + host + "]";
  return host + ":" + std::to_string(ep.port());
}

} // namespace

namespace detail {

void session::start_watch() {
  // Notices a client that hangs up while its handler is still working (a
  // long-poll), without consuming bytes: readable + peek of 0 bytes = EOF.
  auto self = shared_from_this();
  auto gen = ++watch_gen;
  stream.socket().async_wait(
    tcp::socket::wait_read, [self, gen](beast::error_code ec) {
      if (ec || gen != self->watch_gen || self->closed || !self->current)
        return;
      char c = 0;
      beast::error_code peek_ec;
      auto n = self->stream.socket().receive(
        net::buffer(&c, 1), tcp::socket::message_peek, peek_ec);
      if (peek_ec || n == 0) {
        self->peer_gone = true;
        self->signal.cancel();
      }
      // Otherwise a pipelined request waits in the socket: read it later.
    });
}

net::awaitable<void> session::reject_request(int status, const char* text,
                                             unsigned version) {
  // Answer, then drain what the client is still sending (bounded) before
  // closing, so that it reads our status instead of a connection reset.
  server_response r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
  r.body = text;
  bool ok = co_await write_full(std::move(r), false, false, version);
  if (!ok || closed)
    co_return;
  beast::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  constexpr std::size_t drain_limit = 16u << 20;
  std::size_t drained = 0;
  std::vector<char> sink(64 * 1024);
  stream.expires_after(std::chrono::seconds(2));
  while (drained < drain_limit) {
    auto n = co_await stream.async_read_some(
      net::buffer(sink), net::redirect_error(net::use_awaitable, ec));
    if (ec)
      break;
    drained += n;
  }
  stream.expires_never();
}

net::awaitable<bool> session::write_full(server_response r, bool keep_alive,
                                         bool head, unsigned version) {
  beast::error_code ec;
  bhttp::response<bhttp::string_body> res;
  fill_headers(res, r.status, r.headers, core.opt.server_name, version);
  auto st = res.result_int();
  bool bodiless = (st >= 100 && st < 200) || st == 204 || st == 304;
  if (!bodiless)
    res.body() = std::move(r.body);
  res.keep_alive(keep_alive);
  res.prepare_payload();
  stream.expires_after(core.opt.write_timeout);
  if (head) {
    bhttp::response_serializer<bhttp::string_body> sr{res};
    co_await bhttp::async_write_header(
      stream, sr, net::redirect_error(net::use_awaitable, ec));
  } else {
    co_await bhttp::async_write(stream, res,
                                net::redirect_error(net::use_awaitable, ec));
  }
  stream.expires_never();
  if (ec == beast::error::timeout)
    ++core.n_connection_timeouts;
  co_return !ec;
}

net::awaitable<bool> session::serve_response(exchange_state& ex,
                                             bool keep_alive, bool head,
                                             unsigned version) {
  beast::error_code ec;
  bool streaming = false;
  auto deadline = steady::now() + core.opt.response_timeout;
  for (;;) {
    while (events.empty() && !closed && !peer_gone
           && steady::now() < deadline) {
      signal.expires_at(deadline);
      co_await signal.async_wait(net::redirect_error(net::use_awaitable, ec));
    }
    if (closed || peer_gone) {
      ex.abandon();
      fail_events();
      co_return false;
    }
    if (events.empty()) {
      // The handler did not answer (or stopped streaming) in time.
      ++core.n_response_timeouts;
      ex.abandon();
      if (!streaming) {
        server_response r;
        r.status = 503;
        r.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
        r.body = "the server did not answer within "
                 + std::to_string(core.opt.response_timeout.count()) + " ms\n";
        co_await write_full(std::move(r), false, head, version);
      }
      co_return false;
    }
    auto ev = std::move(events.front());
    events.pop_front();
    bool reuse = keep_alive && !core.stopping;
    switch (ev.what) {
      case out_event::kind::full: {
        bool ok
          = co_await write_full(std::move(ev.response), reuse, head, version);
        co_return ok&& reuse;
      }
      case out_event::kind::stream_start: {
        bhttp::response<bhttp::empty_body> res;
        fill_headers(res, ev.response.status, ev.response.headers,
                     core.opt.server_name, version);
        res.chunked(true);
        res.keep_alive(reuse);
        bhttp::response_serializer<bhttp::empty_body> sr{res};
        stream.expires_after(core.opt.write_timeout);
        co_await bhttp::async_write_header(
          stream, sr, net::redirect_error(net::use_awaitable, ec));
        stream.expires_never();
        if (ec) {
          if (ec == beast::error::timeout)
            ++core.n_connection_timeouts;
          ex.abandon();
          fail_events();
          co_return false;
        }
        streaming = true;
        break;
      }
      case out_event::kind::chunk: {
        if (!head && !ev.chunk.empty()) {
          stream.expires_after(core.opt.write_timeout);
          co_await net::async_write(
            stream, bhttp::make_chunk(net::buffer(ev.chunk)),
            net::redirect_error(net::use_awaitable, ec));
          stream.expires_never();
        }
        ev.done.call(!ec);
        if (ec) {
          if (ec == beast::error::timeout)
            ++core.n_connection_timeouts;
          ex.abandon();
          fail_events();
          co_return false;
        }
        break;
      }
      case out_event::kind::stream_end: {
        if (!head) {
          stream.expires_after(core.opt.write_timeout);
          co_await net::async_write(
            stream, bhttp::make_chunk_last(),
            net::redirect_error(net::use_awaitable, ec));
          stream.expires_never();
        }
        co_return !ec && reuse;
      }
    }
    deadline = steady::now() + core.opt.response_timeout;
  }
}

net::awaitable<void> session::run() {
  auto self = shared_from_this();
  beast::error_code ec;
  {
    beast::error_code pe;
    auto ep = stream.socket().remote_endpoint(pe);
    if (!pe)
      peer = endpoint_text(ep);
  }
  while (!closed) {
    busy = false;
    if (core.stopping)
      break;
    // 1. The first byte of the next request, at most idle_timeout away.
    if (buffer.size() == 0) {
      stream.expires_after(core.opt.idle_timeout);
      auto n = co_await stream.async_read_some(
        buffer.prepare(4096), net::redirect_error(net::use_awaitable, ec));
      stream.expires_never();
      if (ec) {
        if (ec == beast::error::timeout)
          ++core.n_connection_timeouts;
        break;
      }
      buffer.commit(n);
    }
    busy = true;
    // 2. The whole request within read_timeout, within the size limits.
    // Beast's own stream timeout would close the socket before we could
    // answer 408, so this bound is a timer that cancels the read instead.
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(core.opt.max_header_bytes);
    parser.body_limit(core.opt.max_body_bytes);
    auto gen = ++read_gen;
    read_timed_out = false;
    read_timer.expires_after(core.opt.read_timeout);
    read_timer.async_wait([self, gen](beast::error_code tec) {
      if (!tec && gen == self->read_gen && !self->closed) {
        self->read_timed_out = true;
        beast::error_code ignored;
        self->stream.socket().cancel(ignored);
      }
    });
    co_await bhttp::async_read(stream, buffer, parser,
                               net::redirect_error(net::use_awaitable, ec));
    ++read_gen; // a late timer completion is stale from here on
    read_timer.cancel();
    if (read_timed_out)
      ec = beast::error::timeout;
    if (ec) {
      if (ec == bhttp::error::header_limit)
        co_await reject_request(431, reason_text(431), 11);
      else if (ec == bhttp::error::body_limit)
        co_await reject_request(413, reason_text(413), 11);
      else if (ec == beast::error::timeout) {
        ++core.n_connection_timeouts;
        co_await reject_request(408, reason_text(408), 11);
      } else if (!is_peer_close(ec))
        co_await reject_request(400, reason_text(400), 11);
      break;
    }
    ++core.n_requests;
    auto& msg = parser.get();
    server_request req;
    req.method = std::string(msg.method_string());
    req.target = std::string(msg.target());
    auto q = req.target.find('?');
    req.path = req.target.substr(0, q);
    if (q != std::string::npos)
      req.query = req.target.substr(q + 1);
    for (const auto& field : msg)
      req.headers.emplace_back(std::string(field.name_string()),
                               std::string(field.value()));
    req.body = std::move(msg.body());
    req.peer = peer;
    bool keep_alive = msg.keep_alive();
    bool head = msg.method() == bhttp::verb::head;
    unsigned version = msg.version();

    // 3. The handler; it answers through the responder, now or later.
    auto ex = std::make_shared<exchange_state>();
    ex->sess = self;
    ex->seq = ++next_seq;
    current = ex;
    current_seq = ex->seq;
    fail_events();
    peer_gone = false;
    try {
      core.handler(std::move(req), responder{ex});
    } catch (...) {
      // A throwing handler still gets its request answered.
      server_response r;
      r.status = 500;
      r.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
      r.body = reason_text(500);
      responder{ex}.send(std::move(r));
    }
    start_watch();
    bool again = co_await serve_response(*ex, keep_alive, head, version);
    ++watch_gen; // the watch of this request is stale from here on
    current.reset();
    current_seq = 0;
    if (!again)
      break;
  }
  if (current) {
    current->abandon();
    current.reset();
  }
  fail_events();
  close();
  core.forget(id);
}

net::awaitable<void> server_core::reject_connection(tcp::socket sock) {
  // Over max_connections: a short 503 (bounded by a 1 s write) and close.
  beast::tcp_stream st(std::move(sock));
  static constexpr std::string_view text
    = "HTTP/1.1 503 Service Unavailable\r\n"
      "Content-Type: text/plain; charset=utf-8\r\n"
      "Retry-After: 1\r\nConnection: close\r\nContent-Length: 21\r\n\r\n"
      "too many connections\n";
  beast::error_code ec;
  st.expires_after(std::chrono::seconds(1));
  co_await net::async_write(st, net::buffer(text.data(), text.size()),
                            net::redirect_error(net::use_awaitable, ec));
  st.socket().shutdown(tcp::socket::shutdown_both, ec);
  st.close();
}

net::awaitable<void> server_core::accept_loop(tcp::acceptor& acc) {
  net::steady_timer pause(acc.get_executor());
  for (;;) {
    beast::error_code ec;
    auto sock = co_await acc.async_accept(
      net::make_strand(ioc), net::redirect_error(net::use_awaitable, ec));
    if (stopping || ec == net::error::operation_aborted)
      co_return;
    if (ec) {
      // Out of file descriptors and the like: do not spin on the error.
      pause.expires_after(std::chrono::milliseconds(50));
      co_await pause.async_wait(net::redirect_error(net::use_awaitable, ec));
      continue;
    }
    ++n_accepted;
    std::shared_ptr<session> s;
    {
      std::lock_guard<std::mutex> guard{mu};
      if (sessions.size() < opt.max_connections) {
        s = std::make_shared<session>(*this, std::move(sock), ++next_id);
        sessions[s->id] = s;
      }
    }
    if (!s) {
      ++n_rejected;
      auto exec = sock.get_executor();
      net::co_spawn(exec, reject_connection(std::move(sock)), net::detached);
      continue;
    }
    net::co_spawn(s->stream.get_executor(), s->run(),
                  [s](std::exception_ptr e) {
                    if (e) {
                      // bad_alloc or a bug: drop the connection, keep serving.
                      s->close();
                      s->core.forget(s->id);
                    }
                  });
  }
}

} // namespace detail

// --- responder ---------------------------------------------------------------

bool responder::send(server_response response) const {
  if (!st_)
    return false;
  {
    std::lock_guard<std::mutex> guard{st_->mu};
    if (st_->ph != phase::waiting)
      return false;
    st_->ph = phase::complete;
  }
  out_event ev;
  ev.what = out_event::kind::full;
  ev.response = std::move(response);
  return st_->push(std::move(ev));
}

bool responder::start_stream(int status, header_list headers) const {
  if (!st_)
    return false;
  {
    std::lock_guard<std::mutex> guard{st_->mu};
    if (st_->ph != phase::waiting)
      return false;
    st_->ph = phase::streaming;
  }
  out_event ev;
  ev.what = out_event::kind::stream_start;
  ev.response.status = status;
  ev.response.headers = std::move(headers);
  return st_->push(std::move(ev));
}

bool responder::write(std::string chunk, write_done done) const {
  if (!st_)
    return false;
  {
    std::lock_guard<std::mutex> guard{st_->mu};
    if (st_->ph != phase::streaming)
      return false;
  }
  // A false return means no callback, so the completion is armed only
  // once the session is known to be there.
  auto s = st_->sess.lock();
  if (!s)
    return false;
  out_event ev;
  ev.what = out_event::kind::chunk;
  ev.seq = st_->seq;
  ev.chunk = std::move(chunk);
  ev.done = detail::done_once{std::move(done)};
  net::post(s->stream.get_executor(), [s, ev = std::move(ev)]() mutable {
    s->deliver(std::move(ev));
  });
  return true;
}

bool responder::finish() const {
  if (!st_)
    return false;
  {
    std::lock_guard<std::mutex> guard{st_->mu};
    if (st_->ph != phase::streaming)
      return false;
    st_->ph = phase::complete;
  }
  out_event ev;
  ev.what = out_event::kind::stream_end;
  return st_->push(std::move(ev));
}

bool responder::open() const {
  if (!st_)
    return false;
  std::lock_guard<std::mutex> guard{st_->mu};
  return st_->ph == phase::waiting || st_->ph == phase::streaming;
}

void responder::on_close(std::function<void()> f) const {
  if (!st_ || !f)
    return;
  {
    std::lock_guard<std::mutex> guard{st_->mu};
    if (st_->ph != phase::gone) {
      st_->close_cb = std::move(f);
      return;
    }
  }
  f();
}

// --- http_server -------------------------------------------------------------

struct http_server::impl : detail::server_core {
  using detail::server_core::server_core;
};

http_server::http_server(std::unique_ptr<impl> p) : impl_(std::move(p)) {
  // nop
}

http_server::~http_server() {
  if (impl_)
    impl_->shutdown(std::chrono::milliseconds{0});
}

common::result<std::unique_ptr<http_server>>
http_server::start(http_server_options options, request_handler handler) {
  auto core = std::make_unique<impl>(std::move(options), std::move(handler));
  auto& o = core->opt;
  std::vector<tcp::endpoint> endpoints;
  beast::error_code ec;
  auto literal = net::ip::make_address(o.host, ec);
  if (!ec) {
    endpoints.emplace_back(literal, o.port);
  } else {
    tcp::resolver resolver(core->ioc);
    auto found = resolver.resolve(o.host, std::to_string(o.port),
                                  tcp::resolver::passive, ec);
    if (ec || found.empty())
      return common::make_error(common::errc::invalid_argument,
                                "cannot resolve " + o.host + " to listen on: "
                                  + (ec ? ec.message() : "no address"));
    for (const auto& entry : found)
      endpoints.push_back(entry.endpoint());
  }
  std::string first_error;
  for (auto ep : endpoints) {
    if (core->bound_port != 0)
      ep.port(core->bound_port); // every address on the same port
    auto acc = std::make_unique<tcp::acceptor>(net::make_strand(core->ioc));
    auto fail = [&](const char* what) {
      if (first_error.empty())
        first_error
          = std::string(what) + " " + endpoint_text(ep) + ": " + ec.message();
    };
    acc->open(ep.protocol(), ec);
    if (ec) {
      fail("cannot open a socket for");
      continue;
    }
    acc->set_option(net::socket_base::reuse_address(true), ec);
    if (ep.address().is_v6())
      acc->set_option(net::ip::v6_only(true), ec);
    acc->bind(ep, ec);
    if (ec) {
      fail("cannot listen on");
      continue;
    }
    acc->listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
      fail("cannot listen on");
      continue;
    }
    auto local = acc->local_endpoint(ec);
    if (core->bound_port == 0) {
      core->bound_port = local.port();
      core->bound_address = endpoint_text(local);
    }
    core->acceptors.push_back(std::move(acc));
  }
  if (core->acceptors.empty())
    return common::make_error(common::errc::unavailable, first_error);
  for (auto& acc : core->acceptors)
    net::co_spawn(acc->get_executor(), core->accept_loop(*acc), net::detached);
  core->threads.reserve(o.threads);
  for (std::size_t i = 0; i < o.threads; ++i)
    core->threads.emplace_back([c = core.get()] {
      c->ioc.run();
    });
  return std::unique_ptr<http_server>(new http_server(std::move(core)));
}

std::uint16_t http_server::port() const {
  return impl_->bound_port;
}

std::string http_server::local_address() const {
  return impl_->bound_address;
}

std::size_t http_server::stop(std::chrono::milliseconds grace) {
  return impl_->shutdown(grace);
}

http_server::stats http_server::get_stats() const {
  stats s;
  s.connections_accepted = impl_->n_accepted.load();
  s.connections_rejected = impl_->n_rejected.load();
  s.requests = impl_->n_requests.load();
  s.response_timeouts = impl_->n_response_timeouts.load();
  s.connection_timeouts = impl_->n_connection_timeouts.load();
  std::lock_guard<std::mutex> guard{impl_->mu};
  s.open_connections = impl_->sessions.size();
  return s;
}

} // namespace jirasync::protocol
