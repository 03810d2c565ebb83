#include "actors/projects_actor.hpp"

#include <caf/all.hpp>

#include <algorithm>

namespace jirasync::actors {

bool project_in_scope(const config::filters_config& f, const std::string& key) {
  if (f.project_keys.empty())
    return true;
  bool listed = std::find(f.project_keys.begin(), f.project_keys.end(), key)
                != f.project_keys.end();
  return f.project_keys_op == config::keys_op::in ? listed : !listed;
}

namespace {

struct projects_state {
  sync_env_ptr env;
  caf::response_promise rp;
  projects_result result;
  static inline const char* name = "projects_actor";
};

using projects_actor_t = caf::stateful_actor<projects_state>;

void fetch_page(projects_actor_t* self, std::int64_t start) {
  auto& env = *self->state.env;
  self
    ->request(env.api, caf::infinite,
              api_call{protocol::get_projects(env.target, start, 50)})
    .then([=](api_reply& r) {
      auto& st = self->state;
      if (!r.ok) {
        st.result.error = "projects: " + r.error;
        return st.rp.deliver(std::move(st.result));
      }
      auto page = protocol::parse_text(r.body, protocol::parse_project_page);
      if (page.fatal) {
        st.result.error
          = "projects: "
            + (page.errors.empty() ? std::string{"unusable response"}
                                   : page.errors.front().to_string());
        return st.rp.deliver(std::move(st.result));
      }
      for (auto& p : page.value.values)
        if (project_in_scope(st.env->filters, p.key))
          st.result.projects.push_back(std::move(p));
      auto n = static_cast<std::int64_t>(page.value.values.size());
      if (!page.value.page.is_last && n > 0)
        return fetch_page(self, start + n);
      st.result.ok = true;
      st.rp.deliver(std::move(st.result));
    });
}

caf::behavior projects_impl(projects_actor_t* self, sync_env_ptr env) {
  self->state.env = std::move(env);
  return {
    [=](run_atom) -> caf::result<projects_result> {
      self->state.rp = self->make_response_promise();
      fetch_page(self, 0);
      return self->state.rp;
    },
  };
}

} // namespace

caf::actor spawn_projects_actor(caf::actor_system& sys, sync_env_ptr env) {
  return sys.spawn(projects_impl, std::move(env));
}

} // namespace jirasync::actors
