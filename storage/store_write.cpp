// store: apply(), the write path. One write_batch_spec becomes ONE
// rocksdb::WriteBatch (built through a WriteBatchWithIndex so that the batch
// reads its own writes) committed with one Write.
#include "storage/store_impl.hpp"

#include "storage/record_limits.hpp"

#include <rocksdb/utilities/write_batch_with_index.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <array>

namespace json = boost::json;

namespace jirasync::storage {

using namespace detail;

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

  common::result<void> run(const write_batch_spec& spec) {
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
    // Texts first: an attachment upserted in this batch then joins its text
    // in its own feed line.
    for (const auto& t : spec.texts)
      JS_TRY(put_text(t));
    for (const auto& r : spec.upserts)
      JS_TRY(upsert(r));
    for (const auto& x : spec.exact_children_of)
      JS_TRY(drop_other_children(spec, x));
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

  common::result<std::optional<std::string>> get(std::string_view cf_name,
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

  common::result<void> put(std::string_view cf_name, std::string_view key,
                           std::string_view value) {
    auto s = wb_.Put(s_.cf(cf_name), rocksdb::Slice(key.data(), key.size()),
                     rocksdb::Slice(value.data(), value.size()));
    if (!s.ok())
      return from_status(s, "batch put");
    return {};
  }

  common::result<void> del(std::string_view cf_name, std::string_view key) {
    auto s = wb_.Delete(s_.cf(cf_name), rocksdb::Slice(key.data(), key.size()));
    if (!s.ok())
      return from_status(s, "batch delete");
    return {};
  }

  common::result<void> emit(std::string_view op, std::string_view record_json) {
    ++seq_;
    return put(keys::cf_feed, keys::encode_be64(seq_),
               feed_line(seq_, op, record_json));
  }

  common::result<std::vector<std::string>> children(std::string_view index_cf,
                                                    std::string_view parent) {
    auto prefix = keys::encode_id(parent);
    auto* h = s_.cf(index_cf);
    std::unique_ptr<rocksdb::Iterator> it{wb_.NewIteratorWithBase(
      h, s_.db->NewIterator(rocksdb::ReadOptions{}, h))};
    return collect_children(*it, prefix, index_cf);
  }

  // -- attachment texts ------------------------------------------------------

  common::result<std::optional<attachment_text>>
  text_of(const std::string& sha256) {
    if (!valid_id(sha256))
      return std::optional<attachment_text>{};
    auto raw = get(keys::cf_attachment_texts, sha256);
    if (!raw)
      return raw.error();
    return decode_attachment_text(*raw, sha256);
  }

  /// The export line of an attachment (its content's text joined).
  common::result<std::string> attachment_line(const attachment_record& a) {
    auto t = text_of(a.sha256);
    if (!t)
      return t.error();
    return json::serialize(to_export_json(a, *t ? &**t : nullptr));
  }

  common::result<void> put_text(const attachment_text& t) {
    if (t.sha256.size() != 64
        || t.sha256.find_first_not_of("0123456789abcdef") != std::string::npos)
      return invalid("text of content \"" + t.sha256
                     + "\": not a lower-case hex SHA-256");
    if (t.status.empty())
      return invalid("text of content " + t.sha256 + " has no status");
    auto stored = json::serialize(to_json(t));
    auto old = get(keys::cf_attachment_texts, t.sha256);
    if (!old)
      return old.error();
    if (*old && **old == stored)
      return {};
    JS_TRY(put(keys::cf_attachment_texts, t.sha256, stored));
    ++summary_.texts_written;
    // Every stored attachment with this content gets a feed entry: the text
    // reaches indexers whenever it comes.
    auto ids = children(keys::cf_attachments_by_sha, t.sha256);
    if (!ids)
      return ids.error();
    for (const auto& id : *ids) {
      auto rec = get_record(record_type::attachment, id);
      if (!rec)
        return rec.error();
      if (!*rec)
        continue;
      auto line = json::serialize(
        to_export_json(std::get<attachment_record>(**rec), &t));
      JS_TRY(emit("upsert", line));
    }
    return {};
  }

  /// The text of a content goes with the last attachment that has it (the
  /// batch's own writes count: an attachment upserted earlier in it with
  /// the same content keeps the text).
  common::result<void> drop_text_if_unreferenced(const std::string& sha256) {
    auto ids = children(keys::cf_attachments_by_sha, sha256);
    if (!ids)
      return ids.error();
    if (ids->empty())
      JS_TRY(del(keys::cf_attachment_texts, sha256));
    return {};
  }

  // Deletes the stored comments/attachments of x.issue_id that the batch
  // does not upsert and x.keep does not name.
  common::result<void>
  drop_other_children(const write_batch_spec& spec,
                      const write_batch_spec::exact_children& x) {
    auto kept = [&](record_type t, const std::string& id) {
      if (std::find(x.keep.begin(), x.keep.end(), id) != x.keep.end())
        return true;
      for (const auto& r : spec.upserts)
        if (type_of(r) == t && key_of(r).id == id)
          return true;
      return false;
    };
    for (auto [t, cf] :
         {std::pair{record_type::comment, keys::cf_comments_by_issue},
          std::pair{record_type::attachment, keys::cf_attachments_by_issue}}) {
      auto ids = children(cf, x.issue_id);
      if (!ids)
        return ids.error();
      for (const auto& id : *ids)
        if (!kept(t, id))
          JS_TRY(remove({t, id}));
    }
    return {};
  }

  // -- ACLs -------------------------------------------------------------------

  common::result<acl_state*> load_acl(const std::string& id) {
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

  common::result<void> ref_acl(const std::string& id, const record_key& by) {
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

  common::result<void> unref_acl(const std::string& id) {
    auto st = load_acl(id);
    if (!st)
      return st.error();
    // A dangling reference (should not happen) is tolerated: nothing to drop.
    if (*st && (*st)->refs > 0)
      --(*st)->refs;
    return {};
  }

  common::result<void> finish_acls() {
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

  common::result<void> finish_counts() {
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

  common::result<std::optional<any_record>> get_record(record_type t,
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

  common::result<void> upsert(const any_record& r) {
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
    // Whatever the store accepts it can read back (record_limits.hpp);
    // builders check the limits per record first, so this only trips on a
    // programming error.
    if (stored.size() > record_max_bytes)
      return invalid(std::string(to_string(t)) + " " + key.id + ": record of "
                     + std::to_string(stored.size()) + " bytes, larger than "
                     + std::to_string(record_max_bytes));
    if (auto back = parse_json(stored); !back || !record_from_json(*back))
      return invalid(std::string(to_string(t)) + " " + key.id
                     + ": would not read back");
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
    if (auto* a = std::get_if<attachment_record>(&r)) {
      auto line = attachment_line(*a);
      if (!line)
        return line.error();
      JS_TRY(emit("upsert", *line));
    } else {
      JS_TRY(emit("upsert", json::serialize(to_json(r))));
    }
    if (old) {
      ++counts.updated;
    } else {
      ++counts.added;
      ++count_delta_[static_cast<std::size_t>(t)];
    }
    return {};
  }

  common::result<void> update_indexes(const any_record& r,
                                      const any_record* old) {
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
      if (valid_id(a->sha256))
        JS_TRY(put(keys::cf_attachments_by_sha,
                   keys::encode_pair(a->sha256, a->id), ""));
      if (o && o->sha256 != a->sha256 && valid_id(o->sha256)) {
        JS_TRY(del(keys::cf_attachments_by_sha,
                   keys::encode_pair(o->sha256, a->id)));
        JS_TRY(drop_text_if_unreferenced(o->sha256));
      }
    }
    return {};
  }

  // Removes key→id only if the key still points at this issue (another
  // issue may have taken the key over).
  common::result<void> drop_issue_key(const std::string& issue_key,
                                      const std::string& id) {
    auto cur = get(keys::cf_issue_keys, issue_key);
    if (!cur)
      return cur.error();
    if (*cur && **cur == id)
      JS_TRY(del(keys::cf_issue_keys, issue_key));
    return {};
  }

  common::result<void> remove(const record_key& k) {
    if (k.type == record_type::acl)
      return invalid("ACL " + k.id
                     + " cannot be deleted directly (it goes with its last "
                       "referrer)");
    if (!valid_id(k.id))
      return {};
    auto old = get_record(k.type, k.id);
    if (!old)
      return old.error();
    if (!*old) {
      // Issues may outlive their project record (a project whose record was
      // never written): deleting the project still takes them.
      if (k.type == record_type::project) {
        auto ids = children(keys::cf_issues_by_project, k.id);
        if (!ids)
          return ids.error();
        for (const auto& id : *ids)
          JS_TRY(remove({record_type::issue, id}));
      }
      return {};
    }
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
        if (valid_id(a.sha256)) {
          JS_TRY(del(keys::cf_attachments_by_sha,
                     keys::encode_pair(a.sha256, a.id)));
          JS_TRY(drop_text_if_unreferenced(a.sha256));
        }
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

common::result<apply_summary> store::impl::apply(const write_batch_spec& spec) {
  if (opts.read_only)
    return common::make_error(common::errc::read_only,
                              "the store is open read-only");
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

common::result<apply_summary> store::apply(const write_batch_spec& spec) {
  return impl_->apply(spec);
}

} // namespace jirasync::storage
