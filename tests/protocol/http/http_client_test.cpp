// http_client against the in-test Beast server (http_test_server), with
// certificates made on the fly by protocol/tls_certgen.
#include "http_test_server.hpp"
#include "http_test_util.hpp"

#include "protocol/http/http_client.hpp"
#include "protocol/http/tls_certgen.hpp"
#include "test_util/proc_status.hpp"
#include "test_util/temp_dir.hpp"

#include <catch2/catch.hpp>

#include "common/sha256.hpp"
#include <zlib.h>
#if defined(__SANITIZE_ADDRESS__)
// From the ASan runtime (GCC ships no <sanitizer/allocator_interface.h>).
extern "C" std::size_t __sanitizer_get_current_allocated_bytes();
#endif

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <thread>

using namespace jirasync;
using namespace jirasync::protocol;
using jirasync::test::test_request;
using jirasync::test::test_response;
using jirasync::test::test_server;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

using jirasync::test::temp_dir;

/// Expected digests (common::sha256_hasher is checked against known vectors
/// in tests/common).
using sha256 = jirasync::common::sha256_hasher;

std::string sha256_of(const std::string& s) {
  return jirasync::common::sha256_hex(s);
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

#if defined(__SANITIZE_ADDRESS__)
/// Under ASan the RSS says little: freed blocks sit in the quarantine (and
/// Asio's SSL engine makes OpenSSL free and re-allocate a record buffer per
/// TLS record), so 50 MB of traffic grows RSS by ~90 MB without anything
/// being held. There we sample the live heap instead.
struct live_heap_sampler {
  live_heap_sampler() : base(__sanitizer_get_current_allocated_bytes()) {
    thread = std::thread([this] {
      while (!stop) {
        auto now = __sanitizer_get_current_allocated_bytes();
        if (now > peak)
          peak = now;
        std::this_thread::sleep_for(2ms);
      }
    });
  }
  /// Peak growth of live heap bytes in KiB.
  long finish() {
    stop = true;
    thread.join();
    return static_cast<long>((peak > base ? peak - base : 0) / 1024);
  }
  std::size_t base;
  std::size_t peak = 0;
  std::atomic<bool> stop{false};
  std::thread thread;
};
#endif

/// Peak resident set size of this process in KiB.
long vm_hwm_kib() {
  return jirasync::test::proc_status_kib("VmHWM");
}

/// Certificates + CA file for one test.
struct tls_fixture {
  explicit tls_fixture(std::vector<std::string> dns = {"localhost"},
                       std::vector<std::string> ips = {"127.0.0.1"}) {
    tls = generate_tls("jirasync test CA", dns, ips);
    ca_file = dir.path() / "ca.pem";
    write_pem_file(ca_file, tls.ca.cert_pem);
  }
  test_server::options server_options() const {
    return {tls.server.cert_pem, tls.server.key_pem};
  }
  http_client_options client_options() const {
    http_client_options o;
    o.ca_file = ca_file.string();
    return o;
  }
  temp_dir dir;
  generated_tls tls;
  fs::path ca_file;
};

http_request get(std::string url) {
  http_request r;
  r.url = std::move(url);
  r.timeouts.connect = 20s;
  r.timeouts.first_byte = 60s;
  r.timeouts.total = 120s;
  return r;
}

test_response text(int status, std::string body) {
  test_response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

test_response redirect(int status, std::string location) {
  test_response r;
  r.status = status;
  r.headers = {{"Location", std::move(location)}};
  r.body = "moved";
  return r;
}

} // namespace

TEST_CASE("http: GET over TLS with a CA from ca_file", "[http]") {
  tls_fixture f;
  test_server srv{f.server_options()};
  srv.on("/hello", [](const test_request&) {
    return text(200, "hello");
  });
  http_client client{f.client_options()};

  SECTION("by IP (IP subjectAltName)") {
    auto r = client.request(get(srv.url("127.0.0.1", "/hello?x=1")));
    INFO(describe(r));
    REQUIRE(r.ok());
    CHECK(r.response->status == 200);
    CHECK(r.response->body == "hello");
    CHECK(r.response->body_bytes == 5);
    CHECK(r.response->sha256_hex == sha256_of("hello"));
    CHECK(r.response->final_url == srv.url("127.0.0.1", "/hello?x=1"));
    CHECK(r.response->redirects == 0);
    auto seen = srv.requests();
    REQUIRE(seen.size() == 1);
    CHECK(seen[0].target == "/hello?x=1");
    CHECK(seen[0].header("host").value_or("")
          == "127.0.0.1:" + std::to_string(srv.port()));
    CHECK(seen[0].header("user-agent").value_or("").substr(0, 9)
          == "jirasync/");
  }
  SECTION("by name (DNS subjectAltName, SNI)") {
    auto r = client.request(get(srv.url("localhost", "/hello")));
    INFO(describe(r));
    REQUIRE(r.ok());
    CHECK(r.response->body == "hello");
  }
  SECTION("404 with a body is a response, not an error") {
    auto r = client.request(get(srv.url("127.0.0.1", "/missing")));
    REQUIRE(r.ok());
    CHECK(r.response->status == 404);
    CHECK(r.response->body == "no handler");
    CHECK(describe(r).substr(0, 3) == "404");
  }
  auto st = client.get_stats();
  CHECK(st.requests == 1);
  CHECK(st.connections_opened == 1);
}

TEST_CASE("http: certificate checks", "[http]") {
  SECTION("name missing from the certificate is rejected") {
    // The certificate names only "localhost": asking for 127.0.0.1 (same
    // server) must fail the host-name check, while localhost passes.
    tls_fixture f{{"localhost"}, {}};
    test_server srv{f.server_options()};
    srv.on("/x", [](const test_request&) {
      return text(200, "x");
    });
    http_client client{f.client_options()};
    auto bad = client.request(get(srv.url("127.0.0.1", "/x")));
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error->code == http_errc::tls);
    CHECK(bad.error->message.find("tls handshake") != std::string::npos);
    auto good = client.request(get(srv.url("localhost", "/x")));
    INFO(describe(good));
    CHECK(good.ok());
  }
  SECTION("IP missing from the certificate is rejected by name too") {
    tls_fixture f{{"other.example"}, {"127.0.0.2"}};
    test_server srv{f.server_options()};
    http_client client{f.client_options()};
    auto r = client.request(get(srv.url("localhost", "/x")));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error->code == http_errc::tls);
  }
  SECTION("untrusted CA is rejected") {
    tls_fixture served;
    tls_fixture trusted; // a different CA
    test_server srv{served.server_options()};
    srv.on("/x", [](const test_request&) {
      return text(200, "x");
    });
    http_client client{trusted.client_options()};
    auto r = client.request(get(srv.url("127.0.0.1", "/x")));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error->code == http_errc::tls);
    CHECK(srv.requests().empty());
  }
}

TEST_CASE("http: plain http only to loopback and only when allowed", "[http]") {
  test_server srv{{}};
  srv.on("/p", [](const test_request&) {
    return text(200, "plain");
  });
  http_client_options strict;
  http_client strict_client{strict};
  auto refused = strict_client.request(get(srv.url("127.0.0.1", "/p")));
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error->code == http_errc::bad_url);
  CHECK(refused.error->message.find("https is required") != std::string::npos);
  CHECK(srv.connections() == 0);

  http_client_options loose;
  loose.allow_insecure_http = true;
  http_client client{loose};
  auto ok = client.request(get(srv.url("127.0.0.1", "/p")));
  INFO(describe(ok));
  REQUIRE(ok.ok());
  CHECK(ok.response->body == "plain");
  auto ok2 = client.request(get(srv.url("localhost", "/p")));
  REQUIRE(ok2.ok());
  // Other loopback forms pass the check (nothing listens on port 1: the
  // failure comes from connecting, not from the URL check).
  for (const char* url : {"http://127.5.5.5:1/p", "http://[::1]:1/p"}) {
    auto r = client.request(get(url));
    INFO(url << " " << describe(r));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error->code != http_errc::bad_url);
  }
  auto remote = client.request(get("http://example.com/p"));
  REQUIRE_FALSE(remote.ok());
  CHECK(remote.error->code == http_errc::bad_url);
  CHECK(remote.error->message.find("loopback") != std::string::npos);
  auto junk = client.request(get("not a url"));
  REQUIRE_FALSE(junk.ok());
  CHECK(junk.error->code == http_errc::bad_url);
  auto ftp = client.request(get("ftp://127.0.0.1/x"));
  REQUIRE_FALSE(ftp.ok());
  CHECK(ftp.error->code == http_errc::bad_url);
}

TEST_CASE("http: keep-alive pool", "[http]") {
  tls_fixture f;
  test_server srv{f.server_options()};
  srv.on("/k", [](const test_request&) {
    return text(200, "k");
  });

  SECTION("sequential requests share one connection") {
    http_client client{f.client_options()};
    for (int i = 0; i < 5; ++i) {
      auto r = client.request(get(srv.url("127.0.0.1", "/k")));
      REQUIRE(r.ok());
    }
    CHECK(srv.connections() == 1);
    auto st = client.get_stats();
    CHECK(st.requests == 5);
    CHECK(st.connections_opened == 1);
    CHECK(st.connections_reused == 4);
  }
  SECTION("parallel requests are capped per host and queue") {
    std::atomic<int> in_flight{0};
    std::atomic<int> max_in_flight{0};
    srv.on("/slow", [&](const test_request&) {
      int now = ++in_flight;
      int prev = max_in_flight.load();
      while (now > prev && !max_in_flight.compare_exchange_weak(prev, now)) {
      }
      std::this_thread::sleep_for(100ms);
      --in_flight;
      return text(200, "slow");
    });
    auto o = f.client_options();
    o.max_connections_per_host = 3;
    o.threads = 2;
    http_client client{o};
    constexpr int n = 12;
    std::vector<std::future<http_result>> results;
    std::vector<std::shared_ptr<std::promise<http_result>>> promises;
    for (int i = 0; i < n; ++i) {
      auto p = std::make_shared<std::promise<http_result>>();
      results.push_back(p->get_future());
      client.async_request(get(srv.url("127.0.0.1", "/slow")),
                           [p](http_result r) {
                             p->set_value(std::move(r));
                           });
    }
    for (auto& fut : results) {
      auto r = fut.get();
      INFO(describe(r));
      REQUIRE(r.ok());
      CHECK(r.response->body == "slow");
    }
    CHECK(srv.connections() <= 3);
    CHECK(srv.connections() >= 1);
    CHECK(max_in_flight.load() <= 3);
    auto st = client.get_stats();
    CHECK(st.connections_opened == srv.connections());
    CHECK(st.connections_reused == n - srv.connections());
  }
  SECTION("a stale keep-alive connection is retried on a fresh one") {
    srv.on("/bye", [](const test_request&) {
      auto r = text(200, "bye");
      r.silent_close = true;
      return r;
    });
    http_client client{f.client_options()};
    auto first = client.request(get(srv.url("127.0.0.1", "/bye")));
    REQUIRE(first.ok());
    std::this_thread::sleep_for(200ms); // let the server's close arrive
    auto second = client.request(get(srv.url("127.0.0.1", "/k")));
    INFO(describe(second));
    REQUIRE(second.ok());
    CHECK(second.response->body == "k");
    CHECK(srv.connections() == 2);
  }
}

TEST_CASE("http: redirects", "[http]") {
  tls_fixture f; // certificate for both localhost and 127.0.0.1
  test_server srv{f.server_options()};
  std::string other = srv.url("localhost", "");
  srv.on("/r1", [](const test_request&) {
    return redirect(302, "r2?step=2");
  });
  srv.on("/r2", [other](const test_request&) {
    return redirect(307, other + "/r3");
  });
  srv.on("/r3", [](const test_request&) {
    return text(200, "arrived");
  });
  http_client client{f.client_options()};

  SECTION("chain 302 -> 307 -> 200, credentials only to the same origin") {
    auto req = get(srv.url("127.0.0.1", "/r1"));
    req.headers = {{"Authorization", "Bearer s3cret"},
                   {"Cookie", "session=abc"},
                   {"X-Trace", "t1"}};
    auto r = client.request(req);
    INFO(describe(r));
    REQUIRE(r.ok());
    CHECK(r.response->status == 200);
    CHECK(r.response->body == "arrived");
    CHECK(r.response->redirects == 2);
    CHECK(r.response->final_url == other + "/r3");
    auto seen = srv.requests();
    REQUIRE(seen.size() == 3);
    CHECK(seen[0].target == "/r1");
    CHECK(seen[1].target == "/r2?step=2");
    CHECK(seen[2].target == "/r3");
    CHECK(seen[0].header("authorization").value_or("") == "Bearer s3cret");
    CHECK(seen[1].header("authorization").value_or("") == "Bearer s3cret");
    CHECK(seen[1].header("cookie").value_or("") == "session=abc");
    CHECK_FALSE(seen[2].header("authorization"));
    CHECK_FALSE(seen[2].header("cookie"));
    CHECK(seen[2].header("x-trace").value_or("") == "t1");
    CHECK(seen[2].header("host").value_or("")
          == "localhost:" + std::to_string(srv.port()));
    CHECK(describe(r).find("s3cret") == std::string::npos);
  }
  SECTION("303 turns POST into GET without body; 307 keeps both") {
    srv.on("/post303", [](const test_request&) {
      return redirect(303, "/landing");
    });
    srv.on("/post307", [](const test_request&) {
      return redirect(307, "/landing");
    });
    srv.on("/landing", [](const test_request& q) {
      return text(200, q.method + ":" + q.body);
    });
    auto req = get(srv.url("127.0.0.1", "/post303"));
    req.method = "POST";
    req.body = "{\"a\":1}";
    req.headers = {{"Content-Type", "application/json"}};
    auto r = client.request(req);
    REQUIRE(r.ok());
    CHECK(r.response->body == "GET:");
    req.url = srv.url("127.0.0.1", "/post307");
    auto r2 = client.request(req);
    REQUIRE(r2.ok());
    CHECK(r2.response->body == "POST:{\"a\":1}");
  }
  SECTION("too many redirects") {
    srv.on("/loop", [](const test_request&) {
      return redirect(302, "/loop");
    });
    auto req = get(srv.url("127.0.0.1", "/loop"));
    req.max_redirects = 3;
    auto r = client.request(req);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error->code == http_errc::too_many_redirects);
    CHECK(srv.requests().size() == 4); // the first + 3 followed
  }
  SECTION("follow_redirects = false: the redirect is the response") {
    // How api_client sends attachment content's 303 and the media download
    // as two requests of their own.
    auto req = get(srv.url("127.0.0.1", "/r2"));
    req.follow_redirects = false;
    req.body_file
      = std::filesystem::temp_directory_path()
        / ("jirasync-http-noredirect-" + std::to_string(::getpid()));
    auto r = client.request(req);
    INFO(describe(r));
    REQUIRE(r.ok());
    CHECK(r.response->status == 307);
    CHECK(r.response->header("location").value_or("") == other + "/r3");
    CHECK(r.response->redirects == 0);
    CHECK(srv.requests().size() == 1);
    // Only a 2xx body goes to body_file.
    CHECK_FALSE(std::filesystem::exists(*req.body_file));
  }
  SECTION("redirect to plain http is refused") {
    srv.on("/down", [](const test_request&) {
      return redirect(301, "http://127.0.0.1:1/x");
    });
    auto r = client.request(get(srv.url("127.0.0.1", "/down")));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error->code == http_errc::bad_url);
  }
}

TEST_CASE("http: timeouts", "[http]") {
  tls_fixture f;
  test_server srv{f.server_options()};
  srv.on("/hang", [](const test_request&) {
    test_response r;
    r.hang = true;
    return r;
  });
  http_client client{f.client_options()};

  SECTION("first byte") {
    auto req = get(srv.url("127.0.0.1", "/hang"));
    req.timeouts.first_byte = 300ms;
    auto t0 = std::chrono::steady_clock::now();
    auto r = client.request(req);
    auto took = std::chrono::steady_clock::now() - t0;
    REQUIRE_FALSE(r.ok());
    CHECK(r.error->code == http_errc::timeout);
    CHECK(r.error->message.find("first-byte") != std::string::npos);
    CHECK(took >= 250ms);
    CHECK(took < 15s);
  }
  SECTION("total") {
    auto req = get(srv.url("127.0.0.1", "/hang"));
    req.timeouts.total = 400ms;
    auto t0 = std::chrono::steady_clock::now();
    auto r = client.request(req);
    auto took = std::chrono::steady_clock::now() - t0;
    REQUIRE_FALSE(r.ok());
    CHECK(r.error->code == http_errc::timeout);
    CHECK(r.error->message.find("total") != std::string::npos);
    CHECK(took >= 350ms);
    CHECK(took < 15s);
  }
  SECTION("total while the body trickles") {
    // The header arrives, the body never completes (the server announces
    // more than it sends and keeps the connection open).
    srv.on("/stall", [](const test_request&) {
      test_response r;
      r.headers = {{"Content-Length", "100000"}};
      r.body = "only a little";
      return r;
    });
    auto req = get(srv.url("127.0.0.1", "/stall"));
    req.timeouts.total = 500ms;
    auto r = client.request(req);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error->code == http_errc::timeout);
    CHECK(r.error->message.find("total") != std::string::npos);
    CHECK(r.error->message.find("read body") != std::string::npos);
  }
}

TEST_CASE("http: connect timeout covers the TLS handshake", "[http]") {
  // A socket that listens but never accepts: the kernel completes TCP, the
  // TLS ClientHello is never answered.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(::listen(fd, 8) == 0);
  socklen_t len = sizeof addr;
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  auto port = ntohs(addr.sin_port);
  {
    tls_fixture f;
    http_client client{f.client_options()};
    auto req = get("https://127.0.0.1:" + std::to_string(port) + "/x");
    req.timeouts.connect = 300ms;
    auto t0 = std::chrono::steady_clock::now();
    auto r = client.request(req);
    auto took = std::chrono::steady_clock::now() - t0;
    REQUIRE_FALSE(r.ok());
    CHECK(r.error->code == http_errc::timeout);
    CHECK(r.error->message.find("connect (300 ms)") != std::string::npos);
    CHECK(r.error->message.find("tls handshake") != std::string::npos);
    CHECK(took >= 250ms);
    CHECK(took < 15s);
  }
  ::close(fd);
}

TEST_CASE("http: connection refused is a connect error", "[http]") {
  std::uint16_t port = 0;
  {
    test_server gone{{}};
    port = gone.port();
  }
  http_client_options o;
  o.allow_insecure_http = true;
  http_client client{o};
  auto r
    = client.request(get("http://127.0.0.1:" + std::to_string(port) + "/x"));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error->code == http_errc::connect);
  CHECK(r.error->message.rfind("connect ", 0) == 0);
}

TEST_CASE("http: large body streamed to a file with bounded memory", "[http]") {
  constexpr std::uint64_t size = 50ull << 20;
  tls_fixture f;
  test_server srv{f.server_options()};
  srv.on("/big", [](const test_request&) {
    test_response r;
    r.stream_bytes = size;
    return r;
  });
  http_client client{f.client_options()};
  // Warm up (TLS, threads, allocator) so the measurement sees the body only.
  REQUIRE(client.request(get(srv.url("127.0.0.1", "/none"))).ok());

  sha256 expected;
  {
    std::string chunk(1 << 20, '\0');
    for (std::uint64_t off = 0; off < size; off += chunk.size()) {
      for (std::size_t i = 0; i < chunk.size(); ++i)
        chunk[i] = test::pattern_byte(off + i);
      expected.update(chunk.data(), chunk.size());
    }
  }
  { // reset the peak RSS counter (Linux >= 4.0)
    std::ofstream clear("/proc/self/clear_refs");
    clear << "5";
  }
  long before = vm_hwm_kib();
#if defined(__SANITIZE_ADDRESS__)
  live_heap_sampler sampler;
#endif
  auto req = get(srv.url("127.0.0.1", "/big"));
  req.body_file = f.dir.path() / "big.bin";
  auto r = client.request(req);
  long after = vm_hwm_kib();
#if defined(__SANITIZE_ADDRESS__)
  before = 0;
  after = sampler.finish();
  REQUIRE(after > 0); // the sampler saw the transfer's buffers
#endif
  INFO(describe(r));
  REQUIRE(r.ok());
  CHECK(r.response->body.empty());
  CHECK(r.response->body_bytes == size);
  CHECK(fs::file_size(*req.body_file) == size);
  CHECK(r.response->sha256_hex == expected.final_hex());
  INFO("peak memory growth KiB: " << (after - before));
#if !defined(__SANITIZE_ADDRESS__)
  CHECK(before > 0);
#endif
  CHECK(after - before < 20 * 1024);
}

TEST_CASE("http: body limits and broken bodies", "[http]") {
  tls_fixture f;
  test_server srv{f.server_options()};
  http_client client{f.client_options()};
  srv.on("/5k", [](const test_request&) {
    return text(200, std::string(5000, 'a'));
  });

  SECTION("in memory") {
    auto req = get(srv.url("127.0.0.1", "/5k"));
    req.max_body_bytes = 1000;
    auto r = client.request(req);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error->code == http_errc::body_too_large);
    req.max_body_bytes = 5000;
    auto ok = client.request(req);
    REQUIRE(ok.ok());
    CHECK(ok.response->body.size() == 5000);
  }
  SECTION("reset mid-body: protocol error, partial file removed") {
    srv.on("/half", [](const test_request&) {
      test_response r;
      r.stream_bytes = 500'000;
      r.declared_length = 1'000'000;
      return r;
    });
    auto req = get(srv.url("127.0.0.1", "/half"));
    req.body_file = f.dir.path() / "half.bin";
    auto r = client.request(req);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error->code == http_errc::protocol);
    CHECK(r.error->message.find("read body") != std::string::npos);
    CHECK_FALSE(fs::exists(*req.body_file));
  }
  SECTION("too large while streaming to a file") {
    srv.on("/2m", [](const test_request&) {
      test_response r;
      r.stream_bytes = 2 << 20;
      return r;
    });
    auto req = get(srv.url("127.0.0.1", "/2m"));
    req.body_file = f.dir.path() / "2m.bin";
    req.max_body_bytes = 1 << 20;
    auto r = client.request(req);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error->code == http_errc::body_too_large);
    CHECK_FALSE(fs::exists(*req.body_file));
  }
}

TEST_CASE("http: chunked bodies", "[http]") {
  tls_fixture f;
  test_server srv{f.server_options()};
  http_client client{f.client_options()};
  srv.on("/chunked", [](const test_request&) {
    test_response r;
    r.stream_bytes = (3 << 20) + 123;
    r.chunked = true;
    return r;
  });
  std::string expected((3 << 20) + 123, '\0');
  for (std::size_t i = 0; i < expected.size(); ++i)
    expected[i] = test::pattern_byte(i);

  SECTION("read completely, connection reused") {
    auto r = client.request(get(srv.url("127.0.0.1", "/chunked")));
    INFO(describe(r));
    REQUIRE(r.ok());
    CHECK(r.response->body == expected);
    CHECK(r.response->sha256_hex == sha256_of(expected));
    auto again = client.request(get(srv.url("127.0.0.1", "/chunked")));
    REQUIRE(again.ok());
    CHECK(srv.connections() == 1);
  }
  SECTION("limit hit while streaming to a file (no Content-Length)") {
    auto req = get(srv.url("127.0.0.1", "/chunked"));
    req.body_file = f.dir.path() / "chunked.bin";
    req.max_body_bytes = 1 << 20;
    auto r = client.request(req);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error->code == http_errc::body_too_large);
    CHECK_FALSE(fs::exists(*req.body_file));
    // The connection was dropped; a new request still works.
    req.max_body_bytes = 64 << 20;
    auto ok = client.request(req);
    REQUIRE(ok.ok());
    CHECK(fs::file_size(*req.body_file) == expected.size());
    CHECK(ok.response->sha256_hex == sha256_of(expected));
  }
}

TEST_CASE("http: gzip bodies are decoded", "[http]") {
  tls_fixture f;
  test_server srv{f.server_options()};
  std::string plain;
  for (int i = 0; i < 20000; ++i)
    plain += "line " + std::to_string(i) + " of a compressible body\n";
  std::string packed = test::zlib_compress(plain, 15 + 16);
  REQUIRE(packed.size() < plain.size() / 4);
  srv.on("/gz", [packed](const test_request& q) {
    auto r = text(200, packed);
    r.headers = {{"Content-Encoding", "gzip"},
                 {"X-Saw-Accept-Encoding",
                  std::string(q.header("accept-encoding").value_or(""))}};
    return r;
  });
  http_client client{f.client_options()};

  SECTION("in memory") {
    auto r = client.request(get(srv.url("127.0.0.1", "/gz")));
    INFO(describe(r));
    REQUIRE(r.ok());
    CHECK(r.response->body == plain);
    CHECK(r.response->body_bytes == plain.size());
    CHECK(r.response->sha256_hex == sha256_of(plain));
    CHECK(r.response->header("x-saw-accept-encoding").value_or("").find("gzip")
          != std::string_view::npos);
  }
  SECTION("to a file") {
    auto req = get(srv.url("127.0.0.1", "/gz"));
    req.body_file = f.dir.path() / "gz.txt";
    auto r = client.request(req);
    REQUIRE(r.ok());
    CHECK(read_file(*req.body_file) == plain);
    CHECK(r.response->sha256_hex == sha256_of(plain));
  }
  SECTION("the limit applies to the decoded size") {
    auto req = get(srv.url("127.0.0.1", "/gz"));
    req.max_body_bytes = plain.size() / 2;
    REQUIRE(packed.size() < req.max_body_bytes);
    auto r = client.request(req);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error->code == http_errc::body_too_large);
    req.body_file = f.dir.path() / "gz-limit.txt";
    auto r2 = client.request(req);
    REQUIRE_FALSE(r2.ok());
    CHECK(r2.error->code == http_errc::body_too_large);
    CHECK_FALSE(fs::exists(*req.body_file));
  }
  SECTION("no Accept-Encoding when accept_gzip is off") {
    srv.on("/plain", [](const test_request& q) {
      return text(200, std::string(q.header("accept-encoding").value_or("-")));
    });
    auto o = f.client_options();
    o.accept_gzip = false;
    http_client plain_client{o};
    auto r = plain_client.request(get(srv.url("127.0.0.1", "/plain")));
    REQUIRE(r.ok());
    CHECK(r.response->body == "-");
  }
  SECTION("an unknown Content-Encoding is a protocol error") {
    srv.on("/br", [](const test_request&) {
      auto r = text(200, "xxxx");
      r.headers = {{"Content-Encoding", "br"}};
      return r;
    });
    auto r = client.request(get(srv.url("127.0.0.1", "/br")));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error->code == http_errc::protocol);
    CHECK(r.error->message.find("br") != std::string::npos);
  }
}

TEST_CASE("http: destructor cancels pending requests", "[http]") {
  tls_fixture f;
  test_server srv{f.server_options()};
  srv.on("/hang", [](const test_request&) {
    test_response r;
    r.hang = true;
    return r;
  });
  std::mutex mu;
  std::vector<http_result> got;
  std::vector<std::thread::id> threads;
  auto t0 = std::chrono::steady_clock::now();
  {
    auto o = f.client_options();
    o.max_connections_per_host = 1; // the second one waits in the queue
    http_client client{o};
    for (int i = 0; i < 2; ++i)
      client.async_request(get(srv.url("127.0.0.1", "/hang")),
                           [&](http_result r) {
                             std::lock_guard<std::mutex> g{mu};
                             got.push_back(std::move(r));
                             threads.push_back(std::this_thread::get_id());
                           });
    // Wait until the first request is at the server.
    for (int i = 0; i < 200 && srv.requests().empty(); ++i)
      std::this_thread::sleep_for(20ms);
    REQUIRE(srv.requests().size() == 1);
  }
  CHECK(std::chrono::steady_clock::now() - t0 < 30s);
  REQUIRE(got.size() == 2);
  for (const auto& r : got) {
    REQUIRE_FALSE(r.ok());
    CHECK(r.error->code == http_errc::cancelled);
  }
  for (auto id : threads)
    CHECK(id != std::this_thread::get_id());
}

TEST_CASE("http: callbacks run once, on a client thread", "[http]") {
  tls_fixture f;
  test_server srv{f.server_options()};
  srv.on("/a", [](const test_request&) {
    return text(200, "a");
  });
  http_client client{f.client_options()};
  std::promise<std::pair<http_result, http_result>> done;
  std::atomic<int> calls{0};
  client.async_request(get(srv.url("127.0.0.1", "/a")), [&](http_result r) {
    ++calls;
    // A blocking request() from a callback would deadlock: it is refused.
    auto nested = client.request(get(srv.url("127.0.0.1", "/a")));
    done.set_value({std::move(r), std::move(nested)});
  });
  auto fut = done.get_future();
  REQUIRE(fut.wait_for(60s) == std::future_status::ready);
  auto [outer, nested] = fut.get();
  REQUIRE(outer.ok());
  CHECK(outer.response->body == "a");
  REQUIRE_FALSE(nested.ok());
  CHECK(nested.error->code == http_errc::protocol);
  CHECK(nested.error->message.find("client thread") != std::string::npos);
  std::this_thread::sleep_for(100ms);
  CHECK(calls.load() == 1);
}

TEST_CASE("http: helpers", "[http]") {
  header_list h{{"Content-Type", "a"}, {"content-type", "b"}, {"X", "y"}};
  CHECK(find_header(h, "CONTENT-TYPE").value_or("") == "a");
  CHECK_FALSE(find_header(h, "missing"));
  CHECK(to_string(http_errc::timeout) == "timeout");
  CHECK(to_string(http_errc::body_too_large) == "body_too_large");
  http_result e;
  e.error = http_error{http_errc::dns, "resolve x:443: not found"};
  CHECK(describe(e) == "error dns: resolve x:443: not found");
  http_result ok;
  ok.response = http_response{};
  ok.response->status = 204;
  ok.response->final_url = "https://h/p?token=secret";
  CHECK(describe(ok) == "204 (0 bytes, https://h/p)");
}
