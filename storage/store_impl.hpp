#pragma once
// Internals of storage::store shared by its implementation files (never
// included elsewhere): store::impl (the RocksDB handles), the mapping of
// RocksDB and file-system failures to store errors, and the stored forms of
// ACLs and feed lines. The store is implemented by phase, like RocksDB's
// DBImpl:
//   store_open.cpp         open (options, column families, schema version);
//   store_write.cpp        apply(): the write-batch builder and the commit;
//   store_read.cpp         point reads, iteration, feed, counts, meta;
//   store_blobs.cpp        the attachment blob store on disk;
//   store_checkpoints.cpp  checkpoint JSON.

#include "storage/keys.hpp"
#include "storage/store.hpp"

#include <boost/json.hpp>
#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/metadata.h>

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace jirasync::storage {

namespace detail {

namespace json = boost::json;

/// Whether `needle` occurs in `hay`, ASCII case-insensitively.
bool contains_icase(std::string_view hay, std::string_view needle);

/// A RocksDB failure while doing `what`: no_space, corruption,
/// invalid_argument or io_error, with RocksDB's message.
common::error from_status(const rocksdb::Status& s, std::string_view what);

/// A file-system failure while doing `what`: no_space or io_error.
common::error from_fs(const std::error_code& ec, std::string what);

common::error corrupt(std::string what);
common::error invalid(std::string what);

/// Stored JSON; nullopt when unparsable.
std::optional<json::value> parse_json(std::string_view text);

/// The text stored for content `sha256` from its raw value (`raw` nullopt:
/// none stored). Errors: corruption when it does not read back.
common::result<std::optional<attachment_text>>
decode_attachment_text(const std::optional<std::string>& raw,
                       std::string_view sha256);

/// Ids are non-empty and hold no NUL byte.
inline bool valid_id(std::string_view id) {
  return !id.empty() && id.find('\0') == std::string_view::npos;
}

/// The meta key of the live count of `t`.
std::string count_key(record_type t);

/// The stored form of an ACL: its content plus how many records name it.
std::string acl_value(const acl_record& a, std::int64_t refs);

/// Reads acl_value(); nullopt when malformed.
std::optional<std::pair<acl_record, std::int64_t>>
parse_acl_value(std::string_view id, std::string_view text);

/// The feed line `{"seq":N,"op":"...","record":...}`.
std::string feed_line(std::uint64_t seq, std::string_view op,
                      std::string_view record_json);

/// The record of a delete feed line: `{"type":"...","id":"..."}`.
std::string delete_record_json(record_type t, std::string_view id);

/// The child ids under `prefix` (enc(parent)) of index CF `index_cf`, read
/// through `it` (a plain or a batch-with-base iterator).
common::result<std::vector<std::string>>
collect_children(rocksdb::Iterator& it, const std::string& prefix,
                 std::string_view index_cf);

} // namespace detail

/// Returns the error of `expr` (a result) from the enclosing function.
#define JS_TRY(expr)                                                           \
  do {                                                                         \
    if (auto js_try_r = (expr); !js_try_r)                                     \
      return js_try_r.error();                                                 \
  } while (false)

struct store::impl {
  std::filesystem::path path;
  open_options opts;
  rocksdb::DB* db = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  std::map<std::string, rocksdb::ColumnFamilyHandle*, std::less<>> cfs;
  std::mutex write_mu;
  /// The block cache every column family shares (store_open.cpp).
  std::shared_ptr<rocksdb::Cache> block_cache;
  /// db_write_buffer_size: the memtables' budget.
  std::uint64_t memtable_budget = 0;

  ~impl();

  rocksdb::ColumnFamilyHandle* cf(std::string_view name) const {
    return cfs.find(name)->second;
  }

  /// Null for a column family added later that a read-only open of an
  /// older store did without (store_open.cpp: added_later).
  rocksdb::ColumnFamilyHandle* cf_if_open(std::string_view name) const {
    auto i = cfs.find(name);
    return i == cfs.end() ? nullptr : i->second;
  }

  rocksdb::ColumnFamilyHandle* record_cf(record_type t) const {
    return cf(keys::record_cfs[static_cast<std::size_t>(t)]);
  }

  common::result<std::optional<std::string>>
  get_raw(rocksdb::ColumnFamilyHandle* h, std::string_view key,
          const rocksdb::Snapshot* snap = nullptr) const;

  template<class T, class Parse>
  common::result<std::optional<T>>
  get_typed(record_type t, std::string_view id, Parse parse,
            const rocksdb::Snapshot* snap = nullptr) const {
    if (!detail::valid_id(id))
      return std::optional<T>{};
    auto raw = get_raw(record_cf(t), keys::encode_id(id), snap);
    if (!raw)
      return raw.error();
    if (!*raw)
      return std::optional<T>{};
    auto v = detail::parse_json(**raw);
    std::optional<T> rec;
    if (v)
      rec = parse(*v);
    if (!rec)
      return detail::corrupt("unreadable " + std::string(to_string(t))
                             + " record " + std::string(id));
    return rec;
  }

  template<class T, class Parse>
  common::result<void>
  for_each_typed(record_type t, Parse parse,
                 const std::function<bool(const T&)>& fn) const {
    std::unique_ptr<rocksdb::Iterator> it{
      db->NewIterator(rocksdb::ReadOptions{}, record_cf(t))};
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      auto v = detail::parse_json(it->value().ToStringView());
      std::optional<T> rec;
      if (v)
        rec = parse(*v);
      if (!rec)
        return detail::corrupt("unreadable " + std::string(to_string(t))
                               + " record in the store");
      if (!fn(*rec))
        return {};
    }
    if (!it->status().ok())
      return detail::from_status(it->status(),
                                 "iterate " + std::string(to_string(t)));
    return {};
  }

  /// Children ids under enc(parent) in an index CF.
  common::result<std::vector<std::string>>
  children(std::string_view index_cf, std::string_view parent,
           const rocksdb::Snapshot* snap = nullptr) const;

  /// Defined in store_write.cpp.
  common::result<apply_summary> apply(const write_batch_spec& spec);
};

/// A snapshot for multi-step reads; none needed on a read-only store.
class snapshot_guard {
public:
  snapshot_guard(rocksdb::DB* db, bool read_only)
      : db_(db), snap_(read_only ? nullptr : db->GetSnapshot()) {
    // nop
  }
  ~snapshot_guard() {
    if (snap_)
      db_->ReleaseSnapshot(snap_);
  }
  snapshot_guard(const snapshot_guard&) = delete;
  snapshot_guard& operator=(const snapshot_guard&) = delete;
  const rocksdb::Snapshot* get() const {
    return snap_;
  }

private:
  rocksdb::DB* db_;
  const rocksdb::Snapshot* snap_;
};

} // namespace jirasync::storage
