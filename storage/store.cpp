#include "storage/store.hpp"

#include "common/sha256.hpp"
#include "storage/keys.hpp"

#include <boost/json.hpp>
#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/write_batch_with_index.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <mutex>
#include <set>
#include <system_error>

namespace json = boost::json;
namespace fs = std::filesystem;

namespace jirasync::storage {

// --- errors
// ----------------------------------------------------------------------

std::string_view to_string(errc c) {
  switch (c) {
    case errc::not_found:
      return "not_found";
    case errc::locked:
      return "locked";
    case errc::schema_too_new:
      return "schema_too_new";
    case errc::no_space:
      return "no_space";
    case errc::io_error:
      return "io_error";
    case errc::corruption:
      return "corruption";
    case errc::invalid_argument:
      return "invalid_argument";
    case errc::read_only:
      return "read_only";
  }
  return "unknown";
}

namespace {

bool contains_icase(std::string_view hay, std::string_view needle) {
  auto it = std::search(hay.begin(), hay.end(), needle.begin(), needle.end(),
                        [](char a, char b) {
                          return std::tolower(static_cast<unsigned char>(a))
                                 == std::tolower(static_cast<unsigned char>(b));
                        });
  return it != hay.end();
}

store_error from_status(const rocksdb::Status& s, std::string_view what) {
  auto text = s.ToString();
  errc code = errc::io_error;
  if (s.IsNoSpace() || contains_icase(text, "no space left"))
    code = errc::no_space;
  else if (s.IsCorruption())
    code = errc::corruption;
  else if (s.IsInvalidArgument())
    code = errc::invalid_argument;
  std::string msg{what};
  msg += ": ";
  msg += text;
  return store_error{code, std::move(msg)};
}

store_error from_fs(const std::error_code& ec, std::string what) {
  errc code
    = ec == std::errc::no_space_on_device ? errc::no_space : errc::io_error;
  return store_error{code, what + ": " + ec.message()};
}

store_error corrupt(std::string what) {
  return store_error{errc::corruption, std::move(what)};
}

store_error invalid(std::string what) {
  return store_error{errc::invalid_argument, std::move(what)};
}

std::optional<json::value> parse_json(std::string_view text) {
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec)
    return std::nullopt;
  return v;
}

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
};

bool valid_id(std::string_view id) {
  return !id.empty() && id.find('\0') == std::string_view::npos;
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
  std::string line = "{\"seq\":";
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

#define JS_TRY(expr)                                                           \
  do {                                                                         \
    if (auto js_try_r = (expr); !js_try_r)                                     \
      return js_try_r.error();                                                 \
  } while (false)

// The child ids under `prefix` (enc(parent)) of index CF `index_cf`, read
// through `it` (a plain or a batch-with-base iterator).
result<std::vector<std::string>> collect_children(rocksdb::Iterator& it,
                                                  const std::string& prefix,
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

} // namespace

// --- checkpoints JSON
// ------------------------------------------------------------------

json::object to_json(const project_checkpoint& c) {
  json::object o;
  o["project_key"] = c.project_key;
  o["project_id"] = c.project_id;
  o["last_updated_ms"] = c.last_updated_ms;
  o["last_issue_id"] = c.last_issue_id;
  o["filters_hash"] = c.filters_hash;
  o["full_sync_done"] = c.full_sync_done;
  o["synced_at_ms"] = c.synced_at_ms;
  return o;
}

namespace {

template<class T>
bool read_field(const json::object& o, std::string_view k, T& out) {
  auto* v = o.if_contains(k);
  if (!v)
    return false;
  if constexpr (std::is_same_v<T, std::string>) {
    if (!v->is_string())
      return false;
    out = std::string(v->get_string());
  } else if constexpr (std::is_same_v<T, bool>) {
    if (!v->is_bool())
      return false;
    out = v->get_bool();
  } else if constexpr (std::is_same_v<T, std::uint64_t>) {
    if (v->is_uint64())
      out = v->get_uint64();
    else if (v->is_int64() && v->get_int64() >= 0)
      out = static_cast<std::uint64_t>(v->get_int64());
    else
      return false;
  } else {
    if (v->is_int64())
      out = v->get_int64();
    else if (v->is_uint64()
             && v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
      out = static_cast<std::int64_t>(v->get_uint64());
    else
      return false;
  }
  return true;
}

} // namespace

std::optional<project_checkpoint>
project_checkpoint_from_json(const json::value& v) {
  if (!v.is_object())
    return std::nullopt;
  auto& o = v.get_object();
  project_checkpoint c;
  if (!read_field(o, "project_key", c.project_key)
      || !read_field(o, "project_id", c.project_id)
      || !read_field(o, "last_updated_ms", c.last_updated_ms)
      || !read_field(o, "last_issue_id", c.last_issue_id)
      || !read_field(o, "filters_hash", c.filters_hash)
      || !read_field(o, "full_sync_done", c.full_sync_done)
      || !read_field(o, "synced_at_ms", c.synced_at_ms))
    return std::nullopt;
  return c;
}

json::object to_json(const sync_checkpoint& c) {
  json::object o;
  o["mode"] = c.mode;
  o["started_at_ms"] = c.started_at_ms;
  o["finished_at_ms"] = c.finished_at_ms;
  o["filters_hash"] = c.filters_hash;
  o["result"] = c.result;
  o["error"] = c.error;
  o["added"] = c.added;
  o["updated"] = c.updated;
  o["unchanged"] = c.unchanged;
  o["deleted"] = c.deleted;
  json::object counters;
  for (const auto& [k, n] : c.counters)
    counters[k] = n;
  o["counters"] = std::move(counters);
  return o;
}

std::optional<sync_checkpoint> sync_checkpoint_from_json(const json::value& v) {
  if (!v.is_object())
    return std::nullopt;
  auto& o = v.get_object();
  sync_checkpoint c;
  if (!read_field(o, "mode", c.mode)
      || !read_field(o, "started_at_ms", c.started_at_ms)
      || !read_field(o, "finished_at_ms", c.finished_at_ms)
      || !read_field(o, "filters_hash", c.filters_hash)
      || !read_field(o, "result", c.result) || !read_field(o, "error", c.error)
      || !read_field(o, "added", c.added)
      || !read_field(o, "updated", c.updated)
      || !read_field(o, "unchanged", c.unchanged)
      || !read_field(o, "deleted", c.deleted))
    return std::nullopt;
  if (auto* counters = o.if_contains("counters")) {
    if (!counters->is_object())
      return std::nullopt;
    for (const auto& kv : counters->get_object()) {
      std::int64_t n = 0;
      if (!read_field(counters->get_object(), kv.key(), n))
        return std::nullopt;
      c.counters[std::string(kv.key())] = n;
    }
  }
  return c;
}

// --- impl
// ----------------------------------------------------------------------------

struct store::impl {
  fs::path path;
  open_options opts;
  rocksdb::DB* db = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  std::map<std::string, rocksdb::ColumnFamilyHandle*, std::less<>> cfs;
  std::mutex write_mu;

  ~impl() {
    if (!db)
      return;
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

  rocksdb::ColumnFamilyHandle* cf(std::string_view name) const {
    return cfs.find(name)->second;
  }

  rocksdb::ColumnFamilyHandle* record_cf(record_type t) const {
    return cf(keys::record_cfs[static_cast<std::size_t>(t)]);
  }

  result<std::optional<std::string>>
  get_raw(rocksdb::ColumnFamilyHandle* h, std::string_view key,
          const rocksdb::Snapshot* snap = nullptr) const {
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

  template<class T, class Parse>
  result<std::optional<T>>
  get_typed(record_type t, std::string_view id, Parse parse,
            const rocksdb::Snapshot* snap = nullptr) const {
    if (!valid_id(id))
      return std::optional<T>{};
    auto raw = get_raw(record_cf(t), keys::encode_id(id), snap);
    if (!raw)
      return raw.error();
    if (!*raw)
      return std::optional<T>{};
    auto v = parse_json(**raw);
    std::optional<T> rec;
    if (v)
      rec = parse(*v);
    if (!rec)
      return corrupt("unreadable " + std::string(to_string(t)) + " record "
                     + std::string(id));
    return rec;
  }

  template<class T, class Parse>
  result<void> for_each_typed(record_type t, Parse parse,
                              const std::function<bool(const T&)>& fn) const {
    std::unique_ptr<rocksdb::Iterator> it{
      db->NewIterator(rocksdb::ReadOptions{}, record_cf(t))};
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      auto v = parse_json(it->value().ToStringView());
      std::optional<T> rec;
      if (v)
        rec = parse(*v);
      if (!rec)
        return corrupt("unreadable " + std::string(to_string(t))
                       + " record in the store");
      if (!fn(*rec))
        return {};
    }
    if (!it->status().ok())
      return from_status(it->status(), "iterate " + std::string(to_string(t)));
    return {};
  }

  // Children ids under enc(parent) in an index CF.
  result<std::vector<std::string>>
  children(std::string_view index_cf, std::string_view parent,
           const rocksdb::Snapshot* snap = nullptr) const {
    auto prefix = keys::encode_id(parent);
    rocksdb::ReadOptions ro;
    ro.snapshot = snap;
    std::unique_ptr<rocksdb::Iterator> it{db->NewIterator(ro, cf(index_cf))};
    return collect_children(*it, prefix, index_cf);
  }

  result<apply_summary> apply(const write_batch_spec& spec);
};

// A snapshot for multi-step reads; none needed on a read-only store.
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

// --- apply
// -------------------------------------------------------------------------

namespace {

// One apply() in progress: reads see the batch's own writes
// (WriteBatchWithIndex).
class batch_builder {
public:
  batch_builder(store::impl& s, const write_batch_spec& spec)
      : s_(s), wb_(rocksdb::BytewiseComparator(), 0, true) {
    for (const auto& a : spec.acls)
      defs_.emplace(a.id, &a);
  }

  result<void> run(const write_batch_spec& spec) {
    for (const auto& a : spec.acls) {
      if (a.id != acl_id(a))
        return invalid("ACL " + a.id + " does not match its content (id "
                       + acl_id(a) + ")");
      if (!std::is_sorted(a.users.begin(), a.users.end())
          || std::adjacent_find(a.users.begin(), a.users.end())
               != a.users.end())
        return invalid("ACL " + a.id + ": users must be sorted and unique");
    }
    auto seq = s_.get_raw(s_.cf(keys::cf_meta), keys::meta_feed_seq);
    if (!seq)
      return seq.error();
    if (*seq) {
      auto v = keys::decode_be64(**seq);
      if (!v)
        return corrupt("bad feed_seq in meta");
      seq_ = *v;
    }
    start_seq_ = seq_;
    for (const auto& r : spec.upserts)
      JS_TRY(upsert(r));
    for (const auto& k : spec.deletes)
      JS_TRY(remove(k));
    JS_TRY(finish_acls());
    JS_TRY(finish_counts());
    for (const auto& c : spec.checkpoints) {
      if (c.project_key.empty())
        return invalid("checkpoint without project_key");
      JS_TRY(
        put(keys::cf_checkpoints, c.project_key, json::serialize(to_json(c))));
    }
    for (const auto& k : spec.checkpoint_deletes)
      JS_TRY(del(keys::cf_checkpoints, k));
    if (spec.sync)
      JS_TRY(put(keys::cf_meta, keys::meta_sync,
                 json::serialize(to_json(*spec.sync))));
    for (const auto& [k, v] : spec.meta) {
      std::string key{keys::meta_user_prefix};
      key += k;
      JS_TRY(put(keys::cf_meta, key, v));
    }
    if (seq_ != start_seq_) {
      JS_TRY(put(keys::cf_meta, keys::meta_feed_seq, keys::encode_be64(seq_)));
      summary_.first_seq = start_seq_ + 1;
      summary_.last_seq = seq_;
    }
    return {};
  }

  rocksdb::WriteBatch* batch() {
    return wb_.GetWriteBatch();
  }

  const apply_summary& summary() const {
    return summary_;
  }

private:
  struct acl_state {
    acl_record rec;
    std::int64_t refs = 0;
    bool in_db = false;   // stored before this batch
    bool in_feed = false; // live for feed readers (stored, or emitted now)
  };

  // -- primitive reads/writes ------------------------------------------------

  result<std::optional<std::string>> get(std::string_view cf_name,
                                         std::string_view key) {
    std::string v;
    auto s
      = wb_.GetFromBatchAndDB(s_.db, rocksdb::ReadOptions{}, s_.cf(cf_name),
                              rocksdb::Slice(key.data(), key.size()), &v);
    if (s.IsNotFound())
      return std::optional<std::string>{};
    if (!s.ok())
      return from_status(s, "read " + std::string(cf_name));
    return std::optional<std::string>{std::move(v)};
  }

  result<void> put(std::string_view cf_name, std::string_view key,
                   std::string_view value) {
    auto s = wb_.Put(s_.cf(cf_name), rocksdb::Slice(key.data(), key.size()),
                     rocksdb::Slice(value.data(), value.size()));
    if (!s.ok())
      return from_status(s, "batch put");
    return {};
  }

  result<void> del(std::string_view cf_name, std::string_view key) {
    auto s = wb_.Delete(s_.cf(cf_name), rocksdb::Slice(key.data(), key.size()));
    if (!s.ok())
      return from_status(s, "batch delete");
    return {};
  }

  result<void> emit(std::string_view op, std::string_view record_json) {
    ++seq_;
    return put(keys::cf_feed, keys::encode_be64(seq_),
               feed_line(seq_, op, record_json));
  }

  result<std::vector<std::string>> children(std::string_view index_cf,
                                            std::string_view parent) {
    auto prefix = keys::encode_id(parent);
    auto* h = s_.cf(index_cf);
    std::unique_ptr<rocksdb::Iterator> it{wb_.NewIteratorWithBase(
      h, s_.db->NewIterator(rocksdb::ReadOptions{}, h))};
    return collect_children(*it, prefix, index_cf);
  }

  // -- ACLs -------------------------------------------------------------------

  result<acl_state*> load_acl(const std::string& id) {
    if (auto it = acls_.find(id); it != acls_.end())
      return &it->second;
    auto raw = s_.get_raw(s_.cf(keys::cf_acls), keys::encode_id(id));
    if (!raw)
      return raw.error();
    acl_state st;
    if (*raw) {
      auto parsed = parse_acl_value(id, **raw);
      if (!parsed)
        return corrupt("unreadable ACL " + id);
      st.rec = std::move(parsed->first);
      st.refs = parsed->second;
      st.in_db = st.in_feed = true;
    } else if (auto d = defs_.find(id); d != defs_.end()) {
      st.rec = *d->second;
    } else {
      return static_cast<acl_state*>(nullptr);
    }
    return &acls_.emplace(id, std::move(st)).first->second;
  }

  result<void> ref_acl(const std::string& id, const record_key& by) {
    auto st = load_acl(id);
    if (!st)
      return st.error();
    if (!*st)
      return invalid(std::string(to_string(by.type)) + " " + by.id
                     + " names ACL " + id
                     + " which is neither stored nor in the batch");
    if (!(*st)->in_feed) {
      JS_TRY(emit("upsert", json::serialize(to_json((*st)->rec))));
      (*st)->in_feed = true;
    }
    ++(*st)->refs;
    return {};
  }

  result<void> unref_acl(const std::string& id) {
    auto st = load_acl(id);
    if (!st)
      return st.error();
    // A dangling reference (should not happen) is tolerated: nothing to drop.
    if (*st && (*st)->refs > 0)
      --(*st)->refs;
    return {};
  }

  result<void> finish_acls() {
    auto& counts = summary_[record_type::acl];
    for (auto& [id, st] : acls_) {
      auto key = keys::encode_id(id);
      if (st.refs > 0) {
        JS_TRY(put(keys::cf_acls, key, acl_value(st.rec, st.refs)));
        if (!st.in_db) {
          ++counts.added;
          ++count_delta_[static_cast<std::size_t>(record_type::acl)];
        }
        continue;
      }
      if (st.in_db) {
        JS_TRY(del(keys::cf_acls, key));
        ++counts.deleted;
        --count_delta_[static_cast<std::size_t>(record_type::acl)];
      }
      if (st.in_feed)
        JS_TRY(emit("delete", delete_record_json(record_type::acl, id)));
    }
    return {};
  }

  result<void> finish_counts() {
    for (std::size_t i = 0; i < record_type_count; ++i) {
      if (count_delta_[i] == 0)
        continue;
      auto key = count_key(static_cast<record_type>(i));
      auto raw = get(keys::cf_meta, key);
      if (!raw)
        return raw.error();
      std::int64_t n = 0;
      if (*raw) {
        auto v = keys::decode_be64(**raw);
        if (!v)
          return corrupt("bad " + key + " in meta");
        n = static_cast<std::int64_t>(*v);
      }
      n = std::max<std::int64_t>(0, n + count_delta_[i]);
      JS_TRY(put(keys::cf_meta, key,
                 keys::encode_be64(static_cast<std::uint64_t>(n))));
    }
    return {};
  }

  // -- records
  // ------------------------------------------------------------------

  result<std::optional<any_record>> get_record(record_type t,
                                               const std::string& id) {
    auto raw
      = get(keys::record_cfs[static_cast<std::size_t>(t)], keys::encode_id(id));
    if (!raw)
      return raw.error();
    if (!*raw)
      return std::optional<any_record>{};
    auto v = parse_json(**raw);
    std::optional<any_record> rec;
    if (v)
      rec = record_from_json(*v);
    if (!rec)
      return corrupt("unreadable " + std::string(to_string(t)) + " " + id);
    return rec;
  }

  result<void> upsert(const any_record& r) {
    auto t = type_of(r);
    auto key = key_of(r);
    if (!valid_id(key.id))
      return invalid(std::string(to_string(t)) + " with an empty id");
    auto new_acl = acl_of(r);
    if (new_acl && new_acl->empty())
      return invalid(std::string(to_string(t)) + " " + key.id + " has no ACL");
    auto cf_name = keys::record_cfs[static_cast<std::size_t>(t)];
    auto k = keys::encode_id(key.id);
    auto stored = json::serialize(to_stored_json(r));
    auto old_raw = get(cf_name, k);
    if (!old_raw)
      return old_raw.error();
    auto& counts = summary_[t];
    if (*old_raw && **old_raw == stored) {
      ++counts.unchanged;
      return {};
    }
    std::optional<any_record> old;
    if (*old_raw) {
      auto v = parse_json(**old_raw);
      if (v)
        old = record_from_json(*v);
      if (!old)
        return corrupt("unreadable " + std::string(to_string(t)) + " "
                       + key.id);
    }
    // ACL references: take the new one first so that its feed line (if it is
    // new) comes before this record's line.
    std::optional<std::string> old_acl;
    if (old)
      old_acl = acl_of(*old);
    if (new_acl && new_acl != old_acl)
      JS_TRY(ref_acl(*new_acl, key));
    if (old_acl && old_acl != new_acl)
      JS_TRY(unref_acl(*old_acl));
    JS_TRY(update_indexes(r, old ? &*old : nullptr));
    JS_TRY(put(cf_name, k, stored));
    JS_TRY(emit("upsert", json::serialize(to_json(r))));
    if (old) {
      ++counts.updated;
    } else {
      ++counts.added;
      ++count_delta_[static_cast<std::size_t>(t)];
    }
    return {};
  }

  result<void> update_indexes(const any_record& r, const any_record* old) {
    if (auto* i = std::get_if<issue_record>(&r)) {
      auto* o = old ? std::get_if<issue_record>(old) : nullptr;
      if (o && o->key != i->key)
        JS_TRY(drop_issue_key(o->key, i->id));
      if (o && o->project_id != i->project_id)
        JS_TRY(del(keys::cf_issues_by_project,
                   keys::encode_pair(o->project_id, i->id)));
      JS_TRY(put(keys::cf_issue_keys, i->key, i->id));
      JS_TRY(put(keys::cf_issues_by_project,
                 keys::encode_pair(i->project_id, i->id), ""));
    } else if (auto* c = std::get_if<comment_record>(&r)) {
      auto* o = old ? std::get_if<comment_record>(old) : nullptr;
      if (o && o->issue_id != c->issue_id)
        JS_TRY(del(keys::cf_comments_by_issue,
                   keys::encode_pair(o->issue_id, c->id)));
      JS_TRY(put(keys::cf_comments_by_issue,
                 keys::encode_pair(c->issue_id, c->id), ""));
    } else if (auto* a = std::get_if<attachment_record>(&r)) {
      auto* o = old ? std::get_if<attachment_record>(old) : nullptr;
      if (o && o->issue_id != a->issue_id)
        JS_TRY(del(keys::cf_attachments_by_issue,
                   keys::encode_pair(o->issue_id, a->id)));
      JS_TRY(put(keys::cf_attachments_by_issue,
                 keys::encode_pair(a->issue_id, a->id), ""));
    }
    return {};
  }

  // Removes key→id only if the key still points at this issue (another
  // issue may have taken the key over).
  result<void> drop_issue_key(const std::string& issue_key,
                              const std::string& id) {
    auto cur = get(keys::cf_issue_keys, issue_key);
    if (!cur)
      return cur.error();
    if (*cur && **cur == id)
      JS_TRY(del(keys::cf_issue_keys, issue_key));
    return {};
  }

  result<void> remove(const record_key& k) {
    if (k.type == record_type::acl)
      return invalid("ACL " + k.id
                     + " cannot be deleted directly (it goes with its last "
                       "referrer)");
    if (!valid_id(k.id))
      return {};
    auto old = get_record(k.type, k.id);
    if (!old)
      return old.error();
    if (!*old)
      return {};
    const any_record& rec = **old;
    switch (k.type) {
      case record_type::project: {
        auto ids = children(keys::cf_issues_by_project, k.id);
        if (!ids)
          return ids.error();
        for (const auto& id : *ids)
          JS_TRY(remove({record_type::issue, id}));
        break;
      }
      case record_type::issue: {
        auto& i = std::get<issue_record>(rec);
        auto cids = children(keys::cf_comments_by_issue, k.id);
        if (!cids)
          return cids.error();
        for (const auto& id : *cids)
          JS_TRY(remove({record_type::comment, id}));
        auto aids = children(keys::cf_attachments_by_issue, k.id);
        if (!aids)
          return aids.error();
        for (const auto& id : *aids)
          JS_TRY(remove({record_type::attachment, id}));
        JS_TRY(drop_issue_key(i.key, i.id));
        JS_TRY(del(keys::cf_issues_by_project,
                   keys::encode_pair(i.project_id, i.id)));
        break;
      }
      case record_type::comment: {
        auto& c = std::get<comment_record>(rec);
        JS_TRY(
          del(keys::cf_comments_by_issue, keys::encode_pair(c.issue_id, c.id)));
        break;
      }
      case record_type::attachment: {
        auto& a = std::get<attachment_record>(rec);
        JS_TRY(del(keys::cf_attachments_by_issue,
                   keys::encode_pair(a.issue_id, a.id)));
        break;
      }
      default:
        break;
    }
    JS_TRY(del(keys::record_cfs[static_cast<std::size_t>(k.type)],
               keys::encode_id(k.id)));
    if (auto acl = acl_of(rec))
      JS_TRY(unref_acl(*acl));
    JS_TRY(emit("delete", delete_record_json(k.type, k.id)));
    ++summary_[k.type].deleted;
    --count_delta_[static_cast<std::size_t>(k.type)];
    return {};
  }

  store::impl& s_;
  rocksdb::WriteBatchWithIndex wb_;
  std::map<std::string, const acl_record*, std::less<>> defs_;
  std::map<std::string, acl_state> acls_;
  std::array<std::int64_t, record_type_count> count_delta_{};
  std::uint64_t seq_ = 0;
  std::uint64_t start_seq_ = 0;
  apply_summary summary_;
};

} // namespace

result<apply_summary> store::impl::apply(const write_batch_spec& spec) {
  if (opts.read_only)
    return store_error{errc::read_only, "the store is open read-only"};
  std::lock_guard<std::mutex> guard{write_mu};
  batch_builder b{*this, spec};
  JS_TRY(b.run(spec));
  rocksdb::WriteOptions wo;
  wo.sync = opts.sync_writes;
  auto s = db->Write(wo, b.batch());
  if (!s.ok())
    return from_status(s, "write batch");
  return b.summary();
}

// --- open
// ----------------------------------------------------------------------------

store::store(std::unique_ptr<impl> p) : impl_(std::move(p)) {
  // nop
}

store::~store() = default;

result<std::unique_ptr<store>> store::open(const fs::path& path,
                                           open_options opts) {
  std::error_code ec;
  bool exists = fs::exists(path / "CURRENT", ec);
  if (!exists) {
    if (opts.read_only || !opts.create_if_missing)
      return store_error{errc::not_found, "no store at " + path.string()};
    fs::create_directories(path, ec);
    if (ec)
      return from_fs(ec, "cannot create " + path.string());
  }
  rocksdb::DBOptions dbo;
  dbo.create_if_missing = true;
  dbo.create_missing_column_families = true;
  // Keep the info logs from piling up in long-running services.
  dbo.keep_log_file_num = 5;
  // Memory stays flat however large the site: all memtables together are
  // capped (a flush is forced beyond it) and the column families share one
  // block cache instead of one 8 MB cache each.
  dbo.db_write_buffer_size = 64u << 20;
  std::vector<std::string> existing;
  if (exists) {
    auto s = rocksdb::DB::ListColumnFamilies(dbo, path.string(), &existing);
    if (!s.ok())
      return from_status(s, "open store at " + path.string());
  }
  std::vector<std::string> names{rocksdb::kDefaultColumnFamilyName};
  for (auto n : all_cfs) {
    if (opts.read_only
        && std::find(existing.begin(), existing.end(), n) == existing.end())
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
  table.block_cache = rocksdb::NewLRUCache(32u << 20);
  rocksdb::ColumnFamilyOptions cfo;
  cfo.write_buffer_size = 16u << 20;
  cfo.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  std::vector<rocksdb::ColumnFamilyDescriptor> descs;
  for (const auto& n : names)
    descs.emplace_back(n, cfo);
  auto p = std::make_unique<impl>();
  p->path = path;
  p->opts = opts;
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
      return store_error{errc::locked,
                         "store is in use by another jirasync process ("
                           + path.string() + ")"};
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
      return store_error{
        errc::schema_too_new,
        "store at " + path.string() + " has schema version "
          + std::to_string(version) + ", newer than this jirasync supports ("
          + std::to_string(schema_version) + "): upgrade jirasync"};
  } else if (!opts.read_only) {
    rocksdb::WriteOptions wo;
    wo.sync = true;
    auto ws = p->db->Put(wo, p->cf(keys::cf_meta), keys::meta_schema_version,
                         std::to_string(schema_version));
    if (!ws.ok())
      return from_status(ws, "write schema version");
  }
  if (!opts.read_only) {
    fs::create_directories(path / "blobs" / "tmp", ec);
    if (ec)
      return from_fs(ec, "cannot create " + (path / "blobs" / "tmp").string());
  }
  return std::unique_ptr<store>(new store(std::move(p)));
}

const fs::path& store::path() const noexcept {
  return impl_->path;
}

bool store::read_only() const noexcept {
  return impl_->opts.read_only;
}

result<apply_summary> store::apply(const write_batch_spec& spec) {
  return impl_->apply(spec);
}

// --- blobs
// ---------------------------------------------------------------------------

fs::path store::blob_tmp_dir() const {
  return impl_->path / "blobs" / "tmp";
}

fs::path store::blob_path(std::string_view sha256) const {
  auto dir = sha256.size() >= 2 ? std::string(sha256.substr(0, 2)) : "__";
  return impl_->path / "blobs" / dir / std::string(sha256);
}

bool store::has_blob(std::string_view sha256) const {
  std::error_code ec;
  return common::is_sha256_hex(sha256) && fs::exists(blob_path(sha256), ec);
}

result<void> store::adopt_blob(const fs::path& tmp_path,
                               std::string_view sha256) {
  if (impl_->opts.read_only)
    return store_error{errc::read_only, "the store is open read-only"};
  if (!common::is_sha256_hex(sha256))
    return invalid("not a lower-case hex SHA-256: " + std::string(sha256));
  std::error_code ec;
  auto dest = blob_path(sha256);
  if (fs::exists(dest, ec)) {
    fs::remove(tmp_path, ec);
    if (ec)
      return from_fs(ec, "cannot remove " + tmp_path.string());
    return {};
  }
  fs::create_directories(dest.parent_path(), ec);
  if (ec)
    return from_fs(ec, "cannot create " + dest.parent_path().string());
  fs::rename(tmp_path, dest, ec);
  if (ec)
    return from_fs(ec,
                   "cannot move " + tmp_path.string() + " to " + dest.string());
  return {};
}

result<std::uint64_t>
store::collect_unreferenced_blobs(std::int64_t min_age_secs) {
  if (impl_->opts.read_only)
    return store_error{errc::read_only, "the store is open read-only"};
  // One entry per distinct blob: small next to the blobs themselves.
  std::set<std::string> referenced;
  auto r = for_each_attachment([&](const attachment_record& a) {
    if (!a.sha256.empty())
      referenced.insert(a.sha256);
    return true;
  });
  if (!r)
    return r.error();
  auto cutoff
    = fs::file_time_type::clock::now() - std::chrono::seconds(min_age_secs);
  std::uint64_t removed = 0;
  std::error_code ec;
  auto root = impl_->path / "blobs";
  for (auto it = fs::recursive_directory_iterator(root, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec))
      continue;
    auto p = it->path();
    bool tmp = p.parent_path() == blob_tmp_dir();
    if (!tmp && referenced.count(p.filename().string()))
      continue;
    auto mtime = fs::last_write_time(p, ec);
    if (ec || mtime > cutoff) {
      ec.clear();
      continue;
    }
    if (fs::remove(p, ec))
      ++removed;
    if (ec)
      return from_fs(ec, "cannot remove " + p.string());
  }
  if (ec)
    return from_fs(ec, "cannot list " + root.string());
  return removed;
}

// --- reads
// -----------------------------------------------------------------------

result<std::optional<user_record>> store::get_user(std::string_view id) {
  return impl_->get_typed<user_record>(record_type::user, id, user_from_json);
}

result<std::optional<group_record>> store::get_group(std::string_view id) {
  return impl_->get_typed<group_record>(record_type::group, id,
                                        group_from_json);
}

result<std::optional<project_record>> store::get_project(std::string_view id) {
  return impl_->get_typed<project_record>(record_type::project, id,
                                          project_from_json);
}

result<std::optional<project_record>>
store::get_project_by_key(std::string_view key) {
  std::optional<project_record> found;
  auto r = for_each_project([&](const project_record& p) {
    if (p.key == key) {
      found = p;
      return false;
    }
    return true;
  });
  if (!r)
    return r.error();
  return found;
}

result<std::optional<issue_record>> store::get_issue(std::string_view id) {
  return impl_->get_typed<issue_record>(record_type::issue, id,
                                        issue_from_json);
}

result<std::optional<issue_record>>
store::get_issue_by_key(std::string_view key) {
  if (key.empty())
    return std::optional<issue_record>{};
  auto id = impl_->get_raw(impl_->cf(keys::cf_issue_keys), key);
  if (!id)
    return id.error();
  if (!*id)
    return std::optional<issue_record>{};
  auto issue = get_issue(**id);
  if (!issue)
    return issue;
  if (*issue && (*issue)->key != key)
    return std::optional<issue_record>{};
  return issue;
}

result<std::optional<comment_record>> store::get_comment(std::string_view id) {
  return impl_->get_typed<comment_record>(record_type::comment, id,
                                          comment_from_json);
}

result<std::optional<attachment_record>>
store::get_attachment(std::string_view id) {
  return impl_->get_typed<attachment_record>(record_type::attachment, id,
                                             attachment_from_json);
}

result<std::optional<acl_record>> store::get_acl(std::string_view id) {
  if (!valid_id(id))
    return std::optional<acl_record>{};
  auto raw = impl_->get_raw(impl_->cf(keys::cf_acls), keys::encode_id(id));
  if (!raw)
    return raw.error();
  if (!*raw)
    return std::optional<acl_record>{};
  auto parsed = parse_acl_value(id, **raw);
  if (!parsed)
    return corrupt("unreadable ACL " + std::string(id));
  return std::optional<acl_record>{std::move(parsed->first)};
}

result<std::uint64_t> store::acl_refcount(std::string_view id) {
  if (!valid_id(id))
    return std::uint64_t{0};
  auto raw = impl_->get_raw(impl_->cf(keys::cf_acls), keys::encode_id(id));
  if (!raw)
    return raw.error();
  if (!*raw)
    return std::uint64_t{0};
  auto parsed = parse_acl_value(id, **raw);
  if (!parsed)
    return corrupt("unreadable ACL " + std::string(id));
  return static_cast<std::uint64_t>(std::max<std::int64_t>(0, parsed->second));
}

result<void> store::for_each_user(const visitor<user_record>& fn) {
  return impl_->for_each_typed<user_record>(record_type::user, user_from_json,
                                            fn);
}

result<void> store::for_each_group(const visitor<group_record>& fn) {
  return impl_->for_each_typed<group_record>(record_type::group,
                                             group_from_json, fn);
}

result<void> store::for_each_project(const visitor<project_record>& fn) {
  return impl_->for_each_typed<project_record>(record_type::project,
                                               project_from_json, fn);
}

result<void> store::for_each_issue(const visitor<issue_record>& fn) {
  return impl_->for_each_typed<issue_record>(record_type::issue,
                                             issue_from_json, fn);
}

result<void> store::for_each_comment(const visitor<comment_record>& fn) {
  return impl_->for_each_typed<comment_record>(record_type::comment,
                                               comment_from_json, fn);
}

result<void> store::for_each_attachment(const visitor<attachment_record>& fn) {
  return impl_->for_each_typed<attachment_record>(record_type::attachment,
                                                  attachment_from_json, fn);
}

result<void> store::for_each_acl(const visitor<acl_record>& fn) {
  std::unique_ptr<rocksdb::Iterator> it{
    impl_->db->NewIterator(rocksdb::ReadOptions{}, impl_->cf(keys::cf_acls))};
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    auto k = it->key().ToStringView();
    auto id = keys::decode_id(k);
    if (!id)
      return corrupt("bad key in acls");
    auto parsed = parse_acl_value(*id, it->value().ToStringView());
    if (!parsed)
      return corrupt("unreadable ACL " + *id);
    if (!fn(parsed->first))
      return {};
  }
  if (!it->status().ok())
    return from_status(it->status(), "iterate acls");
  return {};
}

result<void> store::for_each_issue_of_project(std::string_view project_id,
                                              const visitor<issue_record>& fn) {
  snapshot_guard snap{impl_->db, impl_->opts.read_only};
  auto prefix = keys::encode_id(project_id);
  rocksdb::ReadOptions ro;
  ro.snapshot = snap.get();
  std::unique_ptr<rocksdb::Iterator> it{
    impl_->db->NewIterator(ro, impl_->cf(keys::cf_issues_by_project))};
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix);
       it->Next()) {
    auto rest = it->key().ToStringView().substr(prefix.size());
    auto id = keys::decode_id(rest);
    if (!id || !rest.empty())
      return corrupt("bad key in issues_by_project");
    auto issue = impl_->get_typed<issue_record>(record_type::issue, *id,
                                                issue_from_json, snap.get());
    if (!issue)
      return issue.error();
    if (!*issue)
      continue; // index ahead of a concurrent delete (read-only view)
    if (!fn(**issue))
      return {};
  }
  if (!it->status().ok())
    return from_status(it->status(), "iterate issues_by_project");
  return {};
}

result<std::vector<std::string>>
store::issue_ids_of_project(std::string_view project_id) {
  return impl_->children(keys::cf_issues_by_project, project_id);
}

result<std::vector<std::string>> store::project_ids_with_issues() {
  std::vector<std::string> out;
  std::unique_ptr<rocksdb::Iterator> it{impl_->db->NewIterator(
    rocksdb::ReadOptions{}, impl_->cf(keys::cf_issues_by_project))};
  it->SeekToFirst();
  while (it->Valid()) {
    auto k = it->key().ToStringView();
    auto whole = k;
    auto id = keys::decode_id(k);
    if (!id)
      return corrupt("bad key in issues_by_project");
    // Skip every pair of this project: enc(parent) + 0xFF sorts after
    // enc(parent) + enc(any child) (child tags are 0x00 and 0x01).
    std::string next{whole.substr(0, whole.size() - k.size())};
    next += '\xFF';
    out.push_back(std::move(*id));
    it->Seek(next);
  }
  if (!it->status().ok())
    return from_status(it->status(), "iterate issues_by_project");
  return out;
}

namespace {

template<class T, class Parse>
result<std::vector<T>> children_of(store::impl& s, std::string_view index_cf,
                                   record_type t, std::string_view parent,
                                   Parse parse) {
  snapshot_guard snap{s.db, s.opts.read_only};
  auto ids = s.children(index_cf, parent, snap.get());
  if (!ids)
    return ids.error();
  std::vector<T> out;
  out.reserve(ids->size());
  for (const auto& id : *ids) {
    auto rec = s.get_typed<T>(t, id, parse, snap.get());
    if (!rec)
      return rec.error();
    if (*rec)
      out.push_back(std::move(**rec));
  }
  return out;
}

} // namespace

result<std::vector<comment_record>>
store::comments_of_issue(std::string_view id) {
  return children_of<comment_record>(*impl_, keys::cf_comments_by_issue,
                                     record_type::comment, id,
                                     comment_from_json);
}

result<std::vector<attachment_record>>
store::attachments_of_issue(std::string_view id) {
  return children_of<attachment_record>(*impl_, keys::cf_attachments_by_issue,
                                        record_type::attachment, id,
                                        attachment_from_json);
}

result<void> store::for_each_feed(
  std::uint64_t after_seq,
  const std::function<bool(std::uint64_t, std::string_view)>& fn) {
  if (after_seq == UINT64_MAX)
    return {};
  std::unique_ptr<rocksdb::Iterator> it{
    impl_->db->NewIterator(rocksdb::ReadOptions{}, impl_->cf(keys::cf_feed))};
  for (it->Seek(keys::encode_be64(after_seq + 1)); it->Valid(); it->Next()) {
    auto seq = keys::decode_be64(it->key().ToStringView());
    if (!seq)
      return corrupt("bad key in feed");
    if (!fn(*seq, it->value().ToStringView()))
      return {};
  }
  if (!it->status().ok())
    return from_status(it->status(), "iterate feed");
  return {};
}

result<std::uint64_t> store::last_seq() {
  auto raw = impl_->get_raw(impl_->cf(keys::cf_meta), keys::meta_feed_seq);
  if (!raw)
    return raw.error();
  if (!*raw)
    return std::uint64_t{0};
  auto v = keys::decode_be64(**raw);
  if (!v)
    return corrupt("bad feed_seq in meta");
  return *v;
}

result<record_counts> store::counts() {
  record_counts out;
  for (std::size_t i = 0; i < record_type_count; ++i) {
    auto raw = impl_->get_raw(impl_->cf(keys::cf_meta),
                              count_key(static_cast<record_type>(i)));
    if (!raw)
      return raw.error();
    if (*raw) {
      auto v = keys::decode_be64(**raw);
      if (!v)
        return corrupt("bad count in meta");
      out.by_type[i] = *v;
    }
  }
  return out;
}

result<std::optional<project_checkpoint>>
store::get_checkpoint(std::string_view project_key) {
  if (project_key.empty())
    return std::optional<project_checkpoint>{};
  auto raw = impl_->get_raw(impl_->cf(keys::cf_checkpoints), project_key);
  if (!raw)
    return raw.error();
  if (!*raw)
    return std::optional<project_checkpoint>{};
  auto v = parse_json(**raw);
  std::optional<project_checkpoint> c;
  if (v)
    c = project_checkpoint_from_json(*v);
  if (!c)
    return corrupt("unreadable checkpoint of " + std::string(project_key));
  return c;
}

result<std::vector<project_checkpoint>> store::checkpoints() {
  std::vector<project_checkpoint> out;
  std::unique_ptr<rocksdb::Iterator> it{impl_->db->NewIterator(
    rocksdb::ReadOptions{}, impl_->cf(keys::cf_checkpoints))};
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    auto v = parse_json(it->value().ToStringView());
    std::optional<project_checkpoint> c;
    if (v)
      c = project_checkpoint_from_json(*v);
    if (!c)
      return corrupt("unreadable checkpoint of " + it->key().ToString());
    out.push_back(std::move(*c));
  }
  if (!it->status().ok())
    return from_status(it->status(), "iterate checkpoints");
  return out;
}

result<std::optional<sync_checkpoint>> store::get_sync_checkpoint() {
  auto raw = impl_->get_raw(impl_->cf(keys::cf_meta), keys::meta_sync);
  if (!raw)
    return raw.error();
  if (!*raw)
    return std::optional<sync_checkpoint>{};
  auto v = parse_json(**raw);
  std::optional<sync_checkpoint> c;
  if (v)
    c = sync_checkpoint_from_json(*v);
  if (!c)
    return corrupt("unreadable sync checkpoint");
  return c;
}

result<std::optional<std::string>> store::get_meta(std::string_view key) {
  std::string k{keys::meta_user_prefix};
  k += key;
  return impl_->get_raw(impl_->cf(keys::cf_meta), k);
}

} // namespace jirasync::storage
