#include "storage/keys.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <vector>

using namespace jirasync::storage;

TEST_CASE("encoded numeric ids sort numerically", "[storage]") {
  std::vector<std::string> ids{
    "10", "9", "100000", "10001", "2", "0", "18446744073709551615"};
  std::vector<std::string> enc;
  for (const auto& id : ids)
    enc.push_back(keys::encode_id(id));
  std::sort(enc.begin(), enc.end());
  std::vector<std::string> decoded;
  for (const auto& e : enc) {
    std::string_view in = e;
    auto d = keys::decode_id(in);
    REQUIRE(d);
    CHECK(in.empty());
    decoded.push_back(*d);
  }
  CHECK(decoded
        == std::vector<std::string>{"0", "2", "9", "10", "10001", "100000",
                                    "18446744073709551615"});
}

TEST_CASE("non-numeric ids sort after numbers and round-trip", "[storage]") {
  // Leading zero and overflow are not canonical numbers: kept as strings.
  for (std::string id : {"557058:f00", "007", "18446744073709551616", "abc"}) {
    auto e = keys::encode_id(id);
    CHECK(e[0] == '\x01');
    std::string_view in = e;
    CHECK(keys::decode_id(in) == id);
    CHECK(in.empty());
    CHECK(keys::encode_id("99999999") < e);
  }
  CHECK(keys::encode_id("abc") < keys::encode_id("abd"));
  CHECK(keys::encode_id("10")
        == std::string("\x00\x00\x00\x00\x00\x00\x00\x00\x0a", 9));
}

TEST_CASE("pairs group children under their parent in order", "[storage]") {
  std::vector<std::string> ks{
    keys::encode_pair("10", "200"), keys::encode_pair("9", "300"),
    keys::encode_pair("10", "30"), keys::encode_pair("10", "x")};
  std::sort(ks.begin(), ks.end());
  CHECK(ks[0] == keys::encode_pair("9", "300"));
  CHECK(ks[1] == keys::encode_pair("10", "30"));
  CHECK(ks[2] == keys::encode_pair("10", "200"));
  CHECK(ks[3] == keys::encode_pair("10", "x"));
  std::string_view in = ks[2];
  CHECK(keys::decode_id(in) == "10");
  CHECK(keys::decode_id(in) == "200");
  CHECK(in.empty());
}

TEST_CASE("be64 sorts sequence numbers", "[storage]") {
  CHECK(keys::encode_be64(255) < keys::encode_be64(256));
  CHECK(keys::encode_be64(1) < keys::encode_be64(1ULL << 40));
  CHECK(keys::decode_be64(keys::encode_be64(123456789012345ULL))
        == 123456789012345ULL);
  CHECK_FALSE(keys::decode_be64("short"));
}
