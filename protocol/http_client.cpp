// Temporary stub (replaced by the Beast implementation): every request fails
// with http_errc::protocol "not implemented yet", delivered on a thread.
#include "protocol/http_client.hpp"

#include <future>
#include <thread>

namespace jirasync::protocol {

struct http_client::impl {
  http_client_options options;
};

http_client::http_client(http_client_options options)
    : impl_(std::make_unique<impl>(impl{std::move(options)})) {}

http_client::~http_client() = default;

void http_client::async_request(http_request, callback done) {
  std::thread([done = std::move(done)] {
    http_result r;
    r.error = http_error{http_errc::protocol, "http client: not implemented yet"};
    done(std::move(r));
  }).detach();
}

http_result http_client::request(http_request request) {
  std::promise<http_result> p;
  auto f = p.get_future();
  async_request(std::move(request), [&p](http_result r) { p.set_value(std::move(r)); });
  return f.get();
}

http_client::stats http_client::get_stats() const { return {}; }

} // namespace jirasync::protocol
