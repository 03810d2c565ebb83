#include "actors/sync_run.hpp"

#include "actors/api_client.hpp"
#include "actors/rate_governor.hpp"
#include "actors/store_writer.hpp"

#include <caf/all.hpp>

namespace jirasync::actors {

sync::governor_options run_options::default_governor_options() {
  sync::governor_options o;
  // Jira Cloud burst buckets (per tenant x endpoint x method).
  o.default_bucket = {"default", 100, 100};
  o.buckets = {{"get", 100, 100},
               {"get_issue", 150, 150},
               {"attachment_content", 300, 300},
               {"project_role", 200, 200},
               {"post_search", 100, 100},
               {"post_bulkfetch", 100, 100}};
  o.initial_concurrency = 8;
  o.max_concurrency = 32;
  return o;
}

sync_report run_sync(const config::config& cfg,
                     std::shared_ptr<storage::store> db,
                     const run_options& opts) {
  protocol::http_client_options hopts;
  hopts.threads = opts.http_threads;
  hopts.ca_file = cfg.jira.ca_file.string();
  hopts.allow_insecure_http = cfg.jira.allow_insecure_http;
  auto client = std::make_shared<protocol::http_client>(hopts);

  caf::actor_system_config sys_cfg;
  sys_cfg.set("scheduler.max-threads", 2);
  sys_cfg.set("logger.console", caf::atom("none"));
  sync_report report;
  {
    caf::actor_system sys{sys_cfg};
    auto governor = spawn_rate_governor(sys, opts.governor);
    auto api = spawn_api_client(sys, client, governor, opts.backoff);
    auto writer = spawn_store_writer(sys, db);

    sync_env env;
    env.target = protocol::make_api_token_target(cfg.jira.site, cfg.jira.email,
                                                 cfg.jira.api_token.reveal());
    env.mapping.site = cfg.jira.site;
    env.filters = cfg.filters;
    env.indexing = cfg.indexing;
    env.filters_hash = config::filters_hash(cfg.filters);
    env.tuning = opts.tuning;
    env.db = db;
    env.api = api;
    env.writer = writer;
    auto coordinator
      = spawn_sync_coordinator(sys, std::move(env), governor, opts.progress);
    caf::scoped_actor self{sys};
    self->request(coordinator, caf::infinite, run_atom_v)
      .receive(
        [&](sync_report& r) {
          report = std::move(r);
        },
        [&](caf::error& err) {
          report.result = "failed";
          report.error = "internal: " + sys.render(err);
        });
    for (auto& a : {coordinator, api, governor, writer})
      self->send_exit(a, caf::exit_reason::user_shutdown);
  } // the actor system waits for every actor here
  return report;
}

} // namespace jirasync::actors
