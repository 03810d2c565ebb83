#include "storage/export.hpp"
#include "storage/queries.hpp"
#include "storage/store.hpp"

#include "storage_test_util.hpp"

#include <boost/json.hpp>
#include <rocksdb/db.h>

#include <catch2/catch.hpp>

#include <fstream>
#include <map>

using namespace jirasync::storage;
using jirasync::common::errc;
using namespace jirasync::storage::test;
namespace json = boost::json;

namespace {

std::vector<std::string> feed_lines(store& s, std::uint64_t after = 0) {
  std::vector<std::string> out;
  auto r = s.for_each_feed(after, [&](std::uint64_t, std::string_view l) {
    out.emplace_back(l);
    return true;
  });
  REQUIRE(r);
  return out;
}

std::vector<std::string> snapshot_lines(store& s, export_filters f = {}) {
  std::vector<std::string> out;
  auto r = export_snapshot(s, f, [&](std::string_view l) {
    out.emplace_back(l);
    return true;
  });
  REQUIRE(r);
  return out;
}

std::uint64_t count(store& s, record_type t) {
  auto c = s.counts();
  REQUIRE(c);
  return (*c)[t];
}

} // namespace

TEST_CASE("same record twice: one feed entry, counts unchanged", "[storage]") {
  temp_dir dir;
  auto s = open_store(dir.path() / "db");
  auto acl = make_acl(false, {"u1", "u2"});
  write_batch_spec spec;
  spec.acls = {acl};
  spec.upserts = {make_issue("10001", "ABC-1", acl.id)};
  auto sum = apply_ok(*s, spec);
  CHECK(sum[record_type::issue].added == 1);
  CHECK(sum[record_type::acl].added == 1);
  CHECK(sum.first_seq == 1);
  CHECK(sum.last_seq == 2);
  auto lines = feed_lines(*s);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0]
        == R"({"seq":1,"op":"upsert","record":{"type":"acl","id":")" + acl.id
             + R"(","anyone":false,"users":["u1","u2"]}})");
  CHECK(lines[1].rfind(
          R"({"seq":2,"op":"upsert","record":{"type":"issue","id":"10001",)", 0)
        == 0);

  auto again = apply_ok(*s, spec);
  CHECK(again[record_type::issue].unchanged == 1);
  CHECK(again[record_type::issue].added == 0);
  CHECK(again.feed_entries() == 0);
  CHECK(feed_lines(*s).size() == 2);
  CHECK(*s->last_seq() == 2);
  CHECK(count(*s, record_type::issue) == 1);
  CHECK(count(*s, record_type::acl) == 1);
  CHECK(*s->acl_refcount(acl.id) == 1);

  SECTION("an update emits a new entry") {
    auto i = make_issue("10001", "ABC-1", acl.id);
    i.summary = "new summary";
    i.updated_ms += 1000;
    write_batch_spec up;
    up.upserts = {i};
    auto u = apply_ok(*s, up);
    CHECK(u[record_type::issue].updated == 1);
    CHECK(u.feed_entries() == 1);
    auto l = feed_lines(*s, 2);
    REQUIRE(l.size() == 1);
    CHECK(l[0].find(R"("summary":"new summary")") != std::string::npos);
    CHECK(l[0].rfind(R"({"seq":3,"op":"upsert",)", 0) == 0);
    CHECK((*s->get_issue("10001"))->summary == "new summary");
    CHECK(count(*s, record_type::issue) == 1);
  }
}

TEST_CASE("delete cascades to comments and attachments", "[storage]") {
  temp_dir dir;
  auto s = open_store(dir.path() / "db");
  auto acl = make_acl(false, {"u1"});
  auto acl2 = make_acl(false, {"u2"});
  write_batch_spec spec;
  spec.acls = {acl, acl2};
  spec.upserts = {make_issue("10001", "ABC-1", acl.id),
                  make_issue("10002", "ABC-2", acl2.id),
                  make_comment("20001", "10001", acl.id),
                  make_comment("20002", "10001", acl.id),
                  make_comment("20003", "10002", acl2.id),
                  make_attachment("30001", "10001", acl.id)};
  apply_ok(*s, spec);
  CHECK(s->comments_of_issue("10001")->size() == 2);
  CHECK(s->attachments_of_issue("10001")->size() == 1);
  CHECK(*s->acl_refcount(acl.id) == 4);
  auto before = *s->last_seq();

  write_batch_spec del;
  del.deletes = {{record_type::issue, "10001"}, {record_type::issue, "999"}};
  auto sum = apply_ok(*s, del);
  CHECK(sum[record_type::issue].deleted == 1);
  CHECK(sum[record_type::comment].deleted == 2);
  CHECK(sum[record_type::attachment].deleted == 1);
  CHECK(sum[record_type::acl].deleted == 1);
  auto lines = feed_lines(*s, before);
  auto b = before;
  auto del_line = [&](std::uint64_t seq, std::string type, std::string id) {
    return R"({"seq":)" + std::to_string(seq)
           + R"(,"op":"delete","record":{"type":")" + type + R"(","id":")" + id
           + R"("}})";
  };
  CHECK(lines
        == std::vector<std::string>{
          del_line(b + 1, "comment", "20001"),
          del_line(b + 2, "comment", "20002"),
          del_line(b + 3, "attachment", "30001"),
          del_line(b + 4, "issue", "10001"),
          del_line(b + 5, "acl", acl.id),
        });
  CHECK_FALSE(*s->get_issue("10001"));
  CHECK_FALSE(*s->get_issue_by_key("ABC-1"));
  CHECK_FALSE(*s->get_comment("20001"));
  CHECK_FALSE(*s->get_attachment("30001"));
  CHECK_FALSE(*s->get_acl(acl.id));
  CHECK(s->comments_of_issue("10001")->empty());
  CHECK(*s->issue_ids_of_project("10000") == std::vector<std::string>{"10002"});
  CHECK(count(*s, record_type::issue) == 1);
  CHECK(count(*s, record_type::comment) == 1);
  CHECK(count(*s, record_type::attachment) == 0);
  CHECK(count(*s, record_type::acl) == 1);

  SECTION("deleting a project cascades through its issues") {
    write_batch_spec p;
    p.upserts = {make_project("10000", "ABC", acl2.id)};
    apply_ok(*s, p);
    write_batch_spec d;
    d.deletes = {{record_type::project, "10000"}};
    auto r = apply_ok(*s, d);
    CHECK(r[record_type::project].deleted == 1);
    CHECK(r[record_type::issue].deleted == 1);
    CHECK(r[record_type::comment].deleted == 1);
    auto c = *s->counts();
    for (auto n : c.by_type)
      CHECK(n == 0);
  }
}

TEST_CASE("ACL dedup: one id, one export line", "[storage]") {
  temp_dir dir;
  auto s = open_store(dir.path() / "db");
  auto acl = make_acl(false, {"u1", "u2"});
  auto same = make_acl(false, {"u2", "u1"});
  REQUIRE(acl.id == same.id);
  write_batch_spec spec;
  spec.acls = {acl, same};
  spec.upserts = {make_project("10000", "ABC", acl.id),
                  make_issue("10001", "ABC-1", acl.id),
                  make_issue("10002", "ABC-2", same.id)};
  auto sum = apply_ok(*s, spec);
  CHECK(sum[record_type::acl].added == 1);
  CHECK(*s->acl_refcount(acl.id) == 3);
  auto lines = snapshot_lines(*s);
  REQUIRE(lines.size() == 4);
  CHECK(lines[0] == to_line(acl));
  CHECK(lines[1].rfind(R"({"type":"project","id":"10000")", 0) == 0);
  CHECK(lines[2].rfind(R"({"type":"issue","id":"10001")", 0) == 0);
  CHECK(lines[3].rfind(R"({"type":"issue","id":"10002")", 0) == 0);

  SECTION("a record naming an unknown ACL fails the whole batch") {
    write_batch_spec bad;
    bad.upserts = {make_issue("10003", "ABC-3", acl.id),
                   make_issue("10004", "ABC-4", "0123456789abcdef")};
    auto r = s->apply(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::invalid_argument);
    CHECK_FALSE(*s->get_issue("10003"));
    CHECK(*s->acl_refcount(acl.id) == 3);
    CHECK(*s->last_seq() == sum.last_seq);
  }
  SECTION("an ACL whose id does not match its content is rejected") {
    auto forged = acl;
    forged.users.push_back("u3");
    write_batch_spec bad;
    bad.acls = {forged};
    auto r = s->apply(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::invalid_argument);
  }
}

TEST_CASE("issue key and project moves keep the indexes right", "[storage]") {
  temp_dir dir;
  auto s = open_store(dir.path() / "db");
  auto acl = make_acl(true, {});
  write_batch_spec spec;
  spec.acls = {acl};
  spec.upserts = {make_issue("10001", "ABC-1", acl.id, "10000")};
  apply_ok(*s, spec);
  auto moved = make_issue("10001", "XYZ-5", acl.id, "10100");
  moved.project_key = "XYZ";
  write_batch_spec mv;
  mv.upserts = {moved};
  apply_ok(*s, mv);
  CHECK_FALSE(*s->get_issue_by_key("ABC-1"));
  REQUIRE(*s->get_issue_by_key("XYZ-5"));
  CHECK((*s->get_issue_by_key("XYZ-5"))->id == "10001");
  CHECK(s->issue_ids_of_project("10000")->empty());
  CHECK(*s->issue_ids_of_project("10100") == std::vector<std::string>{"10001"});
  CHECK(*s->project_ids_with_issues() == std::vector<std::string>{"10100"});
}

TEST_CASE("replaying the feed from 0 gives the snapshot's live set",
          "[storage]") {
  temp_dir dir;
  auto s = open_store(dir.path() / "db");
  auto a1 = make_acl(false, {"u1"});
  auto a2 = make_acl(false, {"u1", "u2"});
  auto a3 = make_acl(true, {});
  {
    write_batch_spec b;
    b.acls = {a1, a2};
    b.upserts = {user_record{"u1", "u1@x.com", "U1", true, "atlassian"},
                 user_record{"u2", std::nullopt, "U2", true, "atlassian"},
                 group_record{"g1", "devs", {"u1", "u2"}},
                 make_project("10000", "ABC", a2.id),
                 make_project("10100", "XYZ", a1.id)};
    for (int n = 1; n <= 20; ++n) {
      auto id = std::to_string(10000 + n);
      auto pid = n % 2 ? "10000" : "10100";
      b.upserts.push_back(
        make_issue(id, "K-" + std::to_string(n), n % 3 ? a1.id : a2.id, pid));
      b.upserts.push_back(make_comment(std::to_string(20000 + n), id, a1.id));
      b.upserts.push_back(
        make_attachment(std::to_string(30000 + n), id, a2.id));
    }
    apply_ok(*s, b);
  }
  {
    // Updates, ACL changes (a2 loses referrers, a3 appears), deletes.
    write_batch_spec b;
    b.acls = {a3};
    auto i = make_issue("10004", "K-4", a3.id, "10100");
    i.summary = "moved to a3";
    b.upserts = {i, user_record{"u2", "u2@x.com", "U2", false, "atlassian"}};
    b.deletes = {{record_type::issue, "10006"},
                 {record_type::comment, "20007"},
                 {record_type::group, "g1"}};
    apply_ok(*s, b);
  }
  {
    write_batch_spec b;
    b.upserts = {make_issue("10099", "K-99", a3.id, "10000"),
                 make_comment("20099", "10099", a3.id)};
    apply_ok(*s, b);
  }

  // Replay: (type,id) → record JSON.
  std::map<std::pair<std::string, std::string>, std::string> replay;
  std::uint64_t prev = 0;
  for (const auto& l : feed_lines(*s)) {
    auto v = json::parse(l).as_object();
    auto seq = v.at("seq").as_int64();
    CHECK(static_cast<std::uint64_t>(seq) > prev);
    prev = static_cast<std::uint64_t>(seq);
    auto& rec = v.at("record").as_object();
    std::pair<std::string, std::string> k{
      std::string(rec.at("type").as_string()),
      std::string(rec.at("id").as_string())};
    if (v.at("op").as_string() == "upsert")
      replay[k] = json::serialize(rec);
    else
      replay.erase(k);
  }
  std::map<std::pair<std::string, std::string>, std::string> snap;
  for (const auto& l : snapshot_lines(*s)) {
    auto rec = json::parse(l).as_object();
    std::pair<std::string, std::string> k{
      std::string(rec.at("type").as_string()),
      std::string(rec.at("id").as_string())};
    CHECK(snap.count(k) == 0); // each record (and ACL) exactly once
    snap[k] = l;
  }
  CHECK(snap.size() == replay.size());
  CHECK(snap == replay);
  // The expected live set, counted by hand: 2 users, 0 groups, 2 projects,
  // 20 - 1 + 1 issues, 20 - 1 (cascade) - 1 + 1 comments, 20 - 1 attachments,
  // ACLs a1, a2, a3.
  CHECK(count(*s, record_type::user) == 2);
  CHECK(count(*s, record_type::group) == 0);
  CHECK(count(*s, record_type::issue) == 20);
  CHECK(count(*s, record_type::comment) == 19);
  CHECK(count(*s, record_type::attachment) == 19);
  CHECK(count(*s, record_type::acl) == 3);
  CHECK(snap.size() == 2 + 2 + 20 + 19 + 19 + 3);
}

TEST_CASE("snapshot order and indexing filters", "[storage]") {
  temp_dir dir;
  auto s = open_store(dir.path() / "db");
  auto a = make_acl(false, {"u1"});
  write_batch_spec b;
  b.acls = {a};
  b.upserts = {make_issue("10002", "ABC-2", a.id, "10000"),
               make_issue("10001", "ABC-1", a.id, "10000"),
               make_issue("10003", "ORPH-1", a.id, "55555"),
               make_comment("20001", "10001", a.id),
               make_attachment("30001", "10001", a.id, 100),
               make_attachment("30002", "10001", a.id, 5000),
               make_project("10000", "ABC", a.id),
               user_record{"u1", std::nullopt, "U1", true, "atlassian"},
               group_record{"g1", "devs", {"u1"}}};
  apply_ok(*s, b);
  auto type_id = [](const std::string& l) {
    auto o = json::parse(l).as_object();
    return std::string(o.at("type").as_string()) + ":"
           + std::string(o.at("id").as_string());
  };
  std::vector<std::string> got;
  for (const auto& l : snapshot_lines(*s))
    got.push_back(type_id(l));
  CHECK(got
        == std::vector<std::string>{
          "user:u1", "group:g1", "acl:" + a.id, "project:10000", "issue:10001",
          "comment:20001", "attachment:30001", "attachment:30002",
          "issue:10002", "issue:10003"});

  export_filters f;
  f.issues = false;
  f.attachment_max_bytes = 1000;
  got.clear();
  for (const auto& l : snapshot_lines(*s, f))
    got.push_back(type_id(l));
  CHECK(got
        == std::vector<std::string>{"user:u1", "group:g1", "acl:" + a.id,
                                    "project:10000", "comment:20001",
                                    "attachment:30001"});

  f = {};
  f.comments = false;
  f.attachment_max_bytes = 1000;
  std::vector<std::string> feed;
  auto r = export_feed(*s, 0, f, [&](std::string_view l) {
    auto o = json::parse(l).as_object();
    auto& rec = o.at("record").as_object();
    feed.push_back(std::string(rec.at("type").as_string()) + ":"
                   + std::string(rec.at("id").as_string()));
    return true;
  });
  REQUIRE(r);
  CHECK(r->filtered == 2);
  CHECK(feed
        == std::vector<std::string>{"acl:" + a.id, "issue:10002", "issue:10001",
                                    "issue:10003", "attachment:30001",
                                    "project:10000", "user:u1", "group:g1"});
}

TEST_CASE("who-can-see and status queries", "[storage]") {
  temp_dir dir;
  auto s = open_store(dir.path() / "db");
  auto a = make_acl(false, {"u2", "u1"});
  write_batch_spec b;
  b.acls = {a};
  b.upserts = {make_issue("10001", "ABC-1", a.id),
               make_comment("20001", "10001", a.id)};
  project_checkpoint cp;
  cp.project_key = "ABC";
  cp.project_id = "10000";
  cp.last_updated_ms = 1704190272123;
  cp.last_issue_id = "10001";
  cp.full_sync_done = true;
  cp.filters_hash = "abc";
  b.checkpoints = {cp};
  sync_checkpoint sc;
  sc.mode = "incremental";
  sc.result = "ok";
  sc.added = 2;
  sc.started_at_ms = 1704190272123;
  sc.finished_at_ms = 1704190273123;
  sc.counters["requests"] = 7;
  sc.counters["waited_ms.burst_429"] = 2000;
  sc.counters["peak_in_flight.comments"] = 3;
  sc.counters["peak_in_flight.bulkfetch"] = 4;
  b.sync = sc;
  b.meta["note"] = "x";
  apply_ok(*s, b);

  CHECK_FALSE(parse_record_ref("user:u1"));
  CHECK_FALSE(parse_record_ref("issue:"));
  CHECK_FALSE(parse_record_ref("10001"));
  for (std::string ref : {"issue:10001", "issue:ABC-1", "comment:20001"}) {
    auto acl = acl_of_record(*s, *parse_record_ref(ref));
    REQUIRE(acl);
    REQUIRE(*acl);
    CHECK((*acl)->users == std::vector<std::string>{"u1", "u2"});
  }
  auto none = acl_of_record(*s, *parse_record_ref("attachment:1"));
  REQUIRE(none);
  CHECK_FALSE(*none);

  CHECK(*s->get_checkpoint("ABC") == cp);
  CHECK(s->checkpoints()->size() == 1);
  CHECK(**s->get_sync_checkpoint() == sc);
  CHECK(**s->get_meta("note") == "x");
  auto st = status_json(*s);
  REQUIRE(st);
  CHECK(st->at("counts").at("issue").as_uint64() == 1);
  CHECK(st->at("last_seq").as_uint64() == 3);
  CHECK(st->at("last_sync").at("result").as_string() == "ok");
  auto text = status_text(*st);
  CHECK(text.find("issue 1") != std::string::npos);
  CHECK(text.find("last sync: ok (incremental), started "
                  "2024-01-02T10:11:12.123Z")
        != std::string::npos);
  // Counters: the plain ones on one line, each group on its own.
  CHECK(text.find("  counters: requests=7\n") != std::string::npos);
  CHECK(text.find("  peak_in_flight: bulkfetch=4 comments=3\n")
        != std::string::npos);
  CHECK(text.find("  waited_ms: burst_429=2000\n") != std::string::npos);
  CHECK(text.find("ABC (id 10000): full sync done, issues updated up to "
                  "2024-01-02T10:11:12.123Z")
        != std::string::npos);
}

TEST_CASE("blob adopt moves once and deduplicates", "[storage]") {
  temp_dir dir;
  auto s = open_store(dir.path() / "db");
  const std::string sha(
    "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
  auto write_tmp = [&](const std::string& name, const std::string& text) {
    auto p = s->blob_tmp_dir() / name;
    std::ofstream(p) << text;
    return p;
  };
  auto t1 = write_tmp("one", "hello");
  REQUIRE(s->adopt_blob(t1, sha));
  auto dest = dir.path() / "db" / "blobs" / "2c" / sha;
  CHECK(s->blob_path(sha) == dest);
  CHECK(std::filesystem::exists(dest));
  CHECK_FALSE(std::filesystem::exists(t1));
  CHECK(s->has_blob(sha));
  auto t2 = write_tmp("two", "other content");
  REQUIRE(s->adopt_blob(t2, sha));
  CHECK_FALSE(std::filesystem::exists(t2));
  std::ifstream in(dest);
  std::string content;
  std::getline(in, content);
  CHECK(content == "hello");
  auto t3 = write_tmp("three", "x");
  auto bad = s->adopt_blob(t3, "ABC");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == errc::invalid_argument);

  SECTION("unreferenced blobs are collected, referenced ones kept") {
    const std::string other(64, 'b');
    REQUIRE(s->adopt_blob(write_tmp("four", "bye"), other));
    auto acl = make_acl(false, {"u1"});
    write_batch_spec b;
    b.acls = {acl};
    auto a = make_attachment("30001", "10001", acl.id);
    a.sha256 = sha;
    a.content_stored = true;
    b.upserts = {a};
    apply_ok(*s, b);
    // Young files are left alone (a download may not be recorded yet).
    CHECK(*s->collect_unreferenced_blobs() == 0);
    CHECK(s->has_blob(other));
    // t3 (left in tmp by the failed adopt) and the unreferenced blob go.
    CHECK(*s->collect_unreferenced_blobs(-10) == 2);
    CHECK_FALSE(s->has_blob(other));
    CHECK_FALSE(std::filesystem::exists(t3));
    CHECK(s->has_blob(sha));
  }
}

TEST_CASE("open errors: missing, locked, newer schema", "[storage]") {
  temp_dir dir;
  SECTION("missing store") {
    auto r = store::open(dir.path() / "db", {false, false});
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::not_found);
    auto ro = store::open(dir.path() / "db", {true, true});
    REQUIRE_FALSE(ro);
    CHECK(ro.error().code == errc::not_found);
  }
  SECTION("locked store; read-only opens still work") {
    auto s = open_store(dir.path() / "db");
    auto r = store::open(dir.path() / "db");
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::locked);
    CHECK(r.error().message.find("store is in use by another jirasync process")
          != std::string::npos);
    auto ro = store::open(dir.path() / "db", {false, true});
    REQUIRE(ro);
    auto w = (*ro)->apply({});
    REQUIRE_FALSE(w);
    CHECK(w.error().code == errc::read_only);
  }
  SECTION("schema version from the future") {
    { auto s = open_store(dir.path() / "db"); }
    {
      std::vector<std::string> names;
      REQUIRE(rocksdb::DB::ListColumnFamilies(
                rocksdb::DBOptions{}, (dir.path() / "db").string(), &names)
                .ok());
      std::vector<rocksdb::ColumnFamilyDescriptor> descs;
      for (auto& n : names)
        descs.emplace_back(n, rocksdb::ColumnFamilyOptions{});
      std::vector<rocksdb::ColumnFamilyHandle*> hs;
      rocksdb::DB* raw = nullptr;
      REQUIRE(rocksdb::DB::Open(rocksdb::DBOptions{},
                                (dir.path() / "db").string(), descs, &hs, &raw)
                .ok());
      auto meta = std::find(names.begin(), names.end(), "meta") - names.begin();
      REQUIRE(
        raw->Put(rocksdb::WriteOptions{}, hs[meta], "schema_version", "99")
          .ok());
      for (auto* h : hs)
        REQUIRE(raw->DestroyColumnFamilyHandle(h).ok());
      REQUIRE(raw->Close().ok());
      delete raw;
    }
    auto r = store::open(dir.path() / "db");
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::schema_too_new);
    CHECK(r.error().message.find("schema version 99") != std::string::npos);
  }
}

TEST_CASE("an ACL change moves the reference and drops the old ACL",
          "[storage]") {
  temp_dir dir;
  auto s = open_store(dir.path() / "db");
  auto a1 = make_acl(false, {"u1"});
  auto a2 = make_acl(false, {"u2"});
  write_batch_spec b;
  b.acls = {a1};
  b.upserts = {make_issue("10", "ABC-1", a1.id)};
  apply_ok(*s, b);
  write_batch_spec c;
  c.acls = {a2};
  c.upserts = {make_issue("10", "ABC-1", a2.id)};
  auto sum = apply_ok(*s, c);
  CHECK(sum[record_type::issue].updated == 1);
  CHECK(sum[record_type::acl].added == 1);
  CHECK(sum[record_type::acl].deleted == 1);
  auto lines = feed_lines(*s, 2);
  REQUIRE(lines.size() == 3);
  CHECK(lines[0] == R"({"seq":3,"op":"upsert","record":)" + to_line(a2) + "}");
  CHECK(lines[1].rfind(
          R"({"seq":4,"op":"upsert","record":{"type":"issue","id":"10",)", 0)
        == 0);
  CHECK(lines[2]
        == R"({"seq":5,"op":"delete","record":{"type":"acl","id":")" + a1.id
             + R"("}})");
  CHECK(count(*s, record_type::acl) == 1);
  CHECK_FALSE(*s->get_acl(a1.id));
  CHECK(*s->acl_refcount(a2.id) == 1);

  SECTION("an ACL named and dropped within one batch nets out in the feed") {
    auto a3 = make_acl(true, {});
    write_batch_spec d;
    d.acls = {a3};
    d.upserts
      = {make_issue("10", "ABC-1", a3.id), make_issue("10", "ABC-1", a2.id)};
    auto r = apply_ok(*s, d);
    CHECK(r[record_type::acl].added == 0);
    auto l = feed_lines(*s, 5);
    REQUIRE(l.size() == 4);
    CHECK(l[0] == R"({"seq":6,"op":"upsert","record":)" + to_line(a3) + "}");
    CHECK(l[3]
          == R"({"seq":9,"op":"delete","record":{"type":"acl","id":")" + a3.id
               + R"("}})");
    CHECK_FALSE(*s->get_acl(a3.id));
    CHECK(*s->acl_refcount(a2.id) == 1);
  }
}

TEST_CASE("iteration follows numeric id order", "[storage]") {
  temp_dir dir;
  auto s = open_store(dir.path() / "db");
  auto a = make_acl(true, {});
  write_batch_spec b;
  b.acls = {a};
  for (std::string id : {"100", "9", "10", "1000", "11"})
    b.upserts.push_back(make_issue(id, "K-" + id, a.id));
  apply_ok(*s, b);
  std::vector<std::string> ids;
  REQUIRE(s->for_each_issue([&](const issue_record& i) {
    ids.push_back(i.id);
    return true;
  }));
  CHECK(ids == std::vector<std::string>{"9", "10", "11", "100", "1000"});
  CHECK(*s->issue_ids_of_project("10000") == ids);
  ids.clear();
  REQUIRE(s->for_each_issue([&](const issue_record& i) {
    ids.push_back(i.id);
    return ids.size() < 2; // stop early
  }));
  CHECK(ids == std::vector<std::string>{"9", "10"});
}

TEST_CASE("a closed store keeps no write-ahead log, and its records",
          "[storage]") {
  temp_dir dir;
  auto wal_bytes = [&] {
    std::uintmax_t n = 0;
    for (auto& e : std::filesystem::directory_iterator(dir.path() / "db"))
      if (e.path().extension() == ".log")
        n += e.file_size();
    return n;
  };
  {
    auto s = open_store(dir.path() / "db");
    auto acl = make_acl(false, {"u1"});
    write_batch_spec spec;
    spec.acls = {acl};
    for (int i = 0; i < 200; ++i)
      spec.upserts.push_back(make_issue(std::to_string(10000 + i),
                                        "ABC-" + std::to_string(i), acl.id));
    apply_ok(*s, spec);
    // Before the close the records are only in the memtables and the log.
    CHECK(wal_bytes() > 0);
  }
  // Closing flushed the memtables, so the log they pinned is gone.
  CHECK(wal_bytes() == 0);
  auto s = open_store(dir.path() / "db");
  CHECK(count(*s, record_type::issue) == 200);
}
