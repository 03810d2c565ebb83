#include "actors/users_actor.hpp"

#include "actors/supervision.hpp"
#include "actors/sync_env.hpp"
#include "sync/directory_builder.hpp"
#include "sync/permissions_gaps.hpp"

#include <caf/all.hpp>

namespace jirasync::actors {

namespace {

struct users_state {
  sync_env_ptr env;
  caf::typed_response_promise<users_reply> rp;
  users_result result;
  static inline const char* name = "users_actor";
};

using users_actor_t = users_actor::stateful_base<users_state>;

void fail(users_actor_t* self, common::error e) {
  self->state.rp.deliver(users_reply{std::move(e)});
}

void fetch_page(users_actor_t* self, std::int64_t start) {
  const auto& env = *self->state.env;
  self
    ->request(env.api, env.timeouts.api_call,
              api_call{protocol::get_users(env.target, start,
                                           env.tuning.user_page_size)})
    .then(
      [=](api_reply& r) {
        if (!r && start == 0 && sync::is_refusal(r.error())) {
          // No "Browse users and groups": go on fail safe, with the API
          // user as the only certain viewer.
          auto& st = self->state;
          if (st.env->api_user)
            st.result.universe = sync::universe_of_api_user(*st.env->api_user);
          st.result.gap = sync::gap_of("users", sync::browse_users, r.error());
          st.rp.deliver(users_reply{std::move(st.result)});
          return;
        }
        if (!r)
          return fail(self, prefixed("users", r.error()));
        auto users = r->parse(protocol::parse_users);
        if (users.fatal)
          return fail(self, common::make_error(
                              common::errc::invalid_input,
                              "users: "
                                + (users.errors.empty()
                                     ? std::string{"unusable "
                                                   "response"}
                                     : users.errors.front().to_string())));
        auto& st = self->state;
        for (const auto& e : users.errors)
          st.result.failures.push_back(common::make_error(
            common::errc::invalid_input, "users: " + e.to_string(),
            e.record.empty() ? std::string{"users"} : e.record));
        if (users.value.empty()) {
          sync::finish_universe(st.result.universe);
          st.rp.deliver(users_reply{std::move(st.result)});
          return;
        }
        auto page = sync::build_user_page(users.value);
        st.result.count += users.value.size();
        for (const auto& u : users.value)
          st.result.seen_ids.push_back(u.account_id);
        st.result.hidden_email += page.hidden_email;
        st.result.universe.insert(st.result.universe.end(),
                                  page.universe.begin(), page.universe.end());
        auto n = static_cast<std::int64_t>(users.value.size());
        auto spec
          = std::make_shared<storage::write_batch_spec>(std::move(page.spec));
        self
          ->request(st.env->writer, st.env->timeouts.store, write_atom_v,
                    write_job{spec})
          .then(
            [=](write_reply& w) {
              if (!w)
                return fail(self, w.error());
              fetch_page(self, start + n);
            },
            [=](caf::error& err) {
              fail(self, request_failed("users: store write", err));
            });
      },
      [=](caf::error& err) {
        fail(self, request_failed("users", err));
      });
}

users_actor::behavior_type users_impl(users_actor_t* self, sync_env_ptr env) {
  fail_on_exception(self);
  self->state.env = std::move(env);
  return {
    [=](run_atom) -> caf::result<users_reply> {
      if (auto err = check_fault(self, self->state.env->fault))
        return err;
      self->state.rp = self->make_response_promise<users_reply>();
      fetch_page(self, 0);
      return self->state.rp;
    },
  };
}

} // namespace

users_actor spawn_users_actor(caf::actor_system& sys, sync_env_ptr env) {
  return sys.spawn(users_impl, std::move(env));
}

} // namespace jirasync::actors
