#pragma once
// The ONE place that defines the store's column families and key encodings.
// Every encoding sorts with RocksDB's default bytewise comparator in the order
// we want to iterate: numbers numerically, sequences in sequence order.
//
// Ids (encode_id): Jira ids are decimal numbers as strings ("10042"). An id
// that is a canonical decimal number (no leading zero, fits in 64 bits) is
//   0x00 + 8-byte big-endian unsigned value                   (9 bytes)
// anything else (accountIds, group UUIDs, ACL hashes, odd ids) is
//   0x01 + the id's bytes + 0x00 (self-delimiting)
// so numeric ids sort numerically and before all other ids, and encoded ids
// can be concatenated into composite keys. Ids must not contain NUL bytes.
//
// Column families (value = serialized JSON unless noted):
//   users        enc(account_id)                 → user record
//   groups       enc(group id)                   → group record
//   projects     enc(project id)                 → project record
//   issues       enc(issue id)                   → issue record (stored form)
//   comments     enc(comment id)                 → comment record
//   attachments  enc(attachment id)              → attachment record (stored)
//   acls         enc(acl id)                     → {"anyone","users","refs"}
//   feed         be64(seq)                       → the feed line
//   checkpoints  project key bytes               → project_checkpoint JSON
//   meta         ASCII name                      → value (see meta_* below)
//   issue_keys   issue key bytes ("ABC-1")       → issue id
//   issues_by_project    enc(project id) enc(issue id)       → ""
//   comments_by_issue    enc(issue id) enc(comment id)       → ""
//   attachments_by_issue enc(issue id) enc(attachment id)    → ""
//   attachments_by_sha   enc(sha256) enc(attachment id)      → ""
//   attachment_texts     sha256 (64 hex digits)      → attachment_text JSON
//
// Thread-safety: pure functions.

#include "storage/records.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace jirasync::storage::keys {

// Column family names (the on-disk format; never rename).
inline constexpr std::string_view cf_users = "users";
inline constexpr std::string_view cf_groups = "groups";
inline constexpr std::string_view cf_projects = "projects";
inline constexpr std::string_view cf_issues = "issues";
inline constexpr std::string_view cf_comments = "comments";
inline constexpr std::string_view cf_attachments = "attachments";
inline constexpr std::string_view cf_acls = "acls";
inline constexpr std::string_view cf_feed = "feed";
inline constexpr std::string_view cf_checkpoints = "checkpoints";
inline constexpr std::string_view cf_meta = "meta";
inline constexpr std::string_view cf_issue_keys = "issue_keys";
inline constexpr std::string_view cf_issues_by_project = "issues_by_project";
inline constexpr std::string_view cf_comments_by_issue = "comments_by_issue";
inline constexpr std::string_view cf_attachments_by_issue
  = "attachments_by_issue";

inline constexpr std::string_view cf_attachments_by_sha = "attachments_by_sha";
inline constexpr std::string_view cf_attachment_texts = "attachment_texts";

/// The record CF of each record_type, indexed by its numeric value.
inline constexpr std::array<std::string_view, record_type_count> record_cfs{
  cf_users,    cf_groups,      cf_projects, cf_issues,
  cf_comments, cf_attachments, cf_acls,
};

// Meta keys.
/// Decimal schema version (store.hpp: schema_version).
inline constexpr std::string_view meta_schema_version = "schema_version";
/// be64 of the last feed seq written.
inline constexpr std::string_view meta_feed_seq = "feed_seq";
/// "count." + record type name → be64 live count.
inline constexpr std::string_view meta_count_prefix = "count.";
/// The global sync_checkpoint JSON.
inline constexpr std::string_view meta_sync = "sync";
/// Present once attachments_by_sha indexes every stored attachment (stores
/// made before that index existed get it built when opened for writing).
inline constexpr std::string_view meta_sha_index = "index.attachments_by_sha";
/// Caller entries (write_batch_spec::meta) live under this prefix.
inline constexpr std::string_view meta_user_prefix = "user.";

/// Encodes an id as described above.
std::string encode_id(std::string_view id);

/// Decodes one id from the front of `in` and removes it from `in`; nullopt
/// when `in` does not start with a valid encoding.
std::optional<std::string> decode_id(std::string_view& in);

/// 8-byte big-endian.
std::string encode_be64(std::uint64_t v);
/// nullopt unless exactly 8 bytes.
std::optional<std::uint64_t> decode_be64(std::string_view in);

/// enc(parent) + enc(child): the index keys of *_by_* CFs.
std::string encode_pair(std::string_view parent, std::string_view child);

} // namespace jirasync::storage::keys
