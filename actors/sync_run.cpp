#include "actors/sync_run.hpp"

#include "actors/api_client.hpp"
#include "actors/rate_governor.hpp"
#include "actors/store_writer.hpp"
#include "actors/supervision.hpp"
#include "actors/token_keeper.hpp"
#include "common/heap.hpp"
#include "protocol/jira/oauth.hpp"
#include "storage/token_store.hpp"
#include "sync/oauth_session.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace jirasync::actors {

namespace {

/// How much longer than the governor's max_wait api_client waits for a
/// permit: the governor refuses first, with a clear reason.
constexpr auto permit_margin = std::chrono::minutes(1);

/// Asks the coordinator for its report and waits for it, for the
/// coordinator going down, or for the deadline - whichever comes first.
sync_report await_report(caf::actor_system& sys,
                         const sync_coordinator_actor& coordinator,
                         const timeouts& limits) {
  sync_report report;
  caf::scoped_actor self{sys};
  self->monitor(coordinator);
  self->send(coordinator, run_atom_v);
  auto deadline = limits.run + limits.report_grace;
  self->receive(
    [&](sync_report& r) {
      report = std::move(r);
    },
    [&](caf::down_msg& dm) {
      report.error
        = common::make_error(common::errc::internal,
                             "the sync coordinator stopped before reporting: "
                               + describe(dm.reason));
    },
    [&](caf::error& err) {
      report.error = common::make_error(common::errc::internal,
                                        "the sync coordinator refused the "
                                        "run: "
                                          + describe(err));
    },
    caf::after(deadline) >>
      [&] {
        report.error = common::make_error(
          common::errc::timeout, "no report from the sync within "
                                   + describe(deadline)
                                   + " (timeouts.run + timeouts.report_grace)");
      });
  return report;
}

/// The run's plan from the store (checkpoints, stored ids), read on this
/// thread before any actor writes.
common::result<sync::run_plan> read_plan(storage::store& db, bool full,
                                         const std::string& filters_hash) {
  auto last = db.get_sync_checkpoint();
  if (!last)
    return last.error();
  auto cps = db.checkpoints();
  if (!cps)
    return cps.error();
  auto plan = sync::plan_run(full, *last, *cps, filters_hash);
  auto ids = [](auto& out) {
    return [&out](const auto& r) {
      out.push_back(storage::key_of(r).id);
      return true;
    };
  };
  if (auto r = db.for_each_user(ids(plan.stored_user_ids)); !r)
    return r.error();
  if (auto r = db.for_each_group(ids(plan.stored_group_ids)); !r)
    return r.error();
  if (auto r = db.for_each_project(ids(plan.stored_project_ids)); !r)
    return r.error();
  auto with_issues = db.project_ids_with_issues();
  if (!with_issues)
    return with_issues.error();
  for (auto& id : *with_issues)
    plan.stored_project_ids.push_back(std::move(id));
  return plan;
}

} // namespace

namespace {

/// OAuth mode: the keeper's options from the config and the token file.
/// A login made for another site or app is loaded as one that needs
/// re-authentication (the first request fails with the reason, the run's
/// checkpoint records it); an unreadable token file is an error.
common::result<token_keeper_options>
oauth_keeper_options(const config::config& cfg,
                     std::shared_ptr<protocol::http_client> client,
                     const run_options& opts) {
  storage::token_store store{cfg.storage.path};
  auto loaded = store.load();
  if (!loaded)
    return common::make_error(loaded.error().code,
                              "cannot read the stored OAuth tokens: "
                                + loaded.error().message);
  token_keeper_options o;
  o.stored = std::move(*loaded);
  if (o.stored)
    if (auto m
        = sync::login_mismatch(*o.stored, cfg.jira.site, cfg.jira.client_id)) {
      o.stored->reauth_reason = m->message;
      o.stored->reauth_at_ms = 0;
    }
  o.store_dir = cfg.storage.path;
  o.oauth.auth_url = cfg.jira.auth_url;
  o.oauth.api_gateway = cfg.jira.api_gateway;
  o.oauth.client_id = cfg.jira.client_id;
  o.oauth.client_secret = cfg.jira.client_secret.reveal();
  o.oauth.redirect_uri = cfg.jira.redirect_uri;
  o.session = opts.oauth_session;
  o.transport = [client](protocol::http_request r,
                         std::function<void(protocol::http_result)> done) {
    client->async_request(std::move(r), std::move(done));
  };
  o.fault = opts.fault;
  return o;
}

} // namespace

namespace {

/// The parts of the memory budget at the end of a run (docs/architecture.md,
/// "Memory"): a few property reads, no I/O.
void log_memory(spdlog::logger& log, const storage::store& db) {
  if (!log.should_log(spdlog::level::debug))
    return;
  constexpr double mib = 1024.0 * 1024.0;
  auto m = db.memory();
  auto h = common::heap_usage_now();
  log.debug("memory: RocksDB block cache {:.1f} of {:.0f} MiB (of it "
            "memtables {:.1f} of {:.0f} MiB, pinned {:.1f} MiB), table "
            "readers {:.1f} MiB for {} table files ({:.0f} MiB); malloc: in "
            "use {:.1f} MiB (mapped blocks {:.1f} MiB), free in arenas {:.1f} "
            "MiB",
            m.block_cache / mib, m.block_cache_capacity / mib,
            m.memtables / mib, m.memtable_budget / mib,
            m.block_cache_pinned / mib, m.table_readers / mib, m.table_files,
            m.table_bytes / mib, h.in_use / mib, h.mapped / mib,
            h.free_in_arenas / mib);
}

} // namespace

sync_report run_sync(const config::config& cfg,
                     std::shared_ptr<storage::store> db,
                     const run_options& opts) {
  auto planned = read_plan(*db, opts.full, config::filters_hash(cfg.filters));
  if (!planned) {
    sync_report failed;
    failed.error = prefixed("reading the checkpoints", planned.error());
    return failed;
  }
  auto plan = std::make_shared<const sync::run_plan>(std::move(*planned));
  protocol::http_client_options hopts;
  hopts.threads = opts.http_threads;
  hopts.ca_file = cfg.jira.ca_file.string();
  hopts.allow_insecure_http = cfg.jira.allow_insecure_http;
  // As many connections as the governor lets requests fly: a request
  // waiting for a connection would look like latency to Little's law.
  hopts.max_connections_per_host
    = static_cast<std::size_t>(std::max(1.0, opts.governor.max_concurrency));
  auto client = std::make_shared<protocol::http_client>(hopts);
  bool oauth = cfg.jira.auth == config::auth_method::oauth;
  std::optional<token_keeper_options> kopts;
  if (oauth) {
    auto k = oauth_keeper_options(cfg, client, opts);
    if (!k) {
      sync_report failed;
      failed.error = k.error();
      return failed;
    }
    kopts = std::move(*k);
  }

  caf::actor_system_config sys_cfg;
  sys_cfg.set("scheduler.max-threads", 2);
  sys_cfg.set("scheduler.policy", caf::atom("sharing"));
  sys_cfg.set("logger.console", caf::atom("none"));
  sync_report report;
  {
    caf::actor_system sys{sys_cfg};
    rate_governor_options gopts;
    gopts.governor = opts.governor;
    gopts.governor.max_unexplained_wait_ms
      = cfg.sync.max_unexplained_wait_secs * 1000;
    gopts.max_wait = opts.timeouts.permit;
    auto log = opts.log ? opts.log : spdlog::default_logger();
    // The governor's wait lines go through the run's logger like every
    // other line of the run (run id, format, level, sink).
    gopts.log = [log](const std::string& line) {
      log->warn("{}", line);
    };
    gopts.fault = opts.fault;
    auto governor = spawn_rate_governor(sys, std::move(gopts));
    api_client_options aopts;
    aopts.backoff = opts.backoff;
    aopts.permit_timeout = opts.timeouts.permit + permit_margin;
    aopts.fault = opts.fault;
    token_keeper_actor keeper;
    std::string cloud_id;
    if (kopts) {
      if (kopts->stored)
        cloud_id = kopts->stored->cloud_id;
      keeper = spawn_token_keeper(sys, std::move(*kopts));
      aopts.keeper = keeper;
    }
    auto api = spawn_api_client(sys, client, governor, std::move(aopts));
    auto writer = spawn_store_writer(sys, db, opts.fault);

    sync_env env;
    if (oauth) {
      // The Bearer token is put in by api_client at each attempt.
      env.target
        = protocol::make_oauth_target(cfg.jira.api_gateway, cloud_id, "");
    } else {
      env.target = protocol::make_api_token_target(
        cfg.jira.site, cfg.jira.email, cfg.jira.api_token.reveal());
    }
    env.auth = cfg.jira.auth;
    env.email = cfg.jira.email;
    env.mapping.site = cfg.jira.site;
    env.filters = cfg.filters;
    env.indexing = cfg.indexing;
    env.filters_hash = config::filters_hash(cfg.filters);
    env.overlap_minutes = static_cast<int>(cfg.sync.overlap_minutes);
    env.reconcile_range_ids = cfg.sync.reconcile_range_ids;
    env.download_bytes_in_flight
      = static_cast<std::uint64_t>(cfg.sync.download_bytes_in_flight);
    env.plan = plan;
    env.tuning = opts.tuning;
    env.timeouts = opts.timeouts;
    env.db = db;
    env.api = api;
    env.keeper = keeper;
    env.writer = writer;
    env.fault = opts.fault;
    env.extraction = opts.extraction;
    env.stop = opts.stop;
    env.log = log;
    auto coordinator
      = spawn_sync_coordinator(sys, std::move(env), governor, opts.progress);
    if (keeper)
      caf::anon_send(keeper, auth_atom_v,
                     caf::actor_cast<auth_listener_actor>(coordinator));
    report = await_report(sys, coordinator, opts.timeouts);
    log_memory(*log, *db);
    // The coordinator stops its own children when it ends; these exit
    // reasons terminate actors under CAF's default exit handler.
    caf::anon_send_exit(coordinator, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(api, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(governor, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(writer, caf::exit_reason::user_shutdown);
    if (keeper)
      caf::anon_send_exit(keeper, caf::exit_reason::user_shutdown);
  } // the actor system waits for every actor here
  return report;
}

} // namespace jirasync::actors
