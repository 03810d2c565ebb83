#include "app/self_exe.hpp"

#include <system_error>

namespace jirasync::app {

std::filesystem::path self_executable() {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::path{} : p;
}

} // namespace jirasync::app
