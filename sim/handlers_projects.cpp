// Project endpoints: /project/search, permission schemes, roles, issue
// security schemes and their members.
#include "sim/server_handlers.hpp"
#include "sim/server_http.hpp"

#include <algorithm>

namespace jirasim {

namespace {

/// The project in args[0] if the caller may browse it.
const project* visible_project(api_call& c, std::string_view id_or_key) {
  auto* p = find_project_by_id_or_key(c.ws, id_or_key);
  if (!p || !can_browse_project(c.ws, c.caller, *p))
    return nullptr;
  return p;
}

api_result no_project(std::string_view key) {
  return error_result(404, "No project could be found with key '"
                             + std::string(key) + "'.");
}

json::object scheme_head(api_call& c, const permission_scheme& s) {
  json::object o;
  o["expand"] = "permissions,user,group,projectRole,field,all";
  o["id"] = s.id;
  o["self"] = c.base + "/rest/api/3/permissionscheme/" + std::to_string(s.id);
  o["name"] = s.name;
  o["description"] = s.description;
  return o;
}

json::array grants_json(api_call& c, const permission_scheme& s) {
  json::array a;
  for (auto& g : s.grants) {
    json::object o;
    o["id"] = g.id;
    o["self"] = c.base + "/rest/api/3/permissionscheme/" + std::to_string(s.id)
                + "/permission/" + std::to_string(g.id);
    o["holder"] = holder_json(g.holder);
    o["permission"] = g.permission;
    a.push_back(std::move(o));
  }
  return a;
}

bool wants_permissions(const api_call& c) {
  auto ex = list_param(c.req, "expand");
  return std::find(ex.begin(), ex.end(), "permissions") != ex.end()
         || std::find(ex.begin(), ex.end(), "all") != ex.end();
}

api_result security_members_page(api_call& c, const issue_security_scheme& s,
                                 const std::vector<std::string>& level_filter) {
  auto pg = read_page(c.req, 50, 50);
  if (pg.error)
    return *pg.error;
  std::vector<json::object> all;
  for (auto& l : s.levels) {
    if (!level_filter.empty()
        && std::find(level_filter.begin(), level_filter.end(),
                     std::to_string(l.id))
             == level_filter.end())
      continue;
    for (auto& mem : l.members) {
      json::object o;
      o["id"] = std::to_string(mem.id);
      o["issueSecurityLevelId"] = std::to_string(l.id);
      o["issueSecuritySchemeId"] = std::to_string(s.id);
      o["holder"] = holder_json(mem.holder);
      all.push_back(std::move(o));
    }
  }
  json::object o;
  auto count = page_bean(o, pg, all.size(), pg.values(all.size(), [&](auto i) {
    return std::move(all[i]);
  }));
  return json_result(200, o, 0, count);
}

} // namespace

api_result project_search(api_call& c) {
  auto pg = read_page(c.req, 50, 100);
  if (pg.error)
    return *pg.error;
  auto keys = list_param(c.req, "keys");
  auto expand = list_param(c.req, "expand");
  bool lead = std::find(expand.begin(), expand.end(), "lead") != expand.end();
  bool desc
    = std::find(expand.begin(), expand.end(), "description") != expand.end();
  std::vector<const project*> sel;
  for (auto& p : c.ws.projects) {
    if (!keys.empty()
        && std::find(keys.begin(), keys.end(), p.key) == keys.end()
        && std::find(keys.begin(), keys.end(), std::to_string(p.id))
             == keys.end())
      continue;
    if (!can_browse_project(c.ws, c.caller, p))
      continue;
    sel.push_back(&p);
  }
  std::sort(sel.begin(), sel.end(), [](auto* a, auto* b) {
    return a->key < b->key;
  });
  auto values = pg.values(sel.size(), [&](std::size_t i) {
    return project_json(c, *sel[i], lead, desc);
  });
  auto page = [&](std::int64_t at) {
    std::string u = c.base
                    + "/rest/api/3/project/search?startAt=" + std::to_string(at)
                    + "&maxResults=" + std::to_string(pg.max);
    for (auto& k : keys)
      u += "&keys=" + url_encode(k);
    for (auto& e : expand)
      u += "&expand=" + url_encode(e);
    return u;
  };
  json::object o;
  o["self"] = page(pg.start);
  if (!pg.is_last(values.size(), sel.size()))
    o["nextPage"] = page(pg.start + pg.max);
  auto count = page_bean(o, pg, sel.size(), std::move(values));
  return json_result(200, o, count, lead ? count : 0);
}

api_result project_permission_scheme(api_call& c) {
  auto* p = visible_project(c, c.args[0]);
  if (!p)
    return no_project(c.args[0]);
  auto* s = find_permission_scheme(c.ws, p->permission_scheme_id);
  if (!s)
    return error_result(404, "Permission scheme not found.");
  auto o = scheme_head(c, *s);
  if (wants_permissions(c))
    o["permissions"] = grants_json(c, *s);
  return json_result(200, o, 0,
                     1 + (wants_permissions(c) ? s->grants.size() : 0));
}

api_result permission_scheme_by_id(api_call& c) {
  char* end = nullptr;
  auto id = std::strtoll(c.args[0].c_str(), &end, 10);
  auto* s = (*end == '\0') ? find_permission_scheme(c.ws, id) : nullptr;
  if (!s)
    return error_result(404, "Permission scheme with id '" + c.args[0]
                               + "' does not exist.");
  auto o = scheme_head(c, *s);
  if (wants_permissions(c))
    o["permissions"] = grants_json(c, *s);
  return json_result(200, o, 0,
                     1 + (wants_permissions(c) ? s->grants.size() : 0));
}

api_result project_roles(api_call& c) {
  auto* p = visible_project(c, c.args[0]);
  if (!p)
    return no_project(c.args[0]);
  json::object o;
  for (auto& r : c.ws.roles)
    o[r.name] = c.base + "/rest/api/3/project/" + std::to_string(p->id)
                + "/role/" + std::to_string(r.id);
  return json_result(200, o, 0, c.ws.roles.size());
}

api_result project_role(api_call& c) {
  auto* p = visible_project(c, c.args[0]);
  if (!p)
    return no_project(c.args[0]);
  char* end = nullptr;
  auto id = std::strtoll(c.args[1].c_str(), &end, 10);
  auto* r = (*end == '\0') ? find_role(c.ws, id) : nullptr;
  if (!r)
    return error_result(
      404, "Can not retrieve a role actor for a null project role.");
  json::object o;
  o["self"] = c.base + "/rest/api/3/project/" + std::to_string(p->id) + "/role/"
              + std::to_string(r->id);
  o["name"] = r->name;
  o["id"] = r->id;
  o["description"] = r->description;
  json::array actors;
  std::int64_t actor_id = r->id * 1000;
  if (auto* ra = find_role_actors(*p, r->id)) {
    for (auto& gid : ra->group_ids) {
      auto* g = find_group_by_id(c.ws, gid);
      if (!g)
        continue;
      json::object a;
      a["id"] = ++actor_id;
      a["displayName"] = g->name;
      a["type"] = "atlassian-group-role-actor";
      a["name"] = g->name;
      json::object ag;
      ag["name"] = g->name;
      ag["displayName"] = g->name;
      ag["groupId"] = g->group_id;
      a["actorGroup"] = std::move(ag);
      actors.push_back(std::move(a));
    }
    for (auto& aid : ra->user_account_ids) {
      auto* u = find_user(c.ws, aid);
      if (!u)
        continue;
      json::object a;
      a["id"] = ++actor_id;
      a["displayName"] = u->display_name;
      a["type"] = "atlassian-user-role-actor";
      json::object au;
      au["accountId"] = u->account_id;
      a["actorUser"] = std::move(au);
      actors.push_back(std::move(a));
    }
  }
  auto count = actors.size();
  o["actors"] = std::move(actors);
  json::object scope;
  scope["type"] = "PROJECT";
  json::object sp;
  sp["id"] = std::to_string(p->id);
  sp["key"] = p->key;
  sp["name"] = p->name;
  scope["project"] = std::move(sp);
  o["scope"] = std::move(scope);
  return json_result(200, o, 0, 1 + count);
}

api_result project_security_scheme(api_call& c) {
  auto* p = visible_project(c, c.args[0]);
  if (!p)
    return no_project(c.args[0]);
  auto* s = p->issue_security_scheme_id
              ? find_security_scheme(c.ws, p->issue_security_scheme_id)
              : nullptr;
  if (!s)
    return error_result(404, "The project does not have an issue security "
                             "level scheme.");
  json::object o;
  o["self"]
    = c.base + "/rest/api/3/issuesecurityschemes/" + std::to_string(s->id);
  o["id"] = s->id;
  o["name"] = s->name;
  o["description"] = s->description;
  if (s->default_level_id)
    o["defaultSecurityLevelId"] = s->default_level_id;
  json::array levels;
  for (auto& l : s->levels) {
    json::object lo;
    lo["self"] = c.base + "/rest/api/3/securitylevel/" + std::to_string(l.id);
    lo["id"] = std::to_string(l.id);
    lo["description"] = l.description;
    lo["name"] = l.name;
    levels.push_back(std::move(lo));
  }
  o["levels"] = std::move(levels);
  return json_result(200, o, 0, 1 + s->levels.size());
}

api_result security_scheme_members(api_call& c) {
  char* end = nullptr;
  auto id = std::strtoll(c.args[0].c_str(), &end, 10);
  auto* s = (*end == '\0') ? find_security_scheme(c.ws, id) : nullptr;
  if (!s)
    return error_result(404, "Issue security scheme not found.");
  return security_members_page(c, *s,
                               list_param(c.req, "issueSecurityLevelId"));
}

api_result security_level_members(api_call& c) {
  auto schemes = list_param(c.req, "schemeId");
  auto levels = list_param(c.req, "levelId");
  if (schemes.size() != 1)
    return error_result(400, "Exactly one schemeId is required.");
  auto* s
    = find_security_scheme(c.ws, std::strtoll(schemes[0].c_str(), nullptr, 10));
  if (!s)
    return error_result(404, "Issue security scheme not found.");
  return security_members_page(c, *s, levels);
}

} // namespace jirasim
