#pragma once
// Jira models -> storage records (the export format of docs/export-format.md):
// ADF -> Markdown with media nodes resolved by filename to the issue's
// attachments, custom fields keyed by field NAME (from GET /field),
// url = site + "/browse/" + key, timestamps as UTC milliseconds.
//
// Thread-safety: pure functions over their arguments.

#include "protocol/jira/jira_models.hpp"
#include "storage/records.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace jirasync::sync {

struct mapping_context {
  /// Site URL without trailing slash, for browse links.
  std::string site;
  /// Field id ("customfield_10020") -> field name ("Story Points").
  std::map<std::string, std::string> field_names;
};

storage::user_ref to_user_ref(const protocol::jira_user& u);
storage::user_record to_user_record(const protocol::jira_user& u);
storage::group_record to_group_record(const protocol::jira_group& g,
                                      std::vector<std::string> members);
storage::project_record to_project_record(const protocol::jira_project& p,
                                          std::string acl_id);

/// A custom field value as exported: option -> its value, user -> its
/// accountId, arrays element-wise, scalars unchanged, null dropped.
boost::json::value normalize_custom_value(const boost::json::value& v);

/// What the ADF converter cut or rendered leniently in one record: its
/// diagnostics ("adf: nesting deeper than 256 levels at ...; deeper content
/// cut"), each prefixed with the field ("description: adf: ..."). The
/// caller reports them with the record's name: content is never cut
/// silently.
using mapping_diagnostics = std::vector<std::string>;

/// Renders ADF with media nodes resolved against `attachments` by filename
/// (falling back to the media id when it equals an attachment id). The
/// converter's diagnostics are appended to `diagnostics` (when given),
/// prefixed with `field`.
std::string
render_markdown(const boost::json::value& adf,
                const std::vector<protocol::jira_attachment>& attachments,
                mapping_diagnostics* diagnostics = nullptr,
                std::string_view field = "description");

storage::issue_record
to_issue_record(const protocol::jira_issue& issue, const mapping_context& ctx,
                std::string acl_id, mapping_diagnostics* diagnostics = nullptr);

storage::comment_record
to_comment_record(const protocol::jira_comment& c, const std::string& issue_id,
                  const std::vector<protocol::jira_attachment>& attachments,
                  std::string acl_id,
                  mapping_diagnostics* diagnostics = nullptr);

/// `sha256` and `text` come from the download (text only for text-like
/// types within attachment_max_bytes).
storage::attachment_record
to_attachment_record(const protocol::jira_attachment& a,
                     const std::string& issue_id, std::string sha256,
                     std::optional<std::string> text, std::string acl_id);

/// True for MIME types whose content is kept as `text` (text/*).
bool is_text_mime(std::string_view mime_type);

} // namespace jirasync::sync
