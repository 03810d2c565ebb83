#include "protocol/jira/jira_issues.hpp"

namespace jirasync::protocol {

using namespace json_reader;

namespace {

void read_field(ctx& c, const json::object& o, std::string_view p,
                jira_field& f) {
  f.id = req_str(c, o, "id", p);
  f.key = opt_str(c, o, "key", p);
  f.name = str_or_empty(c, o, "name", p);
  f.custom = opt_bool(c, o, "custom", p).value_or(false);
  if (const auto* s = opt_obj(c, o, "schema", p)) {
    std::string sp = join(p, "schema");
    field_schema fs;
    fs.type = str_or_empty(c, *s, "type", sp);
    fs.items = opt_str(c, *s, "items", sp);
    fs.system = opt_str(c, *s, "system", sp);
    fs.custom = opt_str(c, *s, "custom", sp);
    fs.custom_id = opt_int(c, *s, "customId", sp);
    f.schema = std::move(fs);
  }
}

void read_comment(ctx& c, const json::object& o, std::string_view p,
                  jira_comment& cm) {
  cm.id = req_id(c, o, "id", p);
  cm.author = user_field(c, o, "author", p);
  cm.update_author = user_field(c, o, "updateAuthor", p);
  if (const auto* b = get(o, "body"))
    cm.body = *b;
  cm.created_ms = req_time(c, o, "created", p);
  cm.updated_ms = opt_time(c, o, "updated", p).value_or(cm.created_ms);
  if (const auto* v = opt_obj(c, o, "visibility", p)) {
    std::string vp = join(p, "visibility");
    comment_visibility vis;
    vis.type = req_str(c, *v, "type", vp);
    vis.value = str_or_empty(c, *v, "value", vp);
    vis.identifier = opt_id(c, *v, "identifier", vp);
    if (vis.value.empty() && !vis.identifier)
      c.fail(join(vp, "value"), "missing (a restriction to nobody known)");
    cm.visibility = std::move(vis);
  }
  cm.jsd_public = opt_bool(c, o, "jsdPublic", p);
}

void read_comment_list(ctx& c, const json::object& o, std::string_view key,
                       std::string_view p, std::vector<jira_comment>& out) {
  read_sub_records(c, o, key, p, out,
                   [](ctx& sc, const json::object& co, const std::string& cp,
                      jira_comment& cm) {
                     read_comment(sc, co, cp, cm);
                   });
}

void read_attachment(ctx& c, const json::object& o, std::string_view p,
                     jira_attachment& a) {
  a.id = req_id(c, o, "id", p);
  a.filename = str_or_empty(c, o, "filename", p);
  a.author = user_field(c, o, "author", p);
  a.created_ms = opt_time(c, o, "created", p).value_or(0);
  auto size = opt_int(c, o, "size", p);
  if (size && *size < 0)
    c.fail(join(p, "size"), "negative size " + std::to_string(*size));
  a.size_known = size.has_value();
  a.size_bytes = size.value_or(0);
  a.mime_type = str_or_empty(c, o, "mimeType", p);
  a.content_url = str_or_empty(c, o, "content", p);
}

void read_fields(ctx& c, const json::object& o, std::string_view p,
                 issue_fields& f) {
  f.summary = opt_str(c, o, "summary", p);
  if (auto it = o.find("description"); it != o.end())
    f.description = it->value();
  if (const auto* s = opt_obj(c, o, "status", p)) {
    std::string sp = join(p, "status");
    issue_status st;
    st.name = str_or_empty(c, *s, "name", sp);
    if (const auto* cat = opt_obj(c, *s, "statusCategory", sp))
      st.category_key
        = str_or_empty(c, *cat, "key", join(sp, "statusCategory"));
    f.status = std::move(st);
  }
  if (const auto* pr = opt_obj(c, o, "priority", p)) {
    std::string pp = join(p, "priority");
    f.priority = issue_priority{str_or_empty(c, *pr, "name", pp),
                                opt_id(c, *pr, "id", pp).value_or("")};
  }
  f.labels = str_list(c, o, "labels", p);
  if (const auto* t = opt_obj(c, o, "issuetype", p))
    f.issue_type = opt_str(c, *t, "name", join(p, "issuetype"));
  if (const auto* pr = opt_obj(c, o, "project", p)) {
    std::string pp = join(p, "project");
    f.project
      = project_ref{req_id(c, *pr, "id", pp), str_or_empty(c, *pr, "key", pp),
                    str_or_empty(c, *pr, "name", pp)};
  }
  if (const auto* pa = opt_obj(c, o, "parent", p)) {
    std::string pp = join(p, "parent");
    f.parent
      = issue_ref{req_id(c, *pa, "id", pp), str_or_empty(c, *pa, "key", pp)};
  }
  f.reporter = user_field(c, o, "reporter", p);
  f.assignee = user_field(c, o, "assignee", p);
  f.creator = user_field(c, o, "creator", p);
  f.created_ms = opt_time(c, o, "created", p);
  f.updated_ms = opt_time(c, o, "updated", p);
  if (const auto* s = opt_obj(c, o, "security", p)) {
    std::string sp = join(p, "security");
    f.security = security_level_ref{req_id(c, *s, "id", sp),
                                    str_or_empty(c, *s, "name", sp)};
  }
  if (const auto* cv = get(o, "comment")) {
    std::string cp = join(p, "comment");
    comment_page page;
    if (cv->is_object()) {
      const auto& co = cv->get_object();
      read_comment_list(c, co, "comments", cp, page.comments);
      page.start_at = opt_int(c, co, "startAt", cp).value_or(0);
      page.max_results = opt_int(c, co, "maxResults", cp).value_or(0);
      auto listed = static_cast<std::int64_t>(
        co.contains("comments") && co.at("comments").is_array()
          ? co.at("comments").get_array().size()
          : 0);
      page.total = opt_int(c, co, "total", cp).value_or(listed);
      f.comment = std::move(page);
    } else if (cv->is_array()) {
      // Old captures: a bare array of comments.
      read_comment_list(c, o, "comment", p, page.comments);
      page.total = static_cast<std::int64_t>(cv->get_array().size());
      page.max_results = page.total;
      f.comment = std::move(page);
    } else {
      c.fail(cp, "expected an object or an array, " + got(*cv));
    }
  }
  read_sub_records(c, o, "attachment", p, f.attachments,
                   [](ctx& sc, const json::object& ao, const std::string& ap,
                      jira_attachment& a) {
                     read_attachment(sc, ao, ap, a);
                   });
  for (const auto& kv : o) {
    std::string_view k = kv.key();
    if (k.starts_with("customfield_") && !kv.value().is_null())
      f.custom_fields.emplace(std::string(k), kv.value());
  }
}

} // namespace

namespace json_reader {

void read_issue(ctx& c, const json::object& o, std::string_view p,
                jira_issue& is) {
  is.id = req_id(c, o, "id", p);
  is.key = opt_str(c, o, "key", p);
  is.self = str_or_empty(c, o, "self", p);
  if (const auto* f = opt_obj(c, o, "fields", p)) {
    is.has_fields = true;
    read_fields(c, *f, join(p, "fields"), is.fields);
  }
}

} // namespace json_reader

parsed<std::vector<jira_field>> parse_fields(const json::value& doc) {
  parsed<std::vector<jira_field>> out;
  if (const auto* a = top_array(doc, out, "fields"))
    read_records(*a, "fields", out.value, out.errors,
                 [](ctx& c, const json::object& o, jira_field& f) {
                   read_field(c, o, "", f);
                 });
  return out;
}

parsed<comment_page> parse_comment_page(const json::value& doc) {
  parsed<comment_page> out;
  const auto* o = top_object(doc, out, "comment page");
  if (!o)
    return out;
  const auto* a = page_array(*o, "comments", out, "comment page");
  if (!a)
    return out;
  read_records(*a, "comment", out.value.comments, out.errors,
               [](ctx& c, const json::object& co, jira_comment& cm) {
                 read_comment(c, co, "", cm);
               });
  out.value.received = static_cast<std::int64_t>(a->size());
  ctx c{"comment page", &out.errors, 0};
  out.value.start_at = opt_int(c, *o, "startAt", "").value_or(0);
  out.value.max_results = opt_int(c, *o, "maxResults", "").value_or(0);
  out.value.total = opt_int(c, *o, "total", "")
                      .value_or(static_cast<std::int64_t>(a->size()));
  if (c.own > 0)
    out.fatal = true;
  return out;
}

parsed<jira_attachment> parse_attachment(const json::value& doc) {
  return single<jira_attachment>(
    doc, "attachment", [](ctx& c, const json::object& o, jira_attachment& a) {
      read_attachment(c, o, "", a);
    });
}

parsed<attachment_settings> parse_attachment_settings(const json::value& doc) {
  return single<attachment_settings>(
    doc, "attachment settings",
    [](ctx& c, const json::object& o, attachment_settings& s) {
      s.enabled = opt_bool(c, o, "enabled", "").value_or(false);
      s.upload_limit_bytes = opt_int(c, o, "uploadLimit", "").value_or(0);
    });
}

parsed<jira_issue> parse_issue(const json::value& doc) {
  return single<jira_issue>(doc, "issue",
                            [](ctx& c, const json::object& o, jira_issue& i) {
                              read_issue(c, o, "", i);
                            });
}

} // namespace jirasync::protocol
