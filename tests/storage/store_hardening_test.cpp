// Hostile input never breaks the store (issue 11): the depth policy of
// stored records, file permissions, blob durability and temp cleanup, text
// read from blobs by streaming.
#include "common/sha256.hpp"
#include "storage/export.hpp"
#include "storage/record_limits.hpp"
#include "storage_test_util.hpp"

#include <boost/json.hpp>

#include <sys/stat.h>

#include <fstream>
#include <vector>

using namespace jirasync::storage;
using namespace jirasync::storage::test;
namespace fs = std::filesystem;

namespace {

boost::json::value nested(std::size_t levels) {
  boost::json::value v = "leaf";
  for (std::size_t i = 0; i < levels; ++i) {
    boost::json::array a;
    a.push_back(std::move(v));
    v = std::move(a);
  }
  return v;
}

void write_file(const fs::path& p, std::string_view data) {
  std::ofstream out(p, std::ios::binary);
  out << data;
}

unsigned mode_of(const fs::path& p) {
  struct stat st {};
  REQUIRE(::lstat(p.c_str(), &st) == 0);
  return st.st_mode & 0777;
}

} // namespace

TEST_CASE("a record nested 40 levels deep reads back, exports and updates",
          "[storage][hostile]") {
  // Problem 1 of issue 11: Boost.JSON's default read limit (32) made such
  // records unreadable for good.
  temp_dir dir;
  auto s = open_store(dir.path());
  auto acl = make_acl(false, {"u1"});
  auto i = make_issue("10001", "ABC-1", acl.id);
  i.custom_fields["Deep"] = nested(40);
  write_batch_spec spec;
  spec.acls.push_back(acl);
  spec.upserts.emplace_back(i);
  REQUIRE(check_record(i));
  apply_ok(*s, spec);
  auto back = s->get_issue("10001");
  REQUIRE(back);
  REQUIRE(*back);
  CHECK((*back)->custom_fields.at("Deep") == nested(40));
  std::vector<std::string> lines;
  auto ex = export_snapshot(*s, {}, [&](std::string_view l) {
    lines.emplace_back(l);
    return true;
  });
  REQUIRE(ex);
  CHECK(lines.size() == 2); // the ACL and the issue
  std::size_t feed = 0;
  REQUIRE(export_feed(*s, 0, export_filters{true, false, true},
                      [&](std::string_view) {
                        ++feed;
                        return true;
                      }));
  CHECK(feed == 2);
  // Updating it reads the old record back (the old code failed the batch).
  i.summary = "changed";
  write_batch_spec again;
  again.upserts.emplace_back(i);
  auto sum = apply_ok(*s, again);
  CHECK(sum[record_type::issue].updated == 1);
}

TEST_CASE("records beyond the limits are rejected by name and field",
          "[storage][hostile]") {
  auto i = make_issue("10001", "ABC-1", "acl");
  CHECK(check_record(i));
  SECTION("depth") {
    // The record is level 1, custom_fields level 2: the field's own
    // arrays may take 62 levels.
    i.custom_fields["Deep"] = nested(record_max_depth - 2);
    CHECK(check_record(i));
    i.custom_fields["Deep"] = nested(record_max_depth - 1);
    auto r = check_record(i);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == jirasync::common::errc::invalid_input);
    CHECK(r.error().record == "issue ABC-1");
    CHECK_THAT(r.error().message,
               Catch::StartsWith("custom_fields.Deep[0][0]")
                 && Catch::EndsWith(": nested deeper than 64 levels"));
  }
  SECTION("string length") {
    i.summary = std::string(record_max_string_bytes + 1, 'x');
    auto r = check_record(i);
    REQUIRE_FALSE(r);
    CHECK(r.error().message
          == "summary: string of 8388609 bytes, longer than 8388608");
  }
  SECTION("array length") {
    boost::json::array a;
    a.resize(record_max_array_size + 1);
    i.custom_fields["Many"] = std::move(a);
    auto r = check_record(i);
    REQUIRE_FALSE(r);
    CHECK(r.error().message
          == "custom_fields.Many: array of 100001 elements, more than 100000");
  }
  SECTION("total size") {
    for (int k = 0; k < 5; ++k)
      i.custom_fields["F" + std::to_string(k)]
        = std::string(record_max_string_bytes - 10, 'y');
    auto r = check_record(i);
    REQUIRE_FALSE(r);
    CHECK_THAT(r.error().message, Catch::StartsWith("record of "));
  }
}

TEST_CASE("store files are for the owner only, also in old stores",
          "[storage][hostile]") {
  temp_dir dir;
  auto root = dir.path() / "store";
  auto old_mask = ::umask(022);
  {
    auto s = open_store(root);
    auto acl = make_acl(false, {"u1"});
    write_batch_spec spec;
    spec.acls.push_back(acl);
    spec.upserts.emplace_back(make_issue("1", "A-1", acl.id));
    apply_ok(*s, spec);
    auto tmp = s->blob_tmp_dir() / "dl";
    write_file(tmp, "blob");
    REQUIRE(s->adopt_blob(tmp, jirasync::common::sha256_hex("blob")));
  }
  auto check_all = [&] {
    CHECK(mode_of(root) == 0700);
    std::size_t files = 0;
    for (auto& e : fs::recursive_directory_iterator(root)) {
      INFO(e.path());
      if (e.is_directory())
        CHECK(mode_of(e.path()) == 0700);
      else if (e.is_regular_file()) {
        CHECK(mode_of(e.path()) == 0600);
        ++files;
      }
    }
    CHECK(files > 5); // CURRENT, MANIFEST, OPTIONS, LOG, WAL, the blob...
  };
  check_all();
  // A store made by an earlier version (0755/0644) is fixed on open.
  fs::permissions(root, fs::perms(0755), fs::perm_options::replace);
  for (auto& e : fs::recursive_directory_iterator(root))
    fs::permissions(e.path(),
                    e.is_directory() ? fs::perms(0755) : fs::perms(0644),
                    fs::perm_options::replace);
  { auto s = open_store(root); }
  check_all();
  ::umask(old_mask);
}

TEST_CASE("partial downloads in blobs/tmp are removed when the store opens",
          "[storage][hostile]") {
  temp_dir dir;
  fs::path tmp;
  {
    auto s = open_store(dir.path());
    tmp = s->blob_tmp_dir();
    write_file(tmp / "dl-10001-1", "partial");
    write_file(tmp / "dl-10002-2", "");
  }
  // A read-only open (export while nothing syncs) leaves it alone.
  {
    open_options ro;
    ro.read_only = true;
    auto s = open_store(dir.path(), ro);
    CHECK(fs::exists(tmp / "dl-10001-1"));
  }
  auto s = open_store(dir.path());
  CHECK(fs::is_directory(tmp));
  CHECK(fs::is_empty(tmp));
}

TEST_CASE("an adopted blob is fsynced with its directory before it returns",
          "[storage][hostile]") {
  temp_dir dir;
  auto s = open_store(dir.path());
  std::vector<fs::path> synced;
  testing::on_fsync = [&](const fs::path& p) {
    synced.push_back(p);
  };
  auto sha = jirasync::common::sha256_hex("content");
  auto tmp = s->blob_tmp_dir() / "dl";
  write_file(tmp, "content");
  auto r = s->adopt_blob(tmp, sha);
  testing::on_fsync = nullptr;
  REQUIRE(r);
  auto blob = s->blob_path(sha);
  // The content under its temp name, then the shard directory holding the
  // new name, then blobs/ (the shard is new).
  REQUIRE(synced.size() == 3);
  CHECK(synced[0] == tmp);
  CHECK(synced[1] == blob.parent_path());
  CHECK(synced[2] == blob.parent_path().parent_path());
  CHECK(mode_of(blob) == 0600);
}

TEST_CASE("blob text is streamed, capped and valid UTF-8", "[storage]") {
  temp_dir dir;
  auto s = open_store(dir.path());
  // 3 MiB of "é" (2 bytes each) plus an invalid byte at the start.
  std::string content = "\xff";
  for (int k = 0; k < (3 << 20) / 2; ++k)
    content += "\xC3\xA9";
  auto sha = jirasync::common::sha256_hex(content);
  auto tmp = s->blob_tmp_dir() / "dl";
  write_file(tmp, content);
  REQUIRE(s->adopt_blob(tmp, sha));
  auto text = s->read_blob_text(sha, 1 << 20);
  REQUIRE(text);
  // U+FFFD (3 bytes), then whole "é"s up to 1 MiB: an odd count of bytes
  // left means the last "é" did not fit and was dropped, never cut.
  CHECK(text->size() == (1u << 20) - 1);
  CHECK(text->substr(0, 3) == "\xEF\xBF\xBD");
  CHECK(text->substr(text->size() - 2) == "\xC3\xA9");
  auto small = s->read_blob_text(sha, 0);
  REQUIRE(small);
  CHECK(small->empty());
  auto missing = s->read_blob_text(std::string(64, 'b'), 10);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == jirasync::common::errc::not_found);
}
