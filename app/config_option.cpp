#include "app/config_option.hpp"

#include <CLI/CLI.hpp>

#include <iostream>

namespace jirasync::app {

CLI::Option* add_config_option(CLI::App& cmd, std::string& path) {
  return cmd.add_option("--config", path, "jirasync config file (TOML)")
    ->required()
    ->type_name("FILE");
}

std::optional<config::config> load_config_or_report(const std::string& path) {
  auto result = config::load_config(path);
  for (const auto& w : result.warnings)
    std::cerr << "warning: " << w << '\n';
  if (result.cfg)
    return std::move(result.cfg);
  for (const auto& err : result.errors)
    std::cerr << err << '\n';
  std::cerr.flush();
  return std::nullopt;
}

} // namespace jirasync::app
