// http_server over real loopback sockets: http_client as the client, and raw
// POSIX sockets where a misbehaving client is needed (silent, half a request,
// hanging up). Every wait in these tests is bounded; bounds are generous
// liveness limits, not timing assertions.
#include "protocol/http/http_client.hpp"
#include "protocol/http/http_server.hpp"

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <thread>

using namespace jirasync::protocol;
using namespace std::chrono_literals;

namespace {

http_client_options client_options() {
  http_client_options o;
  o.threads = 1;
  o.allow_insecure_http = true;
  o.use_system_roots = false;
  return o;
}

std::unique_ptr<http_server> start_server(http_server_options o,
                                          request_handler h) {
  auto s = http_server::start(std::move(o), std::move(h));
  REQUIRE(s.has_value());
  REQUIRE((*s)->port() != 0);
  return std::move(*s);
}

std::string url(const http_server& s, std::string_view target) {
  return "http://127.0.0.1:" + std::to_string(s.port()) + std::string(target);
}

http_result fetch(http_client& c, std::string target_url,
                  std::string method = "GET", std::string body = {},
                  header_list headers = {}) {
  http_request r;
  r.method = std::move(method);
  r.url = std::move(target_url);
  r.body = std::move(body);
  r.headers = std::move(headers);
  r.timeouts.connect = 10s;
  r.timeouts.first_byte = 20s;
  r.timeouts.total = 30s;
  return c.request(std::move(r));
}

/// A plain TCP client for the cases http_client cannot produce.
class raw_conn {
public:
  explicit raw_conn(std::uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  }
  ~raw_conn() {
    close_now();
  }
  raw_conn(const raw_conn&) = delete;
  raw_conn& operator=(const raw_conn&) = delete;

  void send_all(std::string_view data) {
    while (!data.empty()) {
      auto n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      REQUIRE(n > 0);
      data.remove_prefix(static_cast<std::size_t>(n));
    }
  }

  /// Reads until the server closes or `limit` passes. `closed` tells which.
  std::string read_until_close(std::chrono::milliseconds limit, bool& closed) {
    std::string out;
    closed = false;
    auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
      if (left <= 0)
        return out;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left)) <= 0)
        continue;
      char buf[4096];
      auto n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) {
        closed = true;
        return out;
      }
      out.append(buf, static_cast<std::size_t>(n));
    }
  }

  void close_now() {
    if (fd_ >= 0)
      ::close(fd_);
    fd_ = -1;
  }

private:
  int fd_ = -1;
};

/// Waits for `f` with a liveness bound.
template<class T>
T await(std::future<T>& f) {
  REQUIRE(f.wait_for(20s) == std::future_status::ready);
  return f.get();
}

} // namespace

TEST_CASE("http_server: parse_query decodes form encoding", "[http]") {
  auto q = parse_query("code=a%2Fb+c&state=xyz&empty=&flag&bad=%zz%4");
  REQUIRE(q.size() == 5);
  CHECK(q[0] == std::pair<std::string, std::string>{"code", "a/b c"});
  CHECK(q[1] == std::pair<std::string, std::string>{"state", "xyz"});
  CHECK(q[2] == std::pair<std::string, std::string>{"empty", ""});
  CHECK(q[3] == std::pair<std::string, std::string>{"flag", ""});
  CHECK(q[4] == std::pair<std::string, std::string>{"bad", "%zz%4"});
  CHECK(query_param("a=1&b=2&a=3", "a") == std::optional<std::string>{"1"});
  CHECK_FALSE(query_param("a=1", "b").has_value());
  CHECK(parse_query("").empty());
}

TEST_CASE("http_server: ephemeral port, request fields, response fields",
          "[http]") {
  std::mutex mu;
  server_request seen;
  auto srv = start_server({}, [&](server_request req, responder r) {
    {
      std::lock_guard<std::mutex> g{mu};
      seen = req;
    }
    server_response res;
    res.status = 201;
    res.headers.emplace_back("X-Answer", "42");
    res.headers.emplace_back("Content-Length", "999"); // server-owned
    res.body = "got " + std::to_string(req.body.size()) + " bytes";
    CHECK(r.send(std::move(res)));
    CHECK_FALSE(r.send(server_response{})); // answered already
  });
  CHECK(srv->local_address() == "127.0.0.1:" + std::to_string(srv->port()));
  http_client c{client_options()};
  auto body = std::string(100'000, 'x');
  auto r = fetch(c, url(*srv, "/hello/w%20x?a=1&b=x%20y"), "POST", body,
                 {{"X-Trace", "abc"}});
  REQUIRE(r.ok());
  CHECK(r.response->status == 201);
  CHECK(r.response->body == "got 100000 bytes");
  CHECK(r.response->header("X-Answer")
        == std::optional<std::string_view>{"42"});
  CHECK(r.response->header("Server")
        == std::optional<std::string_view>{"jirasync"});
  CHECK(r.response->header("Content-Length")
        == std::optional<std::string_view>{"16"});
  std::lock_guard<std::mutex> g{mu};
  CHECK(seen.method == "POST");
  CHECK(seen.target == "/hello/w%20x?a=1&b=x%20y");
  CHECK(seen.path == "/hello/w%20x");
  CHECK(seen.query == "a=1&b=x%20y");
  CHECK(query_param(seen.query, "b") == std::optional<std::string>{"x y"});
  CHECK(seen.header("x-trace") == std::optional<std::string_view>{"abc"});
  CHECK(seen.body == body);
  CHECK(seen.peer.rfind("127.0.0.1:", 0) == 0);
}

TEST_CASE("http_server: keep-alive serves several requests on one connection",
          "[http]") {
  std::atomic<int> n{0};
  auto srv = start_server({}, [&](server_request req, responder r) {
    r.send({200, {}, req.path + " #" + std::to_string(++n)});
  });
  http_client c{client_options()};
  auto a = fetch(c, url(*srv, "/a"));
  auto b = fetch(c, url(*srv, "/b"));
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(a.response->body == "/a #1");
  CHECK(b.response->body == "/b #2");
  CHECK(c.get_stats().connections_opened == 1);
  CHECK(c.get_stats().connections_reused == 1);
  auto st = srv->get_stats();
  CHECK(st.connections_accepted == 1);
  CHECK(st.requests == 2);
}

TEST_CASE("http_server: a handler answers later from its own thread",
          "[http]") {
  std::promise<responder> handed;
  auto srv = start_server({}, [&](server_request, responder r) {
    handed.set_value(r); // keep it; answer elsewhere
  });
  http_client c{client_options()};
  auto pending = std::async(std::launch::async, [&] {
    return fetch(c, url(*srv, "/later"));
  });
  auto fut = handed.get_future();
  auto r = await(fut);
  CHECK(r.open());
  std::thread answerer{[r] {
    CHECK(r.send({202, {}, "done later"}));
  }};
  answerer.join();
  auto res = pending.get();
  REQUIRE(res.ok());
  CHECK(res.response->status == 202);
  CHECK(res.response->body == "done later");
  CHECK_FALSE(r.open());
}

TEST_CASE("http_server: chunked streaming with write completions", "[http]") {
  std::atomic<int> completions{0};
  const std::string piece(256 * 1024, 'p');
  auto srv = start_server({}, [&](server_request, responder r) {
    REQUIRE(r.start_stream(200, {{"Content-Type", "application/x-ndjson"}}));
    // Each chunk is written from the completion of the previous one, the
    // backpressure pattern of the /feed endpoint.
    auto next = std::make_shared<std::function<void(int)>>();
    *next = [r, next, &completions, piece](int i) {
      if (i == 5) {
        CHECK(r.finish());
        *next = nullptr; // break the self-reference
        return;
      }
      CHECK(r.write(std::to_string(i) + piece + "\n",
                    [next, i, &completions](bool ok) {
                      CHECK(ok);
                      ++completions;
                      if (*next)
                        (*next)(i + 1);
                    }));
    };
    (*next)(0);
  });
  http_client c{client_options()};
  auto res = fetch(c, url(*srv, "/feed"));
  REQUIRE(res.ok());
  CHECK(res.response->status == 200);
  CHECK(res.response->header("Transfer-Encoding")
        == std::optional<std::string_view>{"chunked"});
  std::string expect;
  for (int i = 0; i < 5; ++i)
    expect += std::to_string(i) + piece + "\n";
  CHECK(res.response->body.size() == expect.size());
  CHECK(res.response->body == expect);
  CHECK(completions == 5);
}

TEST_CASE("http_server: a client hanging up ends a long-poll", "[http]") {
  std::promise<responder> handed;
  std::promise<void> closed;
  auto srv = start_server({}, [&](server_request, responder r) {
    r.on_close([&closed] {
      closed.set_value();
    });
    handed.set_value(r);
  });
  raw_conn conn{srv->port()};
  conn.send_all("GET /feed?since=0&wait=300 HTTP/1.1\r\nHost: x\r\n\r\n");
  auto fut = handed.get_future();
  auto r = await(fut);
  conn.close_now();
  auto gone = closed.get_future();
  await(gone);
  CHECK_FALSE(r.open());
  CHECK_FALSE(r.send({200, {}, "too late"}));
  CHECK_FALSE(r.start_stream(200, {}));
  // on_close after the fact runs at once.
  bool late = false;
  r.on_close([&late] {
    late = true;
  });
  CHECK(late);
}

TEST_CASE("http_server: a handler that never answers gets 503", "[http]") {
  http_server_options o;
  o.response_timeout = 200ms;
  std::promise<responder> handed;
  auto srv = start_server(o, [&](server_request, responder r) {
    handed.set_value(r);
  });
  http_client c{client_options()};
  auto res = fetch(c, url(*srv, "/stuck"));
  REQUIRE(res.ok());
  CHECK(res.response->status == 503);
  CHECK(res.response->body.find("did not answer within 200 ms")
        != std::string::npos);
  auto fut = handed.get_future();
  auto r = await(fut);
  CHECK_FALSE(r.send({200, {}, "late"}));
  CHECK(srv->get_stats().response_timeouts == 1);
}

TEST_CASE("http_server: size limits answer 413 and 431", "[http]") {
  http_server_options o;
  o.max_body_bytes = 1024;
  o.max_header_bytes = 1024;
  std::atomic<int> handled{0};
  auto srv = start_server(o, [&](server_request, responder r) {
    ++handled;
    r.send({200, {}, "ok"});
  });
  http_client c{client_options()};
  auto big_body = fetch(c, url(*srv, "/x"), "POST", std::string(4096, 'b'));
  REQUIRE(big_body.ok());
  CHECK(big_body.response->status == 413);
  auto big_header
    = fetch(c, url(*srv, "/x"), "GET", {}, {{"X-Big", std::string(2048, 'h')}});
  REQUIRE(big_header.ok());
  CHECK(big_header.response->status == 431);
  auto fine = fetch(c, url(*srv, "/x"), "POST", std::string(1000, 'b'));
  REQUIRE(fine.ok());
  CHECK(fine.response->status == 200);
  CHECK(handled == 1);
}

TEST_CASE("http_server: malformed requests get 400, throwing handlers 500",
          "[http]") {
  auto srv = start_server({}, [](server_request req, responder r) {
    if (req.path == "/throw")
      throw std::runtime_error("boom");
    r.send({200, {}, "ok"});
  });
  {
    raw_conn conn{srv->port()};
    conn.send_all("NOT HTTP AT ALL\r\n\r\n");
    bool closed = false;
    auto got = conn.read_until_close(20s, closed);
    CHECK(closed);
    CHECK(got.rfind("HTTP/1.1 400", 0) == 0);
  }
  http_client c{client_options()};
  auto res = fetch(c, url(*srv, "/throw"));
  REQUIRE(res.ok());
  CHECK(res.response->status == 500);
  auto after = fetch(c, url(*srv, "/fine"));
  REQUIRE(after.ok());
  CHECK(after.response->status == 200);
}

TEST_CASE("http_server: idle and read timeouts close connections", "[http]") {
  http_server_options o;
  o.idle_timeout = 100ms;
  o.read_timeout = 100ms;
  auto srv = start_server(o, [](server_request, responder r) {
    r.send({200, {}, "ok"});
  });
  {
    raw_conn silent{srv->port()};
    bool closed = false;
    auto got = silent.read_until_close(20s, closed);
    CHECK(closed);
    CHECK(got.empty());
  }
  {
    raw_conn slow{srv->port()};
    slow.send_all("GET / HTTP/1.1\r\nHost: x\r\n"); // never finished
    bool closed = false;
    auto got = slow.read_until_close(20s, closed);
    CHECK(closed);
    CHECK(got.rfind("HTTP/1.1 408", 0) == 0);
  }
  CHECK(srv->get_stats().connection_timeouts == 2);
}

TEST_CASE("http_server: connections over the cap get 503", "[http]") {
  http_server_options o;
  o.max_connections = 2;
  auto srv = start_server(o, [](server_request, responder r) {
    r.send({200, {}, "ok"});
  });
  raw_conn a{srv->port()};
  raw_conn b{srv->port()};
  raw_conn c{srv->port()};
  bool closed = false;
  auto got = c.read_until_close(20s, closed);
  CHECK(closed);
  CHECK(got.rfind("HTTP/1.1 503", 0) == 0);
  CHECK(got.find("too many connections") != std::string::npos);
  a.send_all("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  auto served = a.read_until_close(20s, closed);
  CHECK(closed);
  CHECK(served.rfind("HTTP/1.1 200", 0) == 0);
  CHECK(srv->get_stats().connections_rejected == 1);
}

TEST_CASE("http_server: stop lets requests in progress finish, then forces",
          "[http]") {
  SECTION("answered within the grace: delivered, connection closed") {
    std::promise<responder> handed;
    auto srv = start_server({}, [&](server_request, responder r) {
      handed.set_value(r);
    });
    auto port = srv->port();
    http_client c{client_options()};
    auto pending = std::async(std::launch::async, [&] {
      return fetch(c, url(*srv, "/slow"));
    });
    auto fut = handed.get_future();
    auto r = await(fut);
    auto stopper = std::async(std::launch::async, [&] {
      return srv->stop(20s);
    });
    std::this_thread::sleep_for(50ms); // let stop() begin (not asserted)
    CHECK(r.send({200, {}, "finished"}));
    CHECK(stopper.get() == 0);
    auto res = pending.get();
    REQUIRE(res.ok());
    CHECK(res.response->body == "finished");
    CHECK(res.response->header("Connection")
          == std::optional<std::string_view>{"close"});
    // Not listening any more.
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CHECK(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0);
    ::close(fd);
  }
  SECTION("not answered: closed at the deadline, responder inert") {
    std::promise<responder> handed;
    auto srv = start_server({}, [&](server_request, responder r) {
      handed.set_value(r);
    });
    raw_conn idle{srv->port()}; // an idle keep-alive connection
    raw_conn busy{srv->port()};
    busy.send_all("GET /never HTTP/1.1\r\nHost: x\r\n\r\n");
    auto fut = handed.get_future();
    auto r = await(fut);
    CHECK(srv->stop(100ms) == 1); // only the busy one was left
    bool closed = false;
    busy.read_until_close(20s, closed);
    CHECK(closed);
    idle.read_until_close(20s, closed);
    CHECK(closed);
    CHECK_FALSE(r.send({200, {}, "late"}));
    CHECK(srv->stop(0ms) == 0); // idempotent
  }
}

TEST_CASE("http_server: a port in use is a clear error", "[http]") {
  auto first = start_server({}, [](server_request, responder r) {
    r.send({200, {}, "ok"});
  });
  http_server_options o;
  o.port = first->port();
  auto second = http_server::start(o, [](server_request, responder) {});
  REQUIRE_FALSE(second.has_value());
  CHECK(second.error().code == jirasync::common::errc::unavailable);
  CHECK(second.error().message.find("cannot listen on 127.0.0.1:"
                                    + std::to_string(first->port()))
        != std::string::npos);
}

TEST_CASE("http_server: many parallel requests on two threads", "[http]") {
  http_server_options o;
  o.threads = 2;
  auto srv = start_server(o, [](server_request req, responder r) {
    r.send({200, {}, req.query});
  });
  http_client c{client_options()};
  constexpr int n = 40;
  std::mutex mu;
  std::vector<std::string> bodies;
  std::promise<void> all;
  std::atomic<int> left{n};
  for (int i = 0; i < n; ++i) {
    http_request r;
    r.url = url(*srv, "/p?" + std::to_string(i));
    c.async_request(std::move(r), [&, i](http_result res) {
      {
        std::lock_guard<std::mutex> g{mu};
        bodies.push_back(res.ok() ? res.response->body : "error");
      }
      if (--left == 0)
        all.set_value();
    });
  }
  auto fut = all.get_future();
  await(fut);
  std::sort(bodies.begin(), bodies.end());
  std::vector<std::string> expect;
  for (int i = 0; i < n; ++i)
    expect.push_back(std::to_string(i));
  std::sort(expect.begin(), expect.end());
  CHECK(bodies == expect);
  CHECK(srv->get_stats().requests == n);
}
