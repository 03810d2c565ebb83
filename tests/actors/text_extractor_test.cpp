// text_extractor against the real `jirasync extract --worker` processes:
// contents are extracted once per store, hostile ones get their status, the
// texts land in the store, a second run extracts nothing (issue 16); the
// store is searched for contents without text only when it changed since
// the last complete drain.
#include "actors/store_writer.hpp"
#include "actors/text_extractor.hpp"
#include "common/sha256.hpp"
#include "sim/documents.hpp"
#include "storage/storage_test_util.hpp"
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

TEST_CASE("text_extractor: the store is searched for contents without text "
          "only when it changed since the last complete drain",
          "[actors][texts]") {
  jirasync::test::temp_dir dir;
  auto opened = storage::store::open(dir.path() / "db");
  REQUIRE(opened.has_value());
  std::shared_ptr<storage::store> db{std::move(opened.value())};
  auto acl = storage::make_acl(false, {"u1"});
  auto stored_without_text
    = [&](const std::string& id, const std::string& bytes) {
        auto a = storage::test::make_attachment(id, "10042", acl.id);
        a.sha256 = add_blob(*db, bytes, id);
        a.size_bytes = static_cast<std::int64_t>(bytes.size());
        a.mime_type = "text/plain";
        a.filename = id + ".txt";
        a.content_stored = true;
        storage::write_batch_spec spec;
        spec.acls = {acl};
        spec.upserts.emplace_back(
          storage::test::make_issue("10042", "ABC-1", acl.id));
        spec.upserts.emplace_back(std::move(a));
        REQUIRE(db->apply(spec));
      };
  // A store of an earlier version (or a run killed before its texts): the
  // first drain finds the content and extracts it; the drain then marks
  // the store complete at its feed position.
  stored_without_text("30001", "first\n");
  auto r = run(db, {});
  CHECK(r.failures.empty());
  CHECK(r.tally.run() == 1);
  auto seq = db->last_seq();
  REQUIRE(seq);
  CHECK(db->get_meta("attachment_texts_complete_at").value()
        == std::optional<std::string>{std::to_string(*seq)});
  // Nothing written since: the store is not searched. (A content without
  // text put there behind the marker's back, as only a broken store
  // could, stays without one: the proof that no search ran.)
  auto hidden = add_blob(*db, "hidden\n", "h");
  {
    auto a = storage::test::make_attachment("30002", "10042", acl.id);
    a.sha256 = hidden;
    a.size_bytes = 7;
    a.content_stored = true;
    storage::write_batch_spec spec;
    spec.acls = {acl};
    spec.upserts.emplace_back(std::move(a));
    REQUIRE(db->apply(spec));
  }
  // That write moved the feed: set the marker to it, as a complete drain
  // right after it would have.
  {
    storage::write_batch_spec spec;
    spec.meta["attachment_texts_complete_at"]
      = std::to_string(db->last_seq().value());
    REQUIRE(db->apply(spec));
  }
  r = run(db, {});
  CHECK(r.tally.run() == 0);
  CHECK_FALSE(db->get_attachment_text(hidden).value());
  // Any write since the marker: the search runs again and finds it.
  stored_without_text("30003", "third\n");
  r = run(db, {});
  CHECK(r.tally.run() == 2);
  CHECK(db->get_attachment_text(hidden).value());
}
