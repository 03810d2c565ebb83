// `jirasync sync --config F [--full]`: one sync cycle, full on the first
// run, after a sync-filter change or with --full, incremental otherwise
// (sync::plan_run). Progress on stderr, summary on stdout.
// Exit codes: 0 ok, 1 failure, 2 usage/config, 3 partial, 4 credentials
// refused or OAuth re-authentication required, 130 interrupted
// (SIGINT/SIGTERM: the pages in flight are written first; a second signal
// exits at once).
#include "actors/sync_run.hpp"
#include "app/commands.hpp"
#include "app/config_option.hpp"
#include "app/log_option.hpp"
#include "app/self_exe.hpp"
#include "app/sync_display.hpp"
#include "common/child_process.hpp"
#include "common/log.hpp"
#include "service/signals.hpp"

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <stop_token>
#include <unistd.h>

namespace jirasync::app {

namespace {

struct sync_args {
  std::string config_path;
  bool full = false;
  log_args log;
};

int run_sync_command(const sync_args& args) {
  bool tty = ::isatty(STDERR_FILENO) == 1;
  // On a TTY a log line first erases the progress bar (redrawn next).
  setup_logging_from(args.log, spdlog::level::warn, tty);
  auto cfg = load_config_or_report(args.config_path);
  if (!cfg)
    return static_cast<int>(exit_code::usage);
  // Before the store, the http client and the actors start their threads:
  // they inherit the blocked signals, which the watcher below receives.
  service::block_signals();
  std::stop_source stop;
  std::atomic<int> signals{0};
  service::signal_watcher watcher{[&](int sig) {
    if (sig == SIGHUP)
      return; // nothing to reload in a one-shot run
    if (signals.fetch_add(1) >= 1) {
      // Every batch is one atomic RocksDB write: whatever was committed
      // stays, the rest is fetched again by the next run.
      std::cerr << "\njirasync: " << common::signal_name(sig)
                << " again: exiting now\n";
      spdlog::default_logger()->flush();
      std::_Exit(static_cast<int>(exit_code::interrupted));
    }
    std::cerr << "\njirasync: " << common::signal_name(sig)
              << ": stopping after the writes in flight (signal again to "
                 "exit at once)\n";
    stop.request_stop();
  }};
  auto db = storage::store::open(cfg->storage.path);
  if (!db) {
    std::cerr << "jirasync: cannot open the store at "
              << cfg->storage.path.string() << ": " << db.error().message
              << "\n";
    return static_cast<int>(exit_code::failure);
  }
  std::shared_ptr<storage::store> store{std::move(db.value())};
  actors::run_options opts;
  opts.progress = make_progress_printer(tty);
  opts.full = args.full;
  opts.stop = stop.get_token();
  opts.log = common::run_logger(common::make_run_id());
  opts.extraction.jirasync_bin = self_executable();
  auto report = actors::run_sync(*cfg, store, opts);
  finish_progress(tty);
  print_summary(std::cout, report);
  std::cout.flush();
  if (report.error && report.error->code == common::errc::cancelled) {
    std::cerr << "jirasync: sync interrupted: the pages in flight were "
                 "written; the next sync resumes\n";
    return static_cast<int>(exit_code::interrupted);
  }
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
                "Force a full sync (re-read every issue, recompute every ACL)");
  add_log_options(*cmd, args->log, "warn");
  cmd->callback([args, &code] {
    code = static_cast<exit_code>(run_sync_command(*args));
  });
}};

} // namespace

} // namespace jirasync::app
