#pragma once
// The `--config FILE` option shared by every subcommand that needs a config
// (sync, serve, export, status, ...).

#include "config/config.hpp"

#include <optional>
#include <string>

namespace CLI {
class App;
class Option;
} // namespace CLI

namespace jirasync::app {

/// Adds the required `--config FILE` option to `cmd`; the value lands in
/// `path`, which must outlive the parse (keep it in a shared_ptr captured by
/// the subcommand's callback).
CLI::Option* add_config_option(CLI::App& cmd, std::string& path);

/// Loads and validates `path` (secrets from the process environment). On
/// failure prints every error on stderr, one per line, and returns nullopt;
/// callers then exit with exit_code::usage.
std::optional<config::config> load_config_or_report(const std::string& path);

} // namespace jirasync::app
