#include "actors/roles_actor.hpp"

#include "actors/supervision.hpp"
#include "actors/sync_env.hpp"
#include "sync/access_builder.hpp"
#include "sync/permissions_gaps.hpp"

#include <caf/all.hpp>

#include <functional>
#include <map>

namespace jirasync::actors {

namespace {

/// Members per issue-security-level member page.
constexpr std::int64_t level_member_page_size = 50;

/// An ACL input (role, permission scheme, security level) with any parse
/// error, fatal or not, fails the project's access as a whole: a dropped
/// grant or member could make an ACL wider (a level left without members),
/// so none of it is used. The project is then named as failed.
common::error unusable(std::string what,
                       const std::vector<protocol::parse_error>& errs) {
  return common::make_error(common::errc::invalid_input,
                            what + ": "
                              + (errs.empty() ? std::string{"unusable "
                                                            "response"}
                                              : errs.front().to_string()));
}

/// A fetched-once resource (a permission or security scheme) and the
/// projects waiting for it.
struct shared_fetch {
  bool done = false;
  std::optional<common::error> error;
  std::vector<protocol::permission_holder> browse;
  std::map<std::string, std::vector<protocol::permission_holder>> levels;
  std::map<std::string, std::string> level_names;
  std::vector<std::function<void()>> waiters;
};

using shared_fetch_ptr = std::shared_ptr<shared_fetch>;

/// One project's access being assembled.
struct access_job {
  caf::typed_response_promise<access_reply> rp;
  std::shared_ptr<sync::project_access> access;
  int outstanding = 0;
  std::optional<common::error> error;
};

using job_ptr = std::shared_ptr<access_job>;

struct roles_state {
  sync_env_ptr env;
  std::map<std::string, shared_fetch_ptr> permission_schemes;
  std::map<std::string, shared_fetch_ptr> security_schemes;
  static inline const char* name = "roles_actor";
};

using roles_actor_t = roles_actor::stateful_base<roles_state>;

void part_done(const job_ptr& job, std::optional<common::error> error = {}) {
  if (error && !job->error)
    job->error = std::move(error);
  if (--job->outstanding > 0)
    return;
  if (job->error)
    job->rp.deliver(access_reply{*job->error});
  else
    job->rp.deliver(
      access_reply{std::shared_ptr<const sync::project_access>{job->access}});
}

/// A part refused (403): it becomes unknown (fail safe) and the project
/// degraded; the part is done. Returns false for any other error, which
/// the caller reports as the project's failure.
bool refused(const job_ptr& job, const common::error& e, std::string part,
             std::string_view needs, bool sync::project_access::*known) {
  if (!sync::is_refusal(e))
    return false;
  auto& a = *job->access;
  if (a.*known) {
    a.*known = false;
    a.gaps.push_back(sync::gap_of(std::move(part), needs, e));
  }
  part_done(job);
  return true;
}

void resolve(const shared_fetch_ptr& f, std::optional<common::error> error) {
  f->done = true;
  f->error = std::move(error);
  auto waiters = std::move(f->waiters);
  for (auto& w : waiters)
    w();
}

// --- roles -------------------------------------------------------------------

void fetch_role(roles_actor_t* self, job_ptr job, std::string key,
                std::string role_id) {
  const auto& env = *self->state.env;
  self
    ->request(env.api, env.timeouts.api_call,
              api_call{protocol::get_project_role(env.target, key, role_id)})
    .then(
      [=](api_reply& r) {
        if (!r
            && refused(job, r.error(), "project roles",
                       sync::administer_projects,
                       &sync::project_access::roles_known))
          return;
        if (!r)
          return part_done(job, r.error());
        auto role = r->parse(protocol::parse_project_role);
        if (role.fatal || !role.errors.empty())
          return part_done(
            job, unusable("role " + role_id + " of " + key, role.errors));
        job->access->roles[role.value.id] = std::move(role.value);
        part_done(job);
      },
      [=](caf::error& err) {
        part_done(job, request_failed("role " + role_id + " of " + key, err));
      });
}

void fetch_roles(roles_actor_t* self, job_ptr job) {
  const auto& env = *self->state.env;
  auto key = job->access->project_key;
  self
    ->request(env.api, env.timeouts.api_call,
              api_call{protocol::get_project_roles(env.target, key)})
    .then(
      [=](api_reply& r) {
        if (!r
            && refused(job, r.error(), "project roles",
                       sync::administer_projects,
                       &sync::project_access::roles_known))
          return;
        if (!r)
          return part_done(job, r.error());
        auto links = r->parse(protocol::parse_project_role_map);
        if (links.fatal || !links.errors.empty())
          return part_done(job, unusable("roles of " + key, links.errors));
        // One part per role, then this part is done.
        job->outstanding += static_cast<int>(links.value.size());
        for (const auto& link : links.value)
          fetch_role(self, job, key, link.id);
        part_done(job);
      },
      [=](caf::error& err) {
        part_done(job, request_failed("roles of " + key, err));
      });
}

// --- permission scheme -------------------------------------------------------

void fetch_permission_scheme(roles_actor_t* self, const std::string& id,
                             shared_fetch_ptr f) {
  const auto& env = *self->state.env;
  self
    ->request(env.api, env.timeouts.api_call,
              api_call{protocol::get_permission_scheme(env.target, id)})
    .then(
      [=](api_reply& r) {
        if (!r)
          return resolve(f, r.error());
        auto s = r->parse(protocol::parse_permission_scheme);
        if (s.fatal || !s.errors.empty())
          return resolve(f, unusable("permission scheme " + id, s.errors));
        f->browse = sync::browse_holders(std::move(s.value));
        resolve(f, std::nullopt);
      },
      [=](caf::error& err) {
        resolve(f, request_failed("permission scheme " + id, err));
      });
}

/// Runs `apply` once `entry` is resolved; starts its fetch with `start`
/// when this is the first project asking for it.
void when_resolved(const shared_fetch_ptr& entry, std::function<void()> apply,
                   bool first, const std::function<void()>& start) {
  if (entry->done)
    return apply();
  entry->waiters.push_back(std::move(apply));
  if (first)
    start();
}

void fetch_browse(roles_actor_t* self, job_ptr job) {
  const auto& env = *self->state.env;
  auto key = job->access->project_key;
  self
    ->request(
      env.api, env.timeouts.api_call,
      api_call{protocol::get_project_permission_scheme(env.target, key)})
    .then(
      [=](api_reply& r) {
        if (!r
            && refused(job, r.error(), "permission scheme",
                       sync::administer_projects,
                       &sync::project_access::browse_known))
          return;
        if (!r)
          return part_done(job, r.error());
        auto ref = r->parse(protocol::parse_permission_scheme_ref);
        if (ref.fatal || !ref.errors.empty())
          return part_done(job,
                           unusable("permission scheme of " + key, ref.errors));
        auto& f = self->state.permission_schemes[ref.value.id];
        bool first = !f;
        if (!f)
          f = std::make_shared<shared_fetch>();
        auto entry = f;
        auto scheme_id = ref.value.id;
        when_resolved(
          entry,
          [job, entry] {
            if (entry->error
                && refused(job, *entry->error, "permission scheme",
                           sync::administer_jira,
                           &sync::project_access::browse_known))
              return;
            if (entry->error)
              return part_done(job, entry->error);
            job->access->browse_holders = entry->browse;
            part_done(job);
          },
          first,
          [=] {
            fetch_permission_scheme(self, scheme_id, entry);
          });
      },
      [=](caf::error& err) {
        part_done(job, request_failed("permission scheme of " + key, err));
      });
}

// --- issue security ----------------------------------------------------------

void fetch_level_members(roles_actor_t* self, std::string scheme_id,
                         std::vector<std::string> level_ids, std::size_t li,
                         std::int64_t start, shared_fetch_ptr f) {
  if (li >= level_ids.size())
    return resolve(f, std::nullopt);
  const auto& env = *self->state.env;
  self
    ->request(
      env.api, env.timeouts.api_call,
      api_call{protocol::get_security_level_members(
        env.target, scheme_id, level_ids[li], start, level_member_page_size)})
    .then(
      [=](api_reply& r) {
        if (!r)
          return resolve(f, r.error());
        auto page = r->parse(protocol::parse_security_member_page);
        if (page.fatal || !page.errors.empty())
          return resolve(
            f, unusable("security level " + level_ids[li], page.errors));
        for (auto& m : page.value.values)
          f->levels[m.level_id].push_back(std::move(m.holder));
        auto n = static_cast<std::int64_t>(page.value.values.size());
        if (!page.value.page.is_last && n > 0)
          return fetch_level_members(self, scheme_id, level_ids, li, start + n,
                                     f);
        fetch_level_members(self, scheme_id, level_ids, li + 1, 0, f);
      },
      [=](caf::error& err) {
        resolve(f, request_failed("security level " + level_ids[li], err));
      });
}

void fetch_security(roles_actor_t* self, job_ptr job) {
  const auto& env = *self->state.env;
  auto key = job->access->project_key;
  self
    ->request(env.api, env.timeouts.api_call,
              api_call{protocol::get_project_security_scheme(env.target, key)})
    .then(
      [=](api_reply& r) {
        if (!r) {
          // 404: the project has no issue security scheme.
          if (r.error().code == common::errc::not_found)
            return part_done(job);
          if (refused(job, r.error(), "issue security scheme",
                      sync::administer_projects,
                      &sync::project_access::levels_known))
            return;
          return part_done(job, r.error());
        }
        auto s = r->parse(protocol::parse_security_level_scheme);
        if (s.fatal || !s.errors.empty())
          return part_done(job, unusable("issue security scheme of "
                                           + job->access->project_key,
                                         s.errors));
        if (!s.value.id || s.value.levels.empty())
          return part_done(job);
        auto scheme_id = *s.value.id;
        auto& f = self->state.security_schemes[scheme_id];
        bool first = !f;
        if (!f)
          f = std::make_shared<shared_fetch>();
        auto entry = f;
        std::vector<std::string> ids;
        if (first)
          for (const auto& l : s.value.levels) {
            entry->level_names[l.id] = l.name;
            ids.push_back(l.id);
          }
        when_resolved(
          entry,
          [job, entry] {
            job->access->level_names = entry->level_names;
            if (entry->error
                && refused(job, *entry->error, "issue security level members",
                           sync::administer_jira,
                           &sync::project_access::levels_known))
              return;
            if (entry->error)
              return part_done(job, entry->error);
            job->access->level_members = entry->levels;
            part_done(job);
          },
          first,
          [=] {
            fetch_level_members(self, scheme_id, ids, 0, 0, entry);
          });
      },
      [=](caf::error& err) {
        part_done(job, request_failed("issue security of " + key, err));
      });
}

roles_actor::behavior_type roles_impl(roles_actor_t* self, sync_env_ptr env) {
  fail_on_exception(self);
  self->state.env = std::move(env);
  return {
    [=](run_atom,
        const protocol::jira_project& p) -> caf::result<access_reply> {
      if (auto err = check_fault(self, self->state.env->fault))
        return err;
      auto job = std::make_shared<access_job>();
      job->rp = self->make_response_promise<access_reply>();
      job->access = std::make_shared<sync::project_access>();
      job->access->project_id = p.id;
      job->access->project_key = p.key;
      if (p.lead)
        job->access->lead_account_id = p.lead->account_id;
      job->outstanding = 3;
      fetch_roles(self, job);
      fetch_browse(self, job);
      fetch_security(self, job);
      return job->rp;
    },
  };
}

} // namespace

roles_actor spawn_roles_actor(caf::actor_system& sys, sync_env_ptr env) {
  return sys.spawn(roles_impl, std::move(env));
}

} // namespace jirasync::actors
