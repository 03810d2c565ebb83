// jirasync: wires the command line to the commands. Each command lives in its
// own app/cmd_<name>.cpp and registers itself through app/commands.hpp.
#include "app/commands.hpp"
#include "common/heap.hpp"
#include "common/log.hpp"

#include <CLI/CLI.hpp>

#include <iostream>

int main(int argc, char** argv) {
  // Two malloc arenas, large blocks mapped on their own at a fixed
  // threshold (common/heap.hpp: bench/results/analysis.md, "Memory
  // budget"). Set before any thread starts.
  jirasync::common::tune_heap();
  CLI::App app{"jirasync: copies a Jira Cloud site into an embedded store, "
               "with exact permissions and a change feed for search indexers"};
  app.set_version_flag("--version",
                       std::string("jirasync ") + JIRASYNC_VERSION);
  app.require_subcommand(1);
  // Until a command sets up its own logging (--log-format, --log-level):
  // warnings and errors only, on stderr, never mixed into stdout.
  jirasync::common::log_options quiet;
  quiet.level = spdlog::level::warn;
  jirasync::common::setup_logging(quiet);
  jirasync::app::exit_code code = jirasync::app::exit_code::ok;
  for (const auto& add : jirasync::app::command_registry())
    add(app, code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : static_cast<int>(jirasync::app::exit_code::usage);
  }
  return static_cast<int>(code);
}
