// The store's RocksDB memory budget (storage::open_options::cache_bytes,
// memtable_bytes): the options RocksDB is opened with, and the memtables
// staying within their budget while far more is written.
#include "storage/store.hpp"

#include "storage_test_util.hpp"

#include <rocksdb/convenience.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/options_util.h>

#include <catch2/catch.hpp>

using namespace jirasync::storage;
using namespace jirasync::storage::test;

namespace {

/// The options RocksDB recorded for the store (its latest OPTIONS file).
struct recorded_options {
  rocksdb::DBOptions db;
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
};

recorded_options load_recorded(const std::filesystem::path& p) {
  recorded_options r;
  rocksdb::ConfigOptions co;
  co.ignore_unknown_options = true;
  auto s = rocksdb::LoadLatestOptions(co, p.string(), &r.db, &r.cfs);
  REQUIRE(s.ok());
  return r;
}

constexpr std::uint64_t mib = 1024 * 1024;

} // namespace

TEST_CASE("the store opens with a fixed RocksDB memory budget", "[storage]") {
  temp_dir dir;
  SECTION("the defaults: a 48 MiB cache holding 32 MiB of memtables") {
    auto s = open_store(dir.path() / "db");
    auto m = s->memory();
    CHECK(m.block_cache_capacity == 48 * mib);
    CHECK(m.memtable_budget == 32 * mib);
    s.reset();
    auto o = load_recorded(dir.path() / "db");
    CHECK(o.db.db_write_buffer_size == 32 * mib);
    REQUIRE(o.cfs.size() == 17);
    for (const auto& cf : o.cfs) {
      INFO(cf.name);
      CHECK(cf.options.write_buffer_size == 8 * mib);
      CHECK(cf.options.max_write_buffer_number == 2);
      // Lookups of absent keys answered by Bloom filters; indexes and
      // filters partitioned, through the cache (store_open.cpp).
      REQUIRE(cf.options.table_factory);
      const auto* t = cf.options.table_factory
                        ->GetOptions<rocksdb::BlockBasedTableOptions>();
      REQUIRE(t != nullptr);
      REQUIRE(t->filter_policy != nullptr);
      CHECK(std::string{t->filter_policy->CompatibilityName()}
            == "rocksdb.BuiltinBloomFilter");
      CHECK(t->index_type
            == rocksdb::BlockBasedTableOptions::kTwoLevelIndexSearch);
      CHECK(t->partition_filters);
      CHECK(t->cache_index_and_filter_blocks);
      CHECK(t->pin_top_level_index_and_filter);
    }
  }
  SECTION("chosen sizes; memtables never more than the cache") {
    open_options oo;
    oo.cache_bytes = 8 * mib;
    oo.memtable_bytes = 64 * mib;
    auto s = open_store(dir.path() / "db", oo);
    auto m = s->memory();
    CHECK(m.block_cache_capacity == 8 * mib);
    CHECK(m.memtable_budget == 8 * mib);
    s.reset();
    auto o = load_recorded(dir.path() / "db");
    CHECK(o.db.db_write_buffer_size == 8 * mib);
    for (const auto& cf : o.cfs)
      CHECK(cf.options.write_buffer_size == 2 * mib);
  }
}

TEST_CASE("the memtables stay within their budget however much is written",
          "[storage]") {
  temp_dir dir;
  open_options oo;
  oo.cache_bytes = 4 * mib;
  oo.memtable_bytes = 2 * mib;
  auto s = open_store(dir.path() / "db", oo);
  auto acl = make_acl(false, {"u1"});
  const std::string body(2000, 'm');
  std::uint64_t written = 0;
  std::uint64_t most = 0;
  int n = 0;
  // 40 MiB of issue text (each record is stored twice: its column family
  // and the feed), 20 times the budget, in sync-sized batches.
  while (written < 40 * mib) {
    write_batch_spec b;
    b.acls = {acl};
    for (int k = 0; k < 100; ++k, ++n) {
      auto i = make_issue(std::to_string(100000 + n),
                          "ABC-" + std::to_string(n + 1), acl.id);
      i.markdown = body;
      b.upserts.push_back(std::move(i));
      written += body.size();
    }
    apply_ok(*s, b);
    most = std::max(most, s->memory().memtables);
  }
  // Within the budget, give or take the batch in hand and the arena
  // blocks of the column families' memtables (RocksDB's accounting).
  CHECK(most <= 2 * oo.memtable_bytes);
  CHECK(most > 0);
  auto m = s->memory();
  CHECK(m.block_cache <= m.block_cache_capacity + oo.memtable_bytes);
  CHECK(m.table_files > 0);
  CHECK(m.table_bytes > 10 * mib);
}
