#include "sync/permissions.hpp"

#include <algorithm>
#include <iterator>

namespace jirasync::sync {

namespace {

void sort_unique(std::vector<std::string>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

std::vector<std::string> intersect(const std::vector<std::string>& a,
                                   const std::vector<std::string>& b) {
  std::vector<std::string> out;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(),
                        std::back_inserter(out));
  return out;
}

} // namespace

void unknown_kinds::merge(const unknown_kinds& o) {
  if (holders == 0)
    holder_example = o.holder_example;
  holders += o.holders;
  if (visibilities == 0)
    visibility_example = o.visibility_example;
  visibilities += o.visibilities;
}

acl_resolver::acl_resolver(std::shared_ptr<const identity_directory> dir)
    : dir_(std::move(dir)) {
  // nop
}

bool acl_resolver::in_universe(const std::string& id) const {
  return std::binary_search(dir_->universe.begin(), dir_->universe.end(), id);
}

std::vector<std::string> acl_resolver::certain() const {
  std::vector<std::string> out;
  if (dir_->api_user && in_universe(*dir_->api_user))
    out.push_back(*dir_->api_user);
  return out;
}

void acl_resolver::add_certain(std::vector<std::string>& users) const {
  if (!dir_->api_user || !in_universe(*dir_->api_user))
    return;
  auto i = std::lower_bound(users.begin(), users.end(), *dir_->api_user);
  if (i == users.end() || *i != *dir_->api_user)
    users.insert(i, *dir_->api_user);
}

std::vector<std::string>
acl_resolver::role_users(const project_access& p,
                         const std::string& role_id) const {
  std::vector<std::string> out;
  auto r = p.roles.find(role_id);
  if (r == p.roles.end())
    return out;
  for (const auto& a : r->second.actors) {
    if (a.type == protocol::role_actor_type::user && a.account_id) {
      out.push_back(*a.account_id);
    } else if (a.type == protocol::role_actor_type::group) {
      std::optional<std::string> gid = a.group_id;
      if (!gid && a.group_name) {
        auto i = dir_->group_id_by_name.find(*a.group_name);
        if (i != dir_->group_id_by_name.end())
          gid = i->second;
      }
      if (!gid)
        continue;
      auto m = dir_->group_members.find(*gid);
      if (m != dir_->group_members.end())
        out.insert(out.end(), m->second.begin(), m->second.end());
    }
  }
  return out;
}

acl_resolver::expansion
acl_resolver::expand(const project_access& p,
                     const std::vector<protocol::permission_holder>& holders) {
  expansion e;
  auto add_group = [&](const std::string& gid) {
    auto m = dir_->group_members.find(gid);
    if (m != dir_->group_members.end())
      e.users.insert(e.users.end(), m->second.begin(), m->second.end());
  };
  for (const auto& h : holders) {
    switch (h.type) {
      case protocol::holder_type::anyone:
        e.anyone = true;
        e.users.insert(e.users.end(), dir_->universe.begin(),
                       dir_->universe.end());
        break;
      case protocol::holder_type::application_role:
        if (!h.parameter || h.parameter->empty()) {
          e.users.insert(e.users.end(), dir_->universe.begin(),
                         dir_->universe.end());
        } else {
          // Products unknown (no /applicationrole): nothing, the safe way.
          auto i = dir_->app_role_groups.find(*h.parameter);
          if (i != dir_->app_role_groups.end())
            for (const auto& gid : i->second)
              add_group(gid);
        }
        break;
      case protocol::holder_type::group: {
        auto gid = h.group_id();
        if (!gid || gid->empty()) {
          if (auto name = h.group_name()) {
            auto i = dir_->group_id_by_name.find(*name);
            if (i != dir_->group_id_by_name.end())
              gid = i->second;
          }
        }
        if (gid)
          add_group(*gid);
        break;
      }
      case protocol::holder_type::project_role:
        // Roles unknown: p.roles is empty, the role grants nothing.
        if (auto rid = h.role_id()) {
          auto u = role_users(p, *rid);
          e.users.insert(e.users.end(), u.begin(), u.end());
        }
        break;
      case protocol::holder_type::project_lead:
        if (p.lead_account_id)
          e.users.push_back(*p.lead_account_id);
        break;
      case protocol::holder_type::user:
        if (auto id = h.account_id())
          e.users.push_back(*id);
        break;
      case protocol::holder_type::reporter:
        e.reporter = true;
        break;
      case protocol::holder_type::assignee:
        e.assignee = true;
        break;
      case protocol::holder_type::other:
        // A type this code does not know: reported, grants nothing.
        if (unknown_.holders++ == 0)
          unknown_.holder_example = h.type_raw;
        break;
      default:
        break; // custom-field holders, portal-only: nobody
    }
  }
  sort_unique(e.users);
  e.users = intersect(e.users, dir_->universe);
  return e;
}

const acl_resolver::expansion& acl_resolver::browse(const project_access& p) {
  auto i = browse_cache_.find(p.project_id);
  if (i == browse_cache_.end()) {
    expansion e;
    if (p.browse_known)
      e = expand(p, p.browse_holders);
    else
      e.users = certain();
    i = browse_cache_.emplace(p.project_id, std::move(e)).first;
  }
  return i->second;
}

const acl_resolver::expansion&
acl_resolver::level(const project_access& p, const std::string& level_id) {
  auto key = p.project_id + "/" + level_id;
  auto i = level_cache_.find(key);
  if (i == level_cache_.end()) {
    expansion e;
    auto m = p.level_members.find(level_id);
    if (p.levels_known && m != p.level_members.end())
      e = expand(p, m->second);
    else
      e.users = certain(); // members unknown, or a level not listed
    i = level_cache_.emplace(key, std::move(e)).first;
  }
  return i->second;
}

bool acl_resolver::uses_reporter(const project_access& p,
                                 const std::optional<std::string>& level_id) {
  // A scheme granting the whole universe (anyone, any logged-in user)
  // gains nothing from the reporter.
  const auto& b = browse(p);
  if (b.reporter && b.users.size() < dir_->universe.size())
    return true;
  return level_id && !level_id->empty() && level(p, *level_id).reporter;
}

bool acl_resolver::uses_assignee(const project_access& p,
                                 const std::optional<std::string>& level_id) {
  const auto& b = browse(p);
  if (b.assignee && b.users.size() < dir_->universe.size())
    return true;
  return level_id && !level_id->empty() && level(p, *level_id).assignee;
}

acl_set acl_resolver::project_acl(const project_access& p) {
  const auto& b = browse(p);
  if (!p.browse_known)
    return acl_set{}; // who may browse the project itself is unknown
  // The project itself is checked with no issue in context, where Jira
  // counts a grant to the reporter or the assignee as held by everyone:
  // such a grant "allows all users to view project information, such as
  // the project name, project key" (docs/export-format.md#acl).
  if (b.reporter || b.assignee)
    return acl_set{b.anyone, dir_->universe};
  return acl_set{b.anyone, b.users};
}

acl_set acl_resolver::issue_acl(const project_access& p,
                                const std::optional<std::string>& reporter,
                                const std::optional<std::string>& assignee,
                                const std::optional<std::string>& level_id) {
  auto with_dynamic = [&](const expansion& e) {
    std::vector<std::string> users = e.users;
    bool added = false;
    if (e.reporter && reporter && in_universe(*reporter)) {
      users.push_back(*reporter);
      added = true;
    }
    if (e.assignee && assignee && in_universe(*assignee)) {
      users.push_back(*assignee);
      added = true;
    }
    if (added)
      sort_unique(users);
    return users;
  };
  const auto& b = browse(p);
  acl_set out;
  out.users = with_dynamic(b);
  out.anyone = b.anyone;
  if (level_id && !level_id->empty()) {
    out.users = intersect(out.users, with_dynamic(level(p, *level_id)));
    out.anyone = false;
  }
  add_certain(out.users);
  return out;
}

acl_set acl_resolver::comment_acl(
  const project_access& p, const acl_set& issue,
  const std::optional<protocol::comment_visibility>& vis) {
  if (!vis)
    return issue;
  std::vector<std::string> allowed;
  if (vis->type == "group") {
    std::optional<std::string> gid = vis->identifier;
    if (!gid || gid->empty()) {
      auto i = dir_->group_id_by_name.find(vis->value);
      if (i != dir_->group_id_by_name.end())
        gid = i->second;
    }
    if (gid) {
      auto m = dir_->group_members.find(*gid);
      if (m != dir_->group_members.end())
        allowed = m->second;
    }
  } else if (vis->type == "role") {
    std::optional<std::string> rid = vis->identifier;
    if (!rid || rid->empty() || !p.roles.count(*rid)) {
      rid.reset();
      for (const auto& [id, role] : p.roles)
        if (role.name == vis->value)
          rid = id;
    }
    if (rid)
      allowed = role_users(p, *rid);
  } else {
    // A visibility type this code does not know: reported, grants nothing.
    if (unknown_.visibilities++ == 0)
      unknown_.visibility_example = vis->type;
  }
  sort_unique(allowed);
  auto users = intersect(issue.users, allowed);
  add_certain(users);
  return acl_set{false, std::move(users)};
}

} // namespace jirasync::sync
