#pragma once
// The running `jirasync` executable, for the children it starts of itself
// (`jirasync extract` for attachment texts, extract/runner.hpp).
//
// Thread-safety: a pure read of /proc.

#include <filesystem>

namespace jirasync::app {

/// /proc/self/exe resolved; empty when it cannot be read (texts are then
/// left unextracted, text_status "pending").
std::filesystem::path self_executable();

} // namespace jirasync::app
