// Attachment text stored ONCE per content (keyed by sha256), joined into
// the attachment's export line and feed entries, whichever of record and
// text is written first (issue 16; issue 11: no second copy in the record).
#include "storage/export.hpp"
#include "storage_test_util.hpp"

#include <boost/json.hpp>
#include <rocksdb/db.h>

#include <sys/stat.h>

#include <vector>

using namespace jirasync::storage;
using namespace jirasync::storage::test;
namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

const std::string sha_a(64, 'a');
const std::string sha_b(64, 'b');

/// The feed after `seq`, each line's record.
std::vector<json::object> feed_records(store& s, std::uint64_t after) {
  std::vector<json::object> out;
  REQUIRE(s.for_each_feed(after, [&](std::uint64_t, std::string_view l) {
    out.push_back(json::parse(l).as_object().at("record").as_object());
    return true;
  }));
  return out;
}

std::vector<json::object> attachment_lines(store& s) {
  std::vector<json::object> out;
  REQUIRE(export_snapshot(s, {}, [&](std::string_view l) {
    auto o = json::parse(l).as_object();
    if (o.at("type") == "attachment")
      out.push_back(o);
    return true;
  }));
  return out;
}

write_batch_spec with_records(std::vector<attachment_record> atts,
                              const acl_record& acl) {
  write_batch_spec spec;
  spec.acls = {acl};
  spec.upserts.emplace_back(make_issue("10042", "ABC-1", acl.id));
  for (auto& a : atts) {
    a.content_stored = true;
    spec.upserts.emplace_back(std::move(a));
  }
  return spec;
}

} // namespace

TEST_CASE("a text written after its records reaches the feed of every "
          "attachment with that content",
          "[storage][texts]") {
  temp_dir dir;
  auto s = open_store(dir.path() / "db");
  auto acl = make_acl(false, {"u1"});
  auto a1 = make_attachment("30001", "10042", acl.id);
  auto a2 = make_attachment("30002", "10042", acl.id); // same content
  auto a3 = make_attachment("30003", "10042", acl.id);
  a3.sha256 = sha_b;
  apply_ok(*s, with_records({a1, a2, a3}, acl));
  // No text yet: pending, and the backfill finds one attachment per content.
  auto lines = attachment_lines(*s);
  REQUIRE(lines.size() == 3);
  CHECK(lines[0].at("text_status") == "pending");
  CHECK(lines[0].at("text").is_null());
  auto missing = s->attachments_without_text(10);
  REQUIRE(missing);
  REQUIRE(missing->size() == 2);
  CHECK((*missing)[0].sha256 == sha_a);
  CHECK((*missing)[1].sha256 == sha_b);
  CHECK((*s->attachments_without_text(1)).size() == 1);

  auto before = *s->last_seq();
  write_batch_spec texts;
  texts.texts.push_back({sha_a, "extracted", "", "Grüße 中文 🎉"});
  auto sum = apply_ok(*s, texts);
  CHECK(sum.texts_written == 1);
  // One feed entry per attachment with that content, text joined.
  auto fed = feed_records(*s, before);
  REQUIRE(fed.size() == 2);
  CHECK(fed[0].at("id") == "30001");
  CHECK(fed[1].at("id") == "30002");
  for (const auto& r : fed) {
    CHECK(r.at("type") == "attachment");
    CHECK(r.at("text") == "Grüße 中文 🎉");
    CHECK(r.at("text_status") == "extracted");
  }
  // Stored once: the records do not carry it; the export joins it.
  auto t = s->get_attachment_text(sha_a);
  REQUIRE(t);
  REQUIRE(*t);
  CHECK((*t)->text == std::optional<std::string>{"Grüße 中文 🎉"});
  auto rec = s->get_attachment("30001");
  REQUIRE(rec);
  CHECK(json::serialize(to_stored_json(**rec)).find("Grüße")
        == std::string::npos);
  lines = attachment_lines(*s);
  REQUIRE(lines.size() == 3);
  CHECK(lines[0].at("text") == "Grüße 中文 🎉");
  CHECK(lines[1].at("text") == "Grüße 中文 🎉");
  CHECK(lines[2].at("text_status") == "pending");
  missing = s->attachments_without_text(10);
  REQUIRE(missing->size() == 1);
  CHECK((*missing)[0].id == "30003");

  // The same text again: nothing written, no feed entry.
  before = *s->last_seq();
  CHECK(apply_ok(*s, texts).texts_written == 0);
  CHECK(*s->last_seq() == before);

  // A failed extraction: status and reason, no text.
  write_batch_spec failed;
  failed.texts.push_back({sha_b, "failed", "truncated PDF", std::nullopt});
  apply_ok(*s, failed);
  fed = feed_records(*s, before);
  REQUIRE(fed.size() == 1);
  CHECK(fed[0].at("id") == "30003");
  CHECK(fed[0].at("text").is_null());
  CHECK(fed[0].at("text_status") == "failed");
  CHECK(fed[0].at("text_reason") == "truncated PDF");
  CHECK(s->attachments_without_text(10)->empty());
}

TEST_CASE("a text written before its record is joined into the record's "
          "feed entry",
          "[storage][texts]") {
  temp_dir dir;
  auto s = open_store(dir.path() / "db");
  write_batch_spec texts;
  texts.texts.push_back({sha_a, "extracted", "", "early"});
  auto sum = apply_ok(*s, texts);
  CHECK(sum.texts_written == 1);
  CHECK(sum.feed_entries() == 0); // no attachment names it yet
  auto acl = make_acl(false, {"u1"});
  auto before = *s->last_seq();
  apply_ok(*s, with_records({make_attachment("30001", "10042", acl.id)}, acl));
  auto fed = feed_records(*s, before);
  const json::object* att = nullptr;
  for (const auto& r : fed)
    if (r.at("type") == "attachment")
      att = &r;
  REQUIRE(att);
  CHECK(att->at("text") == "early");
  CHECK(att->at("text_status") == "extracted");
}

TEST_CASE("an attachment whose content changes leaves the old content's "
          "index, and a deleted one leaves it too",
          "[storage][texts]") {
  temp_dir dir;
  auto s = open_store(dir.path() / "db");
  auto acl = make_acl(false, {"u1"});
  apply_ok(*s, with_records({make_attachment("30001", "10042", acl.id)}, acl));
  auto moved = make_attachment("30001", "10042", acl.id);
  moved.sha256 = sha_b;
  apply_ok(*s, with_records({moved}, acl));
  auto before = *s->last_seq();
  write_batch_spec texts;
  texts.texts.push_back({sha_a, "extracted", "", "old content"});
  apply_ok(*s, texts);
  CHECK(feed_records(*s, before).empty()); // nobody has sha_a any more
  write_batch_spec del;
  del.deletes.push_back({record_type::issue, "10042"});
  apply_ok(*s, del);
  before = *s->last_seq();
  texts.texts = {{sha_b, "unsupported", "an image", std::nullopt}};
  apply_ok(*s, texts);
  CHECK(feed_records(*s, before).empty());
}

TEST_CASE("a content's text goes with the last attachment that has it",
          "[storage][texts]") {
  temp_dir dir;
  auto s = open_store(dir.path() / "db");
  auto acl = make_acl(false, {"u1"});
  // Issue 10042: 30001 and 30002 with content a; issue 10043: 30003 with
  // content b.
  auto spec = with_records({make_attachment("30001", "10042", acl.id),
                            make_attachment("30002", "10042", acl.id)},
                           acl);
  spec.upserts.emplace_back(make_issue("10043", "ABC-2", acl.id));
  auto a3 = make_attachment("30003", "10043", acl.id);
  a3.sha256 = sha_b;
  a3.content_stored = true;
  spec.upserts.emplace_back(a3);
  spec.texts
    = {{sha_a, "extracted", "", "text a"}, {sha_b, "extracted", "", "text b"}};
  apply_ok(*s, spec);
  auto text_of = [&](const std::string& sha) {
    auto t = s->get_attachment_text(sha);
    REQUIRE(t);
    return t->has_value();
  };
  REQUIRE(text_of(sha_a));
  REQUIRE(text_of(sha_b));

  // One of two attachments with content a goes: the text stays, the other
  // one still exports it; the feed says delete for the one gone.
  auto before = *s->last_seq();
  write_batch_spec del;
  del.deletes.push_back({record_type::attachment, "30001"});
  apply_ok(*s, del);
  CHECK(text_of(sha_a));
  auto fed = feed_records(*s, before);
  REQUIRE(fed.size() == 1);
  CHECK(fed[0].at("type") == "attachment");
  CHECK(fed[0].at("id") == "30001");
  auto lines = attachment_lines(*s);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].at("id") == "30002");
  CHECK(lines[0].at("text") == "text a");

  // The last one goes (the issue's children listed exactly, without it, as
  // the reconciliation of an incremental sync does): the text goes too.
  before = *s->last_seq();
  write_batch_spec exact;
  exact.exact_children_of.push_back({"10042", {}});
  apply_ok(*s, exact);
  CHECK_FALSE(text_of(sha_a));
  fed = feed_records(*s, before);
  REQUIRE(fed.size() == 1);
  CHECK(fed[0].at("id") == "30002");
  CHECK(s->attachments_without_text(10)->empty());

  // A deleted issue takes its attachments and their contents' texts.
  write_batch_spec gone;
  gone.deletes.push_back({record_type::issue, "10043"});
  apply_ok(*s, gone);
  CHECK_FALSE(text_of(sha_b));
  CHECK(attachment_lines(*s).empty());

  // In one batch, an attachment with content a written and another one
  // with content a deleted: the text stays (upserts come first).
  write_batch_spec again;
  again.texts = {{sha_a, "extracted", "", "text a"}};
  again.upserts.emplace_back(make_issue("10044", "ABC-3", acl.id));
  auto a5 = make_attachment("30005", "10044", acl.id);
  a5.content_stored = true;
  again.upserts.emplace_back(a5);
  again.acls = {acl};
  apply_ok(*s, again);
  write_batch_spec swap;
  auto a6 = make_attachment("30006", "10044", acl.id);
  a6.content_stored = true;
  swap.upserts.emplace_back(a6);
  swap.deletes.push_back({record_type::attachment, "30005"});
  apply_ok(*s, swap);
  CHECK(text_of(sha_a));

  // An attachment upserted with another content leaves the old content's
  // text without referrer: it goes.
  a6.sha256 = sha_b;
  write_batch_spec changed;
  changed.upserts.emplace_back(a6);
  apply_ok(*s, changed);
  CHECK_FALSE(text_of(sha_a));
  lines = attachment_lines(*s);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].at("text_status") == "pending");
}

TEST_CASE("a text with a bad sha256 or no status is refused",
          "[storage][texts]") {
  temp_dir dir;
  auto s = open_store(dir.path() / "db");
  write_batch_spec bad;
  bad.texts.push_back({"ABC", "extracted", "", "x"});
  auto r = s->apply(bad);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == jirasync::common::errc::invalid_argument);
  bad.texts = {{sha_a, "", "", "x"}};
  CHECK_FALSE(s->apply(bad));
  CHECK_FALSE(*s->get_attachment_text(sha_a));
}

TEST_CASE("a store made before the content index gets it on open",
          "[storage][texts]") {
  temp_dir dir;
  auto path = dir.path() / "db";
  auto acl = make_acl(false, {"u1"});
  {
    auto s = open_store(path);
    apply_ok(*s,
             with_records({make_attachment("30001", "10042", acl.id)}, acl));
  }
  // Make it look like a store of the earlier version: no content index,
  // no text column family, no marker.
  {
    std::vector<std::string> names;
    REQUIRE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions{}, path.string(),
                                            &names)
              .ok());
    std::vector<rocksdb::ColumnFamilyDescriptor> descs;
    for (auto& n : names)
      descs.emplace_back(n, rocksdb::ColumnFamilyOptions{});
    std::vector<rocksdb::ColumnFamilyHandle*> hs;
    rocksdb::DB* raw = nullptr;
    REQUIRE(
      rocksdb::DB::Open(rocksdb::DBOptions{}, path.string(), descs, &hs, &raw)
        .ok());
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (names[i] == "meta")
        REQUIRE(
          raw
            ->Delete(rocksdb::WriteOptions{}, hs[i], "index.attachments_by_sha")
            .ok());
      if (names[i] == "attachments_by_sha" || names[i] == "attachment_texts")
        REQUIRE(raw->DropColumnFamily(hs[i]).ok());
    }
    for (auto* h : hs)
      REQUIRE(raw->DestroyColumnFamilyHandle(h).ok());
    REQUIRE(raw->Close().ok());
    delete raw;
  }
  // A read-only open (export while no sync has run yet) does without.
  {
    open_options ro;
    ro.read_only = true;
    auto r = open_store(path, ro);
    CHECK(attachment_lines(*r).at(0).at("text_status") == "pending");
    CHECK(r->attachments_without_text(10)->empty());
  }
  // Opened for writing: the index is built, the attachment found.
  auto s = open_store(path);
  auto missing = s->attachments_without_text(10);
  REQUIRE(missing);
  REQUIRE(missing->size() == 1);
  CHECK((*missing)[0].id == "30001");
  write_batch_spec texts;
  texts.texts.push_back({sha_a, "extracted", "", "migrated"});
  auto before = *s->last_seq();
  apply_ok(*s, texts);
  CHECK(feed_records(*s, before).size() == 1);
}

TEST_CASE("the text store's files are private to the owner",
          "[storage][texts]") {
  temp_dir dir;
  {
    auto s = open_store(dir.path() / "db");
    write_batch_spec texts;
    texts.texts.push_back({sha_a, "extracted", "", std::string(1 << 16, 'x')});
    apply_ok(*s, texts);
  }
  auto s = open_store(dir.path() / "db");
  for (const auto& e : fs::recursive_directory_iterator(dir.path() / "db")) {
    struct stat st {};
    REQUIRE(::lstat(e.path().c_str(), &st) == 0);
    INFO(e.path());
    CHECK((st.st_mode & 0777) == (e.is_directory() ? 0700u : 0600u));
  }
}
