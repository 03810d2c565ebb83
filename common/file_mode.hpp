#pragma once
// Unix permission bits as the store and the config loader check them: the
// files that hold secrets must be private to their owner.
//
// Thread-safety: pure functions.

#include <cstdio>
#include <string>

namespace jirasync::common {

/// True when group or others hold any permission bit of `mode` (st_mode or
/// std::filesystem::perms cast to unsigned).
constexpr bool shared_with_others(unsigned mode) noexcept {
  return (mode & 077U) != 0;
}

/// The permission bits of `mode` as chmod takes them, e.g. "0644".
inline std::string mode_text(unsigned mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", mode & 07777U);
  return buf;
}

} // namespace jirasync::common
