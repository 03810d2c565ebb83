#include "sync/directory_builder.hpp"

#include "sync/record_mapping.hpp"

#include <algorithm>
#include <utility>

namespace jirasync::sync {

user_page_batch build_user_page(const std::vector<protocol::jira_user>& users) {
  user_page_batch out;
  for (const auto& u : users) {
    if (u.active && u.type == protocol::account_type::atlassian)
      out.universe.push_back(u.account_id);
    if (u.type == protocol::account_type::atlassian
        && (!u.email || u.email->empty()))
      ++out.hidden_email;
    out.spec.upserts.emplace_back(to_user_record(u));
  }
  return out;
}

void finish_universe(std::vector<std::string>& u) {
  std::sort(u.begin(), u.end());
  u.erase(std::unique(u.begin(), u.end()), u.end());
}

void add_group_names(identity_directory& dir,
                     const std::vector<protocol::jira_group>& groups) {
  for (const auto& g : groups)
    dir.group_id_by_name[g.name] = g.group_id;
}

storage::group_record add_group_members(identity_directory& dir,
                                        const protocol::jira_group& group,
                                        std::vector<std::string> members) {
  auto rec = to_group_record(group, std::move(members));
  dir.group_members[rec.id] = rec.members;
  return rec;
}

void add_application_roles(
  identity_directory& dir,
  const std::vector<protocol::application_role>& roles) {
  for (const auto& role : roles) {
    auto& ids = dir.app_role_groups[role.key];
    if (role.group_details) {
      for (const auto& g : *role.group_details)
        ids.push_back(g.group_id);
      continue;
    }
    for (const auto& name : role.group_names) {
      auto i = dir.group_id_by_name.find(name);
      if (i != dir.group_id_by_name.end())
        ids.push_back(i->second);
    }
  }
}

void application_roles_unknown(identity_directory& dir, access_gap gap) {
  dir.app_role_groups.clear();
  dir.app_roles_known = false;
  dir.gaps.push_back(std::move(gap));
}

void groups_unknown(identity_directory& dir, access_gap gap) {
  dir.group_members.clear();
  dir.groups_known = false;
  dir.gaps.push_back(std::move(gap));
}

std::vector<std::string> universe_of_api_user(const protocol::jira_user& me) {
  if (me.active && me.type == protocol::account_type::atlassian)
    return {me.account_id};
  return {};
}

} // namespace jirasync::sync
