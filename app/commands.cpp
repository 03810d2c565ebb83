#include "app/commands.hpp"

namespace jirasync::app {

std::vector<command_adder>& command_registry() {
  static std::vector<command_adder> registry;
  return registry;
}

} // namespace jirasync::app
