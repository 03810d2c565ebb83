#pragma once
// jira-sim's command line: every knob of sim_options as a long option (the
// same names are the keys of a --config TOML file). Kept apart from main()
// so that tests parse command lines exactly as the executable does.
//
// Thread-safety: pure.

#include "sim/options.hpp"

#include <optional>
#include <string>
#include <vector>

namespace jirasim {

/// What a command line asks for: options to run with, or an exit (help,
/// version or a usage error, already printed to stdout / stderr).
struct cli_outcome {
  std::optional<sim_options> options;
  /// The exit code when `options` is empty (0 for --help).
  int exit_code = 0;
};

/// Parses `args` (without the program name).
cli_outcome parse_command_line(const std::vector<std::string>& args);

} // namespace jirasim
