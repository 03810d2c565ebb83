#include "sync/text_tally.hpp"

#include <catch2/catch.hpp>

using namespace jirasync;
using namespace jirasync::sync;

TEST_CASE("text tally: counts by status, names what has no text",
          "[sync][texts]") {
  text_tally t;
  CHECK(describe(t) == "attachment text: nothing to extract");
  extract::extraction ok;
  ok.status = extract::text_status::extracted;
  ok.text = "hello";
  auto a = to_attachment_text(std::string(64, 'a'), ok);
  CHECK(a.status == "extracted");
  CHECK(a.text == std::optional<std::string>{"hello"});
  extract::extraction bad;
  bad.status = extract::text_status::timeout;
  bad.reason = "CPU limit of 20 s reached";
  bad.text = "partial"; // never kept for a status other than extracted
  auto b = to_attachment_text(std::string(64, 'b'), bad);
  CHECK_FALSE(b.text);
  extract::extraction empty;
  empty.status = extract::text_status::extracted;
  t.add(a, "attachment 1 (a.pdf)", 2'000'000, 500);
  t.add(b, "attachment 2 (b.pdf)", 1'000'000, 500);
  t.add(to_attachment_text(std::string(64, 'c'), empty), "attachment 3 (c)", 0,
        0);
  t.add(
    decided_text(std::string(64, 'd'), extract::text_status::skipped, "off"),
    "attachment 4 (d)", 0, 0);
  t.add(decided_text(std::string(64, 'e'), extract::text_status::unsupported,
                     "a PNG image"),
        "attachment 5 (e.png)", 0, 0);
  t.known = 7;
  CHECK(t.run() == 5);
  CHECK(t.with_text == 1);
  CHECK(t.text_bytes == 5);
  REQUIRE(t.throughput_mb_s());
  CHECK(*t.throughput_mb_s() == Approx(3.0));
  REQUIRE(t.without_text.size() == 1);
  CHECK(t.without_text[0].to_string()
        == "attachment 2 (b.pdf): timeout: CPU limit of 20 s reached");
  CHECK(describe(t)
        == "attachment text: 2 extracted (1 with text), 1 skipped, 1 timeout, "
           "1 unsupported; "
           "7 known from earlier runs; 3.0 MB extracted in 1.0 s (3.0 MB/s)");
  auto c = text_counters(t);
  CHECK(c["texts_extracted"] == 2);
  CHECK(c["texts_timeout"] == 1);
  CHECK(c["texts_known"] == 7);
  CHECK(c["texts_with_text"] == 1);
  CHECK(c["texts_input_bytes"] == 3'000'000);
  CHECK(c["texts_child_ms"] == 1000);
}
