#include "actors/roles_actor.hpp"

#include <caf/all.hpp>

#include <functional>
#include <map>

namespace jirasync::actors {

namespace {

std::string first_error(const std::vector<protocol::parse_error>& errs) {
  return errs.empty() ? std::string{"unusable response"}
                      : errs.front().to_string();
}

/// A fetched-once resource (a permission or security scheme) and the
/// projects waiting for it.
struct shared_fetch {
  bool done = false;
  std::string error; // empty = ok
  std::vector<protocol::permission_holder> browse;
  std::map<std::string, std::vector<protocol::permission_holder>> levels;
  std::map<std::string, std::string> level_names;
  std::vector<std::function<void()>> waiters;
};

using shared_fetch_ptr = std::shared_ptr<shared_fetch>;

/// One project's access being assembled.
struct access_job {
  caf::response_promise rp;
  std::shared_ptr<sync::project_access> access;
  int outstanding = 0;
  std::string error;
};

using job_ptr = std::shared_ptr<access_job>;

struct roles_state {
  sync_env_ptr env;
  std::map<std::string, shared_fetch_ptr> permission_schemes;
  std::map<std::string, shared_fetch_ptr> security_schemes;
  static inline const char* name = "roles_actor";
};

using roles_actor_t = caf::stateful_actor<roles_state>;

void part_done(const job_ptr& job, std::string error = {}) {
  if (!error.empty() && job->error.empty())
    job->error = std::move(error);
  if (--job->outstanding > 0)
    return;
  access_result res;
  res.ok = job->error.empty();
  res.error = job->error;
  if (res.ok)
    res.access = job->access;
  job->rp.deliver(std::move(res));
}

void resolve(const shared_fetch_ptr& f, std::string error) {
  f->done = true;
  f->error = std::move(error);
  auto waiters = std::move(f->waiters);
  for (auto& w : waiters)
    w();
}

// --- roles
// --------------------------------------------------------------------

void fetch_roles(roles_actor_t* self, job_ptr job) {
  auto& env = *self->state.env;
  auto key = job->access->project_key;
  self
    ->request(env.api, caf::infinite,
              api_call{protocol::get_project_roles(env.target, key)})
    .then([=](api_reply& r) {
      if (!r.ok)
        return part_done(job, r.error);
      auto links
        = protocol::parse_text(r.body, protocol::parse_project_role_map);
      if (links.fatal)
        return part_done(job,
                         "roles of " + key + ": " + first_error(links.errors));
      // One part per role, then this part is done.
      job->outstanding += static_cast<int>(links.value.size());
      for (const auto& link : links.value) {
        auto& env2 = *self->state.env;
        self
          ->request(
            env2.api, caf::infinite,
            api_call{protocol::get_project_role(env2.target, key, link.id)})
          .then([=](api_reply& rr) {
            if (!rr.ok)
              return part_done(job, rr.error);
            auto role
              = protocol::parse_text(rr.body, protocol::parse_project_role);
            if (role.fatal)
              return part_done(job, "role " + link.id + " of " + key + ": "
                                      + first_error(role.errors));
            job->access->roles[role.value.id] = std::move(role.value);
            part_done(job);
          });
      }
      part_done(job);
    });
}

// --- permission scheme
// -------------------------------------------------------------

void fetch_permission_scheme(roles_actor_t* self, const std::string& id,
                             shared_fetch_ptr f) {
  auto& env = *self->state.env;
  self
    ->request(env.api, caf::infinite,
              api_call{protocol::get_permission_scheme(env.target, id)})
    .then([=](api_reply& r) {
      if (!r.ok)
        return resolve(f, r.error);
      auto s = protocol::parse_text(r.body, protocol::parse_permission_scheme);
      if (s.fatal)
        return resolve(f, "permission scheme " + id + ": "
                            + first_error(s.errors));
      for (auto& g : s.value.permissions)
        if (g.permission == "BROWSE_PROJECTS")
          f->browse.push_back(std::move(g.holder));
      resolve(f, {});
    });
}

void fetch_browse(roles_actor_t* self, job_ptr job) {
  auto& env = *self->state.env;
  auto key = job->access->project_key;
  self
    ->request(
      env.api, caf::infinite,
      api_call{protocol::get_project_permission_scheme(env.target, key)})
    .then([=](api_reply& r) {
      if (!r.ok)
        return part_done(job, r.error);
      auto ref
        = protocol::parse_text(r.body, protocol::parse_permission_scheme_ref);
      if (ref.fatal)
        return part_done(job, "permission scheme of " + key + ": "
                                + first_error(ref.errors));
      auto& cache = self->state.permission_schemes;
      auto& f = cache[ref.value.id];
      bool start = !f;
      if (!f)
        f = std::make_shared<shared_fetch>();
      auto entry = f;
      auto apply = [job, entry] {
        if (!entry->error.empty())
          return part_done(job, entry->error);
        job->access->browse_holders = entry->browse;
        part_done(job);
      };
      if (entry->done)
        return apply();
      entry->waiters.push_back(apply);
      if (start)
        fetch_permission_scheme(self, ref.value.id, entry);
    });
}

// --- issue security
// ----------------------------------------------------------------

void fetch_level_members(roles_actor_t* self, std::string scheme_id,
                         std::vector<std::string> level_ids, std::size_t li,
                         std::int64_t start, shared_fetch_ptr f) {
  if (li >= level_ids.size())
    return resolve(f, {});
  auto& env = *self->state.env;
  self
    ->request(env.api, caf::infinite,
              api_call{protocol::get_security_level_members(
                env.target, scheme_id, level_ids[li], start, 50)})
    .then([=](api_reply& r) {
      if (!r.ok)
        return resolve(f, r.error);
      auto page
        = protocol::parse_text(r.body, protocol::parse_security_member_page);
      if (page.fatal)
        return resolve(f, "security level " + level_ids[li] + ": "
                            + first_error(page.errors));
      for (auto& m : page.value.values)
        f->levels[m.level_id].push_back(std::move(m.holder));
      auto n = static_cast<std::int64_t>(page.value.values.size());
      if (!page.value.page.is_last && n > 0)
        return fetch_level_members(self, scheme_id, level_ids, li, start + n,
                                   f);
      fetch_level_members(self, scheme_id, level_ids, li + 1, 0, f);
    });
}

void fetch_security(roles_actor_t* self, job_ptr job) {
  auto& env = *self->state.env;
  auto key = job->access->project_key;
  self
    ->request(env.api, caf::infinite,
              api_call{protocol::get_project_security_scheme(env.target, key)})
    .then([=](api_reply& r) {
      if (!r.ok) {
        // 404: the project has no issue security scheme.
        if (r.status == 404)
          return part_done(job);
        return part_done(job, r.error);
      }
      auto s
        = protocol::parse_text(r.body, protocol::parse_security_level_scheme);
      if (s.fatal || !s.value.id || s.value.levels.empty())
        return part_done(job);
      auto scheme_id = *s.value.id;
      auto& f = self->state.security_schemes[scheme_id];
      bool start = !f;
      if (!f)
        f = std::make_shared<shared_fetch>();
      auto entry = f;
      if (start)
        for (const auto& l : s.value.levels)
          entry->level_names[l.id] = l.name;
      auto apply = [job, entry] {
        if (!entry->error.empty())
          return part_done(job, entry->error);
        job->access->level_members = entry->levels;
        job->access->level_names = entry->level_names;
        part_done(job);
      };
      if (entry->done)
        return apply();
      entry->waiters.push_back(apply);
      if (start) {
        std::vector<std::string> ids;
        for (const auto& l : s.value.levels)
          ids.push_back(l.id);
        fetch_level_members(self, scheme_id, std::move(ids), 0, 0, entry);
      }
    });
}

caf::behavior roles_impl(roles_actor_t* self, sync_env_ptr env) {
  self->state.env = std::move(env);
  return {
    [=](run_atom,
        const protocol::jira_project& p) -> caf::result<access_result> {
      auto job = std::make_shared<access_job>();
      job->rp = self->make_response_promise();
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

caf::actor spawn_roles_actor(caf::actor_system& sys, sync_env_ptr env) {
  return sys.spawn(roles_impl, std::move(env));
}

} // namespace jirasync::actors
