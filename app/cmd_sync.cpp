// `jirasync sync --config F [--full]`: one sync cycle (full for now:
// incremental sync is a later step). Progress on stderr, summary on stdout.
// Exit codes: 0 ok, 1 failure, 2 usage/config, 3 partial.
#include "actors/sync_run.hpp"
#include "app/commands.hpp"
#include "app/config_option.hpp"
#include "app/sync_display.hpp"

#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>
#include <unistd.h>

namespace jirasync::app {

namespace {

struct sync_args {
  std::string config_path;
  bool full = false;
};

int run_sync_command(const sync_args& args) {
  auto cfg = load_config_or_report(args.config_path);
  if (!cfg)
    return static_cast<int>(exit_code::usage);
  auto db = storage::store::open(cfg->storage.path);
  if (!db) {
    std::cerr << "jirasync: cannot open the store at "
              << cfg->storage.path.string() << ": " << db.error().message
              << "\n";
    return static_cast<int>(exit_code::failure);
  }
  std::shared_ptr<storage::store> store{std::move(db.value())};
  bool tty = ::isatty(STDERR_FILENO) == 1;
  actors::run_options opts;
  opts.progress = make_progress_printer(tty);
  opts.log = make_log_printer(tty);
  auto report = actors::run_sync(*cfg, store, opts);
  finish_progress(tty);
  print_summary(std::cout, report);
  if (report.error)
    std::cerr << "jirasync: sync failed: " << report.error->to_string() << "\n";
  return exit_code_of(report);
}

const registrar reg{[](CLI::App& app, exit_code& code) {
  auto args = std::make_shared<sync_args>();
  auto* cmd = app.add_subcommand(
    "sync", "Run one sync cycle (full on the first run or with --full)");
  add_config_option(*cmd, args->config_path);
  cmd->add_flag("--full", args->full,
                "Force a full sync (every sync is full until incremental "
                "sync lands)");
  cmd->callback([args, &code] {
    code = static_cast<exit_code>(run_sync_command(*args));
  });
}};

} // namespace

} // namespace jirasync::app
