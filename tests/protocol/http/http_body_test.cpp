// The body sink on its own: decoding, limits, hashing, partial-file removal.
#include "protocol/http/http_body.hpp"

#include "common/sha256.hpp"

#include "http_test_util.hpp"
#include "test_util/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <zlib.h>

#include <filesystem>
#include <fstream>

using namespace jirasync::protocol;
using jirasync::protocol::detail::body_sink;
using jirasync::test::zlib_compress;
namespace fs = std::filesystem;

namespace {

std::string sample() {
  std::string s;
  for (int i = 0; i < 5000; ++i)
    s += "record " + std::to_string(i * 7919 % 1000) + ";";
  return s;
}

/// Feeds `data` in pieces of `step` bytes.
std::optional<http_error> feed(body_sink& sink, const std::string& data,
                               std::size_t step) {
  for (std::size_t off = 0; off < data.size(); off += step)
    if (auto e
        = sink.consume(data.data() + off, std::min(step, data.size() - off)))
      return e;
  return std::nullopt;
}

} // namespace

TEST_CASE("http body: encodings decoded in small pieces", "[http]") {
  auto plain = sample();
  struct variant {
    const char* encoding;
    int bits;
  };
  for (auto v : {variant{"gzip", 15 + 16}, variant{"x-gzip", 15 + 16},
                 variant{"deflate", 15}, variant{"deflate", -15},
                 variant{"", 0}, variant{"identity", 0}}) {
    INFO(v.encoding << " " << v.bits);
    std::string wire = v.bits == 0 ? plain : zlib_compress(plain, v.bits);
    body_sink sink(v.encoding, std::nullopt, 1 << 20);
    REQUIRE_FALSE(sink.init_error());
    REQUIRE_FALSE(feed(sink, wire, 7));
    http_response out;
    REQUIRE_FALSE(sink.finish(out));
    CHECK(out.body == plain);
    CHECK(out.body_bytes == plain.size());
    CHECK(out.sha256_hex == jirasync::common::sha256_hex(plain));
  }
}

TEST_CASE("http body: errors", "[http]") {
  auto plain = sample();
  SECTION("unknown encoding") {
    body_sink sink("br", std::nullopt, 1 << 20);
    REQUIRE(sink.init_error());
    CHECK(sink.init_error()->code == http_errc::protocol);
  }
  SECTION("truncated gzip") {
    auto wire = zlib_compress(plain, 15 + 16);
    wire.resize(wire.size() / 2);
    body_sink sink("gzip", std::nullopt, 1 << 20);
    REQUIRE_FALSE(feed(sink, wire, 100));
    http_response out;
    auto e = sink.finish(out);
    REQUIRE(e);
    CHECK(e->code == http_errc::protocol);
  }
  SECTION("garbage is not gzip") {
    body_sink sink("gzip", std::nullopt, 1 << 20);
    auto e = feed(sink, "this is not gzip at all", 5);
    REQUIRE(e);
    CHECK(e->code == http_errc::protocol);
  }
  SECTION("limit on decoded bytes, partial file removed") {
    jirasync::test::temp_dir dir;
    auto path = dir.path() / "body.bin";
    {
      body_sink sink("gzip", path, plain.size() - 1);
      REQUIRE_FALSE(sink.init_error());
      CHECK(fs::exists(path));
      auto e = feed(sink, zlib_compress(plain, 15 + 16), 1000);
      REQUIRE(e);
      CHECK(e->code == http_errc::body_too_large);
      sink.abort();
      CHECK_FALSE(fs::exists(path));
    }
    { // abandoned without finish(): removed by the destructor
      body_sink sink("", path, 1 << 20);
      REQUIRE_FALSE(feed(sink, plain, 1000));
      CHECK(fs::exists(path));
    }
    CHECK_FALSE(fs::exists(path));
    { // finished: kept
      body_sink sink("", path, 1 << 20);
      REQUIRE_FALSE(feed(sink, plain, 1000));
      http_response out;
      REQUIRE_FALSE(sink.finish(out));
      CHECK(out.body.empty());
      CHECK(out.sha256_hex == jirasync::common::sha256_hex(plain));
    }
    REQUIRE(fs::exists(path));
    CHECK(fs::file_size(path) == plain.size());
    fs::remove(path);
  }
  SECTION("unwritable file is an io error") {
    body_sink sink("", fs::path("/nonexistent-dir-jirasync/x.bin"), 100);
    REQUIRE(sink.init_error());
    CHECK(sink.init_error()->code == http_errc::io);
  }
}

TEST_CASE("http body: sha256 of known input", "[http]") {
  // FIPS 180-2 test vector for "abc".
  CHECK(jirasync::common::sha256_hex("abc")
        == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}
