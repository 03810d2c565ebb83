#pragma once
// The subcommands of `jirasync`. Each app/cmd_<name>.cpp defines one
// registration function and adds it to the registry with a static
// `registrar`, so main.cpp never changes when a command is added.

#include <functional>
#include <vector>

namespace CLI {
class App;
}

namespace jirasync::app {

/// Process exit codes (documented in README.md).
enum class exit_code : int {
  ok = 0,
  failure = 1, // the command ran and failed (sync error, I/O error)
  usage = 2,   // bad command line or invalid config
  partial = 3, // sync finished but some records or projects failed
  auth = 4,    // sync stopped: credentials refused or OAuth re-login needed
  interrupted = 130,
};

/// Adds a subcommand to `app`; its callback stores its result in `code`.
using command_adder = std::function<void(CLI::App& app, exit_code& code)>;

std::vector<command_adder>& command_registry();

struct registrar {
  explicit registrar(command_adder add) {
    command_registry().push_back(std::move(add));
  }
};

} // namespace jirasync::app
