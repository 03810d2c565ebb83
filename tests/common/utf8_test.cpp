#include "common/utf8.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace jirasync::common;

namespace {

std::string repaired(std::string_view in, std::size_t* n = nullptr) {
  std::string out;
  auto r = append_valid_utf8(out, in);
  if (n)
    *n = r;
  return out;
}

const std::string fffd = "\xEF\xBF\xBD";

} // namespace

TEST_CASE("utf8: valid text is left as is", "[common][utf8]") {
  std::string s = "ascii \xC3\xBC \xE4\xB8\xAD\xE6\x96\x87 \xF0\x9F\x98\x80";
  std::size_t n = 99;
  CHECK(repaired(s, &n) == s);
  CHECK(n == 0);
}

TEST_CASE("utf8: one U+FFFD per maximal invalid subpart", "[common][utf8]") {
  std::size_t n = 0;
  CHECK(repaired("a\xFF"
                 "b",
                 &n)
        == "a" + fffd + "b"); // not a lead byte
  CHECK(n == 1);
  CHECK(repaired("\x80\x80") == fffd + fffd);            // stray continuations
  CHECK(repaired("\xC0\xAF") == fffd + fffd);            // overlong '/'
  CHECK(repaired("\xED\xA0\x80") == fffd + fffd + fffd); // a surrogate
  CHECK(repaired("\xF4\x90\x80\x80") == fffd + fffd + fffd + fffd); // > 10FFFF
  CHECK(repaired("\xE4\xB8"
                 "x")
        == fffd + "x");                    // cut short: one
  CHECK(repaired("\xF0\x9F\x98") == fffd); // at the very end
  // The Unicode 15 §3.9 example: 61 F1 80 80 E1 80 C2 62 80 63 80 BF 64.
  CHECK(repaired("\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64")
        == "a" + fffd + fffd + fffd + "b" + fffd + "c" + fffd + fffd + "d");
}

TEST_CASE("utf8: prefix length stops on a character boundary",
          "[common][utf8]") {
  std::string s = "ab\xE4\xB8\xAD"
                  "c"; // a b 中 c
  CHECK(utf8_prefix_length(s, 10) == 6);
  CHECK(utf8_prefix_length(s, 6) == 6);
  CHECK(utf8_prefix_length(s, 5) == 5);
  CHECK(utf8_prefix_length(s, 4) == 2);
  CHECK(utf8_prefix_length(s, 3) == 2);
  CHECK(utf8_prefix_length(s, 0) == 0);
}

TEST_CASE("utf8: code points and sequence lengths", "[common][utf8]") {
  std::string out;
  append_code_point(out, U'A');
  append_code_point(out, 0xFC);
  append_code_point(out, 0x4E2D);
  append_code_point(out, 0x1F600);
  append_code_point(out, 0xD800);   // a surrogate
  append_code_point(out, 0x110000); // beyond Unicode
  CHECK(out == "A\xC3\xBC\xE4\xB8\xAD\xF0\x9F\x98\x80" + fffd + fffd);
  CHECK(utf8_sequence_length("\xF0\x9F\x98\x80!") == 4);
  CHECK(utf8_sequence_length("\xF0\x9F\x98") == 0);
  CHECK(utf8_sequence_length("z") == 1);
  CHECK(utf8_sequence_length("") == 0);
}
