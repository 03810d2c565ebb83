// `jirasync serve --config F`: the long-running service (service/service.hpp,
// docs/service.md). Exit codes: 0 stopped by SIGTERM/SIGINT, 1 cannot start
// (store or address in use) or the shutdown timed out, 2 usage/config, 130
// a second signal.
#include "app/commands.hpp"
#include "app/config_option.hpp"
#include "app/log_option.hpp"
#include "app/self_exe.hpp"
#include "service/service.hpp"

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <memory>

namespace jirasync::app {

namespace {

struct serve_args {
  std::string config_path;
  log_args log;
};

exit_code run_serve(const serve_args& args) {
  setup_logging_from(args.log, spdlog::level::info);
  auto cfg = load_config_or_report(args.config_path);
  if (!cfg)
    return exit_code::usage;
  service::service_options opts;
  opts.config_path = args.config_path;
  // Every run extracts attachment texts in `jirasync extract --worker`
  // processes.
  opts.run.extraction.jirasync_bin = self_executable();
  return static_cast<exit_code>(service::run_service(std::move(*cfg), opts));
}

const registrar reg{[](CLI::App& app, exit_code& code) {
  auto args = std::make_shared<serve_args>();
  auto* cmd = app.add_subcommand(
    "serve", "Run as a service: scheduled or manual syncs, admin HTTP "
             "endpoints (health, status, metrics, trigger, change feed)");
  add_config_option(*cmd, args->config_path);
  add_log_options(*cmd, args->log, "info");
  cmd->callback([args, &code] {
    code = run_serve(*args);
  });
}};

} // namespace

} // namespace jirasync::app
