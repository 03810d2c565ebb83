#include "storage/records.hpp"

#include "common/sha256.hpp"
#include "common/time_format.hpp"

#include <boost/json.hpp>

#include <algorithm>

namespace json = boost::json;

namespace jirasync::storage {

// --- record types
// --------------------------------------------------------------

namespace {

constexpr std::string_view type_names[record_type_count] = {
  "user", "group", "project", "issue", "comment", "attachment", "acl",
};

} // namespace

std::string_view to_string(record_type t) {
  return type_names[static_cast<std::size_t>(t)];
}

std::optional<record_type> parse_record_type(std::string_view s) {
  for (std::size_t i = 0; i < record_type_count; ++i)
    if (type_names[i] == s)
      return static_cast<record_type>(i);
  return std::nullopt;
}

// --- ACL ids
// -------------------------------------------------------------------

namespace {

std::vector<std::string> sorted_unique(std::vector<std::string> xs) {
  std::sort(xs.begin(), xs.end());
  xs.erase(std::unique(xs.begin(), xs.end()), xs.end());
  return xs;
}

} // namespace

std::string acl_id(const acl_record& acl) {
  std::string canon = "jirasync-acl-v1\n";
  canon += acl.anyone ? "anyone=1\n" : "anyone=0\n";
  for (const auto& u : sorted_unique(acl.users)) {
    canon += u;
    canon += '\n';
  }
  return common::sha256_hex(canon).substr(0, 32);
}

acl_record make_acl(bool anyone, std::vector<std::string> users) {
  acl_record out;
  out.anyone = anyone;
  out.users = sorted_unique(std::move(users));
  out.id = acl_id(out);
  return out;
}

// --- to_json
// -------------------------------------------------------------------

namespace {

json::value opt_string(const std::optional<std::string>& s) {
  if (s)
    return json::value(*s);
  return nullptr;
}

json::value opt_user(const std::optional<user_ref>& u) {
  if (u)
    return to_json(*u);
  return nullptr;
}

json::array string_array(const std::vector<std::string>& xs) {
  json::array out;
  out.reserve(xs.size());
  for (const auto& x : xs)
    out.emplace_back(x);
  return out;
}

json::value time_value(std::int64_t ms) {
  return json::value(common::format_rfc3339_ms(ms));
}

} // namespace

json::value to_json(const user_ref& u) {
  json::object o;
  o["account_id"] = u.account_id;
  o["email"] = opt_string(u.email);
  o["display_name"] = u.display_name;
  return o;
}

json::object to_json(const user_record& u) {
  json::object o;
  o["type"] = "user";
  o["id"] = u.account_id;
  o["account_id"] = u.account_id;
  o["email"] = opt_string(u.email);
  o["display_name"] = u.display_name;
  o["active"] = u.active;
  o["account_type"] = u.account_type;
  return o;
}

json::object to_json(const group_record& g) {
  json::object o;
  o["type"] = "group";
  o["id"] = g.id;
  o["name"] = g.name;
  o["members"] = string_array(sorted_unique(g.members));
  return o;
}

json::object to_json(const project_record& p) {
  json::object o;
  o["type"] = "project";
  o["id"] = p.id;
  o["key"] = p.key;
  o["name"] = p.name;
  o["lead"] = opt_user(p.lead);
  o["acl"] = p.acl;
  return o;
}

json::object to_json(const issue_record& i) {
  json::object o;
  o["type"] = "issue";
  o["id"] = i.id;
  o["key"] = i.key;
  o["project_key"] = i.project_key;
  o["summary"] = i.summary;
  o["markdown"] = i.markdown;
  o["status"] = i.status;
  o["status_category"] = i.status_category;
  o["priority"] = opt_string(i.priority);
  o["labels"] = string_array(i.labels);
  o["issue_type"] = i.issue_type;
  o["parent_key"] = opt_string(i.parent_key);
  o["reporter"] = opt_user(i.reporter);
  o["assignee"] = opt_user(i.assignee);
  o["created"] = time_value(i.created_ms);
  o["updated"] = time_value(i.updated_ms);
  o["security_level"] = opt_string(i.security_level);
  json::object cf;
  for (const auto& [name, value] : i.custom_fields)
    cf[name] = value;
  o["custom_fields"] = std::move(cf);
  o["url"] = i.url;
  o["acl"] = i.acl;
  return o;
}

json::object to_json(const comment_record& c) {
  json::object o;
  o["type"] = "comment";
  o["id"] = c.id;
  o["issue_id"] = c.issue_id;
  o["author"] = opt_user(c.author);
  o["markdown"] = c.markdown;
  o["created"] = time_value(c.created_ms);
  o["updated"] = time_value(c.updated_ms);
  if (c.visibility) {
    json::object v;
    v["type"] = c.visibility->type;
    v["identifier"] = c.visibility->identifier;
    o["visibility"] = std::move(v);
  } else {
    o["visibility"] = nullptr;
  }
  o["acl"] = c.acl;
  return o;
}

json::object to_json(const attachment_record& a) {
  json::object o;
  o["type"] = "attachment";
  o["id"] = a.id;
  o["issue_id"] = a.issue_id;
  o["filename"] = a.filename;
  o["mime_type"] = a.mime_type;
  o["size"] = a.size_bytes;
  o["sha256"] = a.sha256;
  o["created"] = time_value(a.created_ms);
  o["author"] = opt_user(a.author);
  o["text"] = opt_string(a.text);
  o["acl"] = a.acl;
  return o;
}

json::object to_json(const acl_record& a) {
  json::object o;
  o["type"] = "acl";
  o["id"] = a.id;
  o["anyone"] = a.anyone;
  o["users"] = string_array(a.users);
  return o;
}

json::object to_json(const any_record& r) {
  return std::visit(
    [](const auto& x) {
      return to_json(x);
    },
    r);
}

json::object to_stored_json(const issue_record& i) {
  auto o = to_json(i);
  o["project_id"] = i.project_id;
  // Only when set: stores written before the field read back unchanged.
  if (i.security_level_id)
    o["security_level_id"] = *i.security_level_id;
  return o;
}

json::object to_stored_json(const attachment_record& a) {
  auto o = to_json(a);
  o["content_stored"] = a.content_stored;
  return o;
}

json::object to_stored_json(const any_record& r) {
  return std::visit(
    [](const auto& x) -> json::object {
      using T = std::decay_t<decltype(x)>;
      if constexpr (std::is_same_v<
                      T, issue_record> || std::is_same_v<T, attachment_record>)
        return to_stored_json(x);
      else
        return to_json(x);
    },
    r);
}

std::string to_line(const any_record& r) {
  return json::serialize(to_json(r));
}

std::string to_line(const acl_record& a) {
  return json::serialize(to_json(a));
}

// --- from_json
// -------------------------------------------------------------------

namespace {

// Field readers: false when the field is missing or has the wrong type.
struct reader {
  const json::object& o;
  bool ok = true;

  const json::value* find(std::string_view k) const {
    return o.if_contains(k);
  }

  std::string str(std::string_view k) {
    auto* v = find(k);
    if (v && v->is_string())
      return std::string(v->get_string());
    ok = false;
    return {};
  }

  std::optional<std::string> opt_str(std::string_view k) {
    auto* v = find(k);
    if (!v || v->is_null())
      return std::nullopt;
    if (v->is_string())
      return std::string(v->get_string());
    ok = false;
    return std::nullopt;
  }

  bool boolean(std::string_view k, bool fallback) {
    auto* v = find(k);
    if (!v)
      return fallback;
    if (v->is_bool())
      return v->get_bool();
    ok = false;
    return fallback;
  }

  std::int64_t integer(std::string_view k) {
    auto* v = find(k);
    if (v && v->is_int64())
      return v->get_int64();
    if (v && v->is_uint64()
        && v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
      return static_cast<std::int64_t>(v->get_uint64());
    ok = false;
    return 0;
  }

  std::int64_t time(std::string_view k) {
    auto* v = find(k);
    if (v && v->is_string())
      if (auto ms = common::parse_rfc3339_ms(v->get_string()))
        return *ms;
    ok = false;
    return 0;
  }

  std::vector<std::string> strings(std::string_view k) {
    std::vector<std::string> out;
    auto* v = find(k);
    if (!v || !v->is_array()) {
      ok = false;
      return out;
    }
    for (const auto& x : v->get_array()) {
      if (!x.is_string()) {
        ok = false;
        return {};
      }
      out.emplace_back(x.get_string());
    }
    return out;
  }

  std::optional<user_ref> opt_user(std::string_view k) {
    auto* v = find(k);
    if (!v || v->is_null())
      return std::nullopt;
    auto u = user_ref_from_json(*v);
    if (!u)
      ok = false;
    return u;
  }
};

} // namespace

std::optional<user_ref> user_ref_from_json(const json::value& v) {
  if (!v.is_object())
    return std::nullopt;
  reader r{v.get_object()};
  user_ref u;
  u.account_id = r.str("account_id");
  u.email = r.opt_str("email");
  u.display_name = r.str("display_name");
  if (!r.ok)
    return std::nullopt;
  return u;
}

std::optional<user_record> user_from_json(const json::value& v) {
  if (!v.is_object())
    return std::nullopt;
  reader r{v.get_object()};
  user_record u;
  u.account_id = r.str("account_id");
  u.email = r.opt_str("email");
  u.display_name = r.str("display_name");
  u.active = r.boolean("active", true);
  u.account_type = r.str("account_type");
  if (!r.ok)
    return std::nullopt;
  return u;
}

std::optional<group_record> group_from_json(const json::value& v) {
  if (!v.is_object())
    return std::nullopt;
  reader r{v.get_object()};
  group_record g;
  g.id = r.str("id");
  g.name = r.str("name");
  g.members = r.strings("members");
  if (!r.ok)
    return std::nullopt;
  return g;
}

std::optional<project_record> project_from_json(const json::value& v) {
  if (!v.is_object())
    return std::nullopt;
  reader r{v.get_object()};
  project_record p;
  p.id = r.str("id");
  p.key = r.str("key");
  p.name = r.str("name");
  p.lead = r.opt_user("lead");
  p.acl = r.str("acl");
  if (!r.ok)
    return std::nullopt;
  return p;
}

std::optional<issue_record> issue_from_json(const json::value& v) {
  if (!v.is_object())
    return std::nullopt;
  reader r{v.get_object()};
  issue_record i;
  i.id = r.str("id");
  i.key = r.str("key");
  i.project_key = r.str("project_key");
  if (r.find("project_id"))
    i.project_id = r.str("project_id");
  i.summary = r.str("summary");
  i.markdown = r.str("markdown");
  i.status = r.str("status");
  i.status_category = r.str("status_category");
  i.priority = r.opt_str("priority");
  i.labels = r.strings("labels");
  i.issue_type = r.str("issue_type");
  i.parent_key = r.opt_str("parent_key");
  i.reporter = r.opt_user("reporter");
  i.assignee = r.opt_user("assignee");
  i.created_ms = r.time("created");
  i.updated_ms = r.time("updated");
  i.security_level = r.opt_str("security_level");
  if (r.find("security_level_id"))
    i.security_level_id = r.opt_str("security_level_id");
  if (auto* cf = r.find("custom_fields"); cf && cf->is_object()) {
    for (const auto& kv : cf->get_object())
      i.custom_fields.emplace(std::string(kv.key()), kv.value());
  } else {
    r.ok = false;
  }
  i.url = r.str("url");
  i.acl = r.str("acl");
  if (!r.ok)
    return std::nullopt;
  return i;
}

std::optional<comment_record> comment_from_json(const json::value& v) {
  if (!v.is_object())
    return std::nullopt;
  reader r{v.get_object()};
  comment_record c;
  c.id = r.str("id");
  c.issue_id = r.str("issue_id");
  c.author = r.opt_user("author");
  c.markdown = r.str("markdown");
  c.created_ms = r.time("created");
  c.updated_ms = r.time("updated");
  if (auto* vis = r.find("visibility"); vis && !vis->is_null()) {
    if (!vis->is_object())
      return std::nullopt;
    reader rv{vis->get_object()};
    comment_visibility cv;
    cv.type = rv.str("type");
    cv.identifier = rv.str("identifier");
    if (!rv.ok)
      return std::nullopt;
    c.visibility = std::move(cv);
  }
  c.acl = r.str("acl");
  if (!r.ok)
    return std::nullopt;
  return c;
}

std::optional<attachment_record> attachment_from_json(const json::value& v) {
  if (!v.is_object())
    return std::nullopt;
  reader r{v.get_object()};
  attachment_record a;
  a.id = r.str("id");
  a.issue_id = r.str("issue_id");
  a.filename = r.str("filename");
  a.mime_type = r.str("mime_type");
  a.size_bytes = r.integer("size");
  a.sha256 = r.str("sha256");
  a.created_ms = r.time("created");
  a.author = r.opt_user("author");
  a.text = r.opt_str("text");
  a.acl = r.str("acl");
  a.content_stored = r.boolean("content_stored", false);
  if (!r.ok)
    return std::nullopt;
  return a;
}

std::optional<acl_record> acl_from_json(const json::value& v) {
  if (!v.is_object())
    return std::nullopt;
  reader r{v.get_object()};
  acl_record a;
  a.id = r.str("id");
  a.anyone = r.boolean("anyone", false);
  a.users = r.strings("users");
  if (!r.ok)
    return std::nullopt;
  return a;
}

std::optional<any_record> record_from_json(const json::value& v) {
  if (!v.is_object())
    return std::nullopt;
  auto* t = v.get_object().if_contains("type");
  if (!t || !t->is_string())
    return std::nullopt;
  auto type = parse_record_type(t->get_string());
  if (!type)
    return std::nullopt;
  auto wrap = [](auto opt) -> std::optional<any_record> {
    if (opt)
      return any_record{std::move(*opt)};
    return std::nullopt;
  };
  switch (*type) {
    case record_type::user:
      return wrap(user_from_json(v));
    case record_type::group:
      return wrap(group_from_json(v));
    case record_type::project:
      return wrap(project_from_json(v));
    case record_type::issue:
      return wrap(issue_from_json(v));
    case record_type::comment:
      return wrap(comment_from_json(v));
    case record_type::attachment:
      return wrap(attachment_from_json(v));
    case record_type::acl:
      break;
  }
  return std::nullopt;
}

// --- identity and fingerprints
// ---------------------------------------------------

record_type type_of(const any_record& r) {
  return static_cast<record_type>(r.index());
}

record_key key_of(const user_record& x) {
  return {record_type::user, x.account_id};
}
record_key key_of(const group_record& x) {
  return {record_type::group, x.id};
}
record_key key_of(const project_record& x) {
  return {record_type::project, x.id};
}
record_key key_of(const issue_record& x) {
  return {record_type::issue, x.id};
}
record_key key_of(const comment_record& x) {
  return {record_type::comment, x.id};
}
record_key key_of(const attachment_record& x) {
  return {record_type::attachment, x.id};
}
record_key key_of(const acl_record& x) {
  return {record_type::acl, x.id};
}
record_key key_of(const any_record& r) {
  return std::visit(
    [](const auto& x) {
      return key_of(x);
    },
    r);
}

std::optional<std::string> acl_of(const any_record& r) {
  return std::visit(
    [](const auto& x) -> std::optional<std::string> {
      using T = std::decay_t<decltype(x)>;
      if constexpr (std::is_same_v<
                      T, user_record> || std::is_same_v<T, group_record>)
        return std::nullopt;
      else
        return x.acl;
    },
    r);
}

std::string fingerprint(const any_record& r) {
  return common::sha256_hex(json::serialize(to_stored_json(r)));
}

} // namespace jirasync::storage
