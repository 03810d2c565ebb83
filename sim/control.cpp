// The control API under /_sim/ (not Jira's; loopback only, no auth): stats,
// ground truth, clock, credentials, knobs, and workspace mutations.
#include "sim/jql.hpp"
#include "sim/mutations.hpp"
#include "sim/server_handlers.hpp"
#include "sim/server_http.hpp"
#include "sim/server_internals.hpp"
#include "sim/truth.hpp"

#include <stdlib.h>
#include <unistd.h>

#include <fstream>

namespace jirasim {

namespace {

json::object map_json(const std::map<std::string, std::uint64_t>& m) {
  json::object o;
  for (auto& [k, v] : m)
    o[k] = v;
  return o;
}

http_response ok_json(const json::value& v) {
  return json_response(200, json::serialize(v));
}

http_response bad(std::string_view why) {
  json::object o;
  o["ok"] = false;
  o["error"] = why;
  return json_response(400, json::serialize(o));
}

std::string str(const json::object& o, const char* k) {
  auto* v = o.if_contains(k);
  if (!v)
    return {};
  if (v->is_string())
    return std::string(v->as_string());
  if (v->is_int64())
    return std::to_string(v->as_int64());
  return {};
}

std::int64_t num(const json::object& o, const char* k, std::int64_t def = 0) {
  auto* v = o.if_contains(k);
  if (!v)
    return def;
  if (v->is_int64())
    return v->as_int64();
  if (v->is_uint64())
    return static_cast<std::int64_t>(v->as_uint64());
  if (v->is_string())
    return std::strtoll(v->as_string().c_str(), nullptr, 10);
  return def;
}

std::optional<bool> flag(const json::object& o, const char* k) {
  auto* v = o.if_contains(k);
  if (!v || !v->is_bool())
    return std::nullopt;
  return v->as_bool();
}

holder holder_from(const json::object& o) {
  holder h;
  if (auto* v = o.if_contains("holder"); v && v->is_object()) {
    auto& ho = v->as_object();
    h.type = str(ho, "type");
    h.parameter = str(ho, "parameter");
    h.value = str(ho, "value");
  }
  return h;
}

/// Issue id from "issue" (id or key).
std::int64_t issue_id(const workspace& ws, const json::object& o) {
  auto s = str(o, "issue");
  if (s.empty())
    s = str(o, "issue_id");
  auto* i = find_issue_by_id_or_key(ws, s);
  return i ? i->id : 0;
}

std::optional<comment_visibility> visibility_from(const workspace& ws,
                                                  const json::object& o) {
  auto* v = o.if_contains("visibility");
  if (!v || !v->is_object())
    return std::nullopt;
  auto& vo = v->as_object();
  auto type = str(vo, "type");
  if (type == "group") {
    auto name = str(vo, "value");
    if (name.empty())
      if (auto* g = find_group_by_id(ws, str(vo, "identifier")))
        name = g->name;
    return group_visibility(ws, name);
  }
  if (type == "role") {
    auto id = num(vo, "identifier", 0);
    if (id == 0)
      for (auto& r : ws.roles)
        if (r.name == str(vo, "value"))
          id = r.id;
    return role_visibility(ws, id);
  }
  return comment_visibility{};
}

mutation_result mutate(workspace& ws, const json::object& o) {
  auto op = str(o, "op");
  if (op == "update_issue") {
    issue_update u;
    if (o.contains("summary"))
      u.summary = str(o, "summary");
    if (auto* d = o.if_contains("description"))
      u.description = *d;
    if (auto* l = o.if_contains("labels"); l && l->is_array()) {
      std::vector<std::string> labels;
      for (auto& e : l->as_array())
        if (e.is_string())
          labels.emplace_back(e.as_string());
      u.labels = labels;
    }
    if (o.contains("assignee"))
      u.assignee_account_id = str(o, "assignee");
    if (o.contains("reporter"))
      u.reporter_account_id = str(o, "reporter");
    if (o.contains("status_id"))
      u.status_id = num(o, "status_id");
    if (o.contains("security_level_id"))
      u.security_level_id = num(o, "security_level_id");
    return update_issue(ws, issue_id(ws, o), u);
  }
  if (op == "create_issue") {
    new_issue n;
    n.project = str(o, "project");
    n.summary = str(o, "summary");
    n.issue_type_id = num(o, "issue_type_id");
    n.reporter_account_id = str(o, "reporter");
    n.assignee_account_id = str(o, "assignee");
    if (auto* d = o.if_contains("description"))
      n.description = *d;
    if (auto* l = o.if_contains("labels"); l && l->is_array())
      for (auto& e : l->as_array())
        if (e.is_string())
          n.labels.emplace_back(e.as_string());
    n.security_level_id = num(o, "security_level_id");
    n.parent_id = num(o, "parent_id");
    return create_issue(ws, n);
  }
  if (op == "delete_issue")
    return delete_issue(ws, issue_id(ws, o));
  if (op == "move_issue")
    return move_issue(ws, issue_id(ws, o), str(o, "project"));
  if (op == "add_comment") {
    std::optional<json::value> body;
    if (auto* b = o.if_contains("body"))
      body = *b;
    auto vis = visibility_from(ws, o);
    if (o.contains("visibility") && !vis)
      return {false, "unknown visibility group/role", 0, {}};
    return add_comment(ws, issue_id(ws, o), str(o, "author"), body,
                       vis.value_or(comment_visibility{}));
  }
  if (op == "update_comment") {
    std::optional<json::value> body;
    if (auto* b = o.if_contains("body"))
      body = *b;
    return update_comment(ws, num(o, "id"), body, visibility_from(ws, o));
  }
  if (op == "delete_comment")
    return delete_comment(ws, num(o, "id"));
  if (op == "add_attachment")
    return add_attachment(
      ws, issue_id(ws, o), str(o, "filename"), str(o, "mime_type"),
      static_cast<std::uint64_t>(num(o, "size", 1024)), str(o, "author"));
  if (op == "delete_attachment")
    return delete_attachment(ws, num(o, "id"));
  if (op == "add_group_member")
    return add_group_member(ws, str(o, "group"), str(o, "account_id"));
  if (op == "remove_group_member")
    return remove_group_member(ws, str(o, "group"), str(o, "account_id"));
  if (op == "add_permission_grant")
    return add_permission_grant(ws, num(o, "scheme_id"), str(o, "permission"),
                                holder_from(o));
  if (op == "remove_permission_grant")
    return remove_permission_grant(ws, num(o, "scheme_id"), num(o, "grant_id"));
  if (op == "add_security_level_member")
    return add_security_level_member(ws, num(o, "level_id"), holder_from(o));
  if (op == "remove_security_level_member")
    return remove_security_level_member(ws, num(o, "level_id"),
                                        num(o, "member_id"));
  if (op == "add_role_actor")
    return add_role_actor(ws, str(o, "project"), num(o, "role_id"),
                          str(o, "account_id"), str(o, "group_id"));
  if (op == "remove_role_actor")
    return remove_role_actor(ws, str(o, "project"), num(o, "role_id"),
                             str(o, "account_id"), str(o, "group_id"));
  if (op == "set_email_hidden")
    return set_email_hidden(ws, str(o, "account_id"),
                            flag(o, "hidden").value_or(true));
  if (op == "set_user_active")
    return set_user_active(ws, str(o, "account_id"),
                           flag(o, "active").value_or(false));
  if (op == "deactivate_user")
    return deactivate_user(ws, str(o, "account_id"));
  return {false, "unknown op '" + op + "'", 0, {}};
}

json::value stats_json(jira_app& app) {
  auto s = app.stats();
  json::object o;
  o["api_requests"] = s.api_requests;
  o["requests_by_endpoint"] = map_json(s.requests_by_endpoint);
  o["points_spent"] = s.points_spent;
  o["points_spent_in_window"] = app.in().limiter.spent(app.clock().now_ms());
  o["rate_limited_by_reason"] = map_json(s.rate_limited_by_reason);
  std::uint64_t limited = 0;
  for (auto& [k, v] : s.rate_limited_by_reason)
    limited += v;
  o["rate_limited"] = limited;
  o["faults_by_kind"] = map_json(s.faults_by_kind);
  o["arrived_during_retry_after"] = s.arrived_during_retry_after;
  o["unauthorized"] = s.status_401;
  o["oauth_families_revoked"] = app.in().oauth.families_revoked();
  return o;
}

/// Answers `fn(ws, user)` under the workspace's read lock for the user that
/// ?account_id= names; a 400 when there is no such user.
template<class Fn>
http_response for_account(jira_app& app, http_request& r, Fn fn) {
  auto who = std::string(r.param("account_id").value_or(""));
  http_response res;
  app.read([&](const workspace& ws) {
    auto u = find_user_ix(ws, who);
    if (!u) {
      res = bad("unknown account_id");
      return;
    }
    json::object o;
    o["account_id"] = who;
    fn(ws, *u, o);
    res = ok_json(o);
  });
  return res;
}

/// GET /_sim/workload: what a full sync by user `u` must fetch, per project
/// it may browse: the input of the benchmarks' lower bound
/// (bench/lower_bound.py). Comments beyond the page Jira embeds in an issue
/// (embedded_comment_cap) need GET /issue/{id}/comment pages of at most 100.
void workload_json(const workspace& ws, user_ix u, json::object& out) {
  struct totals {
    std::uint64_t issues = 0, comments = 0, comments_beyond_embedded = 0,
                  comment_pages = 0, attachments = 0, attachment_bytes = 0;
  };
  std::map<std::int64_t, totals> by_project;
  for (auto& i : ws.issues) {
    if (!can_see_issue(ws, u, i))
      continue;
    auto& t = by_project[i.project_id];
    ++t.issues;
    std::uint64_t seen = 0;
    for (auto& c : i.comments)
      if (can_see_comment(ws, u, i, c))
        ++seen;
    t.comments += seen;
    if (seen > embedded_comment_cap) {
      t.comments_beyond_embedded += seen - embedded_comment_cap;
      t.comment_pages += (seen - embedded_comment_cap + 99) / 100;
    }
    t.attachments += i.attachments.size();
    for (auto& a : i.attachments)
      t.attachment_bytes += a.size_bytes;
  }
  json::array projects;
  for (auto& pr : ws.projects) {
    if (!can_browse_project(ws, u, pr))
      continue;
    auto t = by_project[pr.id];
    json::object o;
    o["key"] = pr.key;
    o["issues"] = t.issues;
    o["comments"] = t.comments;
    o["comments_beyond_embedded"] = t.comments_beyond_embedded;
    o["comment_pages"] = t.comment_pages;
    o["attachments"] = t.attachments;
    o["attachment_bytes"] = t.attachment_bytes;
    projects.push_back(std::move(o));
  }
  out["embedded_comments"] = embedded_comment_cap;
  out["projects"] = std::move(projects);
}

} // namespace

http_response handle_control(jira_app& app, http_request& r) {
  const std::string& p = r.path;
  if (p == "/_sim/stats" && r.method == "GET")
    return ok_json(stats_json(app));
  if (p == "/_sim/stats/reset" && r.method == "POST") {
    app.reset_stats();
    return ok_json(json::object{{"ok", true}});
  }
  if (p == "/_sim/oauth/resources" && r.method == "POST") {
    // Other sites the same login can reach, served after the site's own by
    // GET /oauth/token/accessible-resources (a user of several Atlassian
    // sites sees them all there: docs/jira-cloud-api.md "Auth").
    boost::system::error_code ec;
    auto v = parse_body(r.body, ec);
    auto* extra
      = ec || !v.is_object() ? nullptr : v.as_object().if_contains("extra");
    if (!extra || !extra->is_array())
      return bad("body must be {\"extra\":[{\"id\",\"name\",\"url\"},...]}");
    json::array resources;
    for (auto& e : extra->as_array()) {
      auto* o = e.if_object();
      if (!o || !o->contains("id") || !o->at("id").is_string()
          || !o->contains("url") || !o->at("url").is_string())
        return bad("every extra resource needs a string id and url");
      json::object res;
      res["id"] = o->at("id");
      res["name"] = o->contains("name") ? o->at("name") : json::value("");
      res["url"] = o->at("url");
      res["scopes"]
        = o->contains("scopes") ? o->at("scopes") : json::value(json::array{});
      res["avatarUrl"] = "https://site-admin-avatar-cdn.prod.public.atl-paas."
                         "net/avatars/240/rocket.png";
      resources.push_back(std::move(res));
    }
    std::lock_guard lock{app.in().resources_mu};
    app.in().extra_resources = std::move(resources);
    return ok_json(json::object{{"ok", true}});
  }
  if (p == "/_sim/limits/reset" && r.method == "POST") {
    app.in().limiter.reset();
    return ok_json(json::object{{"ok", true}});
  }
  if (p == "/_sim/limits/spend" && r.method == "POST") {
    // Points spent by someone else in this window: Jira's global pool of
    // 65,000 points per hour is "shared by all tenants of an app"
    // (Atlassian, "Rate limiting", 2026), so another tenant's traffic can
    // empty it between two of our requests and the next one gets a quota
    // 429 however well we paced.
    boost::system::error_code ec;
    auto v = parse_body(r.body, ec);
    if (ec || !v.is_object() || !v.as_object().contains("points")
        || num(v.as_object(), "points") < 0)
      return bad("body must be {\"points\": N} with N >= 0");
    auto now = app.clock().now_ms();
    app.in().limiter.spend(num(v.as_object(), "points"), traffic::oauth, now);
    return ok_json(
      json::object{{"ok", true}, {"spent", app.in().limiter.spent(now)}});
  }
  if (p == "/_sim/faults" && r.method == "POST") {
    boost::system::error_code ec;
    auto v = parse_body(r.body, ec);
    if (ec || !v.is_object())
      return bad("body must be a JSON object");
    if (auto* rate = v.as_object().if_contains("rate");
        rate && rate->is_number())
      app.in().faults.set_rate(rate->to_number<double>());
    if (auto* refuse = v.as_object().if_contains("refuse_id_ranges");
        refuse && refuse->is_bool())
      app.set_refuse_id_ranges(refuse->as_bool());
    return ok_json(json::object{{"ok", true},
                                {"rate", app.in().faults.options().rate},
                                {"refuse_id_ranges", app.refuse_id_ranges()}});
  }
  if (p == "/_sim/clock" && r.method == "POST") {
    boost::system::error_code ec;
    auto v
      = r.body.empty() ? json::value(json::object{}) : parse_body(r.body, ec);
    if (ec || !v.is_object())
      return bad("body must be a JSON object");
    auto& o = v.as_object();
    if (o.contains("advance_ms"))
      app.clock().advance(num(o, "advance_ms"));
    if (o.contains("index_lag_ms"))
      app.set_index_lag_ms(num(o, "index_lag_ms"));
    json::object out;
    out["now_ms"] = app.clock().now_ms();
    out["offset_ms"] = app.clock().offset_ms();
    out["index_lag_ms"] = app.index_lag_ms();
    return ok_json(out);
  }
  if (p == "/_sim/credentials" && r.method == "GET") {
    auto who = std::string(r.param("account_id").value_or(""));
    http_response res;
    app.read([&](const workspace& ws) {
      auto* u = who.empty() ? &ws.users[ws.api_user] : find_user(ws, who);
      if (!u) {
        res = bad("unknown account_id");
        return;
      }
      json::object o;
      o["account_id"] = u->account_id;
      o["email"] = u->email;
      o["api_token"] = api_token_for(ws, u->account_id);
      o["active"] = u->active;
      res = ok_json(o);
    });
    return res;
  }
  if (p == "/_sim/users" && r.method == "GET") {
    json::array a;
    app.read([&](const workspace& ws) {
      for (std::size_t i = 0; i < ws.users.size(); ++i) {
        auto& u = ws.users[i];
        json::object o;
        o["account_id"] = u.account_id;
        o["email"] = u.email;
        o["display_name"] = u.display_name;
        o["active"] = u.active;
        o["account_type"] = std::string(to_string(u.type));
        o["email_hidden"] = u.email_hidden;
        o["api_user"] = i == ws.api_user;
        json::array groups;
        for (auto& g : ws.groups)
          if (is_member(g, static_cast<user_ix>(i)))
            groups.emplace_back(g.name);
        o["groups"] = std::move(groups);
        a.push_back(std::move(o));
      }
    });
    return ok_json(a);
  }
  if (p == "/_sim/visible" && r.method == "GET")
    return for_account(app, r,
                       [](const workspace& ws, user_ix u, json::object& o) {
                         json::array issues, projects;
                         for (auto& pr : ws.projects)
                           if (can_browse_project(ws, u, pr))
                             projects.emplace_back(pr.key);
                         for (auto& i : ws.issues)
                           if (can_see_issue(ws, u, i))
                             issues.emplace_back(i.id);
                         o["projects"] = std::move(projects);
                         o["issues"] = std::move(issues);
                       });
  if (p == "/_sim/workload" && r.method == "GET")
    return for_account(app, r, workload_json);
  if (p == "/_sim/truth" && r.method == "GET") {
    auto tmpl
      = (std::filesystem::temp_directory_path() / "jira-sim-truth-XXXXXX")
          .string();
    int fd = ::mkstemp(tmpl.data());
    if (fd < 0)
      return jira_error(500, "cannot create a temp file");
    ::close(fd);
    {
      std::ofstream out(tmpl, std::ios::binary | std::ios::trunc);
      app.read([&](const workspace& ws) {
        write_truth(ws, out);
      });
    }
    http_response res;
    res.set("Content-Type", "application/x-ndjson");
    res.body_file = tmpl;
    res.delete_body_file = true;
    res.chunked = true;
    return res;
  }
  if (p == "/_sim/mutate" && r.method == "POST") {
    boost::system::error_code ec;
    auto v = parse_body(r.body, ec);
    if (ec || !v.is_object())
      return bad("body must be a JSON object");
    mutation_result m;
    app.write([&](workspace& ws) {
      m = mutate(ws, v.as_object());
    });
    json::object o;
    o["ok"] = m.ok;
    if (!m.ok)
      o["error"] = m.error;
    if (m.id)
      o["id"] = m.id;
    if (!m.key.empty())
      o["key"] = m.key;
    return json_response(m.ok ? 200 : 400, json::serialize(o));
  }
  return json_response(404, R"({"error":"unknown control endpoint"})");
}

} // namespace jirasim
