#include "http_test_server.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <sys/socket.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

namespace jirasync::test {

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;

std::string reason(int status) {
  auto r = bhttp::obsolete_reason(static_cast<bhttp::status>(status));
  return r.empty() ? std::string("Status") : std::string(r);
}

} // namespace

struct test_server::impl {
  explicit impl(options o)
      : opts(std::move(o)), tls_ctx(ssl::context::tls_server),
        acceptor(ioc, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0)) {
    if (!opts.cert_pem.empty()) {
      tls_ctx.use_certificate_chain(net::buffer(opts.cert_pem));
      tls_ctx.use_private_key(net::buffer(opts.key_pem),
                              ssl::context::file_format::pem);
    }
    port = acceptor.local_endpoint().port();
    accept_thread = std::thread([this] {
      accept_loop();
    });
  }

  ~impl() {
    {
      std::lock_guard<std::mutex> g{mu};
      stopping = true;
      // Wakes the blocking accept() and every blocking read.
      ::shutdown(acceptor.native_handle(), SHUT_RDWR);
      for (int fd : open_fds)
        ::shutdown(fd, SHUT_RDWR);
    }
    cv.notify_all();
    accept_thread.join();
    std::vector<std::thread> ts;
    {
      std::lock_guard<std::mutex> g{mu};
      ts = std::move(conn_threads);
    }
    for (auto& t : ts)
      t.join();
  }

  void accept_loop() {
    for (;;) {
      tcp::socket sock{ioc};
      beast::error_code ec;
      acceptor.accept(sock, ec);
      std::lock_guard<std::mutex> g{mu};
      if (stopping)
        return;
      if (ec)
        continue;
      std::uint64_t id = ++accepted;
      open_fds.insert(sock.native_handle());
      conn_threads.emplace_back([this, id, s = std::move(sock)]() mutable {
        serve(std::move(s), id);
      });
    }
  }

  void serve(tcp::socket sock, std::uint64_t id) {
    int fd = sock.native_handle();
    try {
      if (opts.cert_pem.empty()) {
        session(sock, sock, id);
      } else {
        ssl::stream<tcp::socket&> tls{sock, tls_ctx};
        tls.handshake(ssl::stream_base::server);
        session(tls, sock, id);
      }
    } catch (const std::exception&) {
      // The client went away or the handshake failed: both are test cases.
    }
    std::lock_guard<std::mutex> g{mu};
    open_fds.erase(fd);
  }

  template<class Stream>
  void session(Stream& stream, tcp::socket& sock, std::uint64_t id) {
    beast::flat_buffer buffer;
    for (;;) {
      bhttp::request<bhttp::string_body> req;
      beast::error_code ec;
      bhttp::read(stream, buffer, req, ec);
      if (ec)
        return;
      test_request tr;
      tr.method = std::string(req.method_string());
      tr.target = std::string(req.target());
      for (const auto& f : req)
        tr.headers.emplace_back(std::string(f.name_string()),
                                std::string(f.value()));
      tr.body = req.body();
      tr.connection = id;
      test_handler handler;
      {
        std::lock_guard<std::mutex> g{mu};
        seen.push_back(tr);
        auto path = tr.target.substr(0, tr.target.find('?'));
        auto it = handlers.find(path);
        if (it == handlers.end())
          it = handlers.find("*");
        if (it != handlers.end())
          handler = it->second;
      }
      test_response res;
      if (handler) {
        res = handler(tr);
      } else {
        res.status = 404;
        res.body = "no handler";
      }
      if (res.hang) {
        std::unique_lock<std::mutex> lk{mu};
        cv.wait(lk, [this] {
          return stopping;
        });
        return;
      }
      if (res.delay.count() > 0) {
        std::unique_lock<std::mutex> lk{mu};
        if (cv.wait_for(lk, res.delay, [this] {
              return stopping;
            }))
          return;
      }
      std::uint64_t body_size
        = res.body.empty() ? res.stream_bytes : res.body.size();
      std::string head = "HTTP/1.1 " + std::to_string(res.status) + " "
                         + reason(res.status) + "\r\n";
      bool has_length
        = protocol::find_header(res.headers, "content-length").has_value();
      for (const auto& [k, v] : res.headers)
        head += k + ": " + v + "\r\n";
      if (res.chunked)
        head += "Transfer-Encoding: chunked\r\n";
      else if (!has_length)
        head += "Content-Length: "
                + std::to_string(res.declared_length ? res.declared_length
                                                     : body_size)
                + "\r\n";
      head += "\r\n";
      net::write(stream, net::buffer(head));
      auto send = [&](const char* data, std::size_t n) {
        if (!res.chunked) {
          net::write(stream, net::buffer(data, n));
          return;
        }
        char size_line[32];
        int len = std::snprintf(size_line, sizeof size_line, "%zx\r\n", n);
        net::write(stream,
                   net::buffer(size_line, static_cast<std::size_t>(len)));
        net::write(stream, net::buffer(data, n));
        net::write(stream, net::buffer("\r\n", 2));
      };
      std::string chunk;
      for (std::uint64_t off = 0; off < body_size;) {
        std::uint64_t n = std::min<std::uint64_t>(64 * 1024, body_size - off);
        if (!res.body.empty()) {
          send(res.body.data() + off, n);
        } else {
          chunk.resize(n);
          for (std::uint64_t i = 0; i < n; ++i)
            chunk[i] = pattern_byte(off + i);
          send(chunk.data(), chunk.size());
        }
        off += n;
      }
      if (res.chunked)
        net::write(stream, net::buffer("0\r\n\r\n", 5));
      if (res.declared_length > 0) {
        // Reset: with SO_LINGER 0 the close() in serve() sends a TCP RST.
        sock.set_option(net::socket_base::linger(true, 0));
        return;
      }
      if (res.silent_close) {
        beast::error_code ignored;
        sock.shutdown(tcp::socket::shutdown_both, ignored);
        return;
      }
    }
  }

  options opts;
  net::io_context ioc;
  ssl::context tls_ctx;
  tcp::acceptor acceptor;
  std::uint16_t port = 0;
  mutable std::mutex mu;
  std::condition_variable cv;
  bool stopping = false;
  std::uint64_t accepted = 0;
  std::set<int> open_fds;
  std::map<std::string, test_handler> handlers;
  std::vector<test_request> seen;
  std::vector<std::thread> conn_threads;
  std::thread accept_thread;
};

test_server::test_server(options opts)
    : impl_(std::make_unique<impl>(std::move(opts))) {}

test_server::~test_server() = default;

void test_server::on(std::string path, test_handler handler) {
  std::lock_guard<std::mutex> g{impl_->mu};
  impl_->handlers[std::move(path)] = std::move(handler);
}

std::uint16_t test_server::port() const {
  return impl_->port;
}

std::string test_server::url(std::string_view host,
                             std::string_view path) const {
  return std::string(impl_->opts.cert_pem.empty() ? "http" : "https") + "://"
         + std::string(host) + ":" + std::to_string(impl_->port)
         + std::string(path);
}

std::size_t test_server::connections() const {
  std::lock_guard<std::mutex> g{impl_->mu};
  return impl_->accepted;
}

std::vector<test_request> test_server::requests() const {
  std::lock_guard<std::mutex> g{impl_->mu};
  return impl_->seen;
}

} // namespace jirasync::test
