#include "actors/sync_coordinator.hpp"

#include "actors/attachment_downloader.hpp"
#include "actors/groups_actor.hpp"
#include "actors/issue_fetcher.hpp"
#include "actors/projects_actor.hpp"
#include "actors/roles_actor.hpp"
#include "actors/supervision.hpp"
#include "actors/users_actor.hpp"
#include "common/heap.hpp"
#include "sync/auth_failure.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <map>

namespace jirasync::actors {

namespace {

using clock_type = std::chrono::steady_clock;

/// How often the progress counters (requests, rate-limit waits) refresh.
constexpr auto tick_interval = std::chrono::milliseconds(250);

/// How often a run gives malloc's free holes back to the system
/// (common::release_free_heap): ~50 ms of one thread every 10 s, and the
/// resident size of a long sync follows what it holds rather than the
/// largest burst so far (bench/results/analysis.md, "The store's lookups and
/// memory at XL").
constexpr auto heap_release_interval = std::chrono::seconds(10);

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

/// Watched actors by address -> their name for the failure line.
using watch_list = std::map<caf::actor_addr, std::string>;

struct coordinator_state {
  sync_env base;
  sync_env_ptr env;
  rate_governor_actor governor;
  progress_fn progress;
  caf::typed_response_promise<sync_report> rp;
  bool running = false;
  bool done = false;
  /// report.error only says that an actor it asked had stopped: a child's
  /// down message, with the reason it stopped, replaces it (the two race).
  bool error_is_consequence = false;
  /// The run was asked to stop (sync_env::stop): no new project starts.
  bool stopping = false;
  sync_report report;
  progress_snapshot snap;
  clock_type::time_point started;
  std::int64_t started_ms = 0;
  clock_type::time_point heap_released;
  std::shared_ptr<const sync::identity_directory> dir;
  roles_actor roles;
  std::vector<protocol::jira_project> projects;
  std::vector<std::shared_ptr<const sync::project_access>> access;
  /// The projects whose access could be read: where issues go.
  std::shared_ptr<const sync::scope_map> scope;
  std::deque<std::size_t> pending_projects;
  int projects_active = 0;
  /// Children spawned by this coordinator and still running; shared with
  /// the cleanup functor that stops them when the coordinator ends.
  std::shared_ptr<watch_list> children = std::make_shared<watch_list>();
  /// The site-wide actors this run depends on (not stopped by us).
  watch_list site;
  static inline const char* name = "sync_coordinator";
};

using coordinator_actor
  = sync_coordinator_actor::stateful_base<coordinator_state>;

/// The run's logger (its name, the run id, is on every line).
spdlog::logger& logger(coordinator_actor* self) {
  const auto& log = self->state.base.log;
  return log ? *log : *spdlog::default_logger();
}

void show(coordinator_actor* self) {
  if (self->state.progress)
    self->state.progress(self->state.snap);
}

void phase(coordinator_actor* self, std::string name) {
  if (self->state.snap.phase != name)
    logger(self).info("phase {}", name);
  self->state.snap.phase = std::move(name);
  show(self);
}

/// Monitors a child and keeps it on the list of actors to stop.
template<class Handle>
Handle watch_child(coordinator_actor* self, Handle child, std::string name) {
  self->monitor(child);
  self->state.children->emplace(child.address(), std::move(name));
  return child;
}

/// Stops a child whose work is done; its down message is then expected.
template<class Handle>
void stop_child(coordinator_actor* self, const Handle& child) {
  auto addr = child.address();
  if (self->state.children->erase(addr) == 0)
    return;
  self->demonitor(addr);
  self->send_exit(addr, caf::exit_reason::user_shutdown);
}

// --- the end of a run --------------------------------------------------------

void log_outcome(coordinator_actor* self) {
  const auto& rep = self->state.report;
  auto& log = logger(self);
  for (const auto& f : rep.failures)
    log.warn("failed: {}", f.to_string());
  for (const auto& d : rep.degraded)
    log.warn("degraded (narrower ACLs): {}", sync::describe(d));
  // Time held for rate limits (every reason but none and concurrency, as
  // sync::wait_info::rate_limited), summed over the governor's scopes.
  std::int64_t waited_ms = 0;
  for (int r = 0; r < sync::wait_reason_count; ++r) {
    sync::wait_info w;
    w.reason = static_cast<sync::wait_reason>(r);
    if (w.rate_limited())
      waited_ms += rep.governor.stats.waited_ms[static_cast<std::size_t>(r)];
  }
  auto counts = fmt::format(
    "added {}, updated {}, unchanged {}, deleted {}; {} request(s), {} "
    "429(s), {} ms held for rate limits, {} content warning(s); {} ms",
    rep.store.added, rep.store.updated, rep.store.unchanged, rep.store.deleted,
    rep.api.requests, rep.governor.stats.responses_429, waited_ms,
    rep.warnings.size(), rep.duration_ms);
  if (rep.error)
    log.error("run {}: {} ({})", sync::to_string(rep.result()),
              rep.error->to_string(), counts);
  else
    log.info("run {}: {} failure(s), {} degraded project(s); {}",
             sync::to_string(rep.result()), rep.failures.size(),
             rep.degraded.size(), counts);
}

void deliver(coordinator_actor* self) {
  auto& st = self->state;
  phase(self, "done");
  log_outcome(self);
  st.rp.deliver(std::move(st.report));
  // One run per coordinator; the cleanup functor stops what still runs.
  self->quit();
}

void write_run_checkpoint(coordinator_actor* self) {
  auto& st = self->state;
  auto& rep = st.report;
  rep.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      clock_type::now() - st.started)
                      .count();
  auto spec = std::make_shared<storage::write_batch_spec>();
  spec->sync = sync::make_sync_checkpoint(
    rep.error, rep.failures.size() + rep.degraded.size(), st.started_ms,
    now_ms(), st.base.filters_hash, run_counters(rep));
  spec->sync->mode = rep.mode;
  sync::add_permission_report(*spec, rep.failures.size(), rep.error.has_value(),
                              rep.degraded, rep.hidden_email_users);
  // What `jirasync status` and /status show as the last run's counts.
  spec->sync->added = rep.store.added;
  spec->sync->updated = rep.store.updated;
  spec->sync->unchanged = rep.store.unchanged;
  spec->sync->deleted = rep.store.deleted;
  auto written = [=](std::optional<common::error> e) {
    if (e) {
      e->record = "sync checkpoint";
      self->state.report.failures.push_back(std::move(*e));
    }
    deliver(self);
  };
  self
    ->request(st.base.writer, st.base.timeouts.store, write_atom_v,
              write_job{spec})
    .then(
      [=](write_reply& w) {
        written(w ? std::nullopt : std::optional{w.error()});
      },
      [=](caf::error& err) {
        written(request_failed("store write", err));
      });
}

/// The store totals go into the run's checkpoint, so they are read first.
void collect_store_totals(coordinator_actor* self) {
  const auto& base = self->state.base;
  self->request(base.writer, base.timeouts.stats, stats_atom_v)
    .then(
      [=](store_totals& t) {
        self->state.report.store = t;
        write_run_checkpoint(self);
      },
      [=](caf::error&) {
        write_run_checkpoint(self); // totals unknown; failure reported
      });
}

void collect_governor_stats(coordinator_actor* self) {
  auto& st = self->state;
  self->request(st.governor, st.base.timeouts.stats, stats_atom_v)
    .then(
      [=](governor_report& g) {
        self->state.report.governor = g;
        collect_store_totals(self);
      },
      [=](caf::error&) {
        collect_store_totals(self); // counters unknown
      });
}

/// Collects the counters of api_client and the governor, writes the run's
/// checkpoint, collects the store totals and answers the run. Each step
/// goes on when a counter cannot be read (the actor may be the one that
/// failed).
void conclude(coordinator_actor* self) {
  auto& st = self->state;
  if (st.done)
    return;
  st.done = true;
  self->request(st.base.api, st.base.timeouts.stats, stats_atom_v)
    .then(
      [=](api_stats& a) {
        self->state.report.api = a;
        collect_governor_stats(self);
      },
      [=](caf::error&) {
        collect_governor_stats(self); // counters unknown
      });
}

void fail_run(coordinator_actor* self, common::error e) {
  auto& st = self->state;
  if (st.done)
    return;
  if (!st.report.error) {
    st.error_is_consequence = answerer_stopped(e);
    st.report.error = std::move(e);
  }
  conclude(self);
}

void pump_projects(coordinator_actor* self);

/// A run that went to its end removes the attachment blobs no stored
/// attachment names any more (their attachments were deleted, restricted
/// or left the scope in this run or a run before it that was cut short),
/// then concludes. Every download of the run has been adopted and its
/// record written by now, and the texts are drained: nothing else reads
/// or writes blobs. A failure to remove is logged and the run goes on
/// (the next run tries again).
void collect_blobs(coordinator_actor* self) {
  auto& st = self->state;
  if (st.done)
    return;
  if (st.stopping || st.report.error)
    return conclude(self);
  auto removed = std::make_shared<std::uint64_t>(0);
  read_job job{[removed](storage::store& db) -> common::result<void> {
    auto r = db.collect_unreferenced_blobs(0);
    if (!r)
      return r.error();
    *removed = *r;
    return {};
  }};
  self->request(st.base.writer, st.base.timeouts.store, read_atom_v, job)
    .then(
      [=](read_reply& r) {
        if (!r)
          logger(self).warn("attachment blobs no longer referenced were not "
                            "all removed: {}",
                            r.error().to_string());
        self->state.report.blobs_removed = *removed;
        conclude(self);
      },
      [=](caf::error& err) {
        logger(self).warn("attachment blobs no longer referenced were not "
                          "removed: {}",
                          request_failed("store", err).to_string());
        conclude(self);
      });
}

/// Waits for the attachment texts still being extracted, then concludes.
/// A run asked to stop does not wait: the extractor is stopped (a child
/// running ends within its own limits) and the contents left without text
/// are found and extracted by the next run's first drain (backfill).
void drain_texts(coordinator_actor* self) {
  auto& st = self->state;
  if (st.done)
    return;
  if (!st.env->extractor)
    return collect_blobs(self);
  auto x = st.env->extractor;
  if (st.stopping) {
    stop_child(self, x);
    return conclude(self);
  }
  phase(self, "attachment texts");
  self->request(x, st.env->timeouts.texts, drain_atom_v)
    .then(
      [=](text_report& r) {
        auto& st = self->state;
        stop_child(self, x);
        st.report.texts = std::move(r.tally);
        for (auto& f : r.failures)
          st.report.failures.push_back(std::move(f));
        collect_blobs(self);
      },
      [=](caf::error& err) {
        fail_run(self, request_failed("attachment texts", err));
      });
}

/// The downloads are over: the most bytes they had in flight at once (for
/// the run's counters), then the texts.
void collect_download_stats(coordinator_actor* self) {
  auto& st = self->state;
  if (st.done)
    return;
  if (!st.env->downloader)
    return drain_texts(self);
  self->request(st.env->downloader, st.env->timeouts.stats, stats_atom_v)
    .then(
      [=](download_stats& d) {
        self->state.report.download_peak_bytes = d.peak_bytes;
        drain_texts(self);
      },
      [=](caf::error&) {
        drain_texts(self); // the figure unknown; the texts still matter
      });
}

/// sync_env::stop was requested: before step 5 the run ends at once (the
/// steps before write nothing partial that matters: users and groups are
/// written page by page, idempotently); during step 5 no project starts
/// and the running fetchers write their chunks in flight, then answer.
void begin_stop(coordinator_actor* self) {
  auto& st = self->state;
  if (st.stopping || st.done)
    return;
  st.stopping = true;
  logger(self).warn("stop requested: finishing the writes in flight");
  auto e = common::make_error(common::errc::cancelled,
                              "interrupted: stopped on request before the "
                              "end of the run");
  if (st.snap.phase != "issues")
    return fail_run(self, std::move(e));
  if (!st.report.error)
    st.report.error = std::move(e);
  pump_projects(self);
}

// --- step 5: issue pipelines -------------------------------------------------

void project_done(coordinator_actor* self, const issue_fetcher_actor& fetcher,
                  fetch_result r) {
  auto& st = self->state;
  stop_child(self, fetcher);
  --st.projects_active;
  ++st.snap.projects_done;
  for (auto& f : r.failures)
    st.report.failures.push_back(std::move(f));
  for (auto& w : r.warnings)
    st.report.warnings.push_back(std::move(w));
  st.report.issues += r.issues;
  st.report.comments += r.comments;
  st.report.attachments += r.attachments;
  st.report.attachments_skipped += r.attachments_skipped;
  st.report.attachments_reused += r.attachments_reused;
  st.report.issues_removed += r.issues_removed;
  st.report.acls_refreshed += r.acls_refreshed;
  if (!r.mode.empty())
    st.report.project_modes[r.project_key]
      = r.mode + " (" + r.mode_reason + ")";
  st.report.unknown.merge(r.unknown);
  show(self);
  pump_projects(self);
}

void pump_projects(coordinator_actor* self) {
  auto& st = self->state;
  if (st.done)
    return;
  if (st.stopping)
    st.pending_projects.clear();
  while (st.projects_active < st.env->tuning.projects_parallel
         && !st.pending_projects.empty()) {
    auto pi = st.pending_projects.front();
    st.pending_projects.pop_front();
    ++st.projects_active;
    const auto& project = st.projects[pi];
    auto fetcher = watch_child(
      self,
      spawn_issue_fetcher(self->system(), st.env, project, st.scope, st.dir,
                          caf::actor_cast<progress_sink_actor>(self)),
      "issue_fetcher of " + project.key);
    auto key = project.key;
    self->request(fetcher, st.env->timeouts.run, run_atom_v)
      .then(
        [=](fetch_result& r) {
          if (self->state.done)
            return;
          project_done(self, fetcher, std::move(r));
        },
        [=](caf::error& err) {
          // A fetcher answers its failures as values: an error here means
          // it broke (an exception) or got stuck, which fails the run.
          fail_run(self, request_failed("issue_fetcher of " + key, err));
        });
  }
  if (st.projects_active == 0 && st.pending_projects.empty())
    collect_download_stats(self);
}

// --- step 4: project access --------------------------------------------------

/// Writes `spec`, then calls `next()`; a failed write fails the run,
/// naming `what`.
template<class Next>
void write_or_fail(coordinator_actor* self,
                   std::shared_ptr<storage::write_batch_spec> spec,
                   std::string what, Next next) {
  auto& st = self->state;
  self
    ->request(st.base.writer, st.base.timeouts.store, write_atom_v,
              write_job{std::move(spec)})
    .then(
      [=](write_reply& w) {
        if (!w)
          return fail_run(self, prefixed(what, w.error()));
        next();
      },
      [=](caf::error& err) {
        fail_run(self, request_failed(what + ": store write", err));
      });
}

/// Project records + ACLs in one batch, then step 5.
void write_projects(coordinator_actor* self) {
  auto& st = self->state;
  if (st.roles)
    stop_child(self, st.roles);
  auto spec = std::make_shared<storage::write_batch_spec>(
    sync::build_project_batch(st.projects, st.access, st.dir));
  auto scope = std::make_shared<sync::scope_map>(
    sync::make_scope(st.projects, st.access, *st.dir));
  st.scope = scope;
  // Projects that left Jira or the scope go, with their issues (cascade)
  // and checkpoints.
  auto gone = sync::projects_out_of_scope(st.projects, st.env->plan.get());
  st.report.projects_removed = gone.project_ids.size();
  for (auto& id : gone.project_ids)
    spec->deletes.push_back({storage::record_type::project, std::move(id)});
  spec->checkpoint_deletes = std::move(gone.checkpoint_keys);
  for (const auto& a : st.access) {
    if (!a)
      continue;
    if (auto d = sync::assess(*a, *st.dir))
      st.report.degraded.push_back(std::move(*d));
    st.report.unknown.merge(sync::unknown_holders(*a));
  }
  auto next = [=] {
    auto& st = self->state;
    phase(self, "issues");
    for (std::size_t i = 0; i < st.projects.size(); ++i)
      if (st.access[i])
        st.pending_projects.push_back(i);
    pump_projects(self);
  };
  write_or_fail(self, spec, "projects", next);
}

void run_roles(coordinator_actor* self) {
  auto& st = self->state;
  phase(self, "permissions");
  st.access.resize(st.projects.size());
  if (st.projects.empty())
    return write_projects(self);
  st.roles = watch_child(self, spawn_roles_actor(self->system(), st.env),
                         "roles_actor");
  auto remaining = std::make_shared<std::size_t>(st.projects.size());
  for (std::size_t i = 0; i < st.projects.size(); ++i) {
    auto project_failed = [=](common::error e) {
      auto& st = self->state;
      e.record = "project " + st.projects[i].key;
      st.report.failures.push_back(std::move(e));
    };
    auto step_done = [=] {
      if (--*remaining == 0)
        write_projects(self);
    };
    self->request(st.roles, st.env->timeouts.run, run_atom_v, st.projects[i])
      .then(
        [=](access_reply& r) {
          if (self->state.done)
            return;
          if (r)
            self->state.access[i] = *r;
          else
            project_failed(r.error());
          step_done();
        },
        [=](caf::error& err) {
          // Expected failures are values; this is a broken roles_actor.
          fail_run(self, request_failed("roles_actor", err));
        });
  }
}

// --- steps 1-3
// ----------------------------------------------------------------

void run_projects(coordinator_actor* self) {
  auto& st = self->state;
  phase(self, "projects");
  auto projects = watch_child(
    self, spawn_projects_actor(self->system(), st.env), "projects_actor");
  self->request(projects, st.env->timeouts.run, run_atom_v)
    .then(
      [=](projects_reply& p) {
        stop_child(self, projects);
        if (!p)
          return fail_run(self, p.error());
        auto& st = self->state;
        st.projects = std::move(p->projects);
        st.report.projects = st.projects.size();
        st.snap.projects_total = st.projects.size();
        run_roles(self);
      },
      [=](caf::error& err) {
        fail_run(self, request_failed("projects", err));
      });
}

/// Users and groups Jira no longer lists are removed (one batch), then
/// step 3.
/// A listing with records the parser dropped is not complete: nothing is
/// removed on its word (`users`/`groups` nullopt).
void remove_gone_identities(
  coordinator_actor* self, const std::optional<std::vector<std::string>>& users,
  const std::optional<std::vector<std::string>>& groups) {
  auto& st = self->state;
  auto spec = std::make_shared<storage::write_batch_spec>();
  if (const auto* plan = st.env->plan.get()) {
    if (users)
      for (auto& id : sync::missing_ids(plan->stored_user_ids, *users)) {
        spec->deletes.push_back({storage::record_type::user, std::move(id)});
        ++st.report.users_removed;
      }
    if (groups)
      for (auto& id : sync::missing_ids(plan->stored_group_ids, *groups)) {
        spec->deletes.push_back({storage::record_type::group, std::move(id)});
        ++st.report.groups_removed;
      }
  }
  if (spec->deletes.empty())
    return run_projects(self);
  write_or_fail(self, spec, "users and groups", [=] {
    run_projects(self);
  });
}

void run_groups(coordinator_actor* self, users_result users) {
  auto& st = self->state;
  phase(self, "groups");
  auto groups = watch_child(self, spawn_groups_actor(self->system(), st.env),
                            "groups_actor");
  std::optional<std::vector<std::string>> seen_users;
  if (users.failures.empty())
    seen_users = std::move(users.seen_ids);
  self->request(groups, st.env->timeouts.run, run_atom_v, std::move(users))
    .then(
      [=](groups_reply& g) {
        stop_child(self, groups);
        if (!g)
          return fail_run(self, g.error());
        auto& st = self->state;
        st.report.groups = g->count;
        std::optional<std::vector<std::string>> seen_groups;
        if (g->failures.empty())
          seen_groups = std::move(g->seen_ids);
        for (auto& f : g->failures)
          st.report.failures.push_back(std::move(f));
        st.dir = g->directory;
        remove_gone_identities(self, seen_users, seen_groups);
      },
      [=](caf::error& err) {
        fail_run(self, request_failed("groups", err));
      });
}

void run_users(coordinator_actor* self) {
  auto& st = self->state;
  phase(self, "users");
  auto users = watch_child(self, spawn_users_actor(self->system(), st.env),
                           "users_actor");
  self->request(users, st.env->timeouts.run, run_atom_v)
    .then(
      [=](users_reply& u) {
        stop_child(self, users);
        if (!u)
          return fail_run(self, u.error());
        self->state.report.users = u->count;
        for (auto& f : u->failures)
          self->state.report.failures.push_back(f);
        self->state.report.hidden_email_users = u->hidden_email;
        run_groups(self, std::move(*u));
      },
      [=](caf::error& err) {
        fail_run(self, request_failed("users", err));
      });
}

// --- step 0
// -------------------------------------------------------------------

void read_fields(coordinator_actor* self) {
  auto& st = self->state;
  self
    ->request(st.base.api, st.base.timeouts.api_call,
              api_call{protocol::get_fields(st.base.target)})
    .then(
      [=](api_reply& r) {
        auto& st = self->state;
        if (!r)
          return fail_run(self, prefixed("fields", r.error()));
        auto fields = r->parse(protocol::parse_fields);
        if (fields.fatal)
          return fail_run(self,
                          common::make_error(common::errc::invalid_input,
                                             "fields: unusable response"));
        for (const auto& f : fields.value)
          if (f.custom)
            st.base.mapping.field_names[f.id] = f.name;
        // The environment is complete: freeze it and add the extractor and
        // the downloader (which hands it the contents it stored).
        if (!st.base.extraction.jirasync_bin.empty()) {
          text_extractor_options xo;
          xo.db = st.base.db;
          xo.writer = st.base.writer;
          xo.runner = st.base.extraction;
          xo.workers
            = static_cast<int>(st.base.indexing.attachment_text_workers);
          xo.text_off = st.base.indexing.attachment_text_max_bytes <= 0;
          if (!xo.text_off)
            xo.runner.limits.extract.max_text_bytes = static_cast<std::size_t>(
              st.base.indexing.attachment_text_max_bytes);
          xo.store_timeout = st.base.timeouts.store;
          xo.fault = st.base.fault;
          st.base.extractor = watch_child(
            self, spawn_text_extractor(self->system(), std::move(xo)),
            "text_extractor");
        }
        auto env = std::make_shared<sync_env>(st.base);
        env->downloader = watch_child(
          self,
          spawn_attachment_downloader(
            self->system(), std::make_shared<const sync_env>(st.base)),
          "attachment_downloader");
        st.env = env;
        run_users(self);
      },
      [=](caf::error& err) {
        fail_run(self, request_failed("fields", err));
      });
}

void connect(coordinator_actor* self) {
  auto& st = self->state;
  phase(self, "connect");
  self
    ->request(st.base.api, st.base.timeouts.api_call,
              api_call{protocol::get_myself(st.base.target)})
    .then(
      [=](api_reply& r) {
        auto& st = self->state;
        if (!r)
          return fail_run(self, sync::connect_failure(
                                  st.base.auth, st.base.email, r.error()));
        auto me = r->parse(protocol::parse_myself);
        if (me.fatal)
          return fail_run(self,
                          common::make_error(common::errc::invalid_input,
                                             "myself: unusable response"));
        if (me.value.time_zone && !me.value.time_zone->empty())
          st.base.time_zone = *me.value.time_zone;
        st.base.api_user = me.value;
        read_fields(self);
      },
      [=](caf::error& err) {
        fail_run(self, request_failed("cannot reach Jira", err));
      });
}

/// Watches the site-wide actors the run depends on.
template<class Handle>
void watch_site(coordinator_actor* self, const Handle& h, std::string name) {
  self->monitor(h);
  self->state.site.emplace(h.address(), std::move(name));
}

sync_coordinator_actor::behavior_type
coordinator_impl(coordinator_actor* self, sync_env env,
                 rate_governor_actor governor, progress_fn progress) {
  fail_on_exception(self);
  auto& st = self->state;
  st.base = std::move(env);
  st.governor = std::move(governor);
  st.progress = std::move(progress);
  // Whatever ends the coordinator (its run is over, an exception, an exit
  // from its caller), the children still running are stopped with it.
  self->attach_functor([children = st.children](const caf::error&) {
    for (const auto& [addr, name] : *children)
      caf::anon_send_exit(addr, caf::exit_reason::user_shutdown);
  });
  self->set_down_handler([=](caf::down_msg& dm) {
    auto& st = self->state;
    std::string who;
    if (auto i = st.children->find(dm.source); i != st.children->end()) {
      who = i->second;
      st.children->erase(i);
    } else if (auto j = st.site.find(dm.source); j != st.site.end()) {
      who = j->second;
      st.site.erase(j);
    } else {
      return; // stopped by us
    }
    auto e = common::make_error(
      common::errc::internal,
      who + " stopped unexpectedly: " + describe(dm.reason));
    if (st.error_is_consequence) {
      // The run already failed because an actor's answer never came; this
      // is why (until the report is delivered).
      st.error_is_consequence = false;
      st.report.error = std::move(e);
      return;
    }
    fail_run(self, std::move(e));
  });
  return {
    [=](run_atom) -> caf::result<sync_report> {
      if (auto err = check_fault(self, self->state.base.fault))
        return err;
      auto& st = self->state;
      if (st.running)
        return caf::make_error(caf::sec::runtime_error,
                               "a sync_coordinator runs one sync");
      st.running = true;
      st.rp = self->make_response_promise<sync_report>();
      st.started = clock_type::now();
      st.heap_released = st.started;
      st.started_ms = now_ms();
      if (const auto* plan = st.base.plan.get()) {
        st.report.mode = std::string{sync::to_string(plan->mode)};
        st.report.mode_reason = plan->reason;
      }
      watch_site(self, st.base.api, "api_client");
      watch_site(self, st.base.writer, "store_writer");
      watch_site(self, st.governor, "rate_governor");
      if (st.base.keeper)
        watch_site(self, st.base.keeper, "token_keeper");
      self->delayed_send(self, st.base.timeouts.run, deadline_atom_v);
      self->send(self, tick_atom_v);
      connect(self);
      return st.rp;
    },
    [=](progress_atom, const progress_delta& d) {
      if (check_fault(self, self->state.base.fault))
        return;
      auto& s = self->state.snap;
      s.issues_estimated += static_cast<std::uint64_t>(d.estimated);
      s.issues_done += static_cast<std::uint64_t>(d.issues);
      s.comments_done += static_cast<std::uint64_t>(d.comments);
      s.attachments_done += static_cast<std::uint64_t>(d.attachments);
      show(self);
    },
    [=](tick_atom) {
      if (check_fault(self, self->state.base.fault))
        return;
      auto& st = self->state;
      if (st.done)
        return;
      if (st.base.stop.stop_requested())
        begin_stop(self);
      if (st.done)
        return;
      if (auto now = clock_type::now();
          now - st.heap_released >= heap_release_interval) {
        common::release_free_heap();
        st.heap_released = now;
      }
      self->request(st.base.api, st.base.timeouts.stats, stats_atom_v)
        .then(
          [=](api_stats& a) {
            self->state.snap.requests = a.requests;
          },
          [](caf::error&) {
            // nop: progress only; a dead actor fails the run elsewhere
          });
      self->request(st.governor, st.base.timeouts.stats, stats_atom_v)
        .then(
          [=](governor_report& g) {
            auto& snap = self->state.snap;
            snap.governor = g.stats;
            // Pacing and concurrency waits are the normal flow; a wait of
            // a second or more is worth a word.
            bool shown = g.current.rate_limited()
                         && g.current.until_ms - now_ms() >= 1'000;
            snap.waiting = shown ? sync::describe_wait(g.current) : "";
            show(self);
          },
          [](caf::error&) {
            // nop: progress only
          });
      self->delayed_send(self, tick_interval, tick_atom_v);
    },
    [=](auth_atom, common::error& e) {
      if (check_fault(self, self->state.base.fault))
        return;
      // The OAuth login ended for good (re-authentication required, client
      // credentials rejected, rotated tokens not storable): every further
      // request would fail, so the run stops here with the reason.
      fail_run(self, std::move(e));
    },
    [=](deadline_atom) {
      if (check_fault(self, self->state.base.fault))
        return;
      fail_run(self,
               common::make_error(common::errc::timeout,
                                  "the run did not finish within "
                                    + describe(self->state.base.timeouts.run)
                                    + " (timeouts.run)"));
    },
  };
}

} // namespace

std::uint64_t progress_snapshot::in_flight() const {
  std::uint64_t n = 0;
  for (const auto& c : governor.classes)
    n += static_cast<std::uint64_t>(std::max(c.in_flight, 0));
  return n;
}

std::map<std::string, std::int64_t> run_counters(const sync_report& rep) {
  auto c = sync::governor_counters(rep.governor.stats);
  c["requests"] = static_cast<std::int64_t>(rep.api.requests);
  c["retries"] = static_cast<std::int64_t>(rep.api.retries);
  c["duration_ms"] = rep.duration_ms;
  c["content_warnings"] = static_cast<std::int64_t>(rep.warnings.size());
  c["issues_removed"] = static_cast<std::int64_t>(rep.issues_removed);
  c["projects_removed"] = static_cast<std::int64_t>(rep.projects_removed);
  c["users_removed"] = static_cast<std::int64_t>(rep.users_removed);
  c["groups_removed"] = static_cast<std::int64_t>(rep.groups_removed);
  c["acls_refreshed"] = static_cast<std::int64_t>(rep.acls_refreshed);
  c["attachments_reused"] = static_cast<std::int64_t>(rep.attachments_reused);
  c["blobs_removed"] = static_cast<std::int64_t>(rep.blobs_removed);
  c["download_bytes_peak"] = static_cast<std::int64_t>(rep.download_peak_bytes);
  c.merge(sync::text_counters(rep.texts));
  return c;
}

sync_coordinator_actor spawn_sync_coordinator(caf::actor_system& sys,
                                              sync_env env,
                                              rate_governor_actor governor,
                                              progress_fn progress) {
  return sys.spawn(coordinator_impl, std::move(env), std::move(governor),
                   std::move(progress));
}

} // namespace jirasync::actors
