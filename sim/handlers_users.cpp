// Identity endpoints: /myself, /users/search, /group/bulk, /group/member,
// /field, /auditing/record, /applicationrole.
#include "sim/server_handlers.hpp"

#include "common/ascii.hpp"
#include "sim/server_http.hpp"
#include "sim/sim_time.hpp"

#include <algorithm>

namespace jirasim {

namespace {

/// "2021-02-25T05:34:36.218+0000" prefix parse (date or date-time, UTC).
std::optional<std::int64_t> parse_iso(std::string_view s) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (s.size() < 10
      || std::sscanf(std::string(s).c_str(), "%4d-%2d-%2d", &y, &mo, &d) != 3)
    return std::nullopt;
  if (s.size() >= 16)
    std::sscanf(std::string(s.substr(11)).c_str(), "%2d:%2d:%2d", &h, &mi,
                &sec);
  auto base = local_to_utc_ms(
    "UTC", y, static_cast<unsigned>(mo), static_cast<unsigned>(d),
    static_cast<unsigned>(h), static_cast<unsigned>(mi));
  if (!base)
    return std::nullopt;
  return *base + sec * 1000;
}

bool icontains(std::string_view hay, std::string_view needle) {
  if (needle.empty())
    return true;
  auto it = std::search(hay.begin(), hay.end(), needle.begin(), needle.end(),
                        [](char a, char b) {
                          return jirasync::common::ascii_lower(a)
                                 == jirasync::common::ascii_lower(b);
                        });
  return it != hay.end();
}

json::object audit_item_json(const audit_item& it) {
  json::object o;
  o["id"] = it.id;
  o["name"] = it.name;
  o["typeName"] = it.type_name;
  if (!it.parent_id.empty())
    o["parentId"] = it.parent_id;
  if (!it.parent_name.empty())
    o["parentName"] = it.parent_name;
  return o;
}

json::object audit_record_json(const audit_record& r) {
  json::object o;
  o["id"] = r.id;
  o["summary"] = r.summary;
  o["remoteAddress"] = r.remote_address;
  o["authorKey"] = r.author_account_id;
  o["authorAccountId"] = r.author_account_id;
  o["created"] = format_jira_time(r.created_ms, "UTC");
  o["category"] = r.category;
  o["eventSource"] = "";
  o["objectItem"] = audit_item_json(r.object_item);
  json::array cv;
  for (auto& v : r.changed_values) {
    json::object vo;
    vo["fieldName"] = v.field_name;
    if (v.changed_from)
      vo["changedFrom"] = *v.changed_from;
    if (v.changed_to)
      vo["changedTo"] = *v.changed_to;
    cv.push_back(std::move(vo));
  }
  o["changedValues"] = std::move(cv);
  json::array ai;
  for (auto& a : r.associated_items)
    ai.push_back(audit_item_json(a));
  o["associatedItems"] = std::move(ai);
  return o;
}

} // namespace

api_result myself(api_call& c) {
  auto o = user_json(c, c.caller);
  const auto& u = c.me();
  o["timeZone"] = u.time_zone.empty() ? "UTC" : u.time_zone;
  o["locale"] = u.locale;
  json::array groups;
  for (auto& g : c.ws.groups)
    if (is_member(g, c.caller)) {
      json::object go;
      go["name"] = g.name;
      go["groupId"] = g.group_id;
      go["self"] = c.base + "/rest/api/3/group?groupId=" + g.group_id;
      groups.push_back(std::move(go));
    }
  json::object gs;
  gs["size"] = groups.size();
  gs["items"] = std::move(groups);
  o["groups"] = std::move(gs);
  json::array roles;
  for (auto& ar : c.ws.application_roles) {
    bool in = false;
    for (auto& gn : ar.group_names)
      if (auto* g = find_group_by_name(c.ws, gn); g && is_member(*g, c.caller))
        in = true;
    if (!in)
      continue;
    json::object ro;
    ro["key"] = ar.key;
    ro["name"] = ar.name;
    roles.push_back(std::move(ro));
  }
  json::object rs;
  rs["size"] = roles.size();
  rs["items"] = std::move(roles);
  o["applicationRoles"] = std::move(rs);
  o["expand"] = "groups,applicationRoles";
  return json_result(200, o, 0, 1);
}

api_result users_search(api_call& c) {
  auto pg = read_page(c.req, 50, 1000);
  if (pg.error)
    return *pg.error;
  auto a = pg.values(c.ws.users.size(), [&](std::size_t i) {
    return user_json(c, static_cast<user_ix>(i));
  });
  auto count = a.size();
  return json_result(200, a, 0, count);
}

api_result field_list(api_call& c) {
  json::array a;
  for (auto& f : c.ws.fields) {
    json::object o;
    o["id"] = f.id;
    o["key"] = f.key.empty() ? f.id : f.key;
    o["name"] = f.name;
    o["custom"] = f.custom;
    o["orderable"] = true;
    o["navigable"] = true;
    o["searchable"] = true;
    json::array cn;
    for (auto& n : f.clause_names)
      cn.emplace_back(n);
    o["clauseNames"] = std::move(cn);
    json::object s;
    s["type"] = f.schema_type;
    if (!f.schema_items.empty())
      s["items"] = f.schema_items;
    if (!f.schema_system.empty())
      s["system"] = f.schema_system;
    if (!f.schema_custom.empty())
      s["custom"] = f.schema_custom;
    if (f.schema_custom_id)
      s["customId"] = f.schema_custom_id;
    o["schema"] = std::move(s);
    a.push_back(std::move(o));
  }
  return json_result(200, a);
}

api_result group_bulk(api_call& c) {
  auto pg = read_page(c.req, 50, 50);
  if (pg.error)
    return *pg.error;
  auto ids = list_param(c.req, "groupId");
  auto names = list_param(c.req, "groupName");
  std::vector<const group*> sel;
  for (auto& g : c.ws.groups) {
    if (!ids.empty() || !names.empty()) {
      bool hit
        = std::find(ids.begin(), ids.end(), g.group_id) != ids.end()
          || std::find(names.begin(), names.end(), g.name) != names.end();
      if (!hit)
        continue;
    }
    sel.push_back(&g);
  }
  json::object o;
  auto count
    = page_bean(o, pg, sel.size(), pg.values(sel.size(), [&](std::size_t i) {
        return json::object{{"name", sel[i]->name},
                            {"groupId", sel[i]->group_id}};
      }));
  return json_result(200, o, 0, count);
}

api_result group_member(api_call& c) {
  const group* g = nullptr;
  if (auto id = c.req.param("groupId"))
    g = find_group_by_id(c.ws, *id);
  else if (auto name = c.req.param("groupname"))
    g = find_group_by_name(c.ws, *name);
  else
    return error_result(400, "You must provide a group name or group ID.");
  if (!g)
    return error_result(404, "Specified group does not exist.");
  auto pg = read_page(c.req, 50, 50, 1);
  if (pg.error)
    return *pg.error;
  bool inactive = bool_param(c.req, "includeInactiveUsers", false);
  std::vector<user_ix> members;
  for (auto u : g->members)
    if (inactive || c.ws.users[u].active)
      members.push_back(u);
  auto values = pg.values(members.size(), [&](std::size_t i) {
    return user_json(c, members[i]);
  });
  auto page_url = [&](std::int64_t at) {
    return c.base + "/rest/api/3/group/member?groupId=" + g->group_id
           + "&includeInactiveUsers=" + (inactive ? "true" : "false")
           + "&startAt=" + std::to_string(at)
           + "&maxResults=" + std::to_string(pg.max);
  };
  json::object o;
  o["self"] = page_url(pg.start);
  if (!pg.is_last(values.size(), members.size()))
    o["nextPage"] = page_url(pg.start + pg.max);
  auto count = page_bean(o, pg, members.size(), std::move(values));
  return json_result(200, o, 0, count);
}

api_result audit_records(api_call& c) {
  auto pg = read_page(c.req, 1000, INT64_MAX, 0, "offset", "limit");
  if (pg.error)
    return *pg.error;
  auto filter = c.req.param("filter").value_or("");
  std::optional<std::int64_t> from, to;
  if (auto f = c.req.param("from"))
    from = parse_iso(*f);
  if (auto t = c.req.param("to"))
    to = parse_iso(*t);
  std::vector<const audit_record*> sel;
  // Newest first, as Jira lists them.
  for (auto it = c.ws.audit.rbegin(); it != c.ws.audit.rend(); ++it) {
    auto& r = *it;
    if (from && r.created_ms < *from)
      continue;
    if (to && r.created_ms > *to)
      continue;
    if (!filter.empty() && !icontains(r.summary, filter)
        && !icontains(r.category, filter)
        && !icontains(r.object_item.name, filter))
      continue;
    sel.push_back(&r);
  }
  auto recs = pg.values(sel.size(), [&](std::size_t i) {
    return audit_record_json(*sel[i]);
  });
  json::object o;
  o["offset"] = pg.start;
  o["limit"] = pg.max;
  o["total"] = sel.size();
  auto count = recs.size();
  o["records"] = std::move(recs);
  return json_result(200, o, count, 0);
}

// Shape of "Get all application roles" in Jira's REST v3 reference
// (developer.atlassian.com .../api-group-application-roles): one object per
// product with its groups, default groups and seats.
api_result application_roles(api_call& c) {
  auto group_details = [&](const std::vector<std::string>& names) {
    json::array a;
    for (auto& n : names)
      if (auto* g = find_group_by_name(c.ws, n))
        a.push_back(json::object{
          {"groupId", g->group_id},
          {"name", g->name},
          {"self", c.base + "/rest/api/3/group?groupId=" + g->group_id}});
    return a;
  };
  auto names = [](const std::vector<std::string>& v) {
    json::array a;
    for (auto& n : v)
      a.emplace_back(n);
    return a;
  };
  json::array roles;
  for (auto& ar : c.ws.application_roles) {
    std::vector<user_ix> users;
    for (auto& n : ar.group_names)
      if (auto* g = find_group_by_name(c.ws, n))
        for (auto u : g->members)
          if (c.ws.users[u].active
              && c.ws.users[u].type == account_type::atlassian)
            users.push_back(u);
    std::sort(users.begin(), users.end());
    users.erase(std::unique(users.begin(), users.end()), users.end());
    auto count = static_cast<std::int64_t>(users.size());
    auto seats = std::max<std::int64_t>(10, (count + 9) / 10 * 10);
    std::vector<std::string> defaults(ar.group_names.begin(),
                                      ar.group_names.begin()
                                        + (ar.group_names.empty() ? 0 : 1));
    json::object o;
    o["defaultGroups"] = names(defaults);
    o["defaultGroupsDetails"] = group_details(defaults);
    o["defined"] = true;
    o["groupDetails"] = group_details(ar.group_names);
    o["groups"] = names(ar.group_names);
    o["hasUnlimitedSeats"] = false;
    o["key"] = ar.key;
    o["name"] = ar.name;
    o["numberOfSeats"] = seats;
    o["platform"] = false;
    o["remainingSeats"] = seats - count;
    o["selectedByDefault"] = false;
    o["userCount"] = count;
    o["userCountDescription"] = std::to_string(count) + " users";
    roles.push_back(std::move(o));
  }
  auto n = roles.size();
  return json_result(200, roles, 0, n);
}

} // namespace jirasim
