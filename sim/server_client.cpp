// Blocking Beast client used by sim_tests (kept apart from server.cpp so a
// change to one does not recompile the other).
#include "sim/server_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/core/detail/base64.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <optional>

namespace jirasim {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

struct test_client::impl {
  std::uint16_t port;
  std::string ca_pem;
  net::io_context ioc;
  std::optional<ssl::context> ctx;
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls;
  std::optional<beast::tcp_stream> plain;
  beast::flat_buffer buf;
  bool reuse = true;

  void close() {
    tls.reset();
    plain.reset();
    buf.clear();
  }

  bool connected() const {
    return tls.has_value() || plain.has_value();
  }

  void connect() {
    tcp::endpoint ep{net::ip::make_address("127.0.0.1"), port};
    if (!ca_pem.empty()) {
      if (!ctx) {
        ctx.emplace(ssl::context::tls_client);
        ctx->add_certificate_authority(net::buffer(ca_pem));
        ctx->set_verify_mode(ssl::verify_peer);
      }
      tls.emplace(ioc, *ctx);
      tls->set_verify_callback(ssl::host_name_verification("127.0.0.1"));
      beast::get_lowest_layer(*tls).expires_after(std::chrono::seconds(30));
      beast::get_lowest_layer(*tls).connect(ep);
      tls->handshake(ssl::stream_base::client);
    } else {
      plain.emplace(ioc);
      plain->expires_after(std::chrono::seconds(30));
      plain->connect(ep);
    }
  }

  template<class Stream>
  client_response exchange(Stream& s, bhttp::request<bhttp::string_body>& req) {
    beast::get_lowest_layer(s).expires_after(std::chrono::seconds(60));
    bhttp::write(s, req);
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(1ull << 31);
    bhttp::read(s, buf, parser);
    auto& res = parser.get();
    client_response out;
    out.status = res.result_int();
    for (auto& f : res)
      out.headers.emplace_back(std::string(f.name_string()),
                               std::string(f.value()));
    out.body = std::move(res.body());
    if (!res.keep_alive())
      close();
    return out;
  }
};

test_client::test_client(std::uint16_t port, std::string ca_pem)
    : impl_(std::make_unique<impl>()) {
  impl_->port = port;
  impl_->ca_pem = std::move(ca_pem);
}

test_client::~test_client() = default;

void test_client::set_reuse(bool reuse) {
  impl_->reuse = reuse;
}

client_response test_client::request(const std::string& method,
                                     const std::string& target,
                                     const header_list& headers,
                                     const std::string& body) {
  auto& s = *impl_;
  bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(method), target,
                                         11};
  req.set(bhttp::field::host, "127.0.0.1:" + std::to_string(s.port));
  for (auto& [k, v] : headers)
    req.set(k, v);
  if (!body.empty() || method == "POST" || method == "PUT") {
    if (req.find(bhttp::field::content_type) == req.end())
      req.set(bhttp::field::content_type, "application/json");
    req.body() = body;
  }
  req.prepare_payload();
  req.keep_alive(s.reuse);
  if (!s.reuse)
    s.close();
  // A kept-alive connection may have been closed by the server meanwhile:
  // one retry on a fresh connection (only then is an error reported).
  for (int attempt = 0; attempt < 2; ++attempt) {
    bool fresh = !s.connected();
    try {
      if (fresh)
        s.connect();
      return s.tls ? s.exchange(*s.tls, req) : s.exchange(*s.plain, req);
    } catch (const std::exception& e) {
      s.close();
      if (fresh || attempt == 1 || !s.reuse) {
        client_response r;
        r.error = e.what();
        return r;
      }
    }
  }
  return {};
}

std::string basic_auth(const std::string& user, const std::string& password) {
  std::string plain = user + ":" + password;
  std::string out(beast::detail::base64::encoded_size(plain.size()), '\0');
  out.resize(
    beast::detail::base64::encode(out.data(), plain.data(), plain.size()));
  return "Basic " + out;
}

} // namespace jirasim
