#include "actors/fault_injection.hpp"

#include <caf/all.hpp>

#include <stdexcept>
#include <string>

namespace jirasync::actors {

caf::error check_fault(caf::scheduled_actor* self, const fault_hook& hook) {
  if (!hook)
    return {};
  std::string name = self->name();
  switch (hook(name)) {
    case fault_kind::none:
      return {};
    case fault_kind::raise:
      throw std::runtime_error("injected fault in " + name);
    case fault_kind::quit: {
      auto err
        = caf::make_error(caf::sec::runtime_error, "injected quit of " + name);
      self->quit(err);
      return err;
    }
  }
  return {};
}

} // namespace jirasync::actors
