#pragma once
// Typed models of the Jira Cloud REST v3 responses the connector uses, and
// their Boost.JSON parsers. Pure functions: no I/O, no actors, no HTTP.
//
// Error model (documented once, used by every parse_* function):
// - No exception escapes a parse function (out-of-memory aside).
// - `parsed<T>` carries the value plus a list of `parse_error`s. Each error
//   names the record (`issue[3] (key ABC-12)`, `users[0]`, `myself`) and the
//   field (`fields.created`) and says what was wrong, e.g.
//   `issue[3] (key ABC-12): fields.created: expected a Jira timestamp, got
//   "yesterday"`.
// - A RECORD is an element of a list/page (a user, an issue, an audit
//   record...) or the object of a single-object response. A record with an
//   error in its own fields is left out of the returned list; the good
//   records are kept.
// - SUB-RECORDS (permission grants, role actors, security levels, embedded
//   comments and attachments) with an error in their own fields are left out
//   of their parent; the parent is kept. Their errors are still reported,
//   under the parent's record name with the sub-record's path
//   (`issue[0] (key A-1): fields.comment.comments[2].created: ...`).
// - `fatal` is set when the document cannot be used: not JSON, nested deeper
//   than json_max_depth, wrong top-level shape (an object where an array is
//   expected), a missing page member (`issues`), or - for single-object
//   responses - an error in the object's own fields. `value` is then
//   default/partial. So callers do: `if (r.fatal) fail; log r.errors; use
//   r.value`.
// - Tolerant where Jira varies: ids may be JSON strings or numbers (always
//   stored as std::string), null and absent are treated alike for optional
//   fields, unknown fields are ignored. Strict where a wrong value would
//   corrupt data: a missing/empty record id, a malformed timestamp, a wrong
//   type for a field we use.
//
// Thread-safety: all functions are reentrant; types are plain values.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/value.hpp>

namespace jirasync::protocol {

// ---------------------------------------------------------------------------
// Parse results

struct parse_error {
  /// Which record, e.g. `issue[3] (key ABC-12)`; empty for the document.
  std::string record;
  /// Dotted path inside the record, e.g. `fields.created`; may be empty.
  std::string field;
  /// What was wrong, e.g. `expected a Jira timestamp, got "yesterday"`.
  std::string message;

  /// `record: field: message` (empty parts left out).
  std::string to_string() const;
};

template<class T>
struct parsed {
  T value{};
  std::vector<parse_error> errors;
  /// The document could not be used (see the error model above).
  /// Default: false.
  bool fatal = false;

  bool ok() const {
    return errors.empty() && !fatal;
  }
};

/// Maximum JSON nesting depth accepted by parse_json (arrays + objects).
/// Real Jira documents (ADF included) stay far below this; hostile documents
/// above it are rejected with an error instead of exhausting the stack
/// (Boost.JSON's value destructor and copy recurse once per level).
inline constexpr std::size_t json_max_depth = 2000;

/// Parses JSON text safely: max depth json_max_depth, no exceptions, no
/// comments/trailing commas. On failure `fatal` is set and the error says
/// why (and at which byte offset).
parsed<boost::json::value> parse_json(std::string_view text);

/// Parses JSON text, then applies `fn` (one of the parse_* functions below):
/// `auto page = parse_text(body, parse_search_page);`
template<class T>
parsed<T> parse_text(std::string_view text,
                     parsed<T> (*fn)(const boost::json::value&)) {
  auto doc = parse_json(text);
  if (!doc.ok()) {
    parsed<T> out;
    out.errors = std::move(doc.errors);
    out.fatal = true;
    return out;
  }
  return fn(doc.value);
}

// ---------------------------------------------------------------------------
// Users and groups

enum class account_type { atlassian, app, customer, unknown };

std::string_view to_string(account_type type);

/// A user (users/search, group/member, /myself, embedded reporter/assignee,
/// comment authors, role actors with expansion ...).
struct jira_user {
  /// Required, non-empty.
  std::string account_id;
  /// Default: unknown (absent or an unlisted value; raw kept below).
  account_type type = account_type::unknown;
  std::string account_type_raw;
  /// Absent or null when hidden by the user's profile visibility.
  std::optional<std::string> email;
  std::string display_name;
  /// Default: true when absent (Jira omits it only in abbreviated shapes).
  bool active = true;
  /// IANA zone name, e.g. "America/Los_Angeles"; absent when hidden.
  std::optional<std::string> time_zone;
  std::optional<std::string> locale;
};

struct jira_group {
  /// groupId (a UUID). May be empty in old captures that only have a name.
  std::string group_id;
  std::string name;
};

/// Pagination of Jira's PageBean-like responses.
struct page_info {
  /// When absent: startAt + values >= total if total is known, else false
  /// when nextPage is present, else true.
  bool is_last = true;
  std::int64_t start_at = 0;
  std::int64_t max_results = 0;
  std::optional<std::int64_t> total;
  /// group/member: URL of the next page, if any.
  std::optional<std::string> next_page;
};

template<class T>
struct jira_page {
  page_info page;
  std::vector<T> values;
};

/// GET /rest/api/3/users/search -> bare array.
parsed<std::vector<jira_user>> parse_users(const boost::json::value& doc);
/// One user object; `record` names it in errors (e.g. "myself").
parsed<jira_user> parse_user(const boost::json::value& doc,
                             std::string_view record = "user");
/// GET /rest/api/3/myself.
parsed<jira_user> parse_myself(const boost::json::value& doc);
/// GET /rest/api/3/group/bulk.
parsed<jira_page<jira_group>> parse_group_page(const boost::json::value& doc);
/// GET /rest/api/3/group/member (values are users; page.next_page set).
parsed<jira_page<jira_user>>
parse_group_member_page(const boost::json::value& doc);

// ---------------------------------------------------------------------------
// Projects, permission schemes, roles, issue security

struct jira_project {
  std::string id;  // required
  std::string key; // required
  std::string name;
  /// Only with expand=lead.
  std::optional<jira_user> lead;
  std::string project_type_key;
  /// Team-managed ("next-gen") when true. Default: false.
  bool simplified = false;
  /// "classic" | "next-gen"; empty when absent.
  std::string style;
  std::optional<bool> is_private;
};

/// GET /rest/api/3/project/search (PageBean).
parsed<jira_page<jira_project>>
parse_project_page(const boost::json::value& doc);

/// Holder types of permission grants and security-level members.
enum class holder_type {
  anyone,
  application_role, // no parameter = any logged-in user
  assignee,
  group,              // parameter = group name, value = groupId
  group_custom_field, // parameter = custom field id
  project_lead,
  project_role, // parameter = role id
  reporter,
  sd_customer_portal_only,
  user,              // parameter = accountId
  user_custom_field, // parameter = custom field id
  other,             // anything else; raw type kept
};

std::string_view to_string(holder_type type);
/// Maps Jira's type string ("applicationRole", "sd.customer.portal.only"...).
holder_type holder_type_from(std::string_view raw);

struct permission_holder {
  holder_type type = holder_type::other;
  /// Jira's own type string, always set.
  std::string type_raw;
  std::optional<std::string> parameter;
  std::optional<std::string> value;
  std::optional<std::string> expand;
  /// Expanded holder.group {name, groupId}.
  std::optional<jira_group> group;
  /// Expanded holder.projectRole {id, name}.
  std::optional<std::string> project_role_id;
  std::optional<std::string> project_role_name;
  /// Expanded holder.user.
  std::optional<jira_user> user;

  /// group: groupId from `value` or the expanded group; nullopt otherwise.
  std::optional<std::string> group_id() const;
  /// group: name from `parameter` or the expanded group.
  std::optional<std::string> group_name() const;
  /// projectRole: role id from `parameter` or the expanded role.
  std::optional<std::string> role_id() const;
  /// user: accountId from `parameter` or the expanded user.
  std::optional<std::string> account_id() const;
};

struct permission_grant {
  std::optional<std::string> id;
  /// e.g. "BROWSE_PROJECTS"; required.
  std::string permission;
  permission_holder holder;
};

/// GET /rest/api/3/project/{key}/permissionscheme -> {id, name}.
struct permission_scheme_ref {
  std::string id; // required
  std::string name;
};

struct permission_scheme {
  std::string id; // required
  std::string name;
  std::optional<std::string> description;
  /// Only with expand=permissions. Grants with errors are left out.
  std::vector<permission_grant> permissions;
};

parsed<permission_scheme_ref>
parse_permission_scheme_ref(const boost::json::value& doc);
/// GET /rest/api/3/permissionscheme/{id}?expand=permissions.
parsed<permission_scheme>
parse_permission_scheme(const boost::json::value& doc);
/// GET /rest/api/3/permissionscheme -> {permissionSchemes: [...]}.
parsed<std::vector<permission_scheme>>
parse_permission_schemes(const boost::json::value& doc);

/// One entry of GET /rest/api/3/project/{key}/role ({name: url}).
struct project_role_link {
  std::string name;
  /// Parsed from the last path segment of the URL; required (digits).
  std::string id;
  std::string url;
};

parsed<std::vector<project_role_link>>
parse_project_role_map(const boost::json::value& doc);

enum class role_actor_type { group, user, other };

struct role_actor {
  std::optional<std::string> id;
  std::string display_name;
  role_actor_type type = role_actor_type::other;
  /// "atlassian-group-role-actor" | "atlassian-user-role-actor" | ...
  std::string type_raw;
  /// group actors: actorGroup.name / actorGroup.groupId (may be absent in
  /// old captures; then only the name is known).
  std::optional<std::string> group_name;
  std::optional<std::string> group_id;
  /// user actors: actorUser.accountId (required for user actors).
  std::optional<std::string> account_id;
};

struct project_role {
  std::string id; // required
  std::string name;
  std::optional<std::string> description;
  /// Actors with errors are left out (and reported).
  std::vector<role_actor> actors;
};

/// GET /rest/api/3/project/{key}/role/{id}.
parsed<project_role> parse_project_role(const boost::json::value& doc);
/// GET /rest/api/3/role -> bare array of roles.
parsed<std::vector<project_role>>
parse_project_roles(const boost::json::value& doc);

struct security_level {
  std::string id; // required
  std::string name;
  std::optional<std::string> description;
};

/// GET /rest/api/3/project/{key}/issuesecuritylevelscheme (a scheme with
/// levels), GET /rest/api/3/project/{key}/securitylevel ({levels} only: id
/// and name then empty), GET /rest/api/3/issuesecurityschemes entries.
struct security_level_scheme {
  std::optional<std::string> id;
  std::string name;
  std::optional<std::string> description;
  std::optional<std::string> default_level_id;
  std::vector<security_level> levels;
};

parsed<security_level_scheme>
parse_security_level_scheme(const boost::json::value& doc);
/// GET /rest/api/3/issuesecurityschemes -> {issueSecuritySchemes: [...]}.
parsed<std::vector<security_level_scheme>>
parse_security_schemes(const boost::json::value& doc);

struct security_level_member {
  std::string id;       // required
  std::string level_id; // issueSecurityLevelId; required
  permission_holder holder;
};

/// GET /rest/api/3/issuesecurityschemes/{id}/members and
/// /issuesecurityschemes/level/member (PageBean).
parsed<jira_page<security_level_member>>
parse_security_member_page(const boost::json::value& doc);

// ---------------------------------------------------------------------------
// Fields

struct field_schema {
  std::string type;
  std::optional<std::string> items;
  std::optional<std::string> system;
  /// Custom field type key, e.g. "com.atlassian.jira.plugin.system...".
  std::optional<std::string> custom;
  std::optional<std::int64_t> custom_id;
};

struct jira_field {
  std::string id; // required, e.g. "summary" or "customfield_10011"
  std::optional<std::string> key;
  std::string name;
  /// Default: false.
  bool custom = false;
  std::optional<field_schema> schema;
};

/// GET /rest/api/3/field -> bare array.
parsed<std::vector<jira_field>> parse_fields(const boost::json::value& doc);

// ---------------------------------------------------------------------------
// Issues, comments, attachments

struct comment_visibility {
  /// "group" | "role".
  std::string type;
  /// Group name or role name.
  std::string value;
  /// groupId for groups (or the role id) when Jira sends it.
  std::optional<std::string> identifier;
};

struct jira_comment {
  std::string id; // required
  std::optional<jira_user> author;
  std::optional<jira_user> update_author;
  /// ADF document (or null / a plain string in old captures), kept raw for
  /// the ADF converter.
  boost::json::value body;
  /// UTC milliseconds; required.
  std::int64_t created_ms = 0;
  /// UTC milliseconds; equals created_ms when absent.
  std::int64_t updated_ms = 0;
  std::optional<comment_visibility> visibility;
  std::optional<bool> jsd_public;
};

struct comment_page {
  std::int64_t start_at = 0;
  std::int64_t max_results = 0;
  /// Default: comments.size() when absent.
  std::int64_t total = 0;
  std::vector<jira_comment> comments;
};

/// GET /rest/api/3/issue/{id}/comment.
parsed<comment_page> parse_comment_page(const boost::json::value& doc);

struct jira_attachment {
  std::string id; // required (number or string in Jira)
  std::string filename;
  std::optional<jira_user> author;
  /// UTC milliseconds; 0 when absent.
  std::int64_t created_ms = 0;
  std::int64_t size_bytes = 0;
  std::string mime_type;
  /// Content URL (GET follows a 303 to the media host).
  std::string content_url;
};

/// GET /rest/api/3/attachment/{id}.
parsed<jira_attachment> parse_attachment(const boost::json::value& doc);

/// GET /rest/api/3/attachment/meta.
struct attachment_settings {
  bool enabled = false;
  std::int64_t upload_limit_bytes = 0;
};
parsed<attachment_settings>
parse_attachment_settings(const boost::json::value& doc);

struct issue_status {
  std::string name;
  /// statusCategory.key: "new" | "indeterminate" | "done"; empty if absent.
  std::string category_key;
};

struct issue_priority {
  std::string name;
  std::string id;
};

struct issue_ref {
  std::string id;
  std::string key;
};

struct project_ref {
  std::string id;
  std::string key;
  std::string name;
};

struct security_level_ref {
  std::string id;
  std::string name;
};

/// The `fields` object. Which members are present depends on the `fields`
/// request parameter (search/jql defaults to id only), so everything is
/// optional: nullopt means absent OR null.
struct issue_fields {
  std::optional<std::string> summary;
  /// nullopt = absent; a json null = explicitly no description; else ADF.
  std::optional<boost::json::value> description;
  std::optional<issue_status> status;
  std::optional<issue_priority> priority;
  std::vector<std::string> labels;
  /// issuetype.name
  std::optional<std::string> issue_type;
  std::optional<project_ref> project;
  std::optional<issue_ref> parent;
  std::optional<jira_user> reporter;
  std::optional<jira_user> assignee;
  std::optional<jira_user> creator;
  /// UTC milliseconds. A present but malformed value is an error.
  std::optional<std::int64_t> created_ms;
  std::optional<std::int64_t> updated_ms;
  std::optional<security_level_ref> security;
  /// Embedded comment page (capped by Jira, ~20): compare `total` with
  /// comments.size() and fetch the rest via the comment endpoint. Old
  /// captures with a bare array of comments are accepted (total = size).
  std::optional<comment_page> comment;
  std::vector<jira_attachment> attachments;
  /// Every non-null `customfield_NNNNN`, raw.
  std::map<std::string, boost::json::value> custom_fields;
};

struct jira_issue {
  std::string id; // required, non-empty
  std::optional<std::string> key;
  std::string self;
  /// Whether the response had a `fields` object at all.
  bool has_fields = false;
  issue_fields fields;
};

/// One issue (GET /rest/api/3/issue/{id}); errors name it `issue`.
parsed<jira_issue> parse_issue(const boost::json::value& doc);

/// POST/GET /rest/api/3/search/jql.
struct search_page {
  std::vector<jira_issue> issues;
  /// Default when absent: true unless a nextPageToken is present.
  bool is_last = true;
  /// Absent on the last page; an empty string is normalised to nullopt.
  std::optional<std::string> next_page_token;
};
parsed<search_page> parse_search_page(const boost::json::value& doc);

/// POST /rest/api/3/search/approximate-count -> {count}.
parsed<std::int64_t> parse_approximate_count(const boost::json::value& doc);

struct bulk_issue_error {
  /// The id or key that failed, when Jira says.
  std::optional<std::string> id;
  /// HTTP-like status, when Jira says.
  std::optional<int> status;
  /// errorMessages[] and errorMessage, concatenated in order.
  std::vector<std::string> messages;
};

/// POST /rest/api/3/issue/bulkfetch.
struct bulkfetch_result {
  std::vector<jira_issue> issues;
  std::vector<bulk_issue_error> issue_errors;
};
parsed<bulkfetch_result> parse_bulkfetch(const boost::json::value& doc);

// ---------------------------------------------------------------------------
// Audit log

struct audit_item {
  std::optional<std::string> id;
  std::string name;
  std::string type_name;
  std::optional<std::string> parent_id;
  std::optional<std::string> parent_name;
};

struct audit_changed_value {
  std::string field_name;
  std::optional<std::string> changed_from;
  std::optional<std::string> changed_to;
};

struct audit_record {
  std::string id; // required
  std::string summary;
  /// UTC milliseconds; required.
  std::int64_t created_ms = 0;
  std::string category;
  std::string event_source;
  std::optional<std::string> author_account_id;
  std::optional<audit_item> object_item;
  std::vector<audit_changed_value> changed_values;
  std::vector<audit_item> associated_items;
};

struct audit_page {
  std::int64_t offset = 0;
  std::int64_t limit = 0;
  std::int64_t total = 0;
  std::vector<audit_record> records;
};

/// GET /rest/api/3/auditing/record.
parsed<audit_page> parse_audit_page(const boost::json::value& doc);

// ---------------------------------------------------------------------------
// Errors, OAuth

enum class jira_error_shape {
  jira,    // {"errorMessages":[...],"errors":{...}}
  gateway, // {"code":401,"message":"..."}
  oauth,   // {"error":"invalid_grant","error_description":"..."}
  unknown, // anything else (not JSON, empty, other shape)
};

struct jira_error {
  jira_error_shape shape = jira_error_shape::unknown;
  /// HTTP status given to parse_jira_error (0 = unknown).
  int http_status = 0;
  std::vector<std::string> error_messages;
  /// errors{field: message}, sorted by field.
  std::map<std::string, std::string> errors;
  /// Gateway code / message.
  std::optional<int> code;
  std::string message;
  /// OAuth error / error_description.
  std::string oauth_error;
  std::string oauth_error_description;
  /// For the unknown shape: the start of the body (at most 200 bytes,
  /// control characters replaced).
  std::string raw_excerpt;

  /// One line for logs and the CLI, e.g.
  /// `HTTP 400: Field 'foo' does not exist (jql: bad clause)`,
  /// `HTTP 401: Unauthorized; scope does not match (gateway code 401)`,
  /// `HTTP 403: invalid_grant: Unknown or invalid refresh token.`.
  std::string describe() const;
};

/// Never fails: anything unrecognised becomes the unknown shape.
jira_error parse_jira_error(std::string_view body, int http_status = 0);

/// POST https://auth.atlassian.com/oauth/token (authorization_code or
/// refresh_token grant).
struct oauth_token_response {
  std::string access_token; // required
  /// Absent in some refresh responses: keep the old one then.
  std::optional<std::string> refresh_token;
  /// Default: 3600 when absent.
  std::int64_t expires_in_secs = 3600;
  std::string scope;
  std::string token_type;
};
parsed<oauth_token_response> parse_oauth_token(const boost::json::value& doc);

/// GET https://api.atlassian.com/oauth/token/accessible-resources.
struct accessible_resource {
  std::string id; // cloudId; required
  std::string name;
  std::string url;
  std::vector<std::string> scopes;
  std::optional<std::string> avatar_url;
};
parsed<std::vector<accessible_resource>>
parse_accessible_resources(const boost::json::value& doc);

} // namespace jirasync::protocol
