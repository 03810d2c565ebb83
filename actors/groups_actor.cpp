#include "actors/groups_actor.hpp"

#include "actors/supervision.hpp"
#include "actors/sync_env.hpp"
#include "protocol/jira/application_role.hpp"
#include "sync/directory_builder.hpp"
#include "sync/permissions_gaps.hpp"

#include <caf/all.hpp>

#include <deque>

namespace jirasync::actors {

namespace {

/// Groups whose members are fetched at the same time.
constexpr int groups_parallel = 4;
/// Jira's maximum page size of /group/member.
constexpr std::int64_t member_page_size = 50;
/// Groups per /group/bulk page.
constexpr std::int64_t group_page_size = 50;

struct groups_state {
  sync_env_ptr env;
  caf::typed_response_promise<groups_reply> rp;
  std::shared_ptr<sync::identity_directory> dir;
  std::vector<protocol::jira_group> groups;
  std::deque<std::size_t> todo;
  int active = 0;
  bool failed = false;
  std::vector<storage::group_record> records;
  /// Parse errors of group and member pages (named, not fatal).
  std::vector<common::error> failures;
  /// Set once group/bulk or group/member was refused: no member is known.
  bool groups_refused = false;
  static inline const char* name = "groups_actor";
};

using groups_actor_t = groups_actor::stateful_base<groups_state>;

std::string first_error(const std::vector<protocol::parse_error>& errs) {
  return errs.empty() ? std::string{"unusable response"}
                      : errs.front().to_string();
}

common::error unusable(std::string_view what,
                       const std::vector<protocol::parse_error>& errs) {
  return common::make_error(common::errc::invalid_input,
                            std::string{what} + ": " + first_error(errs));
}

sync::access_gap
access_gap_unusable(std::string part,
                    const std::vector<protocol::parse_error>& errs) {
  return sync::access_gap{std::move(part), "", first_error(errs)};
}

/// Group members cannot be read (a refusal): groups grant nothing, the
/// step goes on with the product roles.
void groups_refused(groups_actor_t* self, const common::error& e) {
  auto& st = self->state;
  if (st.failed || !st.dir->groups_known)
    return;
  sync::groups_unknown(*st.dir, sync::gap_of("groups", sync::browse_users, e));
  st.todo.clear();
  st.records.clear(); // a partial membership list is not written either
  st.groups_refused = true;
}

void fail(groups_actor_t* self, common::error e) {
  auto& st = self->state;
  if (st.failed)
    return;
  st.failed = true;
  st.rp.deliver(groups_reply{std::move(e)});
}

void finish(groups_actor_t* self) {
  auto& st = self->state;
  auto spec = std::make_shared<storage::write_batch_spec>();
  auto seen = std::make_shared<std::vector<std::string>>();
  for (auto& g : st.records) {
    seen->push_back(g.id);
    spec->upserts.emplace_back(std::move(g));
  }
  auto count = st.records.size();
  st.records.clear();
  self
    ->request(st.env->writer, st.env->timeouts.store, write_atom_v,
              write_job{spec})
    .then(
      [=](write_reply& w) {
        if (!w)
          return fail(self, w.error());
        self->state.rp.deliver(groups_reply{groups_result{
          self->state.dir, count, *seen, std::move(self->state.failures)}});
      },
      [=](caf::error& err) {
        fail(self, request_failed("groups: store write", err));
      });
}

void fetch_application_roles(groups_actor_t* self) {
  const auto& env = *self->state.env;
  self
    ->request(env.api, env.timeouts.api_call,
              api_call{protocol::get_application_roles(env.target)})
    .then(
      [=](api_reply& r) {
        auto& dir = *self->state.dir;
        if (!r && !sync::is_refusal(r.error())
            && r.error().code != common::errc::not_found) {
          // Transient (after retries): fail rather than narrow the ACLs
          // of the projects naming a product; the stored ones stay.
          return fail(self, prefixed("application roles", r.error()));
        }
        if (!r) {
          // No /applicationrole (no admin right, or a site without it):
          // products grant nothing, the projects naming one are degraded.
          sync::application_roles_unknown(
            dir, sync::gap_of("application roles", sync::administer_jira,
                              r.error()));
        } else {
          // An unusable answer grants nothing through products: the safe
          // direction, reported like a refusal.
          auto roles = r->parse(protocol::parse_application_roles);
          if (roles.fatal)
            sync::application_roles_unknown(
              dir, access_gap_unusable("application roles", roles.errors));
          else
            sync::add_application_roles(dir, roles.value);
        }
        finish(self);
      },
      [=](caf::error& err) {
        fail(self, request_failed("application roles", err));
      });
}

void pump(groups_actor_t* self);

void fetch_members(groups_actor_t* self, std::size_t gi, std::int64_t start,
                   std::shared_ptr<std::vector<std::string>> acc) {
  const auto& env = *self->state.env;
  const auto& g = self->state.groups[gi];
  self
    ->request(env.api, env.timeouts.api_call,
              api_call{protocol::get_group_members(env.target, g.group_id,
                                                   start, member_page_size)})
    .then(
      [=](api_reply& r) {
        auto& st = self->state;
        if (st.failed)
          return;
        if (!r && sync::is_refusal(r.error())) {
          groups_refused(self, r.error());
          --st.active;
          return pump(self);
        }
        if (!r)
          return fail(self, prefixed("group members", r.error()));
        auto page = r->parse(protocol::parse_group_member_page);
        if (page.fatal)
          return fail(self, unusable("group members", page.errors));
        for (const auto& e : page.errors)
          st.failures.push_back(common::make_error(
            common::errc::invalid_input, "group members: " + e.to_string(),
            "group " + st.groups[gi].name));
        for (auto& u : page.value.values)
          acc->push_back(u.account_id);
        auto n = static_cast<std::int64_t>(page.value.values.size());
        if (!page.value.page.is_last && n > 0)
          return fetch_members(self, gi, start + n, acc);
        if (!st.groups_refused)
          st.records.push_back(
            sync::add_group_members(*st.dir, st.groups[gi], std::move(*acc)));
        --st.active;
        pump(self);
      },
      [=](caf::error& err) {
        fail(self, request_failed("group members", err));
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
  const auto& env = *self->state.env;
  self
    ->request(
      env.api, env.timeouts.api_call,
      api_call{protocol::get_groups(env.target, start, group_page_size)})
    .then(
      [=](api_reply& r) {
        auto& st = self->state;
        if (!r && sync::is_refusal(r.error())) {
          groups_refused(self, r.error());
          return pump(self);
        }
        if (!r)
          return fail(self, prefixed("groups", r.error()));
        auto page = r->parse(protocol::parse_group_page);
        if (page.fatal)
          return fail(self, unusable("groups", page.errors));
        for (const auto& e : page.errors)
          st.failures.push_back(common::make_error(
            common::errc::invalid_input, "groups: " + e.to_string(),
            e.record.empty() ? std::string{"groups"} : e.record));
        sync::add_group_names(*st.dir, page.value.values);
        for (auto& g : page.value.values)
          st.groups.push_back(std::move(g));
        auto n = static_cast<std::int64_t>(page.value.values.size());
        if (!page.value.page.is_last && n > 0)
          return fetch_groups(self, start + n);
        for (std::size_t i = 0; i < st.groups.size(); ++i)
          st.todo.push_back(i);
        pump(self);
      },
      [=](caf::error& err) {
        fail(self, request_failed("groups", err));
      });
}

groups_actor::behavior_type groups_impl(groups_actor_t* self,
                                        sync_env_ptr env) {
  fail_on_exception(self);
  self->state.env = std::move(env);
  return {
    [=](run_atom, const users_result& users) -> caf::result<groups_reply> {
      if (auto err = check_fault(self, self->state.env->fault))
        return err;
      auto& st = self->state;
      st.rp = self->make_response_promise<groups_reply>();
      st.dir = std::make_shared<sync::identity_directory>();
      st.dir->universe = users.universe;
      if (st.env->api_user)
        st.dir->api_user = st.env->api_user->account_id;
      if (users.gap)
        st.dir->gaps.push_back(*users.gap);
      fetch_groups(self, 0);
      return st.rp;
    },
  };
}

} // namespace

groups_actor spawn_groups_actor(caf::actor_system& sys, sync_env_ptr env) {
  return sys.spawn(groups_impl, std::move(env));
}

} // namespace jirasync::actors
