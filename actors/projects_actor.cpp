#include "actors/projects_actor.hpp"

#include "actors/supervision.hpp"
#include "actors/sync_env.hpp"
#include "sync/issue_scope.hpp"

#include <caf/all.hpp>

namespace jirasync::actors {

namespace {

/// Projects per /project/search page.
constexpr std::int64_t project_page_size = 50;

struct projects_state {
  sync_env_ptr env;
  caf::typed_response_promise<projects_reply> rp;
  projects_result result;
  static inline const char* name = "projects_actor";
};

using projects_actor_t = projects_actor::stateful_base<projects_state>;

void fail(projects_actor_t* self, common::error e) {
  self->state.rp.deliver(projects_reply{std::move(e)});
}

void fetch_page(projects_actor_t* self, std::int64_t start) {
  const auto& env = *self->state.env;
  self
    ->request(
      env.api, env.timeouts.api_call,
      api_call{protocol::get_projects(env.target, start, project_page_size)})
    .then(
      [=](api_reply& r) {
        auto& st = self->state;
        if (!r)
          return fail(self, prefixed("projects", r.error()));
        auto page = r->parse(protocol::parse_project_page);
        if (page.fatal)
          return fail(self, common::make_error(
                              common::errc::invalid_input,
                              "projects: "
                                + (page.errors.empty()
                                     ? std::string{"unusable response"}
                                     : page.errors.front().to_string())));
        for (auto& p : page.value.values)
          if (sync::project_in_scope(st.env->filters, p.key))
            st.result.projects.push_back(std::move(p));
        auto n = static_cast<std::int64_t>(page.value.values.size());
        if (!page.value.page.is_last && n > 0)
          return fetch_page(self, start + n);
        st.rp.deliver(projects_reply{std::move(st.result)});
      },
      [=](caf::error& err) {
        fail(self, request_failed("projects", err));
      });
}

projects_actor::behavior_type projects_impl(projects_actor_t* self,
                                            sync_env_ptr env) {
  fail_on_exception(self);
  self->state.env = std::move(env);
  return {
    [=](run_atom) -> caf::result<projects_reply> {
      if (auto err = check_fault(self, self->state.env->fault))
        return err;
      self->state.rp = self->make_response_promise<projects_reply>();
      fetch_page(self, 0);
      return self->state.rp;
    },
  };
}

} // namespace

projects_actor spawn_projects_actor(caf::actor_system& sys, sync_env_ptr env) {
  return sys.spawn(projects_impl, std::move(env));
}

} // namespace jirasync::actors
