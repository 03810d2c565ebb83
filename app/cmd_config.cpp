// `jirasync config check --config F`: validates the config file and prints
// the effective configuration (redacted) on stdout; exit 0 when valid, 2
// with every error on stderr otherwise.
#include "app/commands.hpp"
#include "app/config_option.hpp"

#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

namespace jirasync::app {

namespace {

void add_config_command(CLI::App& app, exit_code& code) {
  auto* cmd = app.add_subcommand("config", "Inspect the configuration");
  cmd->require_subcommand(1);
  auto* check = cmd->add_subcommand(
    "check", "Validate the config file and print the effective config "
             "(every default filled in, secrets redacted)");
  auto path = std::make_shared<std::string>();
  add_config_option(*check, *path);
  check->callback([&code, path] {
    auto cfg = load_config_or_report(*path);
    if (!cfg) {
      code = exit_code::usage;
      return;
    }
    std::cout << config::to_toml_redacted(*cfg) << std::flush;
    code = exit_code::ok;
  });
}

const registrar reg{add_config_command};

} // namespace

} // namespace jirasync::app
