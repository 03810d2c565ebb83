#pragma once
// The connector's normalized records: what the pipeline writes into the store
// and what `jirasync export` prints. to_json() of each record is EXACTLY its
// export line of docs/export-format.md (field order included); the stored form
// (to_stored_json) adds internal fields that are never exported.
//
// Thread-safety: plain values and pure functions.

#include <boost/json/value.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace jirasync::storage {

// --- record types
// --------------------------------------------------------------

/// Every kind of record the store holds. The numeric values are part of the
/// on-disk format (keys.hpp); never renumber.
enum class record_type : std::uint8_t {
  user = 0,
  group = 1,
  project = 2,
  issue = 3,
  comment = 4,
  attachment = 5,
  acl = 6,
};

/// Number of record_type values.
inline constexpr std::size_t record_type_count = 7;

/// "user", "group", "project", "issue", "comment", "attachment", "acl".
std::string_view to_string(record_type);

/// Inverse of to_string; nullopt for anything else.
std::optional<record_type> parse_record_type(std::string_view);

/// Identity of a record: its type plus Jira's own id (accountId for users,
/// the content hash for ACLs).
struct record_key {
  record_type type = record_type::issue;
  std::string id;

  friend bool operator==(const record_key&, const record_key&) = default;
};

// --- the records
// -----------------------------------------------------------------

/// A reference to a user inside another record:
/// `{"account_id","email"(null when hidden),"display_name"}`.
struct user_ref {
  std::string account_id;
  /// Default: nullopt (hidden by the user's privacy settings).
  std::optional<std::string> email;
  std::string display_name;

  friend bool operator==(const user_ref&, const user_ref&) = default;
};

/// `{"type":"user","id","account_id","email"|null,"display_name","active",
/// "account_type"}`. "id" repeats account_id (the export format: every record
/// has an id; deletes name users by it).
struct user_record {
  std::string account_id;
  /// Default: nullopt (hidden).
  std::optional<std::string> email;
  std::string display_name;
  /// Default: true.
  bool active = true;
  /// "atlassian" | "app" | "customer". Default: "atlassian".
  std::string account_type = "atlassian";

  friend bool operator==(const user_record&, const user_record&) = default;
};

/// `{"type":"group","id","name","members":[accountId...]}`; members sorted.
struct group_record {
  std::string id;
  std::string name;
  /// Sorted, unique accountIds (to_json sorts a copy anyway).
  std::vector<std::string> members;

  friend bool operator==(const group_record&, const group_record&) = default;
};

/// `{"type":"project","id","key","name","lead":User|null,"acl":A}`
struct project_record {
  std::string id;
  std::string key;
  std::string name;
  /// Default: nullopt.
  std::optional<user_ref> lead;
  /// The id of the ACL (acl_record::id) of this project.
  std::string acl;

  friend bool operator==(const project_record&, const project_record&)
    = default;
};

/// `{"type":"issue","id","key","project_key","summary","markdown","status",
/// "status_category","priority","labels":[],"issue_type","parent_key"|null,
/// "reporter":User|null,"assignee":User|null,"created","updated",
/// "security_level"|null,"custom_fields":{name: value},"url","acl":A}`
struct issue_record {
  std::string id;
  std::string key;
  std::string project_key;
  /// Internal (not exported): groups issues by project in the store.
  std::string project_id;
  std::string summary;
  /// The description rendered per docs/export-format.md ("The markdown field").
  std::string markdown;
  std::string status;
  /// "new" | "indeterminate" | "done" (Jira's statusCategory key).
  std::string status_category;
  /// Default: nullopt (exported as null).
  std::optional<std::string> priority;
  std::vector<std::string> labels;
  std::string issue_type;
  /// Default: nullopt.
  std::optional<std::string> parent_key;
  /// Default: nullopt.
  std::optional<user_ref> reporter;
  /// Default: nullopt.
  std::optional<user_ref> assignee;
  /// Milliseconds since the epoch (UTC).
  std::int64_t created_ms = 0;
  std::int64_t updated_ms = 0;
  /// Name of the issue security level. Default: nullopt.
  std::optional<std::string> security_level;
  /// Internal (not exported): the level's id, to recompute the ACL from the
  /// store when the project's permissions change. Default: nullopt.
  std::optional<std::string> security_level_id;
  /// Custom field name → value (exported in name order).
  std::map<std::string, boost::json::value> custom_fields;
  /// Browse link, e.g. "https://acme.atlassian.net/browse/ABC-1".
  std::string url;
  std::string acl;

  friend bool operator==(const issue_record&, const issue_record&) = default;
};

/// A comment's restriction: `{"type":"group"|"role","identifier"}`.
struct comment_visibility {
  /// "group" | "role".
  std::string type;
  /// Group id/name or role id/name as Jira gives it.
  std::string identifier;

  friend bool operator==(const comment_visibility&, const comment_visibility&)
    = default;
};

/// `{"type":"comment","id","issue_id","author":User|null,"markdown","created",
/// "updated","visibility":null|{"type","identifier"},"acl":A}`
struct comment_record {
  std::string id;
  std::string issue_id;
  /// Default: nullopt.
  std::optional<user_ref> author;
  std::string markdown;
  std::int64_t created_ms = 0;
  std::int64_t updated_ms = 0;
  /// Default: nullopt (visible to everybody who sees the issue).
  std::optional<comment_visibility> visibility;
  std::string acl;

  friend bool operator==(const comment_record&, const comment_record&)
    = default;
};

/// `{"type":"attachment","id","issue_id","filename","mime_type","size",
/// "sha256","created","author":User|null,"text":null|string,"acl":A}`
struct attachment_record {
  std::string id;
  std::string issue_id;
  std::string filename;
  std::string mime_type;
  /// Default: 0.
  std::int64_t size_bytes = 0;
  /// Lower-case hex SHA-256 of the content ("" while not downloaded). Also
  /// the blob store's name for the content (store::blob_path).
  std::string sha256;
  std::int64_t created_ms = 0;
  /// Default: nullopt.
  std::optional<user_ref> author;
  /// Extracted text (text-like attachments). Default: nullopt.
  std::optional<std::string> text;
  std::string acl;
  /// Internal (not exported): true once the content is in the blob store
  /// under `sha256`. Default: false.
  bool content_stored = false;

  friend bool operator==(const attachment_record&, const attachment_record&)
    = default;
};

/// `{"type":"acl","id":A,"anyone":bool,"users":[accountId...]}`. Content
/// addressed: id == acl_id(*this). Build with make_acl().
struct acl_record {
  std::string id;
  /// True when anyone (even anonymous) may see the record. Default: false.
  bool anyone = false;
  /// Sorted, unique accountIds.
  std::vector<std::string> users;

  friend bool operator==(const acl_record&, const acl_record&) = default;
};

/// Any record except ACLs (which travel separately, see write_batch_spec).
using any_record
  = std::variant<user_record, group_record, project_record, issue_record,
                 comment_record, attachment_record>;

// --- ACL ids
// ---------------------------------------------------------------------

/// Content-addressed id of an ACL: lower-case hex of the first 16 bytes of
/// SHA-256 over a canonical form ("jirasync-acl-v1\n", "anyone=0|1\n", then
/// each sorted, unique accountId followed by "\n"). Identical sets → same id.
/// `acl.id` is ignored; users need not be sorted.
std::string acl_id(const acl_record& acl);

/// An acl_record with users sorted and deduplicated and id = acl_id().
acl_record make_acl(bool anyone, std::vector<std::string> users);

// --- JSON
// ------------------------------------------------------------------------
// to_json: the export line of docs/export-format.md (as a JSON object;
// serialize it with boost::json::serialize). to_stored_json: to_json plus
// internal fields. from_json accepts both forms; nullopt when a required field
// is missing or has the wrong type.

boost::json::value to_json(const user_ref&);
boost::json::object to_json(const user_record&);
boost::json::object to_json(const group_record&);
boost::json::object to_json(const project_record&);
boost::json::object to_json(const issue_record&);
boost::json::object to_json(const comment_record&);
boost::json::object to_json(const attachment_record&);
boost::json::object to_json(const acl_record&);
boost::json::object to_json(const any_record&);

boost::json::object to_stored_json(const issue_record&);
boost::json::object to_stored_json(const attachment_record&);
/// Same as to_json for types without internal fields.
boost::json::object to_stored_json(const any_record&);

std::optional<user_ref> user_ref_from_json(const boost::json::value&);
std::optional<user_record> user_from_json(const boost::json::value&);
std::optional<group_record> group_from_json(const boost::json::value&);
std::optional<project_record> project_from_json(const boost::json::value&);
std::optional<issue_record> issue_from_json(const boost::json::value&);
std::optional<comment_record> comment_from_json(const boost::json::value&);
std::optional<attachment_record>
attachment_from_json(const boost::json::value&);
std::optional<acl_record> acl_from_json(const boost::json::value&);
/// Dispatches on "type" (not for ACLs).
std::optional<any_record> record_from_json(const boost::json::value&);

/// The export line (no trailing newline).
std::string to_line(const any_record&);
std::string to_line(const acl_record&);

// --- identity and fingerprints
// ---------------------------------------------------

record_type type_of(const any_record&);
record_key key_of(const user_record&);
record_key key_of(const group_record&);
record_key key_of(const project_record&);
record_key key_of(const issue_record&);
record_key key_of(const comment_record&);
record_key key_of(const attachment_record&);
record_key key_of(const acl_record&);
record_key key_of(const any_record&);

/// The ACL id a record names; nullopt for users and groups.
std::optional<std::string> acl_of(const any_record&);

/// Lower-case hex SHA-256 of the serialized stored JSON. Equal fingerprints
/// mean an upsert changes nothing (no write, no feed entry).
std::string fingerprint(const any_record&);

} // namespace jirasync::storage
