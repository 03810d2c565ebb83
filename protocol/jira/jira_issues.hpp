#pragma once
// Jira issues and what hangs off them: fields (/field), issues with their
// fields, comments, attachments and the attachment settings. Parsing
// contract: json_reader.hpp.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "protocol/jira/jira_users.hpp"
#include "protocol/jira/json_reader.hpp"

namespace jirasync::protocol {

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
  /// Elements the page held, good or not (comments dropped by the parser
  /// still count when paging on). Default: 0.
  std::int64_t received = 0;
};

/// GET /rest/api/3/issue/{id}/comment.
parsed<comment_page> parse_comment_page(const boost::json::value& doc);

struct jira_attachment {
  std::string id; // required (number or string in Jira)
  std::string filename;
  std::optional<jira_user> author;
  /// UTC milliseconds; 0 when absent.
  std::int64_t created_ms = 0;
  /// Bytes; 0 when absent (see size_known).
  std::int64_t size_bytes = 0;
  /// Whether Jira gave a size (0 included): downloads are checked against
  /// it. Default: false.
  bool size_known = false;
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

namespace json_reader {

/// For the search parsers: reads an issue object at path `p` of the record
/// `c`.
void read_issue(ctx& c, const json::object& o, std::string_view p,
                jira_issue& is);

} // namespace json_reader

} // namespace jirasync::protocol
