// JSON renderers and parameter helpers shared by the REST handlers. Shapes
// follow the real captures (tests/fixtures/jira-cloud/).
#include "sim/server_handlers.hpp"
#include "sim/server_http.hpp"
#include "sim/sim_time.hpp"

#include <algorithm>
#include <charconv>

namespace jirasim {

api_result json_result(int status, const json::value& v, std::size_t core,
                       std::size_t identity) {
  api_result r;
  r.res = json_response(status, json::serialize(v));
  r.core = core;
  r.identity = identity;
  return r;
}

api_result error_result(int status, std::string_view message) {
  api_result r;
  r.res = jira_error(status, message);
  return r;
}

std::optional<std::int64_t> int_param(const http_request& r,
                                      std::string_view key, std::int64_t def) {
  auto v = r.param(key);
  if (!v || v->empty())
    return def;
  std::int64_t out = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
  if (ec != std::errc{} || p != v->data() + v->size())
    return std::nullopt;
  return out;
}

bool bool_param(const http_request& r, std::string_view key, bool def) {
  auto v = r.param(key);
  if (!v)
    return def;
  return *v == "true" || *v == "1";
}

page_request read_page(const http_request& r, std::int64_t def,
                       std::int64_t cap, std::int64_t min,
                       std::string_view start_key, std::string_view max_key) {
  page_request pg;
  auto start = int_param(r, start_key, 0);
  auto max = int_param(r, max_key, def);
  if (!start || !max || *start < 0 || *max < min) {
    pg.error = error_result(400, std::string{start_key} + " and "
                                   + std::string{max_key}
                                   + " must be non-negative integers.");
    return pg;
  }
  pg.start = *start;
  pg.max = std::min(*max, cap);
  return pg;
}

std::size_t page_bean(json::object& o, const page_request& pg,
                      std::size_t total, json::array values) {
  auto count = values.size();
  o["maxResults"] = pg.max;
  o["startAt"] = pg.start;
  o["total"] = total;
  o["isLast"] = pg.is_last(count, total);
  o["values"] = std::move(values);
  return count;
}

std::vector<std::string> list_param(const http_request& r,
                                    std::string_view key) {
  std::vector<std::string> out;
  for (auto& [k, v] : r.query) {
    if (k != key)
      continue;
    for (auto item : split_nonempty(v, ','))
      out.emplace_back(item);
  }
  return out;
}

std::string jira_time(const api_call& c, std::int64_t ms) {
  return format_jira_time(ms, c.tz);
}

json::object avatar_urls(std::string_view seed) {
  std::string base = "https://avatar-management--avatars.us-west-2.prod.public."
                     "atl-paas.net/initials/"
                     + std::string(seed.substr(0, 2)) + "-5.png";
  json::object o;
  o["48x48"] = base + "?size=48&s=48";
  o["24x24"] = base + "?size=24&s=24";
  o["16x16"] = base + "?size=16&s=16";
  o["32x32"] = base + "?size=32&s=32";
  return o;
}

json::object user_json(const api_call& c, user_ix ix) {
  const auto& u = c.ws.users[ix];
  json::object o;
  o["self"] = c.base + "/rest/api/3/user?accountId=" + u.account_id;
  o["accountId"] = u.account_id;
  if (!u.email_hidden && !u.email.empty())
    o["emailAddress"] = u.email;
  o["avatarUrls"] = avatar_urls(u.display_name.empty() ? "XX" : u.display_name);
  o["displayName"] = u.display_name;
  o["active"] = u.active;
  if (!u.time_zone.empty())
    o["timeZone"] = u.time_zone;
  o["accountType"] = std::string(to_string(u.type));
  return o;
}

json::value user_or_null(const api_call& c, user_ix u) {
  if (u == no_user || u >= c.ws.users.size())
    return nullptr;
  return user_json(c, u);
}

json::object project_ref_json(const api_call& c, const project& p) {
  json::object o;
  o["self"] = c.base + "/rest/api/3/project/" + std::to_string(p.id);
  o["id"] = std::to_string(p.id);
  o["key"] = p.key;
  o["name"] = p.name;
  o["projectTypeKey"] = p.project_type_key;
  o["simplified"] = false;
  o["avatarUrls"] = avatar_urls(p.key);
  return o;
}

json::object project_json(const api_call& c, const project& p, bool with_lead,
                          bool with_description) {
  json::object o;
  o["expand"]
    = "description,lead,issueTypes,url,projectKeys,permissions,insight";
  o["self"] = c.base + "/rest/api/3/project/" + std::to_string(p.id);
  o["id"] = std::to_string(p.id);
  o["key"] = p.key;
  if (with_description)
    o["description"] = p.description;
  if (with_lead)
    o["lead"] = user_or_null(c, p.lead);
  o["name"] = p.name;
  o["avatarUrls"] = avatar_urls(p.key);
  o["projectTypeKey"] = p.project_type_key;
  o["simplified"] = false;
  o["style"] = "classic";
  o["isPrivate"] = false;
  o["properties"] = json::object{};
  return o;
}

json::object holder_json(const holder& h) {
  json::object o;
  o["type"] = h.type;
  if (!h.parameter.empty())
    o["parameter"] = h.parameter;
  if (!h.value.empty())
    o["value"] = h.value;
  o["expand"] = h.type == "projectRole" ? "projectRole"
                : h.type == "group"     ? "group"
                : h.type == "user"      ? "user"
                                        : h.type;
  return o;
}

json::object attachment_json(const api_call& c, const attachment& a) {
  json::object o;
  o["self"] = c.base + "/rest/api/3/attachment/" + std::to_string(a.id);
  o["id"] = a.id;
  o["filename"] = a.filename;
  o["author"] = user_or_null(c, a.author);
  o["created"] = jira_time(c, a.created_ms);
  o["size"] = a.size_bytes;
  o["mimeType"] = a.mime_type;
  o["content"]
    = c.base + "/rest/api/3/attachment/content/" + std::to_string(a.id);
  if (a.mime_type.rfind("image/", 0) == 0)
    o["thumbnail"]
      = c.base + "/rest/api/3/attachment/thumbnail/" + std::to_string(a.id);
  return o;
}

json::object comment_json(const api_call& c, const issue& i, const comment& k) {
  json::object o;
  o["self"] = c.base + "/rest/api/3/issue/" + std::to_string(i.id) + "/comment/"
              + std::to_string(k.id);
  o["id"] = std::to_string(k.id);
  o["author"] = user_or_null(c, k.author);
  o["body"] = comment_body(c.ws, i, k);
  o["updateAuthor"]
    = user_or_null(c, k.update_author == no_user ? k.author : k.update_author);
  o["created"] = jira_time(c, k.created_ms);
  o["updated"] = jira_time(c, k.updated_ms);
  if (k.visibility.type != visibility_type::none) {
    json::object v;
    v["type"] = k.visibility.type == visibility_type::group ? "group" : "role";
    v["value"] = k.visibility.value;
    v["identifier"] = k.visibility.identifier;
    o["visibility"] = std::move(v);
  }
  o["jsdPublic"] = k.jsd_public;
  return o;
}

bool field_selection::wants(std::string_view f) const {
  if (std::find(exclude.begin(), exclude.end(), f) != exclude.end())
    return false;
  if (all)
    return true;
  return std::find(include.begin(), include.end(), f) != include.end();
}

field_selection parse_fields(const std::vector<std::string>& raw,
                             bool default_all) {
  field_selection s;
  if (raw.empty()) {
    if (default_all)
      s.all = true;
    else
      s.include = {"id"};
    return s;
  }
  for (auto& f : raw) {
    if (f == "*all" || f == "*navigable")
      s.all = true;
    else if (!f.empty() && f[0] == '-')
      s.exclude.push_back(f.substr(1));
    else
      s.include.push_back(f);
  }
  if (!s.all && s.include.empty())
    s.all = default_all;
  return s;
}

namespace {

json::object status_json(const api_call& c, const status_def& s) {
  json::object cat;
  cat["self"]
    = c.base + "/rest/api/3/statuscategory/" + std::to_string(s.category_id);
  cat["id"] = s.category_id;
  cat["key"] = s.category_key;
  cat["colorName"] = s.color_name;
  cat["name"] = s.category_name;
  json::object o;
  o["self"] = c.base + "/rest/api/3/status/" + std::to_string(s.id);
  o["description"] = "";
  o["iconUrl"] = c.base + "/";
  o["name"] = s.name;
  o["id"] = std::to_string(s.id);
  o["statusCategory"] = std::move(cat);
  return o;
}

json::object priority_json(const api_call& c, const priority_def& p) {
  json::object o;
  o["self"] = c.base + "/rest/api/3/priority/" + std::to_string(p.id);
  o["iconUrl"] = c.base + "/images/icons/priorities/medium.svg";
  o["name"] = p.name;
  o["id"] = std::to_string(p.id);
  return o;
}

json::object issue_type_json(const api_call& c, const issue_type_def& t) {
  json::object o;
  o["self"] = c.base + "/rest/api/3/issuetype/" + std::to_string(t.id);
  o["id"] = std::to_string(t.id);
  o["description"] = "";
  o["iconUrl"] = c.base + "/images/icons/issuetypes/task.svg";
  o["name"] = t.name;
  o["subtask"] = t.subtask;
  o["hierarchyLevel"] = t.hierarchy_level;
  return o;
}

/// Replaces {"accountId": X} placeholders by full user objects.
void expand_users(const api_call& c, json::value& v) {
  if (auto* o = v.if_object()) {
    if (o->size() == 1 && o->contains("accountId")) {
      auto u
        = find_user_ix(c.ws, json::value_to<std::string>(o->at("accountId")));
      if (u)
        v = user_json(c, *u);
      return;
    }
    for (auto& kv : *o)
      expand_users(c, kv.value());
  } else if (auto* a = v.if_array()) {
    for (auto& e : *a)
      expand_users(c, e);
  }
}

} // namespace

json::object issue_json(api_call& c, const issue& i, const field_selection& f,
                        std::size_t& objects) {
  json::object o;
  o["expand"] = "renderedFields,names,schema,operations,editmeta,changelog,"
                "versionedRepresentations";
  o["id"] = std::to_string(i.id);
  o["self"] = c.base + "/rest/api/3/issue/" + std::to_string(i.id);
  o["key"] = i.key;
  json::object fl;
  const auto& ws = c.ws;
  if (f.wants("summary"))
    fl["summary"] = i.summary;
  if (f.wants("description"))
    fl["description"] = issue_description(ws, i);
  if (f.wants("status"))
    if (auto* s = find_status(ws, i.status_id))
      fl["status"] = status_json(c, *s);
  if (f.wants("statuscategorychangedate"))
    fl["statuscategorychangedate"] = jira_time(c, i.updated_ms);
  if (f.wants("priority")) {
    if (auto* p = find_priority(ws, i.priority_id))
      fl["priority"] = priority_json(c, *p);
    else
      fl["priority"] = nullptr;
  }
  if (f.wants("labels")) {
    json::array a;
    for (auto& l : i.labels)
      a.emplace_back(l);
    fl["labels"] = std::move(a);
  }
  if (f.wants("issuetype"))
    if (auto* t = find_issue_type(ws, i.issue_type_id))
      fl["issuetype"] = issue_type_json(c, *t);
  if (f.wants("project"))
    if (auto* p = find_project(ws, i.project_id))
      fl["project"] = project_ref_json(c, *p);
  if (f.wants("reporter"))
    fl["reporter"] = user_or_null(c, i.reporter);
  if (f.wants("assignee"))
    fl["assignee"] = user_or_null(c, i.assignee);
  if (f.wants("creator"))
    fl["creator"] = user_or_null(c, i.creator);
  if (f.wants("created"))
    fl["created"] = jira_time(c, i.created_ms);
  if (f.wants("updated"))
    fl["updated"] = jira_time(c, i.updated_ms);
  if (f.wants("security")) {
    const security_level* lvl = i.security_level_id
                                  ? find_security_level(ws, i.security_level_id)
                                  : nullptr;
    if (lvl) {
      json::object s;
      s["self"]
        = c.base + "/rest/api/3/securitylevel/" + std::to_string(lvl->id);
      s["id"] = std::to_string(lvl->id);
      s["description"] = lvl->description;
      s["name"] = lvl->name;
      fl["security"] = std::move(s);
    } else {
      fl["security"] = nullptr;
    }
  }
  if (f.wants("parent") && i.parent_id != 0) {
    if (auto* p = find_issue(ws, i.parent_id)) {
      json::object po;
      po["id"] = std::to_string(p->id);
      po["key"] = p->key;
      po["self"] = c.base + "/rest/api/3/issue/" + std::to_string(p->id);
      json::object pf;
      pf["summary"] = p->summary;
      if (auto* s = find_status(ws, p->status_id))
        pf["status"] = status_json(c, *s);
      if (auto* pr = find_priority(ws, p->priority_id))
        pf["priority"] = priority_json(c, *pr);
      if (auto* t = find_issue_type(ws, p->issue_type_id))
        pf["issuetype"] = issue_type_json(c, *t);
      po["fields"] = std::move(pf);
      fl["parent"] = std::move(po);
    }
  }
  if (f.wants("comment")) {
    constexpr std::size_t embedded_cap = embedded_comment_cap;
    json::array list;
    std::size_t total = 0;
    for (auto& k : i.comments) {
      if (!can_see_comment(ws, c.caller, i, k))
        continue;
      ++total;
      if (list.size() < embedded_cap)
        list.push_back(comment_json(c, i, k));
    }
    objects += list.size();
    json::object co;
    co["comments"] = std::move(list);
    co["self"]
      = c.base + "/rest/api/3/issue/" + std::to_string(i.id) + "/comment";
    co["maxResults"] = std::min(total, embedded_cap);
    co["total"] = total;
    co["startAt"] = 0;
    fl["comment"] = std::move(co);
  }
  if (f.wants("attachment")) {
    json::array a;
    for (auto& at : i.attachments)
      a.push_back(attachment_json(c, at));
    objects += i.attachments.size();
    fl["attachment"] = std::move(a);
  }
  if (f.all) {
    fl["subtasks"] = json::array{};
    fl["issuelinks"] = json::array{};
    fl["fixVersions"] = json::array{};
    fl["versions"] = json::array{};
    fl["components"] = json::array{};
    fl["resolution"] = nullptr;
    fl["resolutiondate"] = nullptr;
    fl["duedate"] = nullptr;
    fl["environment"] = nullptr;
    json::object w;
    w["self"] = c.base + "/rest/api/3/issue/" + i.key + "/watchers";
    w["watchCount"] = 0;
    w["isWatching"] = false;
    fl["watches"] = std::move(w);
    fl["timetracking"] = json::object{};
  }
  bool any_custom = f.all;
  if (!any_custom)
    for (auto& inc : f.include)
      if (inc.rfind("customfield_", 0) == 0)
        any_custom = true;
  if (any_custom) {
    auto custom = issue_custom_fields(ws, i);
    for (auto& kv : custom) {
      if (!f.wants(kv.key()))
        continue;
      json::value v = kv.value();
      expand_users(c, v);
      fl[kv.key()] = std::move(v);
    }
  }
  o["fields"] = std::move(fl);
  return o;
}

} // namespace jirasim
