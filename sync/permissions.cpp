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

acl_resolver::acl_resolver(std::shared_ptr<const identity_directory> dir)
    : dir_(std::move(dir)) {
  // nop
}

bool acl_resolver::in_universe(const std::string& id) const {
  return std::binary_search(dir_->universe.begin(), dir_->universe.end(), id);
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

acl_resolver::expansion acl_resolver::expand(
  const project_access& p,
  const std::vector<protocol::permission_holder>& holders) const {
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
      default:
        break; // custom-field holders, portal-only, other: nobody
    }
  }
  sort_unique(e.users);
  e.users = intersect(e.users, dir_->universe);
  return e;
}

const acl_resolver::expansion& acl_resolver::browse(const project_access& p) {
  auto i = browse_cache_.find(p.project_id);
  if (i == browse_cache_.end())
    i = browse_cache_.emplace(p.project_id, expand(p, p.browse_holders)).first;
  return i->second;
}

const acl_resolver::expansion&
acl_resolver::level(const project_access& p, const std::string& level_id) {
  auto key = p.project_id + "/" + level_id;
  auto i = level_cache_.find(key);
  if (i == level_cache_.end()) {
    static const std::vector<protocol::permission_holder> none;
    auto m = p.level_members.find(level_id);
    i = level_cache_
          .emplace(key,
                   expand(p, m == p.level_members.end() ? none : m->second))
          .first;
  }
  return i->second;
}

acl_set acl_resolver::project_acl(const project_access& p) {
  const auto& b = browse(p);
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
  }
  sort_unique(allowed);
  return acl_set{false, intersect(issue.users, allowed)};
}

} // namespace jirasync::sync
