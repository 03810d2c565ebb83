#pragma once

// The in-memory model of one simulated Jira Cloud site: users, groups,
// projects, roles, permission and issue-security schemes, issues, comments,
// attachments, audit records and fields. Built deterministically by
// `generate()` from `workspace_params`; changed only through mutations.hpp.
//
// Memory: rich-text bodies are NOT stored; they are regenerated on demand
// from (seed, owner id, revision) by adf_gen (see `issue_description`,
// `comment_body`) unless a mutation stored an explicit document. Attachment
// bytes are never stored (see `attachment_content`).
//
// Thread-safety: a workspace is a plain value. Concurrent const access is
// safe; the owner (the server) must serialize mutations against readers.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

namespace jirasim {

/// Milliseconds since the Unix epoch (UTC).
using millis = int64_t;

/// Index of a user in `workspace::users` (users are never removed, so an
/// index is stable). `no_user` means "nobody" (e.g. unassigned).
using user_ix = uint32_t;
inline constexpr user_ix no_user = UINT32_MAX;

// --- knobs -------------------------------------------------------------------

/// Generation parameters. Same params (incl. seed) -> identical workspace.
struct workspace_params {
  /// PRNG seed. Default: 1.
  uint64_t seed = 1;
  /// Number of issues (ids ascend from 10000). Default: 2000.
  uint32_t issues = 2000;
  /// Number of projects (>= 1). Default: 6.
  uint32_t projects = 6;
  /// Number of human ("atlassian") accounts incl. the API user (>= 2).
  /// Default: 60.
  uint32_t users = 60;
  /// Number of groups besides the built-in product/admin groups. Default: 12.
  uint32_t groups = 12;
  /// App accounts (accountType "app", never in ACLs). Default: 3.
  uint32_t app_accounts = 3;
  /// Customer accounts (accountType "customer", never in ACLs). Default: 3.
  uint32_t customer_accounts = 3;
  /// Share of human users whose email is hidden by profile visibility.
  /// Default: 0.2.
  double hidden_email_ratio = 0.2;
  /// Share of human users that are deactivated. Default: 0.05.
  double inactive_ratio = 0.05;
  /// Share of issues, in projects with an issue security scheme, that carry
  /// a security level. Default: 0.10.
  double secured_issue_ratio = 0.10;
  /// Issues with `heavy_comment_count` comments (capped at issues/10).
  /// Default: 3.
  uint32_t heavy_comment_issues = 3;
  /// Comments on each heavy issue. Default: 220.
  uint32_t heavy_comment_count = 220;
  /// Share of comments restricted to a group or a project role.
  /// Default: 0.08.
  double restricted_comment_ratio = 0.08;
  /// Share of issues that have attachments. Default: 0.25.
  double attachment_issue_ratio = 0.25;
  /// Attachments larger than 5 MB (placed on the first issues that have
  /// attachments; 0 disables). Default: 2.
  uint32_t large_attachments = 2;
  /// Attach the real documents of served_documents.hpp (PDF, DOCX, XLSX
  /// with known text; a truncated PDF and a zip bomb) to the first issues
  /// that carry no security level, one each. Default: true.
  bool documents = true;
  /// History window: `created` spreads over this many days before `now_ms`.
  /// Default: 730.
  uint32_t history_days = 730;
  /// The workspace clock at generation time. Default: 2026-01-01T00:00:00Z.
  millis now_ms = 1767225600000;
  /// Profile time zone of the API user (JQL dates are read in it; must not
  /// be UTC for realism). Default: "America/Los_Angeles".
  std::string api_user_time_zone = "America/Los_Angeles";
  /// Email of the API user (Basic auth login). Default:
  /// "sim-admin@example.com".
  std::string api_user_email = "sim-admin@example.com";
  /// Site name (<name>.atlassian.net in real Jira). Default: "acme-sim".
  std::string site_name = "acme-sim";
  /// The API user is a Jira administrator: a member of site-admins and
  /// jira-admins-<site>, the groups holding "Administer Jira". When false
  /// it is in neither (user 1 stands in), so it lacks Administer Jira and
  /// the project roles those groups are actors of. Default: true.
  bool api_user_admin = true;
  /// "Browse users and groups" is granted to the admin groups only, not to
  /// the product access groups as well. Default: false.
  bool browse_users_admins_only = false;
};

// --- identities --------------------------------------------------------------

enum class account_type : uint8_t { atlassian, app, customer };

/// "atlassian" | "app" | "customer" (Jira's accountType values).
std::string_view to_string(account_type t);

struct user {
  /// Atlassian style: 24 hex digits or "712020:<uuid>"/"557058:<uuid>".
  std::string account_id;
  std::string display_name;
  /// Always known to the sim; exposed only when !email_hidden.
  std::string email;
  bool email_hidden = false;
  bool active = true;
  account_type type = account_type::atlassian;
  /// IANA time zone of the profile, e.g. "Europe/Berlin".
  std::string time_zone;
  std::string locale = "en_US";
};

/// Flat group (Jira Cloud has no nesting). Members are user indices, sorted,
/// unique.
struct group {
  /// UUID, as in Jira Cloud's groupId.
  std::string group_id;
  std::string name;
  std::vector<user_ix> members;
};

/// A product access role; parameter of `applicationRole` holders.
struct application_role {
  /// e.g. "jira-software".
  std::string key;
  /// e.g. "Jira Software".
  std::string name;
  /// Names of the groups that grant this product (licence).
  std::vector<std::string> group_names;
};

/// A global permission granted to a group (Jira Cloud grants global
/// permissions to groups only), e.g. {"ADMINISTER", "jira-admins-acme"}:
/// "ADMINISTER" = Administer Jira, "USER_PICKER" = Browse users and groups.
struct global_grant {
  std::string permission;
  std::string group_name;
};

/// Global project role definition (actors are per project).
struct project_role {
  int64_t id = 0;   // e.g. 10002 Administrators
  std::string name; // e.g. "Administrators"
  std::string description;
};

/// Actors of one role in one project.
struct role_actors {
  int64_t role_id = 0;
  /// accountIds of user actors.
  std::vector<std::string> user_account_ids;
  /// groupIds of group actors.
  std::vector<std::string> group_ids;
};

// --- permissions
// ---------------------------------------------------------------

/// A permission/security holder, literally as Jira returns it:
/// type "anyone" | "applicationRole" | "group" | "projectRole" | "user" |
/// "projectLead" | "reporter" | "assignee" (others are kept and never match).
struct holder {
  std::string type;
  /// group: name; projectRole: role id (decimal); user: accountId;
  /// applicationRole: product key or "" (= any logged-in user); else "".
  std::string parameter;
  /// group: groupId; user: accountId; projectRole: role id; else "".
  std::string value;
};

struct permission_grant {
  int64_t id = 0;
  /// e.g. "BROWSE_PROJECTS", "CREATE_ISSUES".
  std::string permission;
  jirasim::holder holder;
};

struct permission_scheme {
  int64_t id = 0;
  std::string name;
  std::string description;
  std::vector<permission_grant> grants;
};

struct security_level_member {
  int64_t id = 0;
  jirasim::holder holder;
};

struct security_level {
  int64_t id = 0;
  std::string name;
  std::string description;
  std::vector<security_level_member> members;
};

struct issue_security_scheme {
  int64_t id = 0;
  std::string name;
  std::string description;
  /// 0 = none.
  int64_t default_level_id = 0;
  std::vector<security_level> levels;
};

// --- projects and issue metadata
// -----------------------------------------------

struct project {
  int64_t id = 0;
  std::string key;
  std::string name;
  std::string description;
  user_ix lead = no_user;
  /// "software" | "business" | "service_desk".
  std::string project_type_key;
  int64_t permission_scheme_id = 0;
  /// 0 = no issue security scheme.
  int64_t issue_security_scheme_id = 0;
  std::vector<role_actors> roles;
  /// Next key number for a created or moved-in issue.
  int64_t next_issue_number = 1;
};

struct status_def {
  int64_t id = 0;
  std::string name;
  /// "new" | "indeterminate" | "done".
  std::string category_key;
  int64_t category_id = 0;
  std::string category_name; // "To Do" | "In Progress" | "Done"
  std::string color_name;    // "blue-gray" | "yellow" | "green"
};

struct priority_def {
  int64_t id = 0;
  std::string name;
};

struct issue_type_def {
  int64_t id = 0;
  std::string name;
  bool subtask = false;
  /// -1 subtask, 0 standard, 1 epic.
  int hierarchy_level = 0;
};

/// A field as listed by GET /rest/api/3/field.
struct field_def {
  std::string id;   // "summary" | "customfield_10020"
  std::string key;  // same as id in Cloud
  std::string name; // "Story Points"
  bool custom = false;
  /// schema.type: "string" | "number" | "option" | "array" | "date" |
  /// "datetime" | "user" | "status" | ...
  std::string schema_type;
  /// schema.items for arrays ("user", "option", "string"); else "".
  std::string schema_items;
  /// schema.system for system fields; schema.custom for custom ones.
  std::string schema_system;
  std::string schema_custom;
  int64_t schema_custom_id = 0;
  /// JQL clause names.
  std::vector<std::string> clause_names;
  /// For option fields: allowed {id, value}.
  std::vector<std::pair<int64_t, std::string>> options;
};

// --- rich text
// -------------------------------------------------------------------

/// A rich-text body (ADF). Generated lazily unless `explicit_doc` is set.
struct body_ref {
  /// Bumped by every mutation; part of the generator's salt.
  uint32_t revision = 0;
  /// True = no body (description null).
  bool null = false;
  /// Set when a mutation supplied the document (or to pin one in tests).
  std::shared_ptr<const boost::json::value> explicit_doc;
};

// --- issues and children
// ---------------------------------------------------------

enum class visibility_type : uint8_t { none, group, role };

struct comment_visibility {
  visibility_type type = visibility_type::none;
  /// group: group name; role: role name (Jira's `value`).
  std::string value;
  /// group: groupId; role: role id (decimal) (Jira's `identifier`).
  std::string identifier;
};

struct comment {
  int64_t id = 0;
  user_ix author = no_user;
  user_ix update_author = no_user;
  millis created_ms = 0;
  millis updated_ms = 0;
  body_ref body;
  comment_visibility visibility;
  /// Jira Service Management flag; always true outside JSM.
  bool jsd_public = true;
};

struct attachment {
  int64_t id = 0;
  std::string filename;
  std::string mime_type;
  uint64_t size_bytes = 0;
  millis created_ms = 0;
  user_ix author = no_user;
  /// The media-services file id used by ADF `media` nodes (a UUID; NOT the
  /// attachment id).
  std::string media_id;
  /// A real document (served_documents.hpp) served as the content instead
  /// of generated bytes; size_bytes is its size. Default: none.
  std::shared_ptr<const std::string> document;
  /// Its known text, in order, and the text_status a connector should
  /// record (truth `text_contains`, `text_status`). Default: empty.
  std::vector<std::string> known_text;
  std::string text_status;
};

/// The fields JQL sees for one issue (the search index entry).
struct index_entry {
  /// False = not in the index (created, not yet indexed).
  bool present = false;
  int64_t project_id = 0;
  std::string key;
  millis created_ms = 0;
  millis updated_ms = 0;
};

struct issue {
  int64_t id = 0;
  int64_t project_id = 0;
  std::string key; // "PROJ-N"
  std::string summary;
  body_ref description;
  int64_t status_id = 0;
  int64_t priority_id = 0;
  int64_t issue_type_id = 0;
  std::vector<std::string> labels;
  /// 0 = no parent (subtasks point to their parent, stories to an epic).
  int64_t parent_id = 0;
  user_ix reporter = no_user;
  user_ix assignee = no_user;
  user_ix creator = no_user;
  millis created_ms = 0;
  millis updated_ms = 0;
  /// 0 = not secured.
  int64_t security_level_id = 0;
  /// Salt for the lazily generated custom field values (bumped only if a
  /// mutation ever changes them).
  uint32_t custom_revision = 0;
  /// Sorted by (created, id).
  std::vector<comment> comments;
  /// Sorted by id.
  std::vector<attachment> attachments;
  /// When the current version becomes visible to JQL. Until then JQL sees
  /// `previous_index`.
  millis indexed_at_ms = 0;
  index_entry previous_index;
};

// --- audit
// ---------------------------------------------------------------------------

struct audit_item {
  std::string id;
  std::string name;
  std::string type_name;   // "USER" | "GROUP" | "SCHEME" | "PROJECT" | ...
  std::string parent_id;   // optional
  std::string parent_name; // optional
};

struct audit_changed_value {
  std::string field_name;
  std::optional<std::string> changed_from;
  std::optional<std::string> changed_to;
};

struct audit_record {
  int64_t id = 0;
  std::string summary;  // "User added to group"
  std::string category; // "group management" | "user management" |
                        // "permissions" | "projects" | ...
  millis created_ms = 0;
  std::string author_account_id;
  std::string remote_address;
  audit_item object_item;
  std::vector<audit_changed_value> changed_values;
  std::vector<audit_item> associated_items;
};

// Items and record heads shaped like the real audit log
// (tests/fixtures/jira-cloud/ctreminiom__get-audit-records.json): users in
// the "IDP Directory", groups in the Crowd identity-platform directory
// (parent 10000, no id), projects / schemes / roles by id and name.
audit_item user_audit_item(const user& u);
audit_item group_audit_item(const group& g);
audit_item project_audit_item(const project& p);
audit_item scheme_audit_item(const permission_scheme& s);
audit_item role_audit_item(const project_role& r);
audit_item security_level_audit_item(const security_level& l);
/// {summary, category, objectItem}; the rest (id, time, author, values)
/// is filled in by the caller.
audit_record audit_event(std::string summary, std::string category,
                         audit_item object);

// --- site
// ------------------------------------------------------------------------------

struct site_info {
  std::string name;     // "acme-sim"
  std::string cloud_id; // UUID
  /// Filled in by the server once it listens ("https://127.0.0.1:PORT").
  std::string base_url;
};

// --- the workspace
// -----------------------------------------------------------------------

struct workspace {
  workspace_params params;
  site_info site;
  /// The workspace clock (injectable: the server sets it from real time or
  /// a test clock before serving/mutating).
  millis now_ms = 0;
  /// Search-index lag applied by mutations: indexed_at = now + lag.
  /// Default: 0 (the server configures it).
  millis index_lag_ms = 0;

  std::vector<user> users;
  /// The API user (active, "atlassian"; an admin unless
  /// params.api_user_admin is false).
  user_ix api_user = 0;
  std::vector<group> groups;
  std::vector<application_role> application_roles;
  std::vector<global_grant> global_grants;
  std::vector<project_role> roles;
  std::vector<permission_scheme> permission_schemes;
  std::vector<issue_security_scheme> security_schemes;
  std::vector<project> projects;
  std::vector<status_def> statuses;
  std::vector<priority_def> priorities;
  std::vector<issue_type_def> issue_types;
  std::vector<field_def> fields;
  /// Sorted by id (ascending); deleted issues are erased.
  std::vector<issue> issues;
  /// Sorted by id.
  std::vector<audit_record> audit;

  /// Id allocators (next free id).
  int64_t next_issue_id = 10000;
  int64_t next_comment_id = 10000;
  int64_t next_attachment_id = 10000;
  int64_t next_audit_id = 10000;
  int64_t next_grant_id = 10000;
  int64_t next_level_member_id = 10000;

  /// Bumped by every change that can alter who sees what (grants, levels,
  /// groups, roles, users active, reporter/assignee/security of an issue,
  /// issue moves). Lets callers invalidate permission caches.
  uint64_t acl_epoch = 0;
  /// Bumped by every mutation of any kind.
  uint64_t data_epoch = 0;

  // Lookup indices (maintained by generate() and the mutations).
  std::unordered_map<std::string, user_ix> user_by_account_id;
  std::unordered_map<std::string, int64_t> issue_id_by_key;
  /// Keys an issue had before moves (Jira still resolves them).
  std::unordered_map<std::string, int64_t> moved_keys;
  std::unordered_map<int64_t, int64_t> comment_issue;    // comment -> issue
  std::unordered_map<int64_t, int64_t> attachment_issue; // attachment -> issue
  /// groupId -> index in `groups` (used only when complete; lookups fall
  /// back to a scan otherwise, e.g. for hand-built workspaces).
  std::unordered_map<std::string, size_t> group_by_id;
};

/// Builds the workspace. Deterministic: same params -> same workspace.
/// ~2-3 s for 200,000 issues in an optimized build.
workspace generate(const workspace_params& params);

// --- lookups (nullptr / nullopt when absent)
// -------------------------------------------

const user* find_user(const workspace& ws, std::string_view account_id);
std::optional<user_ix> find_user_ix(const workspace& ws,
                                    std::string_view account_id);
const group* find_group_by_id(const workspace& ws, std::string_view group_id);
const group* find_group_by_name(const workspace& ws, std::string_view name);
const project* find_project(const workspace& ws, int64_t project_id);
const project* find_project_by_key(const workspace& ws, std::string_view key);
/// Key or decimal id.
const project* find_project_by_id_or_key(const workspace& ws,
                                         std::string_view id_or_key);
const permission_scheme* find_permission_scheme(const workspace& ws,
                                                int64_t id);
const issue_security_scheme* find_security_scheme(const workspace& ws,
                                                  int64_t id);
/// The level and its scheme.
const security_level* find_security_level(const workspace& ws,
                                          int64_t level_id);
const project_role* find_role(const workspace& ws, int64_t role_id);
const status_def* find_status(const workspace& ws, int64_t id);
const priority_def* find_priority(const workspace& ws, int64_t id);
const issue_type_def* find_issue_type(const workspace& ws, int64_t id);
const field_def* find_field(const workspace& ws, std::string_view id);
const issue* find_issue(const workspace& ws, int64_t id);
issue* find_issue(workspace& ws, int64_t id);
/// Current key, an old key of a moved issue, or a decimal id.
const issue* find_issue_by_id_or_key(const workspace& ws,
                                     std::string_view id_or_key);
/// The issue that holds the comment / attachment.
const issue* find_comment(const workspace& ws, int64_t comment_id,
                          const comment** out);
const issue* find_attachment(const workspace& ws, int64_t attachment_id,
                             const attachment** out);
/// The role actors of `role_id` in `p` (nullptr if none configured).
const role_actors* find_role_actors(const project& p, int64_t role_id);
/// Binary search in the sorted member list.
bool is_member(const group& g, user_ix u);

// --- credentials
// -----------------------------------------------------------------------

/// API token of any user: a deterministic function of (seed, accountId), so
/// tests can act as a restricted user. The API user's token comes from the
/// same function.
std::string api_token_for(const workspace& ws, std::string_view account_id);
/// The user whose email and token match (Basic auth), if any (active or
/// not: the caller decides how to treat inactive users).
std::optional<user_ix> authenticate_basic(const workspace& ws,
                                          std::string_view email,
                                          std::string_view api_token);

// --- lazily generated content
// -------------------------------------------------------------

/// The issue's description as ADF (null value when absent).
boost::json::value issue_description(const workspace& ws, const issue& i);
/// The comment's body as ADF.
boost::json::value comment_body(const workspace& ws, const issue& i,
                                const comment& c);
/// Custom field values keyed by field id ("customfield_10020"); fields
/// without a value map to null. Shapes as Jira: option {"value","id"},
/// string, number, array of user ids (rendered by the server), date
/// "YYYY-MM-DD", array of options.
/// User values are {"accountId": "..."} placeholders the server expands.
boost::json::object issue_custom_fields(const workspace& ws, const issue& i);

/// Writes `len` bytes of the attachment's content starting at `offset` into
/// `out` (clamped to the size; returns the number written). Deterministic
/// from (seed, attachment id); random access (for Range requests).
/// text/* and application/json contents are readable text.
size_t attachment_content(const workspace& ws, const attachment& a,
                          uint64_t offset, char* out, size_t len);
/// The whole content (convenience for small attachments and tests).
std::string attachment_content_string(const workspace& ws, const attachment& a);
/// Lower-case hex sha256 of the whole content (streams in chunks).
std::string attachment_sha256(const workspace& ws, const attachment& a);

// --- rebuilding indices
// ---------------------------------------------------------------------

/// Recomputes the lookup maps from the vectors (after hand-building a
/// workspace in tests, or after bulk edits).
void rebuild_indices(workspace& ws);

} // namespace jirasim
