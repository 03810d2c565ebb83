#include "protocol/jira/jira_projects.hpp"

namespace jirasync::protocol {

using namespace json_reader;

namespace {

void read_project(ctx& c, const json::object& o, std::string_view p,
                  jira_project& pr) {
  pr.id = req_id(c, o, "id", p);
  pr.key = req_str(c, o, "key", p);
  pr.name = str_or_empty(c, o, "name", p);
  pr.lead = user_field(c, o, "lead", p);
  pr.project_type_key = str_or_empty(c, o, "projectTypeKey", p);
  pr.simplified = opt_bool(c, o, "simplified", p).value_or(false);
  pr.style = str_or_empty(c, o, "style", p);
  pr.is_private = opt_bool(c, o, "isPrivate", p);
}

void read_holder(ctx& c, const json::object& o, std::string_view p,
                 permission_holder& h) {
  h.type_raw = req_str(c, o, "type", p);
  h.type = holder_type_from(h.type_raw);
  h.parameter = opt_text(c, o, "parameter", p);
  h.value = opt_text(c, o, "value", p);
  h.expand = opt_str(c, o, "expand", p);
  if (const auto* g = opt_obj(c, o, "group", p)) {
    std::string gp = join(p, "group");
    jira_group grp;
    grp.name = str_or_empty(c, *g, "name", gp);
    grp.group_id = opt_id(c, *g, "groupId", gp).value_or("");
    h.group = std::move(grp);
  }
  if (const auto* r = opt_obj(c, o, "projectRole", p)) {
    std::string rp = join(p, "projectRole");
    h.project_role_id = opt_id(c, *r, "id", rp);
    h.project_role_name = opt_str(c, *r, "name", rp);
  }
  h.user = user_field(c, o, "user", p);
  // A grant to nobody in particular would be silently wrong: require the
  // identifying parameter for the holder types that need one.
  switch (h.type) {
    case holder_type::group:
      if (!h.group_id() && !h.group_name())
        c.fail(join(p, "parameter"), "missing for holder type group");
      break;
    case holder_type::project_role:
      if (!h.role_id())
        c.fail(join(p, "parameter"), "missing for holder type projectRole");
      break;
    case holder_type::user:
      if (!h.account_id())
        c.fail(join(p, "parameter"), "missing for holder type user");
      break;
    case holder_type::group_custom_field:
    case holder_type::user_custom_field:
      if (!h.parameter && !h.value)
        c.fail(join(p, "parameter"), "missing for holder type " + h.type_raw);
      break;
    default:
      break;
  }
}

void read_grant(ctx& c, const json::object& o, std::string_view p,
                permission_grant& g) {
  g.id = opt_id(c, o, "id", p);
  g.permission = req_str(c, o, "permission", p);
  const auto* h = opt_obj(c, o, "holder", p);
  if (!h) {
    if (!get(o, "holder"))
      c.fail(join(p, "holder"), "missing");
    return;
  }
  read_holder(c, *h, join(p, "holder"), g.holder);
}

void read_scheme(ctx& c, const json::object& o, std::string_view p,
                 permission_scheme& s) {
  s.id = req_id(c, o, "id", p);
  s.name = str_or_empty(c, o, "name", p);
  s.description = opt_str(c, o, "description", p);
  read_sub_records(c, o, "permissions", p, s.permissions,
                   [](ctx& sc, const json::object& go, const std::string& gp,
                      permission_grant& g) {
                     read_grant(sc, go, gp, g);
                   });
}

void read_actor(ctx& c, const json::object& o, std::string_view p,
                role_actor& a) {
  a.id = opt_id(c, o, "id", p);
  a.display_name = str_or_empty(c, o, "displayName", p);
  a.type_raw = req_str(c, o, "type", p);
  if (a.type_raw == "atlassian-group-role-actor") {
    a.type = role_actor_type::group;
    if (const auto* g = opt_obj(c, o, "actorGroup", p)) {
      std::string gp = join(p, "actorGroup");
      a.group_name = opt_str(c, *g, "name", gp);
      a.group_id = opt_id(c, *g, "groupId", gp);
    }
    if (!a.group_name) // old shapes carry the group name on the actor
      a.group_name = opt_str(c, o, "name", p);
    if (!a.group_name && !a.group_id)
      c.fail(join(p, "actorGroup"), "missing for a group actor");
  } else if (a.type_raw == "atlassian-user-role-actor") {
    a.type = role_actor_type::user;
    if (const auto* u = opt_obj(c, o, "actorUser", p))
      a.account_id = opt_str(c, *u, "accountId", join(p, "actorUser"));
    if (!a.account_id || a.account_id->empty())
      c.fail(join(p, "actorUser.accountId"), "missing for a user actor");
  } else {
    a.type = role_actor_type::other;
  }
}

void read_role(ctx& c, const json::object& o, std::string_view p,
               project_role& r) {
  r.id = req_id(c, o, "id", p);
  r.name = str_or_empty(c, o, "name", p);
  r.description = opt_str(c, o, "description", p);
  read_sub_records(
    c, o, "actors", p, r.actors,
    [](ctx& sc, const json::object& ao, const std::string& ap, role_actor& a) {
      read_actor(sc, ao, ap, a);
    });
}

void read_level(ctx& c, const json::object& o, std::string_view p,
                security_level& l) {
  l.id = req_id(c, o, "id", p);
  l.name = str_or_empty(c, o, "name", p);
  l.description = opt_str(c, o, "description", p);
}

void read_level_scheme(ctx& c, const json::object& o, std::string_view p,
                       security_level_scheme& s) {
  s.id = opt_id(c, o, "id", p);
  s.name = str_or_empty(c, o, "name", p);
  s.description = opt_str(c, o, "description", p);
  s.default_level_id = opt_id(c, o, "defaultSecurityLevelId", p);
  read_sub_records(c, o, "levels", p, s.levels,
                   [](ctx& sc, const json::object& lo, const std::string& lp,
                      security_level& l) {
                     read_level(sc, lo, lp, l);
                   });
}

void read_member(ctx& c, const json::object& o, std::string_view p,
                 security_level_member& m) {
  m.id = req_id(c, o, "id", p);
  m.level_id = req_id(c, o, "issueSecurityLevelId", p);
  const auto* h = opt_obj(c, o, "holder", p);
  if (!h) {
    if (!get(o, "holder"))
      c.fail(join(p, "holder"), "missing");
    return;
  }
  read_holder(c, *h, join(p, "holder"), m.holder);
}

struct holder_name {
  holder_type type;
  std::string_view name;
};

constexpr holder_name holder_names[] = {
  {holder_type::anyone, "anyone"},
  {holder_type::application_role, "applicationRole"},
  {holder_type::assignee, "assignee"},
  {holder_type::group, "group"},
  {holder_type::group_custom_field, "groupCustomField"},
  {holder_type::project_lead, "projectLead"},
  {holder_type::project_role, "projectRole"},
  {holder_type::reporter, "reporter"},
  {holder_type::sd_customer_portal_only, "sd.customer.portal.only"},
  {holder_type::user, "user"},
  {holder_type::user_custom_field, "userCustomField"},
};

} // namespace

std::string_view to_string(holder_type type) {
  for (const auto& h : holder_names)
    if (h.type == type)
      return h.name;
  return "other";
}

holder_type holder_type_from(std::string_view raw) {
  for (const auto& h : holder_names)
    if (h.name == raw)
      return h.type;
  return holder_type::other;
}

std::optional<std::string> permission_holder::group_id() const {
  if (type != holder_type::group)
    return std::nullopt;
  if (value && !value->empty())
    return value;
  if (group && !group->group_id.empty())
    return group->group_id;
  return std::nullopt;
}

std::optional<std::string> permission_holder::group_name() const {
  if (type != holder_type::group)
    return std::nullopt;
  if (parameter && !parameter->empty())
    return parameter;
  if (group && !group->name.empty())
    return group->name;
  return std::nullopt;
}

std::optional<std::string> permission_holder::role_id() const {
  if (type != holder_type::project_role)
    return std::nullopt;
  if (parameter && !parameter->empty())
    return parameter;
  if (project_role_id && !project_role_id->empty())
    return project_role_id;
  if (value && !value->empty())
    return value;
  return std::nullopt;
}

std::optional<std::string> permission_holder::account_id() const {
  if (type != holder_type::user)
    return std::nullopt;
  if (parameter && !parameter->empty())
    return parameter;
  if (value && !value->empty())
    return value;
  if (user && !user->account_id.empty())
    return user->account_id;
  return std::nullopt;
}

parsed<jira_page<jira_project>> parse_project_page(const json::value& doc) {
  parsed<jira_page<jira_project>> out;
  const auto* o = top_object(doc, out, "project page");
  if (!o)
    return out;
  const auto* a = page_array(*o, "values", out, "project page");
  if (!a)
    return out;
  read_records(*a, "projects", out.value.values, out.errors,
               [](ctx& c, const json::object& po, jira_project& v) {
                 read_project(c, po, "", v);
               });
  out.value.page = page_fields(*o, a->size(), out, "project page");
  return out;
}

parsed<permission_scheme_ref>
parse_permission_scheme_ref(const json::value& doc) {
  return single<permission_scheme_ref>(
    doc, "permission scheme",
    [](ctx& c, const json::object& o, permission_scheme_ref& r) {
      r.id = req_id(c, o, "id", "");
      r.name = str_or_empty(c, o, "name", "");
    });
}

parsed<permission_scheme> parse_permission_scheme(const json::value& doc) {
  return single<permission_scheme>(
    doc, "permission scheme",
    [](ctx& c, const json::object& o, permission_scheme& s) {
      read_scheme(c, o, "", s);
    });
}

parsed<std::vector<permission_scheme>>
parse_permission_schemes(const json::value& doc) {
  parsed<std::vector<permission_scheme>> out;
  const auto* o = top_object(doc, out, "permission schemes");
  if (!o)
    return out;
  const auto* a
    = page_array(*o, "permissionSchemes", out, "permission schemes");
  if (!a)
    return out;
  read_records(*a, "permissionSchemes", out.value, out.errors,
               [](ctx& c, const json::object& so, permission_scheme& s) {
                 read_scheme(c, so, "", s);
               });
  return out;
}

parsed<std::vector<project_role_link>>
parse_project_role_map(const json::value& doc) {
  parsed<std::vector<project_role_link>> out;
  const auto* o = top_object(doc, out, "project roles");
  if (!o)
    return out;
  for (const auto& kv : *o) {
    std::string name(kv.key());
    ctx c{"project roles (name " + shorten(name) + ")", &out.errors, 0};
    if (!kv.value().is_string()) {
      c.fail("", "expected a role URL, " + got(kv.value()));
      continue;
    }
    std::string url(kv.value().get_string());
    std::string_view path = url;
    if (auto q = path.find_first_of("?#"); q != std::string_view::npos)
      path = path.substr(0, q);
    while (!path.empty() && path.back() == '/')
      path.remove_suffix(1);
    std::string_view id = path.substr(path.rfind('/') + 1);
    bool digits = !id.empty() && id.size() <= 18;
    for (char ch : id)
      digits = digits && ch >= '0' && ch <= '9';
    if (!digits || path.find('/') == std::string_view::npos) {
      c.fail("", "expected a role URL ending in /role/<id>, got \""
                   + shorten(url) + "\"");
      continue;
    }
    out.value.push_back({std::move(name), std::string(id), std::move(url)});
  }
  return out;
}

parsed<project_role> parse_project_role(const json::value& doc) {
  return single<project_role>(
    doc, "project role", [](ctx& c, const json::object& o, project_role& r) {
      read_role(c, o, "", r);
    });
}

parsed<std::vector<project_role>> parse_project_roles(const json::value& doc) {
  parsed<std::vector<project_role>> out;
  if (const auto* a = top_array(doc, out, "roles"))
    read_records(*a, "roles", out.value, out.errors,
                 [](ctx& c, const json::object& o, project_role& r) {
                   read_role(c, o, "", r);
                 });
  return out;
}

parsed<security_level_scheme>
parse_security_level_scheme(const json::value& doc) {
  return single<security_level_scheme>(
    doc, "security level scheme",
    [](ctx& c, const json::object& o, security_level_scheme& s) {
      read_level_scheme(c, o, "", s);
    });
}

parsed<std::vector<security_level_scheme>>
parse_security_schemes(const json::value& doc) {
  parsed<std::vector<security_level_scheme>> out;
  const auto* o = top_object(doc, out, "issue security schemes");
  if (!o)
    return out;
  const auto* a
    = page_array(*o, "issueSecuritySchemes", out, "issue security schemes");
  if (!a)
    return out;
  read_records(*a, "issueSecuritySchemes", out.value, out.errors,
               [](ctx& c, const json::object& so, security_level_scheme& s) {
                 read_level_scheme(c, so, "", s);
                 if (!s.id)
                   c.fail("id", "missing");
               });
  return out;
}

parsed<jira_page<security_level_member>>
parse_security_member_page(const json::value& doc) {
  parsed<jira_page<security_level_member>> out;
  const auto* o = top_object(doc, out, "security level members");
  if (!o)
    return out;
  const auto* a = page_array(*o, "values", out, "security level members");
  if (!a)
    return out;
  read_records(*a, "members", out.value.values, out.errors,
               [](ctx& c, const json::object& mo, security_level_member& m) {
                 read_member(c, mo, "", m);
               });
  out.value.page = page_fields(*o, a->size(), out, "security level members");
  return out;
}

} // namespace jirasync::protocol
