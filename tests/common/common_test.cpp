#include "common/ascii.hpp"
#include "common/error.hpp"
#include "common/sha256.hpp"
#include "common/time_format.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>

using namespace jirasync::common;

TEST_CASE("SHA-256 matches the FIPS 180-2 test vectors", "[common]") {
  CHECK(sha256_hex("")
        == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256_hex("abc")
        == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
        == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST_CASE("incremental SHA-256 equals the one-shot digest", "[common]") {
  std::string data;
  for (int i = 0; i < 10000; ++i)
    data += static_cast<char>(i * 31 % 251);
  sha256_hasher h;
  for (std::size_t pos = 0; pos < data.size(); pos += 997)
    h.update(std::string_view{data}.substr(pos, 997));
  CHECK(h.final_hex() == sha256_hex(data));
  // The hasher starts over after final_hex().
  h.update("abc");
  CHECK(h.final_hex() == sha256_hex("abc"));
}

TEST_CASE("hex and SHA-256 name checks", "[common]") {
  const unsigned char bytes[] = {0x00, 0x0f, 0xa5, 0xff};
  CHECK(to_hex(bytes, 4) == "000fa5ff");
  CHECK(is_sha256_hex(sha256_hex("x")));
  CHECK_FALSE(is_sha256_hex("ABC"));
  CHECK_FALSE(is_sha256_hex(std::string(64, 'g')));
  CHECK_FALSE(is_sha256_hex(std::string(63, 'a')));
}

TEST_CASE("ASCII case-insensitive compare", "[common]") {
  CHECK(ascii_iequals("X-RateLimit-Limit", "x-ratelimit-limit"));
  CHECK_FALSE(ascii_iequals("abc", "abd"));
  CHECK_FALSE(ascii_iequals("abc", "ab"));
  // Only ASCII letters fold: '@' (0x40) and '`' (0x60) stay apart.
  CHECK_FALSE(ascii_iequals("@", "`"));
  CHECK(ascii_to_lower("HeLLo-1") == "hello-1");
}

TEST_CASE("RFC 3339 formatting with milliseconds in UTC", "[common]") {
  CHECK(format_rfc3339_ms(0) == "1970-01-01T00:00:00.000Z");
  CHECK(format_rfc3339_ms(1704190272123) == "2024-01-02T10:11:12.123Z");
  CHECK(format_rfc3339_ms(1654817371871) == "2022-06-09T23:29:31.871Z");
  CHECK(format_rfc3339_ms(-1) == "1969-12-31T23:59:59.999Z");
  CHECK(format_rfc3339_ms(951782400000) == "2000-02-29T00:00:00.000Z");
  // Clamped, never garbage.
  CHECK(format_rfc3339_ms(INT64_MAX) == "9999-12-31T23:59:59.999Z");
  CHECK(format_rfc3339_ms(INT64_MIN) == "0000-01-01T00:00:00.000Z");
  CHECK(parse_rfc3339_ms("2024-01-02T10:11:12.123Z") == 1704190272123);
  CHECK(parse_rfc3339_ms("2024-01-02T11:11:12.123+0100") == 1704190272123);
  CHECK(parse_rfc3339_ms("2024-01-02T05:11:12.123456-05:00") == 1704190272123);
  CHECK(parse_rfc3339_ms("2024-01-02T10:11:12Z") == 1704190272000);
  CHECK_FALSE(parse_rfc3339_ms("2024-02-30T10:11:12Z"));
  CHECK_FALSE(parse_rfc3339_ms("2024-01-02 10:11"));
  CHECK_FALSE(parse_rfc3339_ms("2024-01-02T10:11:12.123"));
}

TEST_CASE("one error type: code, message, record - result<T>", "[common]") {
  auto e = make_error(errc::invalid_input, "nested deeper than 64 levels",
                      "issue 10001");
  CHECK(e.to_string() == "issue 10001: nested deeper than 64 levels");
  CHECK(make_error(errc::timeout, "first byte").to_string() == "first byte");
  CHECK(to_string(errc::no_space) == "no_space");

  result<int> ok = 7;
  REQUIRE(ok.has_value());
  CHECK(*ok == 7);
  result<int> bad = e;
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().code == errc::invalid_input);
  CHECK(bad.error().record == "issue 10001");
  CHECK_THROWS_AS(bad.value(), error_exception);

  result<void> done;
  CHECK(done.has_value());
  result<void> failed = make_error(errc::io_error, "disk");
  CHECK_FALSE(failed.has_value());
  CHECK(failed.error().message == "disk");
}
