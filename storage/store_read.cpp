// store: reads (point reads, streaming iteration in id order, the feed,
// counts, checkpoints, meta).
#include "storage/store_impl.hpp"

#include <algorithm>

namespace jirasync::storage {

using namespace detail;

common::result<std::optional<user_record>>
store::get_user(std::string_view id) {
  return impl_->get_typed<user_record>(record_type::user, id, user_from_json);
}

common::result<std::optional<group_record>>
store::get_group(std::string_view id) {
  return impl_->get_typed<group_record>(record_type::group, id,
                                        group_from_json);
}

common::result<std::optional<project_record>>
store::get_project(std::string_view id) {
  return impl_->get_typed<project_record>(record_type::project, id,
                                          project_from_json);
}

common::result<std::optional<project_record>>
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

common::result<std::optional<issue_record>>
store::get_issue(std::string_view id) {
  return impl_->get_typed<issue_record>(record_type::issue, id,
                                        issue_from_json);
}

common::result<std::optional<issue_record>>
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

common::result<std::optional<comment_record>>
store::get_comment(std::string_view id) {
  return impl_->get_typed<comment_record>(record_type::comment, id,
                                          comment_from_json);
}

common::result<std::optional<attachment_record>>
store::get_attachment(std::string_view id) {
  return impl_->get_typed<attachment_record>(record_type::attachment, id,
                                             attachment_from_json);
}

common::result<std::optional<acl_record>> store::get_acl(std::string_view id) {
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

common::result<std::uint64_t> store::acl_refcount(std::string_view id) {
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

common::result<void> store::for_each_user(const visitor<user_record>& fn) {
  return impl_->for_each_typed<user_record>(record_type::user, user_from_json,
                                            fn);
}

common::result<void> store::for_each_group(const visitor<group_record>& fn) {
  return impl_->for_each_typed<group_record>(record_type::group,
                                             group_from_json, fn);
}

common::result<void>
store::for_each_project(const visitor<project_record>& fn) {
  return impl_->for_each_typed<project_record>(record_type::project,
                                               project_from_json, fn);
}

common::result<void> store::for_each_issue(const visitor<issue_record>& fn) {
  return impl_->for_each_typed<issue_record>(record_type::issue,
                                             issue_from_json, fn);
}

common::result<void>
store::for_each_comment(const visitor<comment_record>& fn) {
  return impl_->for_each_typed<comment_record>(record_type::comment,
                                               comment_from_json, fn);
}

common::result<void>
store::for_each_attachment(const visitor<attachment_record>& fn) {
  return impl_->for_each_typed<attachment_record>(record_type::attachment,
                                                  attachment_from_json, fn);
}

common::result<void> store::for_each_acl(const visitor<acl_record>& fn) {
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

common::result<void>
store::for_each_issue_of_project(std::string_view project_id,
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

common::result<std::vector<std::string>>
store::issue_ids_of_project(std::string_view project_id) {
  return impl_->children(keys::cf_issues_by_project, project_id);
}

common::result<std::vector<std::string>> store::project_ids_with_issues() {
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
common::result<std::vector<T>>
children_of(store::impl& s, std::string_view index_cf, record_type t,
            std::string_view parent, Parse parse) {
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

common::result<std::vector<comment_record>>
store::comments_of_issue(std::string_view id) {
  return children_of<comment_record>(*impl_, keys::cf_comments_by_issue,
                                     record_type::comment, id,
                                     comment_from_json);
}

common::result<std::vector<attachment_record>>
store::attachments_of_issue(std::string_view id) {
  return children_of<attachment_record>(*impl_, keys::cf_attachments_by_issue,
                                        record_type::attachment, id,
                                        attachment_from_json);
}

common::result<void> store::for_each_feed(
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

common::result<std::uint64_t> store::last_seq() {
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

common::result<record_counts> store::counts() {
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

common::result<std::optional<project_checkpoint>>
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

common::result<std::vector<project_checkpoint>> store::checkpoints() {
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

common::result<std::optional<sync_checkpoint>> store::get_sync_checkpoint() {
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

common::result<std::optional<std::string>>
store::get_meta(std::string_view key) {
  std::string k{keys::meta_user_prefix};
  k += key;
  return impl_->get_raw(impl_->cf(keys::cf_meta), k);
}

} // namespace jirasync::storage

namespace jirasync::storage {

common::result<std::optional<attachment_text>>
store::get_attachment_text(std::string_view sha256) const {
  auto* h = impl_->cf_if_open(keys::cf_attachment_texts);
  if (!h || !valid_id(sha256))
    return std::optional<attachment_text>{};
  auto raw = impl_->get_raw(h, sha256);
  if (!raw)
    return raw.error();
  return decode_attachment_text(*raw, sha256);
}

common::result<std::vector<attachment_record>>
store::attachments_without_text(std::size_t max) const {
  std::vector<attachment_record> out;
  auto* index = impl_->cf_if_open(keys::cf_attachments_by_sha);
  if (!index || max == 0)
    return out;
  std::unique_ptr<rocksdb::Iterator> it{
    impl_->db->NewIterator(rocksdb::ReadOptions{}, index)};
  std::string last_sha;
  for (it->SeekToFirst(); it->Valid() && out.size() < max; it->Next()) {
    auto rest = it->key().ToStringView();
    auto sha = keys::decode_id(rest);
    auto id = sha ? keys::decode_id(rest) : std::nullopt;
    if (!id || !rest.empty())
      return corrupt("bad key in " + std::string(keys::cf_attachments_by_sha));
    if (*sha == last_sha)
      continue; // one attachment per content is enough
    auto text = get_attachment_text(*sha);
    if (!text)
      return text.error();
    if (*text) {
      last_sha = *sha;
      continue;
    }
    auto rec = impl_->get_typed<attachment_record>(record_type::attachment, *id,
                                                   attachment_from_json);
    if (!rec)
      return rec.error();
    // An index entry whose record is gone, or content not (yet) stored:
    // another attachment with this content may do.
    if (!*rec || !(*rec)->content_stored || (*rec)->sha256 != *sha)
      continue;
    last_sha = *sha;
    out.push_back(std::move(**rec));
  }
  if (!it->status().ok())
    return from_status(it->status(), "iterate attachments by content");
  return out;
}

} // namespace jirasync::storage
