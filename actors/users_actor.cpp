#include "actors/users_actor.hpp"

#include <caf/all.hpp>

#include <algorithm>

namespace jirasync::actors {

namespace {

struct users_state {
  sync_env_ptr env;
  caf::response_promise rp;
  users_result result;
  static inline const char* name = "users_actor";
};

using users_actor_t = caf::stateful_actor<users_state>;

void fail(users_actor_t* self, std::string reason) {
  auto& st = self->state;
  st.result.ok = false;
  st.result.error = std::move(reason);
  st.rp.deliver(std::move(st.result));
}

void fetch_page(users_actor_t* self, std::int64_t start) {
  auto& env = *self->state.env;
  auto page_size = env.tuning.user_page_size;
  self
    ->request(env.api, caf::infinite,
              api_call{protocol::get_users(env.target, start, page_size)})
    .then([=](api_reply& r) {
      if (!r.ok)
        return fail(self, "users: " + r.error);
      auto users = protocol::parse_text(r.body, protocol::parse_users);
      if (users.fatal)
        return fail(self, "users: "
                            + (users.errors.empty()
                                 ? std::string{"unusable response"}
                                 : users.errors.front().to_string()));
      auto& st = self->state;
      if (users.value.empty()) {
        auto& u = st.result.universe;
        std::sort(u.begin(), u.end());
        u.erase(std::unique(u.begin(), u.end()), u.end());
        st.result.ok = true;
        st.rp.deliver(std::move(st.result));
        return;
      }
      auto spec = std::make_shared<storage::write_batch_spec>();
      for (const auto& u : users.value) {
        ++st.result.count;
        if (u.active && u.type == protocol::account_type::atlassian)
          st.result.universe.push_back(u.account_id);
        spec->upserts.emplace_back(sync::to_user_record(u));
      }
      auto n = static_cast<std::int64_t>(users.value.size());
      self
        ->request(st.env->writer, caf::infinite, write_atom_v, write_job{spec})
        .then([=](write_reply& w) {
          if (!w.ok)
            return fail(self, w.error);
          fetch_page(self, start + n);
        });
    });
}

caf::behavior users_impl(users_actor_t* self, sync_env_ptr env) {
  self->state.env = std::move(env);
  return {
    [=](run_atom) -> caf::result<users_result> {
      self->state.rp = self->make_response_promise();
      fetch_page(self, 0);
      return self->state.rp;
    },
  };
}

} // namespace

caf::actor spawn_users_actor(caf::actor_system& sys, sync_env_ptr env) {
  return sys.spawn(users_impl, std::move(env));
}

} // namespace jirasync::actors
