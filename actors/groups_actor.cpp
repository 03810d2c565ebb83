#include "actors/groups_actor.hpp"

#include <boost/json.hpp>
#include <caf/all.hpp>

#include <algorithm>
#include <deque>

namespace jirasync::actors {

namespace {

/// Groups whose members are fetched at the same time.
constexpr int groups_parallel = 4;
/// Jira's maximum page size of /group/member.
constexpr std::int64_t member_page_size = 50;

struct groups_state {
  sync_env_ptr env;
  caf::response_promise rp;
  std::shared_ptr<sync::identity_directory> dir;
  std::vector<protocol::jira_group> groups;
  std::deque<std::size_t> todo;
  int active = 0;
  bool failed = false;
  std::vector<storage::group_record> records;
  static inline const char* name = "groups_actor";
};

using groups_actor_t = caf::stateful_actor<groups_state>;

std::string first_error(const std::vector<protocol::parse_error>& errs) {
  return errs.empty() ? std::string{"unusable response"}
                      : errs.front().to_string();
}

void fail(groups_actor_t* self, std::string reason) {
  auto& st = self->state;
  if (st.failed)
    return;
  st.failed = true;
  groups_result res;
  res.error = std::move(reason);
  st.rp.deliver(std::move(res));
}

void finish(groups_actor_t* self) {
  auto& st = self->state;
  auto spec = std::make_shared<storage::write_batch_spec>();
  for (auto& g : st.records)
    spec->upserts.emplace_back(std::move(g));
  auto count = st.records.size();
  st.records.clear();
  self->request(st.env->writer, caf::infinite, write_atom_v, write_job{spec})
    .then([=](write_reply& w) {
      if (!w.ok)
        return fail(self, w.error);
      groups_result res;
      res.ok = true;
      res.directory = self->state.dir;
      res.count = count;
      self->state.rp.deliver(std::move(res));
    });
}

void fetch_application_roles(groups_actor_t* self) {
  auto& env = *self->state.env;
  self
    ->request(env.api, caf::infinite,
              api_call{protocol::get_application_roles(env.target)})
    .then([=](api_reply& r) {
      auto& st = self->state;
      if (!r.ok) {
        // No /applicationrole (no admin right, or a simulator without it):
        // fall back to Atlassian's default product groups. A product whose
        // group does not exist matches nobody, the safe direction.
        static const std::pair<const char*, const char*> defaults[] = {
          {"jira-software", "jira-software-users"},
          {"jira-servicedesk", "jira-servicemanagement-users"},
          {"jira-core", "jira-core-users"},
          {"jira-product-discovery", "jira-product-discovery-users"},
        };
        for (const auto& [key, group] : defaults) {
          auto i = st.dir->group_id_by_name.find(group);
          if (i != st.dir->group_id_by_name.end())
            st.dir->app_role_groups[key].push_back(i->second);
        }
      } else {
        auto doc = protocol::parse_json(r.body);
        if (doc.ok() && doc.value.is_array()) {
          for (const auto& role : doc.value.as_array()) {
            if (!role.is_object())
              continue;
            const auto& o = role.as_object();
            auto* key = o.if_contains("key");
            if (!key || !key->is_string())
              continue;
            auto& ids = st.dir->app_role_groups[std::string{key->as_string()}];
            if (auto* det = o.if_contains("groupDetails");
                det && det->is_array()) {
              for (const auto& g : det->as_array())
                if (g.is_object())
                  if (auto* gid = g.as_object().if_contains("groupId");
                      gid && gid->is_string())
                    ids.emplace_back(gid->as_string());
            } else if (auto* names = o.if_contains("groups");
                       names && names->is_array()) {
              for (const auto& n : names->as_array())
                if (n.is_string()) {
                  auto i
                    = st.dir->group_id_by_name.find(std::string{n.as_string()});
                  if (i != st.dir->group_id_by_name.end())
                    ids.push_back(i->second);
                }
            }
          }
        }
      }
      finish(self);
    });
}

void pump(groups_actor_t* self);

void fetch_members(groups_actor_t* self, std::size_t gi, std::int64_t start,
                   std::shared_ptr<std::vector<std::string>> acc) {
  auto& env = *self->state.env;
  const auto& g = self->state.groups[gi];
  self
    ->request(env.api, caf::infinite,
              api_call{protocol::get_group_members(env.target, g.group_id,
                                                   start, member_page_size)})
    .then([=](api_reply& r) {
      auto& st = self->state;
      if (st.failed)
        return;
      if (!r.ok)
        return fail(self, "group members: " + r.error);
      auto page
        = protocol::parse_text(r.body, protocol::parse_group_member_page);
      if (page.fatal)
        return fail(self, "group members: " + first_error(page.errors));
      for (auto& u : page.value.values)
        acc->push_back(u.account_id);
      auto n = static_cast<std::int64_t>(page.value.values.size());
      if (!page.value.page.is_last && n > 0)
        return fetch_members(self, gi, start + n, acc);
      const auto& grp = st.groups[gi];
      auto rec = sync::to_group_record(grp, *acc);
      st.dir->group_members[rec.id] = rec.members;
      st.records.push_back(std::move(rec));
      --st.active;
      pump(self);
    });
}

void pump(groups_actor_t* self) {
  auto& st = self->state;
  while (st.active < groups_parallel && !st.todo.empty()) {
    auto gi = st.todo.front();
    st.todo.pop_front();
    ++st.active;
    fetch_members(self, gi, 0, std::make_shared<std::vector<std::string>>());
  }
  if (st.active == 0 && st.todo.empty() && !st.failed)
    fetch_application_roles(self);
}

void fetch_groups(groups_actor_t* self, std::int64_t start) {
  auto& env = *self->state.env;
  self
    ->request(env.api, caf::infinite,
              api_call{protocol::get_groups(env.target, start, 50)})
    .then([=](api_reply& r) {
      auto& st = self->state;
      if (!r.ok)
        return fail(self, "groups: " + r.error);
      auto page = protocol::parse_text(r.body, protocol::parse_group_page);
      if (page.fatal)
        return fail(self, "groups: " + first_error(page.errors));
      for (auto& g : page.value.values) {
        st.dir->group_id_by_name[g.name] = g.group_id;
        st.groups.push_back(std::move(g));
      }
      auto n = static_cast<std::int64_t>(page.value.values.size());
      if (!page.value.page.is_last && n > 0)
        return fetch_groups(self, start + n);
      for (std::size_t i = 0; i < st.groups.size(); ++i)
        st.todo.push_back(i);
      pump(self);
    });
}

caf::behavior groups_impl(groups_actor_t* self, sync_env_ptr env) {
  self->state.env = std::move(env);
  return {
    [=](run_atom, const users_result& users) -> caf::result<groups_result> {
      auto& st = self->state;
      st.rp = self->make_response_promise();
      st.dir = std::make_shared<sync::identity_directory>();
      st.dir->universe = users.universe;
      fetch_groups(self, 0);
      return st.rp;
    },
  };
}

} // namespace

caf::actor spawn_groups_actor(caf::actor_system& sys, sync_env_ptr env) {
  return sys.spawn(groups_impl, std::move(env));
}

} // namespace jirasync::actors
