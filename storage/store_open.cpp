// store: opening (RocksDB options, column families, lock, schema version).
#include "storage/store_impl.hpp"

#include <rocksdb/cache.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>
#include <rocksdb/write_buffer_manager.h>

#include <sys/stat.h>

#include <algorithm>

namespace fs = std::filesystem;

namespace jirasync::storage {

using namespace detail;

namespace {

// Every CF the store uses, in a fixed order (the default CF is unused but
// RocksDB requires it).
constexpr std::string_view all_cfs[] = {
  keys::cf_users,
  keys::cf_groups,
  keys::cf_projects,
  keys::cf_issues,
  keys::cf_comments,
  keys::cf_attachments,
  keys::cf_acls,
  keys::cf_feed,
  keys::cf_checkpoints,
  keys::cf_meta,
  keys::cf_issue_keys,
  keys::cf_issues_by_project,
  keys::cf_comments_by_issue,
  keys::cf_attachments_by_issue,
  keys::cf_attachments_by_sha,
  keys::cf_attachment_texts,
};

/// Column families added after the first release: a read-only open of a
/// store no writer has opened since does without them (it has no texts).
bool added_later(std::string_view n) {
  return n == keys::cf_attachments_by_sha || n == keys::cf_attachment_texts;
}

/// Stores made before attachments_by_sha existed: index every stored
/// attachment by its content once (one batch), then mark it done.
common::result<void> build_sha_index(store::impl& p) {
  auto done = p.get_raw(p.cf(keys::cf_meta), keys::meta_sha_index);
  if (!done)
    return done.error();
  if (*done)
    return {};
  rocksdb::WriteBatch wb;
  std::unique_ptr<rocksdb::Iterator> it{
    p.db->NewIterator(rocksdb::ReadOptions{}, p.cf(keys::cf_attachments))};
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    auto v = parse_json(it->value().ToStringView());
    auto a = v ? attachment_from_json(*v) : std::nullopt;
    if (!a)
      return corrupt("unreadable attachment record in the store");
    if (valid_id(a->sha256) && valid_id(a->id))
      wb.Put(p.cf(keys::cf_attachments_by_sha),
             keys::encode_pair(a->sha256, a->id), "");
  }
  if (!it->status().ok())
    return from_status(it->status(), "iterate attachments");
  wb.Put(p.cf(keys::cf_meta), keys::meta_sha_index, "1");
  rocksdb::WriteOptions wo;
  wo.sync = true;
  auto s = p.db->Write(wo, &wb);
  if (!s.ok())
    return from_status(s, "index attachments by content");
  return {};
}

/// Only the owner may read the store (it holds restricted issues): 0700
/// for directories, 0600 for files, also for stores made before this rule.
/// Symlinks are left alone (never followed). An entry that vanishes during
/// the walk (a RocksDB file another process deletes, e.g. the old WAL a
/// run holding the lock purges) is skipped: it needs no restricting.
common::result<void> secure_tree(const fs::path& root) {
  std::error_code ec;
  fs::permissions(root, fs::perms::owner_all, fs::perm_options::replace, ec);
  if (ec)
    return from_fs(ec, "cannot restrict " + root.string());
  auto vanished = [&] {
    if (ec != std::errc::no_such_file_or_directory)
      return false;
    ec.clear();
    return true;
  };
  for (auto it = fs::recursive_directory_iterator(root, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    auto st = it->symlink_status(ec);
    if (ec) {
      if (vanished())
        continue;
      break;
    }
    fs::perms want;
    if (fs::is_directory(st))
      want = fs::perms::owner_all;
    else if (fs::is_regular_file(st))
      want = fs::perms::owner_read | fs::perms::owner_write;
    else
      continue;
    if ((st.permissions() & fs::perms::mask) == want)
      continue;
    fs::permissions(it->path(), want, fs::perm_options::replace, ec);
    if (ec && !vanished())
      return from_fs(ec, "cannot restrict " + it->path().string());
  }
  if (ec)
    return from_fs(ec, "cannot list " + root.string());
  return {};
}

/// Removes what a killed run left in blobs/tmp (partial downloads). Safe:
/// the caller holds the store's lock, so no other run is downloading.
common::result<void> clean_tmp(const fs::path& tmp) {
  std::error_code ec;
  for (auto it = fs::directory_iterator(tmp, ec);
       !ec && it != fs::directory_iterator(); it.increment(ec)) {
    fs::remove_all(it->path(), ec);
    if (ec)
      return from_fs(ec, "cannot remove " + it->path().string());
  }
  if (ec)
    return from_fs(ec, "cannot list " + tmp.string());
  return {};
}

} // namespace

store::store(std::unique_ptr<impl> p) : impl_(std::move(p)) {
  // nop
}

store::~store() = default;

common::result<std::unique_ptr<store>> store::open(const fs::path& path,
                                                   open_options opts) {
  // Whatever the caller's umask, what the store (and RocksDB, later, on
  // its own threads) creates is for the owner only.
  if (!opts.read_only)
    ::umask(077);
  std::error_code ec;
  bool exists = fs::exists(path / "CURRENT", ec);
  if (!exists) {
    if (opts.read_only || !opts.create_if_missing)
      return common::make_error(common::errc::not_found,
                                "no store at " + path.string());
    fs::create_directories(path, ec);
    if (ec)
      return from_fs(ec, "cannot create " + path.string());
  }
  // Before RocksDB runs: once open, its background threads delete files
  // (after a killed run: the recovered WALs) while the walk lists them.
  if (!opts.read_only)
    JS_TRY(secure_tree(path));
  rocksdb::DBOptions dbo;
  dbo.create_if_missing = true;
  dbo.create_missing_column_families = true;
  // Keep the info logs from piling up in long-running services.
  dbo.keep_log_file_num = 5;
  // Memory stays flat however large the site (open_options::cache_bytes):
  // the memtables of all column families are charged to the one block
  // cache and flushed when together they near memtable_bytes. No
  // allow_stall: a write waiting for memory would wait for a flush that a
  // failing disk never completes (and the writer's thread with it);
  // RocksDB's own write slowdowns still apply when flushes lag.
  auto cache = rocksdb::NewLRUCache(opts.cache_bytes);
  auto memtable_bytes = std::min(opts.memtable_bytes, opts.cache_bytes);
  dbo.db_write_buffer_size = memtable_bytes;
  dbo.write_buffer_manager = std::make_shared<rocksdb::WriteBufferManager>(
    memtable_bytes, cache, /*allow_stall=*/false);
  // The write-ahead log is kept until every column family whose memtable
  // holds data from it has flushed; rarely written families (meta,
  // checkpoints) pinned the whole log of a sync (a 10k-issue sync left
  // 507 MB of WAL beside 175 MB of tables). Beyond this size RocksDB
  // flushes the families that hold the oldest log, so the log stays bounded.
  dbo.max_total_wal_size = 64u << 20;
  std::vector<std::string> existing;
  if (exists) {
    auto s = rocksdb::DB::ListColumnFamilies(dbo, path.string(), &existing);
    if (!s.ok())
      return from_status(s, "open store at " + path.string());
  }
  std::vector<std::string> names{rocksdb::kDefaultColumnFamilyName};
  for (auto n : all_cfs) {
    bool missing
      = std::find(existing.begin(), existing.end(), n) == existing.end();
    if (opts.read_only && missing && exists && added_later(n))
      continue;
    if (opts.read_only && missing)
      return corrupt("store at " + path.string() + " lacks column family "
                     + std::string(n));
    names.emplace_back(n);
  }
  // Column families of newer versions must be opened too (read-write opens
  // require all of them); the schema check below then decides.
  for (const auto& n : existing)
    if (std::find(names.begin(), names.end(), n) == names.end())
      names.push_back(n);
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  // Index (and filter) blocks live in that cache too: left outside it,
  // every open table file keeps its index on the heap, a share that grows
  // with the store instead of staying within the cache's budget. The L0
  // ones stay pinned (they are read on every lookup).
  table.cache_index_and_filter_blocks = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  // Most lookups of a sync are for keys the store does not hold yet (a
  // first sync: all of them): a Bloom filter (10 bits per key, ~1 % false
  // positives) answers those without reading the tables. The index and
  // the filter are partitioned into 4 KiB blocks under a small top level
  // (pinned), so a lookup reads a few KiB of them through the cache
  // instead of a table's whole index: with one index block per table, a
  // 200k-issue sync re-read hundreds of KB of evicted index for each
  // record, and the store's writer spent its time there (bench/results/
  // analysis.md, "The store's lookups and memory at XL"). RocksDB wiki,
  // "Partitioned Index/Filters".
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.index_type = rocksdb::BlockBasedTableOptions::kTwoLevelIndexSearch;
  table.partition_filters = true;
  table.metadata_block_size = 4096;
  table.cache_index_and_filter_blocks_with_high_priority = true;
  table.pin_top_level_index_and_filter = true;
  rocksdb::ColumnFamilyOptions cfo;
  // The 17 column families share memtable_bytes: a family flushes at a
  // quarter of it (its arena blocks are an eighth of that).
  cfo.write_buffer_size = std::max<std::uint64_t>(memtable_bytes / 4, 64 << 10);
  cfo.max_write_buffer_number = 2;
  cfo.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  std::vector<rocksdb::ColumnFamilyDescriptor> descs;
  for (const auto& n : names)
    descs.emplace_back(n, cfo);
  auto p = std::make_unique<impl>();
  p->path = path;
  p->opts = opts;
  p->block_cache = cache;
  p->memtable_budget = dbo.db_write_buffer_size;
  rocksdb::Status s;
  if (opts.read_only)
    s = rocksdb::DB::OpenForReadOnly(dbo, path.string(), descs, &p->handles,
                                     &p->db);
  else
    s = rocksdb::DB::Open(dbo, path.string(), descs, &p->handles, &p->db);
  if (!s.ok()) {
    // RocksDB's wording for a lock held by another process ("While lock
    // file") or by this one ("lock hold by current process"); other LOCK
    // failures (e.g. "while open a file for lock": permissions) stay I/O
    // errors.
    auto text = s.ToString();
    if (s.IsIOError()
        && (contains_icase(text, "while lock file")
            || contains_icase(text, "lock hold by current process")))
      return common::make_error(common::errc::locked,
                                "store is in use by another jirasync process ("
                                  + path.string() + ")");
    return from_status(s, "open store at " + path.string());
  }
  for (std::size_t i = 0; i < names.size(); ++i)
    p->cfs.emplace(names[i], p->handles[i]);
  // Schema version.
  auto v = p->get_raw(p->cf(keys::cf_meta), keys::meta_schema_version);
  if (!v)
    return v.error();
  if (*v) {
    std::int64_t version = 0;
    try {
      version = std::stoll(**v);
    } catch (const std::exception&) {
      return corrupt("store at " + path.string()
                     + " has an unreadable schema version");
    }
    if (version > schema_version)
      return common::make_error(
        common::errc::schema_too_new,
        "store at " + path.string() + " has schema version "
          + std::to_string(version) + ", newer than this jirasync supports ("
          + std::to_string(schema_version) + "): upgrade jirasync");
  } else if (!opts.read_only) {
    rocksdb::WriteOptions wo;
    wo.sync = true;
    auto ws = p->db->Put(wo, p->cf(keys::cf_meta), keys::meta_schema_version,
                         std::to_string(schema_version));
    if (!ws.ok())
      return from_status(ws, "write schema version");
  }
  if (!opts.read_only) {
    JS_TRY(build_sha_index(*p));
    fs::create_directories(path / "blobs" / "tmp", ec);
    if (ec)
      return from_fs(ec, "cannot create " + (path / "blobs" / "tmp").string());
    JS_TRY(clean_tmp(path / "blobs" / "tmp"));
  }
  return std::unique_ptr<store>(new store(std::move(p)));
}

const fs::path& store::path() const noexcept {
  return impl_->path;
}

bool store::read_only() const noexcept {
  return impl_->opts.read_only;
}

} // namespace jirasync::storage
