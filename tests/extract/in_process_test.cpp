// Plain text without a child (extract_without_child): the same result as
// the real `jirasync extract` child for every plain-text file, and no
// answer (the child decides) for anything that needs a format library or
// is not text.
#include "doc_builders.hpp"
#include "extract/runner.hpp"

#include <catch2/catch.hpp>

using namespace jirasync::extract;
using namespace jirasync::testing;

namespace {

runner_options real_child(std::size_t cap = std::size_t{1} << 20) {
  runner_options o{JIRASYNC_BIN, {}};
  o.limits.extract.max_text_bytes = cap;
  return o;
}

void same_as_child(const runner_options& o, const extract_request& req) {
  INFO(req.file.filename().string() << " as " << req.mime);
  auto here = extract_without_child(o, req);
  REQUIRE(here);
  auto child = run_extraction(o, req);
  CHECK(here->status == child.status);
  CHECK(here->text == child.text);
  CHECK(here->truncated == child.truncated);
  CHECK(here->reason == child.reason);
}

const std::string ue = "\xC3\xBC";
const std::string zh = "\xE4\xB8\xAD\xE6\x96\x87";

} // namespace

TEST_CASE("in process: plain text gives what the child gives",
          "[extract][runner][text]") {
  scratch_dir dir;
  auto o = real_child();
  same_as_child(o, {dir.write("a.md", "# Gr" + ue + "n " + zh + "\n"),
                    "text/markdown", "a.md"});
  same_as_child(o, {dir.write("a.json", R"({"k": ["v", 1]})"),
                    "application/json", "a.json"});
  same_as_child(
    o, {dir.write("le.txt", "\xFF\xFE" + std::string("G\0r\0\xFC\0n\0", 8)),
        "text/plain", "le.txt"});
  same_as_child(
    o, {dir.write("l1.txt", "caf\xE9 \x93q\x94"), "text/plain", "l1.txt"});
  same_as_child(
    o, {dir.write("bad.txt", "ok \xFF " + zh), "text/plain", "bad.txt"});

  auto here = extract_without_child(
    o, {dir.write("exact.txt", "line one\nline two\n"), "text/plain", ""});
  REQUIRE(here);
  CHECK(here->status == text_status::extracted);
  CHECK(here->text == std::optional<std::string>{"line one\nline two\n"});
  CHECK_FALSE(here->truncated);
  CHECK(here->reason.empty());
}

TEST_CASE("in process: the text cap holds, cut as the child cuts",
          "[extract][runner][text]") {
  scratch_dir dir;
  std::string line = "line " + zh + "\n";
  std::string big;
  while (big.size() < (3u << 20))
    big += line;
  auto file = dir.write("big.log", big);
  auto o = real_child(1000);
  auto here = extract_without_child(o, {file, "text/plain", "big.log"});
  REQUIRE(here);
  CHECK(here->status == text_status::extracted);
  REQUIRE(here->text);
  CHECK(here->text->size() <= 1000);
  CHECK(here->text->size() > 1000 - 4);
  CHECK(here->truncated);
  CHECK(here->reason == "text cut at the 1000-byte cap");
  same_as_child(o, {file, "text/plain", "big.log"});
}

TEST_CASE("in process: formats with a library, and non-text, are left to "
          "the child",
          "[extract][runner]") {
  scratch_dir dir;
  auto o = real_child();
  auto pdf = make_pdf({{"page one"}});
  CHECK_FALSE(extract_without_child(
    o, {dir.write("a.pdf", pdf), "application/pdf", "a.pdf"}));
  // A PDF labelled text/plain is still a PDF.
  CHECK_FALSE(
    extract_without_child(o, {dir.write("b.txt", pdf), "text/plain", "b.txt"}));
  CHECK_FALSE(extract_without_child(
    o, {dir.write("a.html", "<p>x</p>"), "text/html", "a.html"}));
  CHECK_FALSE(extract_without_child(
    o, {dir.write("a.png", "\x89PNG\r\n\x1A\n" + std::string(100, '\0')),
        "image/png", "a.png"}));
  // Binary data labelled text/plain is not text.
  std::string binary;
  for (int i = 0; i < 4096; ++i)
    binary += static_cast<char>(i % 7 == 0 ? 0 : i % 251);
  CHECK_FALSE(extract_without_child(
    o, {dir.write("bin.txt", binary), "text/plain", "bin.txt"}));
  CHECK_FALSE(
    extract_without_child(o, {dir.path() / "missing.txt", "text/plain", ""}));
}
