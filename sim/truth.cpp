#include "sim/truth.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include <boost/json.hpp>
#include <openssl/evp.h>

#include "sim/adf_gen.hpp"
#include "sim/parse_int.hpp"
#include "sim/sim_time.hpp"

namespace jirasim {

namespace json = boost::json;

namespace {

/// The ACL universe: active accounts of type "atlassian".
bool eligible(const workspace& ws, user_ix u) {
  return u < ws.users.size() && ws.users[u].active
         && ws.users[u].type == account_type::atlassian;
}

const group* group_of_holder(const workspace& ws, const holder& h) {
  if (!h.value.empty())
    if (auto* g = find_group_by_id(ws, h.value))
      return g;
  return find_group_by_name(ws, h.parameter);
}

bool is_issue_bound(const holder& h) {
  return h.type == "reporter" || h.type == "assignee";
}

} // namespace

bool user_in_group_id(const workspace& ws, std::string_view group_id,
                      user_ix u) {
  auto* g = find_group_by_id(ws, group_id);
  return g && is_member(*g, u);
}

bool user_in_project_role(const workspace& ws, const project& p,
                          int64_t role_id, user_ix u) {
  auto* ra = find_role_actors(p, role_id);
  if (!ra || u >= ws.users.size())
    return false;
  for (auto& acc : ra->user_account_ids)
    if (acc == ws.users[u].account_id)
      return true;
  for (auto& gid : ra->group_ids)
    if (user_in_group_id(ws, gid, u))
      return true;
  return false;
}

bool holder_matches(const workspace& ws, const holder& h, user_ix u,
                    const project& p, const issue* i) {
  if (u >= ws.users.size())
    return false;
  const auto& usr = ws.users[u];
  if (h.type == "anyone")
    return true;
  if (h.type == "applicationRole") {
    // Any logged-in (licensed) user, or a user licensed for that product
    // through one of its groups.
    if (usr.type != account_type::atlassian || !usr.active)
      return false;
    if (h.parameter.empty())
      return true;
    for (auto& ar : ws.application_roles) {
      if (ar.key != h.parameter)
        continue;
      for (auto& gname : ar.group_names)
        if (auto* g = find_group_by_name(ws, gname); g && is_member(*g, u))
          return true;
    }
    return false;
  }
  if (h.type == "group") {
    auto* g = group_of_holder(ws, h);
    return g && is_member(*g, u);
  }
  if (h.type == "projectRole") {
    auto id = parse_i64(h.parameter);
    if (!id)
      id = parse_i64(h.value);
    return id && user_in_project_role(ws, p, *id, u);
  }
  if (h.type == "user") {
    auto& acc = h.parameter.empty() ? h.value : h.parameter;
    return acc == usr.account_id;
  }
  if (h.type == "projectLead")
    return p.lead == u;
  if (h.type == "reporter")
    return i && i->reporter == u;
  if (h.type == "assignee")
    return i && i->assignee == u;
  // groupCustomField, userCustomField, sd.customer.portal.only, ...: the sim
  // never grants through them.
  return false;
}

bool has_global_permission(const workspace& ws, user_ix u,
                           std::string_view permission) {
  if (!eligible(ws, u))
    return false;
  for (auto& g : ws.global_grants)
    if (g.permission == permission)
      if (auto* grp = find_group_by_name(ws, g.group_name);
          grp && is_member(*grp, u))
        return true;
  return false;
}

namespace {

/// A grant of `permission` in the project's scheme that `u` holds with no
/// issue in context; `issue_bound_held`: the reporter and assignee holders
/// count as held (see can_browse_project).
bool holds_project_grant(const workspace& ws, user_ix u, const project& p,
                         std::string_view permission, bool issue_bound_held) {
  if (!eligible(ws, u))
    return false;
  auto* s = find_permission_scheme(ws, p.permission_scheme_id);
  if (!s)
    return false;
  for (auto& g : s->grants)
    if (g.permission == permission
        && ((issue_bound_held && is_issue_bound(g.holder))
            || holder_matches(ws, g.holder, u, p, nullptr)))
      return true;
  return false;
}

} // namespace

bool has_project_permission(const workspace& ws, user_ix u, const project& p,
                            std::string_view permission) {
  return holds_project_grant(ws, u, p, permission, false);
}

bool can_browse_project(const workspace& ws, user_ix u, const project& p) {
  // The project itself is decided with no issue in context, and Jira then
  // counts a grant to the issue-bound reporter or assignee as held by every
  // user: "Granting the 'Browse Project' permission to any of the following
  // entities [...] Reporter [...] Current assignee [...] allows all users to
  // view project information, such as the project name, project key, and so
  // on. [...] Permissions for all of these entities are granted on the issue
  // level, and not the project level." (Atlassian KB
  // https://confluence.atlassian.com/jirakb/allow-assignees-to-browse-issues-without-exposing-project-info-in-jira-data-center-586056400.html;
  // likewise
  // https://confluence.atlassian.com/display/JIRA/Current+Reporter+Browse+Project+Permission:
  // "this project instantly becomes visible to all users"). The issues stay
  // per issue: can_see_issue() requires the user to be that issue's
  // reporter/assignee.
  return holds_project_grant(ws, u, p, "BROWSE_PROJECTS", true);
}

bool can_see_issue(const workspace& ws, user_ix u, const issue& i) {
  if (!eligible(ws, u))
    return false;
  auto* p = find_project(ws, i.project_id);
  if (!p)
    return false;
  auto* s = find_permission_scheme(ws, p->permission_scheme_id);
  if (!s)
    return false;
  bool browse = false;
  for (auto& g : s->grants)
    if (g.permission == "BROWSE_PROJECTS"
        && holder_matches(ws, g.holder, u, *p, &i)) {
      browse = true;
      break;
    }
  if (!browse)
    return false;
  if (i.security_level_id == 0)
    return true;
  auto* lvl = find_security_level(ws, i.security_level_id);
  if (!lvl)
    return false; // an unknown level hides the issue (fail closed)
  for (auto& m : lvl->members)
    if (holder_matches(ws, m.holder, u, *p, &i))
      return true;
  return false;
}

namespace {

// A comment visibility resolved against the workspace once.
struct resolved_visibility {
  visibility_type type = visibility_type::none;
  const group* g = nullptr;       // group visibility
  std::optional<int64_t> role_id; // role visibility
};

resolved_visibility resolve(const workspace& ws, const comment_visibility& v) {
  resolved_visibility r;
  r.type = v.type;
  if (v.type == visibility_type::group) {
    r.g = find_group_by_id(ws, v.identifier);
    if (!r.g)
      r.g = find_group_by_name(ws, v.value);
  } else if (v.type == visibility_type::role) {
    r.role_id = parse_i64(v.identifier);
    if (!r.role_id)
      for (auto& role : ws.roles)
        if (role.name == v.value)
          r.role_id = role.id;
  }
  return r;
}

bool visibility_allows(const workspace& ws, user_ix u, const project& p,
                       const resolved_visibility& v) {
  switch (v.type) {
    case visibility_type::none:
      return true;
    case visibility_type::group:
      return v.g && is_member(*v.g, u);
    case visibility_type::role:
      return v.role_id && user_in_project_role(ws, p, *v.role_id, u);
  }
  return false;
}

bool visibility_allows(const workspace& ws, user_ix u, const project& p,
                       const comment_visibility& v) {
  return visibility_allows(ws, u, p, resolve(ws, v));
}

} // namespace

bool can_see_comment(const workspace& ws, user_ix u, const issue& i,
                     const comment& c) {
  if (!can_see_issue(ws, u, i))
    return false;
  auto* p = find_project(ws, i.project_id);
  return p && visibility_allows(ws, u, *p, c.visibility);
}

bool can_browse_project(const workspace& ws, std::string_view account_id,
                        const project& p) {
  auto u = find_user_ix(ws, account_id);
  return u && can_browse_project(ws, *u, p);
}

bool can_see_issue(const workspace& ws, std::string_view account_id,
                   const issue& i) {
  auto u = find_user_ix(ws, account_id);
  return u && can_see_issue(ws, *u, i);
}

bool can_see_comment(const workspace& ws, std::string_view account_id,
                     const issue& i, const comment& c) {
  auto u = find_user_ix(ws, account_id);
  return u && can_see_comment(ws, *u, i, c);
}

bool can_see_attachment(const workspace& ws, std::string_view account_id,
                        const issue& i, const attachment&) {
  return can_see_issue(ws, account_id, i);
}

std::vector<std::string> visible_account_ids(const workspace& ws,
                                             const record_ref& record) {
  std::vector<std::string> out;
  auto collect = [&](auto pred) {
    for (user_ix u = 0; u < ws.users.size(); ++u)
      if (pred(u))
        out.push_back(ws.users[u].account_id);
  };
  auto id = parse_i64(record.id);
  if (record.type == "project") {
    if (auto* p = find_project_by_id_or_key(ws, record.id))
      collect([&](user_ix u) {
        return can_browse_project(ws, u, *p);
      });
  } else if (record.type == "issue") {
    if (auto* i = find_issue_by_id_or_key(ws, record.id))
      collect([&](user_ix u) {
        return can_see_issue(ws, u, *i);
      });
  } else if (record.type == "comment" && id) {
    const comment* c = nullptr;
    if (auto* i = find_comment(ws, *id, &c))
      collect([&](user_ix u) {
        return can_see_comment(ws, u, *i, *c);
      });
  } else if (record.type == "attachment" && id) {
    const attachment* a = nullptr;
    if (auto* i = find_attachment(ws, *id, &a))
      collect([&](user_ix u) {
        return can_see_issue(ws, u, *i);
      });
  }
  std::sort(out.begin(), out.end());
  return out;
}

// --- visibility_cache
// -------------------------------------------------------------

void visibility_cache::sync(const workspace& ws) {
  if (epoch_ == ws.acl_epoch && users_ == ws.users.size())
    return;
  projects_.clear();
  levels_.clear();
  epoch_ = ws.acl_epoch;
  users_ = ws.users.size();
}

const visibility_cache::entry&
visibility_cache::project_entry(const workspace& ws, const project& p) {
  sync(ws);
  auto it = projects_.find(p.id);
  if (it != projects_.end())
    return it->second;
  entry e;
  e.static_ok.assign(ws.users.size(), 0);
  if (auto* s = find_permission_scheme(ws, p.permission_scheme_id)) {
    for (auto& g : s->grants) {
      if (g.permission != "BROWSE_PROJECTS")
        continue;
      if (g.holder.type == "reporter")
        e.reporter = true;
      else if (g.holder.type == "assignee")
        e.assignee = true;
      else if (g.holder.type == "anyone")
        e.anyone = true;
    }
    // Each user decided rule by rule (issue-bound holders via the flags).
    for (user_ix u = 0; u < ws.users.size(); ++u) {
      if (!eligible(ws, u))
        continue;
      for (auto& g : s->grants)
        if (g.permission == "BROWSE_PROJECTS" && !is_issue_bound(g.holder)
            && holder_matches(ws, g.holder, u, p, nullptr)) {
          e.static_ok[u] = 1;
          break;
        }
    }
  }
  return projects_.emplace(p.id, std::move(e)).first->second;
}

const visibility_cache::entry&
visibility_cache::level_entry(const workspace& ws, const project& p,
                              int64_t level_id) {
  sync(ws);
  auto key = std::to_string(p.id) + "/" + std::to_string(level_id);
  auto it = levels_.find(key);
  if (it != levels_.end())
    return it->second;
  entry e;
  e.static_ok.assign(ws.users.size(), 0);
  if (auto* lvl = find_security_level(ws, level_id)) {
    for (auto& m : lvl->members) {
      if (m.holder.type == "reporter")
        e.reporter = true;
      else if (m.holder.type == "assignee")
        e.assignee = true;
    }
    for (user_ix u = 0; u < ws.users.size(); ++u) {
      if (!eligible(ws, u))
        continue;
      for (auto& m : lvl->members)
        if (!is_issue_bound(m.holder)
            && holder_matches(ws, m.holder, u, p, nullptr)) {
          e.static_ok[u] = 1;
          break;
        }
    }
  }
  return levels_.emplace(std::move(key), std::move(e)).first->second;
}

bool visibility_cache::project_anyone(const workspace& ws, const project& p) {
  return project_entry(ws, p).anyone;
}

bool visibility_cache::can_see_issue(const workspace& ws, user_ix u,
                                     const issue& i) {
  if (!eligible(ws, u))
    return false;
  auto* p = find_project(ws, i.project_id);
  if (!p)
    return false;
  auto& pe = project_entry(ws, *p);
  bool ok = pe.static_ok[u] || (pe.reporter && i.reporter == u)
            || (pe.assignee && i.assignee == u);
  if (!ok || i.security_level_id == 0)
    return ok;
  if (!find_security_level(ws, i.security_level_id))
    return false;
  auto& le = level_entry(ws, *p, i.security_level_id);
  return le.static_ok[u] || (le.reporter && i.reporter == u)
         || (le.assignee && i.assignee == u);
}

std::vector<user_ix> visibility_cache::issue_viewers(const workspace& ws,
                                                     const issue& i) {
  // Same decision as can_see_issue(), with the entries resolved once.
  std::vector<user_ix> out;
  auto* p = find_project(ws, i.project_id);
  if (!p)
    return out;
  auto& pe = project_entry(ws, *p);
  const entry* le = nullptr;
  if (i.security_level_id != 0) {
    if (!find_security_level(ws, i.security_level_id))
      return out;
    le = &level_entry(ws, *p, i.security_level_id);
  }
  for (user_ix u = 0; u < ws.users.size(); ++u) {
    if (!eligible(ws, u))
      continue;
    bool ok = pe.static_ok[u] || (pe.reporter && i.reporter == u)
              || (pe.assignee && i.assignee == u);
    if (ok && le)
      ok = le->static_ok[u] || (le->reporter && i.reporter == u)
           || (le->assignee && i.assignee == u);
    if (ok)
      out.push_back(u);
  }
  return out;
}

std::vector<user_ix> visibility_cache::comment_viewers(const workspace& ws,
                                                       const issue& i,
                                                       const comment& c) {
  auto v = issue_viewers(ws, i);
  if (c.visibility.type == visibility_type::none)
    return v;
  auto* p = find_project(ws, i.project_id);
  auto rv = resolve(ws, c.visibility);
  std::vector<user_ix> out;
  for (auto u : v)
    if (p && visibility_allows(ws, u, *p, rv))
      out.push_back(u);
  return out;
}

// --- export
// -------------------------------------------------------------------------------

namespace {

std::string hex_sha256(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  static constexpr char d[] = "0123456789abcdef";
  std::string s;
  for (unsigned i = 0; i < len; ++i) {
    s.push_back(d[md[i] >> 4]);
    s.push_back(d[md[i] & 15]);
  }
  return s;
}

class exporter {
public:
  exporter(const workspace& ws, std::ostream& out, const truth_options& o)
      : ws_(ws), out_(out), opts_(o) {
    site_ = o.site_url.empty()
              ? (ws.site.base_url.empty()
                   ? "https://" + ws.site.name + ".atlassian.net"
                   : ws.site.base_url)
              : o.site_url;
    std::vector<user_ix> order(ws.users.size());
    for (user_ix u = 0; u < order.size(); ++u)
      order[u] = u;
    std::sort(order.begin(), order.end(), [&](user_ix a, user_ix b) {
      return ws.users[a].account_id < ws.users[b].account_id;
    });
    rank_.resize(order.size());
    for (size_t k = 0; k < order.size(); ++k)
      rank_[order[k]] = static_cast<uint32_t>(k);
  }

  void run() {
    if (opts_.identities) {
      for (auto& u : ws_.users)
        line(json::object{{"type", "user"},
                          {"account_id", u.account_id},
                          {"email", email(u)},
                          {"display_name", u.display_name},
                          {"active", u.active},
                          {"account_type", to_string(u.type)}});
      for (auto& g : ws_.groups) {
        json::array members;
        std::vector<std::string> ids;
        for (auto m : g.members)
          ids.push_back(ws_.users[m].account_id);
        std::sort(ids.begin(), ids.end());
        for (auto& s : ids)
          members.emplace_back(s);
        line(json::object{{"type", "group"},
                          {"id", g.group_id},
                          {"name", g.name},
                          {"members", std::move(members)}});
      }
      for (auto& p : ws_.projects) {
        std::vector<user_ix> viewers;
        for (user_ix u = 0; u < ws_.users.size(); ++u)
          if (can_browse_project(ws_, u, p))
            viewers.push_back(u);
        auto acl = acl_id(viewers, cache_.project_anyone(ws_, p));
        line(json::object{{"type", "project"},
                          {"id", std::to_string(p.id)},
                          {"key", p.key},
                          {"name", p.name},
                          {"lead", user_value(p.lead)},
                          {"acl", acl}});
      }
    }
    for (auto& i : ws_.issues)
      issue_records(i);
  }

private:
  static json::value email(const user& u) {
    if (u.email_hidden || u.email.empty())
      return nullptr;
    return json::value(u.email);
  }

  json::value user_value(user_ix u) const {
    if (u == no_user || u >= ws_.users.size())
      return nullptr;
    auto& x = ws_.users[u];
    return json::object{{"account_id", x.account_id},
                        {"email", email(x)},
                        {"display_name", x.display_name}};
  }

  void line(const json::object& o) {
    out_ << json::serialize(o) << '\n';
  }

  // Emits the acl line on first use; returns its id. Lookup by a 64-bit
  // hash of the list, confirmed by comparing the list itself.
  std::string acl_id(const std::vector<user_ix>& users, bool anyone) {
    uint64_t h = anyone ? 0x9e3779b97f4a7c15ULL : 0x2545f4914f6cdd1dULL;
    for (auto u : users)
      h = (h ^ u) * 0x100000001b3ULL + (h >> 29);
    auto range = acl_ids_.equal_range(h);
    for (auto it = range.first; it != range.second; ++it)
      if (it->second.anyone == anyone && it->second.users == users)
        return it->second.id;
    // Sort by accountId through the precomputed rank (ints, not strings).
    std::vector<user_ix> sorted = users;
    std::sort(sorted.begin(), sorted.end(), [&](user_ix a, user_ix b) {
      return rank_[a] < rank_[b];
    });
    std::string material = anyone ? "anyone\n" : "restricted\n";
    json::array arr;
    arr.reserve(sorted.size());
    for (auto u : sorted) {
      auto& s = ws_.users[u].account_id;
      material += s;
      material += '\n';
      arr.emplace_back(s);
    }
    auto id = "acl-" + hex_sha256(material).substr(0, 24);
    acl_ids_.emplace(h, acl_entry{anyone, users, id});
    line(json::object{{"type", "acl"},
                      {"id", id},
                      {"anyone", anyone},
                      {"users", std::move(arr)}});
    return id;
  }

  static json::array texts(const json::value& doc) {
    json::array a;
    if (doc.is_null())
      return a;
    for (auto& s : text_nodes_of(doc))
      a.emplace_back(s);
    return a;
  }

  static std::vector<std::string> text_nodes_of(const json::value& doc);

  json::object custom_fields(const issue& i) const {
    json::object out;
    auto raw = issue_custom_fields(ws_, i);
    for (auto& f : ws_.fields) {
      if (!f.custom)
        continue;
      auto* v = raw.if_contains(f.id);
      if (!v || v->is_null())
        continue;
      out[f.name] = normalize(*v);
    }
    return out;
  }

  // Option -> its value, user -> its accountId, arrays element-wise.
  static json::value normalize(const json::value& v) {
    if (v.is_array()) {
      json::array a;
      for (auto& e : v.as_array())
        if (!e.is_null())
          a.push_back(normalize(e));
      return a;
    }
    if (v.is_object()) {
      auto& o = v.as_object();
      if (auto* x = o.if_contains("accountId"))
        return *x;
      if (auto* x = o.if_contains("value"))
        return *x;
    }
    return v;
  }

  void issue_records(const issue& i) {
    auto* p = find_project(ws_, i.project_id);
    if (!p)
      return;
    auto viewers = cache_.issue_viewers(ws_, i);
    bool anyone = cache_.project_anyone(ws_, *p) && i.security_level_id == 0;
    auto acl = acl_id(viewers, anyone);
    auto* st = find_status(ws_, i.status_id);
    auto* pr = find_priority(ws_, i.priority_id);
    auto* it = find_issue_type(ws_, i.issue_type_id);
    auto* lvl = i.security_level_id
                  ? find_security_level(ws_, i.security_level_id)
                  : nullptr;
    const issue* parent = i.parent_id ? find_issue(ws_, i.parent_id) : nullptr;
    json::array labels;
    for (auto& l : i.labels)
      labels.emplace_back(l);
    json::object o{
      {"type", "issue"},
      {"id", std::to_string(i.id)},
      {"key", i.key},
      {"project_key", p->key},
      {"summary", i.summary},
      {"text", texts(issue_description(ws_, i))},
      {"status", st ? json::value(st->name) : json::value(nullptr)},
      {"status_category",
       st ? json::value(st->category_key) : json::value(nullptr)},
      {"priority", pr ? json::value(pr->name) : json::value(nullptr)},
      {"labels", std::move(labels)},
      {"issue_type", it ? json::value(it->name) : json::value(nullptr)},
      {"parent_key", parent ? json::value(parent->key) : json::value(nullptr)},
      {"reporter", user_value(i.reporter)},
      {"assignee", user_value(i.assignee)},
      {"created", format_rfc3339_utc(i.created_ms)},
      {"updated", format_rfc3339_utc(i.updated_ms)},
      {"security_level", lvl ? json::value(lvl->name) : json::value(nullptr)},
      {"custom_fields", custom_fields(i)},
      {"url", site_ + "/browse/" + i.key},
      {"acl", acl}};
    line(o);
    if (opts_.comments)
      for (auto& c : i.comments) {
        // Unrestricted: exactly the issue's list. Restricted: the issue's
        // viewers that also pass the visibility rule (= can_see_comment).
        std::string cacl = acl;
        if (c.visibility.type != visibility_type::none) {
          std::vector<user_ix> cv;
          auto rv = resolve(ws_, c.visibility);
          for (auto u : viewers)
            if (visibility_allows(ws_, u, *p, rv))
              cv.push_back(u);
          cacl = acl_id(cv, false);
        }
        json::value vis = nullptr;
        if (c.visibility.type != visibility_type::none)
          vis = json::object{
            {"type",
             c.visibility.type == visibility_type::group ? "group" : "role"},
            {"identifier", c.visibility.identifier}};
        line(json::object{{"type", "comment"},
                          {"id", std::to_string(c.id)},
                          {"issue_id", std::to_string(i.id)},
                          {"author", user_value(c.author)},
                          {"text", texts(comment_body(ws_, i, c))},
                          {"created", format_rfc3339_utc(c.created_ms)},
                          {"updated", format_rfc3339_utc(c.updated_ms)},
                          {"visibility", std::move(vis)},
                          {"acl", cacl}});
      }
    if (opts_.attachments)
      for (auto& a : i.attachments) {
        // The text a connector should extract (issue 16): the content of
        // text files (text/*, JSON) as is; nothing from images; for the
        // real documents their known strings in order (text_contains) and
        // for the hostile ones the status. The generated PDFs are filler
        // bytes: their outcome is left open.
        json::object extra;
        bool textual = a.mime_type.rfind("text/", 0) == 0
                       || a.mime_type == "application/json";
        if (a.size_bytes == 0 && !a.document) {
          // Empty content has empty text whatever the type (a connector
          // keeps one text per content).
          extra["text"] = "";
          extra["text_status"] = "extracted";
        } else if (a.size_bytes <= 2 && !a.document) {
          // 1-2 byte contents recur across types (the same bytes as a
          // .txt and a .png): their text depends on which attachment a
          // connector extracts first. Left open.
        } else if (a.document) {
          extra["text_status"] = a.text_status;
          if (a.known_text.empty()) {
            extra["text"] = nullptr;
          } else {
            json::array known;
            for (const auto& s : a.known_text)
              known.emplace_back(s);
            extra["text_contains"] = std::move(known);
          }
        } else if (textual && a.size_bytes <= opts_.attachment_text_max_bytes) {
          extra["text"] = json::value(attachment_content_string(ws_, a));
          extra["text_status"] = "extracted";
        } else if (a.mime_type.rfind("image/", 0) == 0) {
          extra["text"] = nullptr;
          extra["text_status"] = "unsupported";
        }
        json::object rec{{"type", "attachment"},
                         {"id", std::to_string(a.id)},
                         {"issue_id", std::to_string(i.id)},
                         {"filename", a.filename},
                         {"mime_type", a.mime_type},
                         {"size", a.size_bytes},
                         {"sha256", attachment_sha256(ws_, a)},
                         {"created", format_rfc3339_utc(a.created_ms)},
                         {"author", user_value(a.author)},
                         {"acl", acl}};
        for (auto& [k, v] : extra)
          rec[k] = std::move(v);
        line(std::move(rec));
      }
  }

  const workspace& ws_;
  std::ostream& out_;
  const truth_options& opts_;
  std::string site_;
  visibility_cache cache_;
  struct acl_entry {
    bool anyone;
    std::vector<user_ix> users;
    std::string id;
  };
  std::unordered_multimap<uint64_t, acl_entry> acl_ids_;
  std::vector<uint32_t> rank_; // user index -> position by accountId
};

std::vector<std::string> exporter::text_nodes_of(const json::value& doc) {
  return text_nodes(doc);
}

} // namespace

void write_truth(const workspace& ws, std::ostream& out,
                 const truth_options& opts) {
  exporter{ws, out, opts}.run();
}

} // namespace jirasim
