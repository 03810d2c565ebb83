#include "actors/sync_run.hpp"

#include "actors/api_client.hpp"
#include "actors/rate_governor.hpp"
#include "actors/store_writer.hpp"
#include "actors/supervision.hpp"

#include <caf/all.hpp>

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

} // namespace

sync_report run_sync(const config::config& cfg,
                     std::shared_ptr<storage::store> db,
                     const run_options& opts) {
  protocol::http_client_options hopts;
  hopts.threads = opts.http_threads;
  hopts.ca_file = cfg.jira.ca_file.string();
  hopts.allow_insecure_http = cfg.jira.allow_insecure_http;
  // As many connections as the governor lets requests fly: a request
  // waiting for a connection would look like latency to Little's law.
  hopts.max_connections_per_host
    = static_cast<std::size_t>(std::max(1.0, opts.governor.max_concurrency));
  auto client = std::make_shared<protocol::http_client>(hopts);

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
    gopts.log = opts.log;
    gopts.fault = opts.fault;
    auto governor = spawn_rate_governor(sys, std::move(gopts));
    api_client_options aopts;
    aopts.backoff = opts.backoff;
    aopts.permit_timeout = opts.timeouts.permit + permit_margin;
    aopts.fault = opts.fault;
    auto api = spawn_api_client(sys, client, governor, std::move(aopts));
    auto writer = spawn_store_writer(sys, db, opts.fault);

    sync_env env;
    env.target = protocol::make_api_token_target(cfg.jira.site, cfg.jira.email,
                                                 cfg.jira.api_token.reveal());
    env.mapping.site = cfg.jira.site;
    env.filters = cfg.filters;
    env.indexing = cfg.indexing;
    env.filters_hash = config::filters_hash(cfg.filters);
    env.tuning = opts.tuning;
    env.timeouts = opts.timeouts;
    env.db = db;
    env.api = api;
    env.writer = writer;
    env.fault = opts.fault;
    auto coordinator
      = spawn_sync_coordinator(sys, std::move(env), governor, opts.progress);
    report = await_report(sys, coordinator, opts.timeouts);
    // The coordinator stops its own children when it ends; these exit
    // reasons terminate actors under CAF's default exit handler.
    caf::anon_send_exit(coordinator, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(api, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(governor, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(writer, caf::exit_reason::user_shutdown);
  } // the actor system waits for every actor here
  return report;
}

} // namespace jirasync::actors
