#include "sync/record_mapping.hpp"

#include "protocol/adf/adf_markdown.hpp"

#include <algorithm>

namespace jirasync::sync {

storage::user_ref to_user_ref(const protocol::jira_user& u) {
  return storage::user_ref{u.account_id, u.email, u.display_name};
}

storage::user_record to_user_record(const protocol::jira_user& u) {
  storage::user_record r;
  r.account_id = u.account_id;
  r.email = u.email;
  r.display_name = u.display_name;
  r.active = u.active;
  r.account_type = u.type == protocol::account_type::unknown
                     ? (u.account_type_raw.empty() ? std::string{"atlassian"}
                                                   : u.account_type_raw)
                     : std::string{to_string(u.type)};
  return r;
}

storage::group_record to_group_record(const protocol::jira_group& g,
                                      std::vector<std::string> members) {
  std::sort(members.begin(), members.end());
  members.erase(std::unique(members.begin(), members.end()), members.end());
  return storage::group_record{g.group_id.empty() ? g.name : g.group_id, g.name,
                               std::move(members)};
}

storage::project_record to_project_record(const protocol::jira_project& p,
                                          std::string acl_id) {
  storage::project_record r;
  r.id = p.id;
  r.key = p.key;
  r.name = p.name;
  if (p.lead)
    r.lead = to_user_ref(*p.lead);
  r.acl = std::move(acl_id);
  return r;
}

boost::json::value normalize_custom_value(const boost::json::value& v) {
  if (v.is_array()) {
    boost::json::array out;
    for (const auto& e : v.as_array())
      if (!e.is_null())
        out.push_back(normalize_custom_value(e));
    return out;
  }
  if (v.is_object()) {
    const auto& o = v.as_object();
    if (auto* id = o.if_contains("accountId"))
      return *id;
    if (auto* val = o.if_contains("value"))
      return *val;
    return v;
  }
  return v;
}

std::string render_markdown(const boost::json::value& adf,
                            const std::vector<protocol::jira_attachment>& atts,
                            mapping_diagnostics* diagnostics,
                            std::string_view field) {
  if (adf.is_null())
    return {};
  if (adf.is_string())
    return std::string{adf.as_string()};
  protocol::adf_options opts;
  opts.resolve_media
    = [&atts](std::string_view filename,
              std::string_view media_id) -> std::optional<std::string> {
    if (!filename.empty())
      for (const auto& a : atts)
        if (a.filename == filename)
          return a.id;
    for (const auto& a : atts)
      if (a.id == media_id)
        return a.id;
    return std::nullopt;
  };
  auto res = protocol::adf_to_markdown(adf, opts);
  if (diagnostics)
    for (auto& d : res.diagnostics)
      diagnostics->push_back(std::string(field) + ": " + d);
  return std::move(res.markdown);
}

storage::issue_record to_issue_record(const protocol::jira_issue& i,
                                      const mapping_context& ctx,
                                      std::string acl_id,
                                      mapping_diagnostics* diagnostics) {
  const auto& f = i.fields;
  storage::issue_record r;
  r.id = i.id;
  r.key = i.key.value_or("");
  if (f.project) {
    r.project_key = f.project->key;
    r.project_id = f.project->id;
  }
  r.summary = f.summary.value_or("");
  if (f.description)
    r.markdown = render_markdown(*f.description, f.attachments, diagnostics);
  if (f.status) {
    r.status = f.status->name;
    r.status_category = f.status->category_key;
  }
  if (f.priority)
    r.priority = f.priority->name;
  r.labels = f.labels;
  r.issue_type = f.issue_type.value_or("");
  if (f.parent && !f.parent->key.empty())
    r.parent_key = f.parent->key;
  if (f.reporter)
    r.reporter = to_user_ref(*f.reporter);
  if (f.assignee)
    r.assignee = to_user_ref(*f.assignee);
  r.created_ms = f.created_ms.value_or(0);
  r.updated_ms = f.updated_ms.value_or(r.created_ms);
  if (f.security) {
    r.security_level = f.security->name;
    r.security_level_id = f.security->id;
  }
  for (const auto& [id, value] : f.custom_fields) {
    if (value.is_null())
      continue;
    auto n = ctx.field_names.find(id);
    r.custom_fields[n == ctx.field_names.end() ? id : n->second]
      = normalize_custom_value(value);
  }
  r.url = ctx.site + "/browse/" + r.key;
  r.acl = std::move(acl_id);
  return r;
}

storage::comment_record
to_comment_record(const protocol::jira_comment& c, const std::string& issue_id,
                  const std::vector<protocol::jira_attachment>& atts,
                  std::string acl_id, mapping_diagnostics* diagnostics) {
  storage::comment_record r;
  r.id = c.id;
  r.issue_id = issue_id;
  if (c.author)
    r.author = to_user_ref(*c.author);
  r.markdown = render_markdown(c.body, atts, diagnostics, "body");
  r.created_ms = c.created_ms;
  r.updated_ms = c.updated_ms;
  if (c.visibility)
    r.visibility = storage::comment_visibility{
      c.visibility->type,
      c.visibility->identifier.value_or(c.visibility->value)};
  r.acl = std::move(acl_id);
  return r;
}

storage::attachment_record
to_attachment_record(const protocol::jira_attachment& a,
                     const std::string& issue_id, std::string sha256,
                     std::optional<std::string> text, std::string acl_id) {
  storage::attachment_record r;
  r.id = a.id;
  r.issue_id = issue_id;
  r.filename = a.filename;
  r.mime_type = a.mime_type;
  r.size_bytes = a.size_bytes;
  r.sha256 = std::move(sha256);
  r.created_ms = a.created_ms;
  if (a.author)
    r.author = to_user_ref(*a.author);
  r.text = std::move(text);
  r.acl = std::move(acl_id);
  r.content_stored = !r.sha256.empty();
  return r;
}

bool is_text_mime(std::string_view m) {
  return m.substr(0, 5) == "text/";
}

} // namespace jirasync::sync
