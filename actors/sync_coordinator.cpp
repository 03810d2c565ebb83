#include "actors/sync_coordinator.hpp"

#include "actors/attachment_downloader.hpp"
#include "actors/groups_actor.hpp"
#include "actors/issue_fetcher.hpp"
#include "actors/projects_actor.hpp"
#include "actors/roles_actor.hpp"
#include "actors/users_actor.hpp"

#include <caf/all.hpp>

#include <chrono>
#include <deque>

namespace jirasync::actors {

namespace {

using clock_type = std::chrono::steady_clock;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

struct coordinator_state {
  sync_env base;
  sync_env_ptr env;
  caf::actor governor;
  progress_fn progress;
  caf::response_promise rp;
  sync_report report;
  progress_snapshot snap;
  clock_type::time_point started;
  std::int64_t started_ms = 0;
  bool done = false;
  std::shared_ptr<const sync::identity_directory> dir;
  caf::actor roles;
  std::vector<protocol::jira_project> projects;
  std::vector<std::shared_ptr<const sync::project_access>> access;
  std::deque<std::size_t> pending_projects;
  int projects_active = 0;
  static inline const char* name = "sync_coordinator";
};

using coordinator_actor = caf::stateful_actor<coordinator_state>;

void show(coordinator_actor* self) {
  if (self->state.progress)
    self->state.progress(self->state.snap);
}

void phase(coordinator_actor* self, std::string name) {
  self->state.snap.phase = std::move(name);
  show(self);
}

/// Collects the counters of api_client, governor and store_writer, writes
/// the sync checkpoint and answers the run.
void conclude(coordinator_actor* self) {
  auto& st = self->state;
  if (st.done)
    return;
  st.done = true;
  auto& rep = st.report;
  if (rep.error.empty())
    rep.result = rep.failures.empty() ? "ok" : "partial";
  else
    rep.result = "failed";
  self->request(st.base.api, caf::infinite, stats_atom_v)
    .then([=](api_stats& a) {
      self->state.report.api = a;
      self->request(self->state.governor, caf::infinite, stats_atom_v)
        .then([=](governor_report& g) {
          self->state.report.governor = g;
          auto& st = self->state;
          auto& rep = st.report;
          rep.duration_ms
            = std::chrono::duration_cast<std::chrono::milliseconds>(
                clock_type::now() - st.started)
                .count();
          auto spec = std::make_shared<storage::write_batch_spec>();
          storage::sync_checkpoint cp;
          cp.mode = "full";
          cp.started_at_ms = st.started_ms;
          cp.finished_at_ms = now_ms();
          cp.filters_hash = st.base.filters_hash;
          cp.result = rep.result;
          cp.error = rep.error.empty() && !rep.failures.empty()
                       ? std::to_string(rep.failures.size())
                           + " record(s) or project(s) failed"
                       : rep.error;
          cp.counters["requests"] = static_cast<std::int64_t>(rep.api.requests);
          cp.counters["rate_limit_waits"]
            = static_cast<std::int64_t>(rep.governor.rate_limit_waits);
          cp.counters["duration_ms"] = rep.duration_ms;
          spec->sync = cp;
          self
            ->request(st.base.writer, caf::infinite, write_atom_v,
                      write_job{spec})
            .then([=](write_reply&) {
              self
                ->request(self->state.base.writer, caf::infinite, stats_atom_v)
                .then([=](store_totals& t) {
                  auto& st = self->state;
                  st.report.store = t;
                  phase(self, "done");
                  st.rp.deliver(st.report);
                });
            });
        });
    });
}

void fail_run(coordinator_actor* self, std::string reason) {
  self->state.report.result = "failed";
  self->state.report.error = std::move(reason);
  conclude(self);
}

void pump_projects(coordinator_actor* self) {
  auto& st = self->state;
  while (st.projects_active < st.env->tuning.projects_parallel
         && !st.pending_projects.empty()) {
    auto pi = st.pending_projects.front();
    st.pending_projects.pop_front();
    ++st.projects_active;
    auto fetcher = spawn_issue_fetcher(self->system(), st.env, st.projects[pi],
                                       st.access[pi], st.dir,
                                       caf::actor_cast<caf::actor>(self));
    self->request(fetcher, caf::infinite, run_atom_v)
      .then([=](fetch_result& r) {
        auto& st = self->state;
        --st.projects_active;
        ++st.snap.projects_done;
        if (!r.ok)
          st.report.failures.push_back("project " + r.project_key + ": "
                                       + r.error);
        for (auto& f : r.failures)
          st.report.failures.push_back(std::move(f));
        st.report.issues += r.issues;
        st.report.comments += r.comments;
        st.report.attachments += r.attachments;
        st.report.attachments_skipped += r.attachments_skipped;
        self->send_exit(fetcher, caf::exit_reason::normal);
        show(self);
        pump_projects(self);
      });
  }
  if (st.projects_active == 0 && st.pending_projects.empty())
    conclude(self);
}

/// Step 4 result: project records + ACLs in one batch, then step 5.
void write_projects(coordinator_actor* self) {
  auto& st = self->state;
  sync::acl_resolver resolver{st.dir};
  auto spec = std::make_shared<storage::write_batch_spec>();
  for (std::size_t i = 0; i < st.projects.size(); ++i) {
    if (!st.access[i])
      continue;
    auto set = resolver.project_acl(*st.access[i]);
    auto acl = storage::make_acl(set.anyone, set.users);
    spec->upserts.emplace_back(sync::to_project_record(st.projects[i], acl.id));
    spec->acls.push_back(std::move(acl));
  }
  self->request(st.base.writer, caf::infinite, write_atom_v, write_job{spec})
    .then([=](write_reply& w) {
      if (!w.ok)
        return fail_run(self, "projects: " + w.error);
      auto& st = self->state;
      phase(self, "issues");
      for (std::size_t i = 0; i < st.projects.size(); ++i)
        if (st.access[i])
          st.pending_projects.push_back(i);
      pump_projects(self);
    });
}

void run_roles(coordinator_actor* self) {
  auto& st = self->state;
  phase(self, "permissions");
  st.roles = spawn_roles_actor(self->system(), st.env);
  st.access.resize(st.projects.size());
  if (st.projects.empty())
    return write_projects(self);
  auto remaining = std::make_shared<std::size_t>(st.projects.size());
  for (std::size_t i = 0; i < st.projects.size(); ++i) {
    self->request(st.roles, caf::infinite, run_atom_v, st.projects[i])
      .then([=](access_result& r) {
        auto& st = self->state;
        if (r.ok)
          st.access[i] = r.access;
        else
          st.report.failures.push_back("project " + st.projects[i].key + ": "
                                       + r.error);
        if (--*remaining == 0)
          write_projects(self);
      });
  }
}

void run_identities(coordinator_actor* self) {
  auto& st = self->state;
  auto& sys = self->system();
  phase(self, "users");
  auto users = spawn_users_actor(sys, st.env);
  self->request(users, caf::infinite, run_atom_v).then([=](users_result& u) {
    if (!u.ok)
      return fail_run(self, u.error);
    self->state.report.users = u.count;
    phase(self, "groups");
    auto groups = spawn_groups_actor(self->system(), self->state.env);
    self->request(groups, caf::infinite, run_atom_v, u)
      .then([=](groups_result& g) {
        if (!g.ok)
          return fail_run(self, g.error);
        auto& st = self->state;
        st.report.groups = g.count;
        st.dir = g.directory;
        phase(self, "projects");
        auto projects = spawn_projects_actor(self->system(), st.env);
        self->request(projects, caf::infinite, run_atom_v)
          .then([=](projects_result& p) {
            if (!p.ok)
              return fail_run(self, p.error);
            auto& st = self->state;
            st.projects = std::move(p.projects);
            st.report.projects = st.projects.size();
            st.snap.projects_total = st.projects.size();
            run_roles(self);
          });
      });
  });
}

void read_fields(coordinator_actor* self) {
  auto& st = self->state;
  self
    ->request(st.base.api, caf::infinite,
              api_call{protocol::get_fields(st.base.target)})
    .then([=](api_reply& r) {
      auto& st = self->state;
      if (!r.ok)
        return fail_run(self, "fields: " + r.error);
      auto fields = protocol::parse_text(r.body, protocol::parse_fields);
      if (fields.fatal)
        return fail_run(self, "fields: unusable response");
      for (const auto& f : fields.value)
        if (f.custom)
          st.base.mapping.field_names[f.id] = f.name;
      // The environment is complete: freeze it and add the downloader.
      auto env = std::make_shared<sync_env>(st.base);
      env->downloader = spawn_attachment_downloader(
        self->system(), std::make_shared<const sync_env>(st.base));
      st.env = env;
      run_identities(self);
    });
}

void run(coordinator_actor* self) {
  auto& st = self->state;
  st.started = clock_type::now();
  st.started_ms = now_ms();
  phase(self, "connect");
  self
    ->request(st.base.api, caf::infinite,
              api_call{protocol::get_myself(st.base.target)})
    .then([=](api_reply& r) {
      auto& st = self->state;
      if (!r.ok) {
        if (r.status == 401) {
          st.report.auth_failed = true;
          return fail_run(self, "authentication failed (HTTP 401): check "
                                "jira.email and the API token");
        }
        return fail_run(self, "cannot reach Jira: " + r.error);
      }
      auto me = protocol::parse_text(r.body, protocol::parse_myself);
      if (me.fatal)
        return fail_run(self, "myself: unusable response");
      if (me.value.time_zone && !me.value.time_zone->empty())
        st.base.time_zone = *me.value.time_zone;
      read_fields(self);
    });
}

caf::behavior coordinator_impl(coordinator_actor* self, sync_env env,
                               caf::actor governor, progress_fn progress) {
  auto& st = self->state;
  st.base = std::move(env);
  st.governor = std::move(governor);
  st.progress = std::move(progress);
  return {
    [=](run_atom) -> caf::result<sync_report> {
      self->state.rp = self->make_response_promise();
      run(self);
      self->send(self, tick_atom_v);
      return self->state.rp;
    },
    [=](progress_atom, const progress_delta& d) {
      auto& s = self->state.snap;
      s.issues_estimated += static_cast<std::uint64_t>(d.estimated);
      s.issues_done += static_cast<std::uint64_t>(d.issues);
      s.comments_done += static_cast<std::uint64_t>(d.comments);
      s.attachments_done += static_cast<std::uint64_t>(d.attachments);
      show(self);
    },
    [=](tick_atom) {
      if (self->state.done)
        return;
      self->request(self->state.base.api, caf::infinite, stats_atom_v)
        .then([=](api_stats& a) {
          self->state.snap.requests = a.requests;
          self->request(self->state.governor, caf::infinite, stats_atom_v)
            .then([=](governor_report& g) {
              self->state.snap.rate_limit_waits = g.rate_limit_waits;
              show(self);
            });
        });
      self->delayed_send(self, std::chrono::milliseconds(250), tick_atom_v);
    },
  };
}

} // namespace

caf::actor spawn_sync_coordinator(caf::actor_system& sys, sync_env env,
                                  caf::actor governor, progress_fn progress) {
  return sys.spawn(coordinator_impl, std::move(env), std::move(governor),
                   std::move(progress));
}

} // namespace jirasync::actors
