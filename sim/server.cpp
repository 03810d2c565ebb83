// The only jirasim_core translation unit with Beast/Asio in it (they cost
// ~45 s and ~1.8 GB per TU). One coroutine per connection, on its own strand.
#include "sim/server.hpp"

#include "protocol/http/tls_certgen.hpp"
#include "sim/server_http.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <stdlib.h>

#include <atomic>
#include <stdexcept>
#include <thread>
#include <tuple>

namespace jirasim {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

namespace {

constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

std::filesystem::path make_temp_dir() {
  auto tmpl
    = (std::filesystem::temp_directory_path() / "jira-sim-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr)
    throw std::runtime_error("cannot create a temp dir for certificates");
  return tmpl;
}

} // namespace

struct server::impl {
  server_options opt;
  handler h;
  // Declared before the io_context so that it outlives every SSL stream.
  std::optional<ssl::context> ssl_ctx;
  net::io_context ioc;
  tcp::acceptor acceptor{ioc};
  std::vector<std::thread> threads;
  std::string ca_pem;
  std::filesystem::path ca_file;
  bool own_cert_dir = false;
  std::uint16_t port = 0;
  bool running = false;

  impl(server_options o, handler hh) : opt(std::move(o)), h(std::move(hh)) {}

  template<class Stream>
  net::awaitable<void> serve(Stream& stream, tcp::socket& raw);
  net::awaitable<void> session(tcp::socket sock);
  net::awaitable<void> accept_loop();
};

namespace {

http_request to_request(bhttp::request<bhttp::string_body>& req) {
  http_request r;
  r.method = std::string(req.method_string());
  r.target = std::string(req.target());
  parse_target(r.target, r);
  for (auto& f : req)
    r.headers.emplace_back(std::string(f.name_string()),
                           std::string(f.value()));
  r.body = std::move(req.body());
  return r;
}

template<class Msg>
void copy_headers(const http_response& res, Msg& out) {
  for (auto& [k, v] : res.headers)
    out.insert(k, v);
}

} // namespace

template<class Stream>
net::awaitable<void> server::impl::serve(Stream& stream, tcp::socket& raw) {
  beast::flat_buffer buf;
  auto& low = beast::get_lowest_layer(stream);
  for (;;) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.body_limit(opt.max_body_bytes);
    low.expires_after(opt.idle_timeout);
    auto [ec, n] = co_await bhttp::async_read(stream, buf, parser, use_tuple);
    (void)n;
    if (ec == bhttp::error::body_limit) {
      bhttp::response<bhttp::string_body> out{bhttp::status::payload_too_large,
                                              11};
      out.set(bhttp::field::content_type, "application/json");
      out.body()
        = R"({"errorMessages":["Request body too large"],"errors":{}})";
      out.prepare_payload();
      out.keep_alive(false);
      co_await bhttp::async_write(stream, out, use_tuple);
      co_return;
    }
    if (ec)
      co_return;
    auto& req = parser.get();
    bool keep = req.keep_alive();
    int version = req.version();
    http_request r = to_request(req);
    http_response res;
    try {
      res = h(r);
    } catch (const std::exception& e) {
      res = http_response{};
      res.status = 500;
      res.set("Content-Type", "application/json");
      res.body = R"({"errorMessages":["Internal server error"],"errors":{}})";
    }
    low.expires_never();
    if (res.delay.count() > 0) {
      net::steady_timer t(co_await net::this_coro::executor, res.delay);
      co_await t.async_wait(use_tuple);
    }
    low.expires_after(opt.idle_timeout);
    if (res.fault == transport_fault::connection_reset) {
      beast::error_code ignored;
      raw.set_option(net::socket_base::linger(true, 0), ignored);
      raw.close(ignored);
      co_return;
    }
    if (res.body_file) {
      bhttp::response<bhttp::file_body> out{
        static_cast<bhttp::status>(res.status), version};
      copy_headers(res, out);
      beast::error_code fec;
      out.body().open(res.body_file->c_str(), beast::file_mode::scan, fec);
      beast::error_code wec;
      if (!fec) {
        out.chunked(true);
        out.keep_alive(keep);
        std::size_t wn = 0;
        std::tie(wec, wn) = co_await bhttp::async_write(stream, out, use_tuple);
      }
      // Removed whatever happened (a temp file must not outlive the reply).
      if (res.delete_body_file) {
        out.body().close();
        std::error_code rec;
        std::filesystem::remove(*res.body_file, rec);
      }
      if (fec || wec || !keep)
        break;
      continue;
    }
    bhttp::response<bhttp::string_body> out{
      static_cast<bhttp::status>(res.status), version};
    copy_headers(res, out);
    out.keep_alive(keep);
    if (res.fault == transport_fault::truncated_body) {
      out.content_length(res.body.size());
      bhttp::response_serializer<bhttp::string_body> sr{out};
      auto [hec, hn]
        = co_await bhttp::async_write_header(stream, sr, use_tuple);
      (void)hn;
      if (!hec) {
        auto half = res.body.size() / 2;
        co_await net::async_write(stream, net::buffer(res.body.data(), half),
                                  use_tuple);
      }
      beast::error_code ignored;
      raw.shutdown(tcp::socket::shutdown_both, ignored);
      raw.close(ignored);
      co_return;
    }
    out.body() = std::move(res.body);
    if (res.chunked)
      out.chunked(true);
    else
      out.prepare_payload();
    auto [wec, wn] = co_await bhttp::async_write(stream, out, use_tuple);
    (void)wn;
    if (wec || !keep)
      break;
  }
}

net::awaitable<void> server::impl::session(tcp::socket sock) {
  if (ssl_ctx) {
    beast::ssl_stream<beast::tcp_stream> stream{std::move(sock), *ssl_ctx};
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(10));
    auto [ec]
      = co_await stream.async_handshake(ssl::stream_base::server, use_tuple);
    if (ec)
      co_return;
    auto& raw = beast::get_lowest_layer(stream).socket();
    co_await serve(stream, raw);
    if (!raw.is_open())
      co_return;
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(2));
    // A peer that just closes gives stream_truncated: normal, ignored.
    co_await stream.async_shutdown(use_tuple);
  } else {
    beast::tcp_stream stream{std::move(sock)};
    auto& raw = stream.socket();
    co_await serve(stream, raw);
    beast::error_code ignored;
    if (raw.is_open())
      raw.shutdown(tcp::socket::shutdown_send, ignored);
  }
}

net::awaitable<void> server::impl::accept_loop() {
  for (;;) {
    auto [ec, sock]
      = co_await acceptor.async_accept(net::make_strand(ioc), use_tuple);
    if (ec) {
      if (!acceptor.is_open())
        co_return;
      continue;
    }
    auto ex = sock.get_executor();
    net::co_spawn(ex, session(std::move(sock)), net::detached);
  }
}

server::server(server_options options, handler h)
    : impl_(std::make_unique<impl>(std::move(options), std::move(h))) {}

server::~server() {
  stop();
  if (impl_->own_cert_dir && !impl_->opt.cert_dir.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(impl_->opt.cert_dir, ec);
  }
}

void server::start() {
  auto& s = *impl_;
  if (s.opt.tls) {
    if (s.opt.cert_dir.empty()) {
      s.opt.cert_dir = make_temp_dir();
      s.own_cert_dir = true;
    } else {
      std::filesystem::create_directories(s.opt.cert_dir);
    }
    auto tls = jirasync::protocol::generate_tls(
      "jira-sim test CA", {"localhost"}, {"127.0.0.1", "::1"});
    s.ca_pem = tls.ca.cert_pem;
    s.ca_file = s.opt.cert_dir / "ca.pem";
    jirasync::protocol::write_pem_file(s.ca_file, tls.ca.cert_pem);
    s.ssl_ctx.emplace(ssl::context::tls_server);
    s.ssl_ctx->set_options(ssl::context::default_workarounds
                           | ssl::context::no_sslv2 | ssl::context::no_sslv3
                           | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    auto chain = tls.server.cert_pem + tls.ca.cert_pem;
    s.ssl_ctx->use_certificate_chain(net::buffer(chain));
    s.ssl_ctx->use_private_key(net::buffer(tls.server.key_pem),
                               ssl::context::pem);
  }
  beast::error_code ec;
  tcp::endpoint ep{net::ip::make_address(s.opt.address, ec), s.opt.port};
  if (ec)
    throw std::runtime_error("bad listen address " + s.opt.address);
  s.acceptor.open(ep.protocol(), ec);
  if (!ec)
    s.acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec)
    s.acceptor.bind(ep, ec);
  if (!ec)
    s.acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec)
    throw std::runtime_error("cannot listen on " + s.opt.address + ":"
                             + std::to_string(s.opt.port) + ": "
                             + ec.message());
  s.port = s.acceptor.local_endpoint().port();
  net::co_spawn(s.ioc, s.accept_loop(), net::detached);
  auto n = s.opt.threads == 0 ? 1 : s.opt.threads;
  for (std::size_t i = 0; i < n; ++i)
    s.threads.emplace_back([&s] {
      s.ioc.run();
    });
  s.running = true;
}

void server::stop() {
  auto& s = *impl_;
  if (!s.running)
    return;
  s.running = false;
  s.ioc.stop();
  for (auto& t : s.threads)
    if (t.joinable())
      t.join();
  s.threads.clear();
  beast::error_code ignored;
  s.acceptor.close(ignored);
}

std::uint16_t server::port() const {
  return impl_->port;
}
bool server::tls() const {
  return impl_->opt.tls;
}
std::string server::base_url() const {
  return std::string(impl_->opt.tls ? "https://" : "http://")
         + impl_->opt.address + ":" + std::to_string(impl_->port);
}
std::string server::ca_file() const {
  return impl_->ca_file.string();
}
std::string server::ca_pem() const {
  return impl_->ca_pem;
}

} // namespace jirasim
