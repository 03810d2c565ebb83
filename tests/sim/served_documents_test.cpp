// The real documents jira-sim serves (issue 16): built once, attached to
// issues any API user sees, served byte for byte, hashed in the truth.
#include "common/sha256.hpp"
#include "sim/served_documents.hpp"
#include "sim/workspace.hpp"

#include <catch2/catch.hpp>

using namespace jirasim;

TEST_CASE("served documents: real files with known text, two hostile",
          "[sim][documents]") {
  const auto& set = served_documents();
  REQUIRE(set.size() == 5);
  CHECK(&set == &served_documents()); // built once
  CHECK(set[0].bytes->rfind("%PDF-", 0) == 0);
  CHECK(set[1].bytes->rfind("PK\x03\x04", 0) == 0);
  CHECK(set[2].bytes->rfind("PK\x03\x04", 0) == 0);
  CHECK(set[0].known_text.front() == "Quarterly report Q3");
  CHECK(set[2].known_text.back() == "🎉 shipped");
  // The truncated PDF has no trailer; the bomb is small on the wire.
  CHECK(set[3].text_status == "failed");
  CHECK(set[3].bytes->find("trailer") == std::string::npos);
  CHECK(set[4].text_status == "too_large");
  CHECK(set[4].bytes->size() < (2u << 20));
}

TEST_CASE("served documents are attached and served byte for byte",
          "[sim][documents]") {
  workspace_params p;
  p.issues = 60;
  p.projects = 2;
  p.users = 10;
  auto ws = generate(p);
  std::size_t found = 0;
  for (const auto& i : ws.issues)
    for (const auto& a : i.attachments) {
      if (!a.document)
        continue;
      ++found;
      CHECK(i.security_level_id == 0);
      CHECK(a.size_bytes == a.document->size());
      CHECK(attachment_content_string(ws, a) == *a.document);
      CHECK(attachment_sha256(ws, a)
            == jirasync::common::sha256_hex(*a.document));
      // A Range in the middle.
      std::string part(10, '\0');
      CHECK(attachment_content(ws, a, 5, part.data(), part.size()) == 10);
      CHECK(part == a.document->substr(5, 10));
    }
  CHECK(found == 5);
  p.documents = false;
  auto none = generate(p);
  for (const auto& i : none.issues)
    for (const auto& a : i.attachments)
      CHECK_FALSE(a.document);
}
