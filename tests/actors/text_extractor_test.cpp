// text_extractor against the real `jirasync extract` child: contents are
// extracted once per store, hostile ones get their status, the texts land
// in the store, a second run extracts nothing (issue 16).
#include "actors/store_writer.hpp"
#include "actors/text_extractor.hpp"
#include "common/sha256.hpp"
#include "sim/documents.hpp"
#include "test_util/catch_result.hpp"
#include "test_util/temp_dir.hpp"
#include "threaded_config.hpp"

#include <caf/all.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <fstream>

using namespace jirasync;
using namespace jirasync::actors;
using namespace std::chrono_literals;

namespace {

/// Puts `bytes` into the blob store; returns its sha256.
std::string add_blob(storage::store& db, const std::string& bytes,
                     const std::string& name) {
  auto tmp = db.blob_tmp_dir() / name;
  {
    std::ofstream out{tmp, std::ios::binary};
    out << bytes;
  }
  auto sha = common::sha256_hex(bytes);
  REQUIRE(db.adopt_blob(tmp, sha));
  return sha;
}

text_report run(std::shared_ptr<storage::store> db,
                const std::vector<text_job>& jobs, bool text_off = false) {
  caf::actor_system sys{jirasync::testing::threaded_config()};
  auto writer = spawn_store_writer(sys, db);
  text_extractor_options o;
  o.db = db;
  o.writer = writer;
  o.runner.jirasync_bin = JIRASYNC_BIN;
  o.runner.limits.wall = 30s;
  o.workers = 2;
  o.text_off = text_off;
  auto x = spawn_text_extractor(sys, std::move(o));
  caf::scoped_actor self{sys};
  for (const auto& j : jobs)
    self->send(x, extract_atom_v, j);
  text_report out;
  self->request(x, 120s, drain_atom_v)
    .receive(
      [&](text_report& r) {
        out = std::move(r);
      },
      [&](caf::error& err) {
        FAIL(sys.render(err));
      });
  self->send_exit(x, caf::exit_reason::user_shutdown);
  self->send_exit(writer, caf::exit_reason::user_shutdown);
  return out;
}

} // namespace

TEST_CASE("text_extractor: once per content, hostile files alone, stored",
          "[actors][texts]") {
  jirasync::test::temp_dir dir;
  auto opened = storage::store::open(dir.path() / "db");
  REQUIRE(opened.has_value());
  std::shared_ptr<storage::store> db{std::move(opened.value())};
  auto pdf = jirasim::docs::make_pdf({{"Grüße", "中文 🎉"}, {"page two"}});
  auto good = add_blob(*db, pdf, "a");
  auto broken = add_blob(*db, pdf.substr(0, pdf.size() / 2), "b");
  auto plain = add_blob(*db, "just text\n", "c");
  auto empty = add_blob(*db, "", "e");
  auto png = add_blob(*db, std::string("\x89PNG\r\n\x1a\n", 8) + "pixels", "d");
  std::vector<text_job> jobs{
    {good, "application/pdf", "a.pdf", static_cast<std::int64_t>(pdf.size()),
     "attachment 1 (a.pdf)"},
    // The same content on another attachment: not extracted twice.
    {good, "application/pdf", "copy.pdf", static_cast<std::int64_t>(pdf.size()),
     "attachment 2 (copy.pdf)"},
    {broken, "application/pdf", "broken.pdf",
     static_cast<std::int64_t>(pdf.size() / 2), "attachment 3 (broken.pdf)"},
    {plain, "text/plain", "n.txt", 10, "attachment 4 (n.txt)"},
    // An image: decided from its magic bytes, no child.
    {png, "image/png", "p.png", 14, "attachment 5 (p.png)"},
    // Empty content: empty text whatever the label, no child.
    {empty, "application/pdf", "e.pdf", 0, "attachment 6 (e.pdf)"},
  };
  auto r = run(db, jobs);
  CHECK(r.failures.empty());
  CHECK(r.tally.run() == 5);
  CHECK(r.tally.by_status["extracted"] == 3);
  CHECK(r.tally.by_status["failed"] == 1);
  CHECK(r.tally.by_status["unsupported"] == 1);
  CHECK(r.tally.with_text == 2);
  CHECK(r.tally.known == 0);
  // The plain text is decoded without a child: not in the throughput.
  CHECK(r.tally.input_bytes == pdf.size() + pdf.size() / 2);
  REQUIRE(r.tally.without_text.size() == 1);
  CHECK(r.tally.without_text[0].record == "attachment 3 (broken.pdf)");
  CHECK(r.tally.without_text[0].message.rfind("failed: ", 0) == 0);
  auto t = db->get_attachment_text(good);
  REQUIRE(t);
  REQUIRE(*t);
  CHECK((*t)->status == "extracted");
  REQUIRE((*t)->text);
  auto g = (*t)->text->find("Grüße");
  auto c = (*t)->text->find("中文 🎉");
  auto p2 = (*t)->text->find("page two");
  CHECK(g != std::string::npos);
  CHECK(c > g);
  CHECK(p2 > c);
  auto b = db->get_attachment_text(broken);
  REQUIRE(*b);
  CHECK((*b)->status == "failed");
  CHECK_FALSE((*b)->text);
  CHECK((**db->get_attachment_text(plain)).text
        == std::optional<std::string>{"just text\n"});
  CHECK((**db->get_attachment_text(png)).status == "unsupported");
  CHECK((**db->get_attachment_text(empty)).text
        == std::optional<std::string>{""});

  // A later run: every content is known, no child runs.
  auto again = run(db, jobs);
  CHECK(again.tally.run() == 0);
  CHECK(again.tally.known == 5);
  CHECK(again.tally.child_ms == 0);
}

TEST_CASE("text_extractor: text extraction off gives skipped, no child",
          "[actors][texts]") {
  jirasync::test::temp_dir dir;
  auto opened = storage::store::open(dir.path() / "db");
  REQUIRE(opened.has_value());
  std::shared_ptr<storage::store> db{std::move(opened.value())};
  auto sha = add_blob(*db, "text\n", "a");
  auto r
    = run(db, {{sha, "text/plain", "a.txt", 5, "attachment 1 (a.txt)"}}, true);
  CHECK(r.tally.by_status["skipped"] == 1);
  CHECK(r.tally.child_ms == 0);
  CHECK(r.tally.input_bytes == 0);
  auto t = db->get_attachment_text(sha);
  REQUIRE(*t);
  CHECK((*t)->status == "skipped");
}
