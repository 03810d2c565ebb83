#include "sync/attachment_checks.hpp"

#include <catch2/catch.hpp>

using namespace jirasync;
using namespace jirasync::sync;

namespace {

protocol::jira_attachment meta(std::int64_t size, std::string mime,
                               bool known = true) {
  protocol::jira_attachment a;
  a.id = "10";
  a.filename = "f";
  a.size_bytes = size;
  a.size_known = known;
  a.mime_type = std::move(mime);
  return a;
}

} // namespace

TEST_CASE("downloads are checked against the metadata, 0 bytes too",
          "[sync][hostile]") {
  // Problem 3 of issue 11: a 0-byte attachment answered with "<html>oops"
  // passed (the size check skipped size 0).
  CHECK(content_mismatch(meta(0, "text/plain"), 10, "text/html")
        == std::optional<std::string>{"got 10 bytes, expected 0"});
  CHECK(content_mismatch(meta(0, "text/plain"), 0, "text/plain")
        == std::nullopt);
  CHECK(content_mismatch(meta(100, "application/pdf"), 50, "")
        == std::optional<std::string>{"got 50 bytes, expected 100"});
  // An error page of the right size is still not a PDF.
  CHECK(content_mismatch(meta(17, "application/pdf"), 17,
                         "text/html; charset=utf-8")
        == std::optional<std::string>{
          "got an HTML page (text/html), expected application/pdf"});
  // HTML attachments are HTML; loose labels of other types pass.
  CHECK(content_mismatch(meta(5, "text/html"), 5, "TEXT/HTML") == std::nullopt);
  CHECK(
    content_mismatch(meta(5, "application/pdf"), 5, "application/octet-stream")
    == std::nullopt);
  // No size in the metadata: only the type is checked.
  CHECK(content_mismatch(meta(0, "image/png", false), 99, "image/png")
        == std::nullopt);
}
