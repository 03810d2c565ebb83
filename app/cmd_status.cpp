// `jirasync status --config F [--json]`: checkpoints per project, record
// counts, last sync result, degraded projects and hidden-email users. Exit 0; 1
// when the store is missing/unreadable; 2 for a bad command line or config.
#include "app/commands.hpp"
#include "app/config_option.hpp"
#include "app/permissions_status.hpp"
#include "app/store_option.hpp"
#include "storage/queries.hpp"

#include <CLI/CLI.hpp>
#include <boost/json/serialize.hpp>

#include <iostream>
#include <memory>

namespace jirasync::app {

namespace {

struct status_options {
  std::string config_path;
  bool json = false;
};

exit_code run_status(const status_options& o) {
  exit_code open_code = exit_code::ok;
  auto opened = open_store_or_report(o.config_path, open_code);
  if (!opened)
    return open_code;
  auto st = storage::status_json(*opened->db);
  if (!st) {
    std::cerr << "status: " << st.error().message << '\n';
    return exit_code::failure;
  }
  auto perms = permissions_status(*opened->db);
  if (!perms) {
    std::cerr << "status: " << perms.error().message << '\n';
    return exit_code::failure;
  }
  for (auto& kv : *perms)
    (*st)[kv.key()] = kv.value();
  if (o.json)
    std::cout << boost::json::serialize(*st) << '\n';
  else
    std::cout << storage::status_text(*st) << permissions_status_text(*perms);
  std::cout.flush();
  return std::cout ? exit_code::ok : exit_code::failure;
}

void add_status_command(CLI::App& app, exit_code& code) {
  auto* cmd = app.add_subcommand(
    "status", "Show checkpoints, record counts and the last sync result");
  auto o = std::make_shared<status_options>();
  add_config_option(*cmd, o->config_path);
  cmd->add_flag("--json", o->json, "Print one JSON object instead of text");
  cmd->callback([&code, o] {
    code = run_status(*o);
  });
}

const registrar reg{add_status_command};

} // namespace

} // namespace jirasync::app
