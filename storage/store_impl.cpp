#include "storage/store_impl.hpp"

#include "storage/record_limits.hpp"

#include <algorithm>
#include <cctype>

namespace jirasync::storage {

namespace detail {

bool contains_icase(std::string_view hay, std::string_view needle) {
  auto it = std::search(hay.begin(), hay.end(), needle.begin(), needle.end(),
                        [](char a, char b) {
                          return std::tolower(static_cast<unsigned char>(a))
                                 == std::tolower(static_cast<unsigned char>(b));
                        });
  return it != hay.end();
}

common::error from_status(const rocksdb::Status& s, std::string_view what) {
  auto text = s.ToString();
  common::errc code = common::errc::io_error;
  if (s.IsNoSpace() || contains_icase(text, "no space left"))
    code = common::errc::no_space;
  else if (s.IsCorruption())
    code = common::errc::corruption;
  else if (s.IsInvalidArgument())
    code = common::errc::invalid_argument;
  std::string msg{what};
  msg += ": ";
  msg += text;
  return common::make_error(code, std::move(msg));
}

common::error from_fs(const std::error_code& ec, std::string what) {
  common::errc code = ec == std::errc::no_space_on_device
                        ? common::errc::no_space
                        : common::errc::io_error;
  return common::make_error(code, what + ": " + ec.message());
}

common::error corrupt(std::string what) {
  return common::make_error(common::errc::corruption, std::move(what));
}

common::error invalid(std::string what) {
  return common::make_error(common::errc::invalid_argument, std::move(what));
}

std::optional<json::value> parse_json(std::string_view text) {
  boost::system::error_code ec;
  // The one read bound of stored records (record_limits.hpp).
  auto v = json::parse(text, ec, {}, record_parse_options());
  if (ec)
    return std::nullopt;
  return v;
}

common::result<std::optional<attachment_text>>
decode_attachment_text(const std::optional<std::string>& raw,
                       std::string_view sha256) {
  if (!raw)
    return std::optional<attachment_text>{};
  auto v = parse_json(*raw);
  auto t = v ? attachment_text_from_json(*v) : std::nullopt;
  if (!t)
    return corrupt("unreadable text of content " + std::string(sha256));
  return t;
}

std::string count_key(record_type t) {
  std::string k{keys::meta_count_prefix};
  k += to_string(t);
  return k;
}

// The stored form of an ACL: its content plus how many records name it.
std::string acl_value(const acl_record& a, std::int64_t refs) {
  json::object o;
  o["anyone"] = a.anyone;
  json::array users;
  for (const auto& u : a.users)
    users.emplace_back(u);
  o["users"] = std::move(users);
  o["refs"] = refs;
  return json::serialize(o);
}

std::optional<std::pair<acl_record, std::int64_t>>
parse_acl_value(std::string_view id, std::string_view text) {
  auto v = parse_json(text);
  if (!v || !v->is_object())
    return std::nullopt;
  auto& o = v->get_object();
  auto* anyone = o.if_contains("anyone");
  auto* users = o.if_contains("users");
  auto* refs = o.if_contains("refs");
  if (!anyone || !anyone->is_bool() || !users || !users->is_array() || !refs
      || !refs->is_int64())
    return std::nullopt;
  acl_record a;
  a.id = std::string(id);
  a.anyone = anyone->get_bool();
  for (const auto& u : users->get_array()) {
    if (!u.is_string())
      return std::nullopt;
    a.users.emplace_back(u.get_string());
  }
  return std::make_pair(std::move(a), refs->get_int64());
}

std::string feed_line(std::uint64_t seq, std::string_view op,
                      std::string_view record_json) {
  std::string line;
  line.reserve(48 + op.size() + record_json.size());
  line += "{\"seq\":";
  line += std::to_string(seq);
  line += ",\"op\":\"";
  line += op;
  line += "\",\"record\":";
  line += record_json;
  line += '}';
  return line;
}

std::string delete_record_json(record_type t, std::string_view id) {
  json::object o;
  o["type"] = to_string(t);
  o["id"] = id;
  return json::serialize(o);
}

common::result<std::vector<std::string>>
collect_children(rocksdb::Iterator& it, const std::string& prefix,
                 std::string_view index_cf) {
  std::vector<std::string> out;
  for (it.Seek(prefix); it.Valid() && it.key().starts_with(prefix); it.Next()) {
    auto rest = it.key().ToStringView().substr(prefix.size());
    auto id = keys::decode_id(rest);
    if (!id || !rest.empty())
      return corrupt("bad key in " + std::string(index_cf));
    out.push_back(std::move(*id));
  }
  if (!it.status().ok())
    return from_status(it.status(), "iterate " + std::string(index_cf));
  return out;
}

} // namespace detail

// --- impl
// ----------------------------------------------------------------------------

using namespace detail;

store::impl::~impl() {
  if (!db)
    return;
  if (!opts.read_only) {
    // Persist the memtables so that the write-ahead log they pinned is
    // deleted: otherwise a closed store keeps up to max_total_wal_size
    // (64 MB) of log beside its tables (bench: a 1k-issue store was 28 MB
    // of which 27.8 MB WAL). Nothing sensible to do on failure: the log
    // is still there and replayed at the next open.
    rocksdb::FlushOptions fo;
    auto f = db->Flush(fo, handles);
    static_cast<void>(f);
  }
  for (auto* h : handles) {
    // Nothing sensible to do on failure during teardown; the handle memory
    // is released either way.
    auto s = db->DestroyColumnFamilyHandle(h);
    static_cast<void>(s);
  }
  auto s = db->Close();
  static_cast<void>(s);
  delete db;
}

common::result<std::optional<std::string>>
store::impl::get_raw(rocksdb::ColumnFamilyHandle* h, std::string_view key,
                     const rocksdb::Snapshot* snap) const {
  rocksdb::ReadOptions ro;
  ro.snapshot = snap;
  std::string v;
  auto s = db->Get(ro, h, rocksdb::Slice(key.data(), key.size()), &v);
  if (s.IsNotFound())
    return std::optional<std::string>{};
  if (!s.ok())
    return from_status(s, "read " + h->GetName());
  return std::optional<std::string>{std::move(v)};
}

memory_usage store::memory() const {
  const auto& p = *impl_;
  memory_usage m;
  std::uint64_t v = 0;
  if (p.db->GetAggregatedIntProperty("rocksdb.size-all-mem-tables", &v))
    m.memtables = v;
  if (p.db->GetAggregatedIntProperty("rocksdb.estimate-table-readers-mem", &v))
    m.table_readers = v;
  m.memtable_budget = p.memtable_budget;
  if (p.block_cache) {
    m.block_cache = p.block_cache->GetUsage();
    m.block_cache_pinned = p.block_cache->GetPinnedUsage();
    m.block_cache_capacity = p.block_cache->GetCapacity();
  }
  std::vector<rocksdb::LiveFileMetaData> files;
  p.db->GetLiveFilesMetaData(&files);
  m.table_files = files.size();
  for (const auto& f : files)
    m.table_bytes += f.size;
  return m;
}

common::result<std::vector<std::string>>
store::impl::children(std::string_view index_cf, std::string_view parent,
                      const rocksdb::Snapshot* snap) const {
  auto prefix = keys::encode_id(parent);
  rocksdb::ReadOptions ro;
  ro.snapshot = snap;
  std::unique_ptr<rocksdb::Iterator> it{db->NewIterator(ro, cf(index_cf))};
  return collect_children(*it, prefix, index_cf);
}

} // namespace jirasync::storage
