#pragma once
// `--log-format human|json` and `--log-level LEVEL` for the commands that
// log (sync, serve). Logs go to stderr (common/log.hpp).

#include "common/log.hpp"

#include <string>

namespace CLI {
class App;
} // namespace CLI

namespace jirasync::app {

struct log_args {
  std::string format = "human";
  /// "" = the command's default level.
  std::string level;
};

/// Adds both options to `cmd`; values land in `args` (keep it alive, e.g.
/// in the shared_ptr the callback captures).
void add_log_options(CLI::App& cmd, log_args& args, const char* default_level);

/// Sets up spdlog from `args` (already validated by the parser);
/// `default_level` when --log-level was not given; `erase_line` on a TTY
/// showing a progress bar (common::log_options::erase_line).
void setup_logging_from(const log_args& args,
                        spdlog::level::level_enum default_level,
                        bool erase_line = false);

} // namespace jirasync::app
