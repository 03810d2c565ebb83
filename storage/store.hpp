#pragma once
// jirasync::storage::store — the thin owner of the RocksDB database holding
// the synced copy of a Jira site: records, content-addressed ACLs, the change
// feed, checkpoints and meta data, plus the attachment blob store on disk.
// Column families and key encodings: storage/keys.hpp; overview:
// storage/README.md.
//
// Thread-safety: a store may be shared by threads. Reads (get_*, for_each_*,
// counts, checkpoints, feed) run concurrently with each other and with
// apply(); they see a consistent state per call only for single gets (the
// iterators of one for_each_* call read one snapshot). apply() is serialized
// by an internal mutex; by design the store_writer actor is its only caller.
// Expected failures (I/O, full disk, corruption, lock held, bad input) are
// returned as common::error values (common/error.hpp), never thrown; the
// codes used: not_found, locked, schema_too_new, no_space, io_error,
// corruption, invalid_argument, read_only.

#include "common/error.hpp"
#include "storage/records.hpp"

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace jirasync::storage {

// --- checkpoints
// ---------------------------------------------------------------------

/// Where the incremental sync of one project stands. Stored under the
/// project key; written in the same batch as the page of records it covers.
struct project_checkpoint {
  std::string project_key;
  std::string project_id;
  /// Max `updated` (ms since epoch) over fully committed pages. Default: 0.
  std::int64_t last_updated_ms = 0;
  /// Id of the last issue committed (tie-break inside the same ms).
  /// Default: "".
  std::string last_issue_id;
  /// config::filters_hash() of the filters this checkpoint was made with.
  /// Default: "".
  std::string filters_hash;
  /// True once a full sync of the project completed. While false, a full
  /// pass is in progress: `last_issue_id` is where its committed prefix
  /// ends (resume point) and `last_updated_ms` the high-water mark taken
  /// when the pass began. Default: false.
  bool full_sync_done = false;
  /// Fingerprint of the permission data the project's ACLs were computed
  /// from (sync::access_fingerprint); "" when unknown. Default: "".
  std::string access_hash;
  /// When the checkpoint was written (ms since epoch). Default: 0.
  std::int64_t synced_at_ms = 0;

  friend bool operator==(const project_checkpoint&, const project_checkpoint&)
    = default;
};

/// The state of the latest sync run (one global record).
struct sync_checkpoint {
  /// "full" | "incremental". Default: "full".
  std::string mode = "full";
  /// Default: 0.
  std::int64_t started_at_ms = 0;
  /// 0 while running. Default: 0.
  std::int64_t finished_at_ms = 0;
  /// Default: "".
  std::string filters_hash;
  /// "running" | "ok" | "partial" | "failed". Default: "running".
  std::string result = "running";
  /// One-line reason when result is "partial" or "failed". Default: "".
  std::string error;
  /// Records added/updated/unchanged/deleted in the run. Default: 0.
  std::uint64_t added = 0;
  std::uint64_t updated = 0;
  std::uint64_t unchanged = 0;
  std::uint64_t deleted = 0;
  /// Free-form counters (requests, rate_limit_waits, ...). Default: {}.
  std::map<std::string, std::int64_t> counters;

  friend bool operator==(const sync_checkpoint&, const sync_checkpoint&)
    = default;
};

boost::json::object to_json(const project_checkpoint&);
std::optional<project_checkpoint>
project_checkpoint_from_json(const boost::json::value&);
boost::json::object to_json(const sync_checkpoint&);
std::optional<sync_checkpoint>
sync_checkpoint_from_json(const boost::json::value&);

// --- writes
// ------------------------------------------------------------------------------

/// Everything one apply() commits atomically (ONE rocksdb::WriteBatch).
/// Processing order: acls (made known), texts, upserts (in order), deletes
/// (in order), checkpoints, meta; then ACLs left without referrers are
/// dropped.
struct write_batch_spec {
  /// ACLs named by the upserts. An upsert naming an ACL id that is neither
  /// stored nor listed here fails the whole batch (invalid_argument).
  /// Listing extra or already stored ACLs is harmless.
  std::vector<acl_record> acls;
  /// Texts of attachment contents to store (replacing the text stored for
  /// the same sha256). A new or changed text emits an upsert feed entry
  /// for every stored attachment with that content (its export line, text
  /// joined), so an indexer learns of a text that comes after its record.
  /// `status` must not be empty and `sha256` must be 64 lower-case hex
  /// digits (invalid_argument otherwise). Default: {}.
  std::vector<attachment_text> texts;
  /// Records to insert or replace. Unchanged ones (same fingerprint) cost
  /// nothing and emit no feed entry.
  std::vector<any_record> upserts;
  /// Issues whose comments and attachments in this batch are ALL of them:
  /// stored comments and attachments of these issues that the batch does
  /// not upsert (and that are not in `keep`) are deleted, with feed
  /// entries. Processed after the upserts. Default: {}.
  struct exact_children {
    std::string issue_id;
    /// Children to keep although not upserted (e.g. an attachment whose
    /// download failed this time: it is reported, not dropped).
    std::vector<std::string> keep;
  };
  std::vector<exact_children> exact_children_of;
  /// Records to delete (type + id). Deleting an issue also deletes its
  /// comments and attachments; deleting a project also deletes its issues
  /// (cascading). Unknown ids are ignored. ACLs cannot be deleted directly:
  /// they go away with their last referrer. The text of a content goes
  /// with the last attachment that has it (deleted, or upserted with
  /// another sha256); a text written later for a content no attachment
  /// has is kept (an attachment with that content may come) and shown by
  /// nothing.
  std::vector<record_key> deletes;
  /// Per-project checkpoints to store (replacing the previous one).
  std::vector<project_checkpoint> checkpoints;
  /// Project checkpoints to remove (by project key).
  std::vector<std::string> checkpoint_deletes;
  /// The global sync checkpoint, if it changes in this batch.
  std::optional<sync_checkpoint> sync;
  /// Free meta entries (key → value) for callers; stored under "user." so
  /// they cannot clash with the store's own keys. Default: {}.
  std::map<std::string, std::string> meta;
};

/// Per-type outcome of an apply().
struct type_counts {
  std::uint64_t added = 0;
  std::uint64_t updated = 0;
  std::uint64_t unchanged = 0;
  std::uint64_t deleted = 0;

  friend bool operator==(const type_counts&, const type_counts&) = default;
};

struct apply_summary {
  /// Indexed by static_cast<size_t>(record_type). Cascaded deletes are
  /// counted under their own type; ACLs under record_type::acl.
  std::array<type_counts, record_type_count> by_type{};
  /// Texts stored new or changed (unchanged ones cost nothing).
  std::uint64_t texts_written = 0;
  /// Feed sequence numbers written by this batch: [first_seq, last_seq];
  /// both 0 when nothing was emitted.
  std::uint64_t first_seq = 0;
  std::uint64_t last_seq = 0;

  const type_counts& operator[](record_type t) const {
    return by_type[static_cast<std::size_t>(t)];
  }
  type_counts& operator[](record_type t) {
    return by_type[static_cast<std::size_t>(t)];
  }
  /// Number of feed entries written.
  std::uint64_t feed_entries() const {
    return last_seq == 0 ? 0 : last_seq - first_seq + 1;
  }
};

/// Number of live records per type (kept exactly, in the same batches).
struct record_counts {
  std::array<std::uint64_t, record_type_count> by_type{};

  std::uint64_t operator[](record_type t) const {
    return by_type[static_cast<std::size_t>(t)];
  }
};

/// What the store's RocksDB holds in memory now (RocksDB's own estimates),
/// for the debug log of a run and the memory budget (bench/results/
/// analysis.md). Every figure in bytes.
struct memory_usage {
  /// Memtables of every column family: active, immutable and those kept
  /// for history (rocksdb.size-all-mem-tables, summed).
  std::uint64_t memtables = 0;
  /// The memtables' budget (open_options::memtable_bytes).
  std::uint64_t memtable_budget = 0;
  /// Table readers outside the block cache (rocksdb.estimate-table-readers-
  /// mem, summed): with index and filter blocks in the cache this is the
  /// readers' own small state, one per open table file.
  std::uint64_t table_readers = 0;
  /// The shared block cache: in use (the memtables' charge included), of
  /// it pinned, and its capacity (open_options::cache_bytes).
  std::uint64_t block_cache = 0;
  std::uint64_t block_cache_pinned = 0;
  std::uint64_t block_cache_capacity = 0;
  /// Live table files (SST) and their bytes on disk.
  std::uint64_t table_files = 0;
  std::uint64_t table_bytes = 0;
};

// --- the store
// -------------------------------------------------------------------------------

struct open_options {
  /// Create the store (directory, column families, schema version) when
  /// missing. Default: true.
  bool create_if_missing = true;
  /// Open without taking the lock and without writing (export, status,
  /// who-can-see can run while a sync holds the store). Default: false.
  bool read_only = false;
  /// fsync the WAL on every apply() (survives power loss, not only process
  /// crashes). Default: true.
  bool sync_writes = true;
  /// RocksDB's memory budget, the same however large the store grows
  /// (docs/architecture.md, "Memory"): one block cache of `cache_bytes`
  /// for the data, index and filter blocks of every column family, into
  /// which the memtables of all column families are charged, at most
  /// `memtable_bytes` of them (flushed as they near it). So
  /// RocksDB's blocks and memtables together stay near `cache_bytes`.
  /// Each column family's memtable is a quarter of `memtable_bytes`, so
  /// that one busy family flushes before it fills the budget alone.
  /// Defaults: 48 MiB, of which memtables at most 32 MiB. memtable_bytes
  /// is capped at cache_bytes.
  std::uint64_t cache_bytes = std::uint64_t{48} << 20;
  std::uint64_t memtable_bytes = std::uint64_t{32} << 20;
};

/// Current on-disk schema version (meta "schema_version").
inline constexpr std::int64_t schema_version = 1;

class store {
public:
  /// Opens (or creates) the store at `path`. Unless read_only: the store
  /// directory is made 0700 and every file in it 0600, directories 0700
  /// (also in stores made by earlier versions), the process umask becomes
  /// 077 (files RocksDB makes later are 0600 whatever the caller's umask
  /// was), and blobs/tmp is emptied. Errors: not_found (missing and
  /// !create_if_missing, or read_only), locked ("store is in use by another
  /// jirasync process"), schema_too_new, io_error, no_space, corruption.
  static common::result<std::unique_ptr<store>>
  open(const std::filesystem::path& path, open_options opts = {});

  ~store();
  store(const store&) = delete;
  store& operator=(const store&) = delete;

  const std::filesystem::path& path() const noexcept;
  bool read_only() const noexcept;

  // -- writes (single writer: the store_writer actor) ----------------------

  /// Commits `spec` in one WriteBatch (records, cascades, index entries, ACL
  /// refcounts, feed entries, counters, checkpoints, meta, feed seq). On
  /// error nothing is written.
  common::result<apply_summary> apply(const write_batch_spec& spec);

  /// Moves a fully written temp file (under blob_tmp_dir()) to
  /// blob_path(sha256) with an atomic rename; when the blob already exists
  /// the temp file is deleted instead. `sha256` must be 64 lower-case hex
  /// digits (not re-verified against the content). Durable before it
  /// returns: the file is made 0600 and fsynced, then renamed, then its
  /// directory (and a newly made shard directory's parent) is fsynced - so
  /// a record naming the blob, committed afterwards, never names a blob
  /// lost in a power cut.
  common::result<void> adopt_blob(const std::filesystem::path& tmp_path,
                                  std::string_view sha256);

  /// The text of the blob `sha256`: its first `max_bytes` bytes, read by
  /// streaming (never the whole file), cut at a UTF-8 character boundary,
  /// invalid UTF-8 replaced with U+FFFD. Text is keyed by the blob (one
  /// copy per content, however many attachments share it). Errors:
  /// not_found (no such blob), io_error.
  common::result<std::string> read_blob_text(std::string_view sha256,
                                             std::uint64_t max_bytes) const;

  /// The text stored for the content `sha256` (write_batch_spec::texts);
  /// nullopt when there is none yet. Errors: corruption, io_error.
  common::result<std::optional<attachment_text>>
  get_attachment_text(std::string_view sha256) const;

  /// Stored attachments whose content is stored (content_stored) but has
  /// no text yet: one attachment per distinct sha256, in sha256 order, at
  /// most `max`. What a run left unextracted (killed, or a store made by
  /// an earlier version) is found here.
  common::result<std::vector<attachment_record>>
  attachments_without_text(std::size_t max) const;

  /// `<path>/blobs/tmp/` (created by open unless read_only; emptied by
  /// open: a partial download left by a killed run is never adopted).
  std::filesystem::path blob_tmp_dir() const;
  /// `<path>/blobs/<sha256[0:2]>/<sha256>`.
  std::filesystem::path blob_path(std::string_view sha256) const;
  bool has_blob(std::string_view sha256) const;

  /// Deletes blobs that no stored attachment names (by sha256) and temp
  /// files, skipping anything modified less than `min_age_secs` ago (a
  /// download may adopt a blob before its attachment record is written).
  /// Returns the number of files removed. Default min_age_secs: 3600.
  common::result<std::uint64_t>
  collect_unreferenced_blobs(std::int64_t min_age_secs = 3600);

  // -- point reads ---------------------------------------------------------

  common::result<std::optional<user_record>>
  get_user(std::string_view account_id);
  common::result<std::optional<group_record>> get_group(std::string_view id);
  common::result<std::optional<project_record>>
  get_project(std::string_view id);
  /// Linear in the number of projects (there are few).
  common::result<std::optional<project_record>>
  get_project_by_key(std::string_view key);
  common::result<std::optional<issue_record>> get_issue(std::string_view id);
  common::result<std::optional<issue_record>>
  get_issue_by_key(std::string_view key);
  common::result<std::optional<comment_record>>
  get_comment(std::string_view id);
  common::result<std::optional<attachment_record>>
  get_attachment(std::string_view id);
  common::result<std::optional<acl_record>> get_acl(std::string_view id);
  /// Number of stored records naming the ACL (0 when unknown).
  common::result<std::uint64_t> acl_refcount(std::string_view id);

  // -- streaming reads (id order = numeric for numeric ids; constant
  //    memory; the callback returns false to stop early) --------------------

  template<class T>
  using visitor = std::function<bool(const T&)>;

  common::result<void> for_each_user(const visitor<user_record>& fn);
  common::result<void> for_each_group(const visitor<group_record>& fn);
  common::result<void> for_each_project(const visitor<project_record>& fn);
  common::result<void> for_each_issue(const visitor<issue_record>& fn);
  common::result<void> for_each_comment(const visitor<comment_record>& fn);
  common::result<void>
  for_each_attachment(const visitor<attachment_record>& fn);
  common::result<void> for_each_acl(const visitor<acl_record>& fn);
  /// Issues of one project (by project id), in issue id order.
  common::result<void>
  for_each_issue_of_project(std::string_view project_id,
                            const visitor<issue_record>& fn);
  /// Ids only (for deletion reconciliation), in id order.
  common::result<std::vector<std::string>>
  issue_ids_of_project(std::string_view project_id);
  /// Distinct project ids that have issues in the store, in id order
  /// (includes projects whose project record is missing).
  common::result<std::vector<std::string>> project_ids_with_issues();
  common::result<std::vector<comment_record>>
  comments_of_issue(std::string_view id);
  common::result<std::vector<attachment_record>>
  attachments_of_issue(std::string_view id);

  /// Feed entries with seq > after_seq, in seq order; `line` is the export
  /// line `{"seq":N,"op":...,"record":{...}}` (no newline).
  common::result<void> for_each_feed(
    std::uint64_t after_seq,
    const std::function<bool(std::uint64_t seq, std::string_view line)>& fn);
  /// Highest seq written so far (0 when the feed is empty).
  common::result<std::uint64_t> last_seq();

  // -- counts, checkpoints, meta -----------------------------------------

  common::result<record_counts> counts();
  common::result<std::optional<project_checkpoint>>
  get_checkpoint(std::string_view project_key);
  /// All project checkpoints, by project key.
  common::result<std::vector<project_checkpoint>> checkpoints();
  common::result<std::optional<sync_checkpoint>> get_sync_checkpoint();
  /// A caller meta entry (write_batch_spec::meta).
  common::result<std::optional<std::string>> get_meta(std::string_view key);

  /// RocksDB's memory now (cheap: a few property reads, no I/O).
  memory_usage memory() const;

  /// Implementation detail, defined in store_impl.hpp (public only so that
  /// the helpers of the store_*.cpp files can name it).
  struct impl;

private:
  explicit store(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

/// Test seams (never set in production code).
namespace testing {
/// Called after each successful fsync of the blob store (file or
/// directory). Default: empty.
extern std::function<void(const std::filesystem::path&)> on_fsync;
} // namespace testing

} // namespace jirasync::storage
