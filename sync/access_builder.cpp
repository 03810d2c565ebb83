#include "sync/access_builder.hpp"

#include <utility>

namespace jirasync::sync {

std::vector<protocol::permission_holder>
browse_holders(protocol::permission_scheme scheme) {
  std::vector<protocol::permission_holder> out;
  for (auto& g : scheme.permissions)
    if (g.permission == "BROWSE_PROJECTS")
      out.push_back(std::move(g.holder));
  return out;
}

} // namespace jirasync::sync
