#pragma once
// The one reader of this process's /proc/self/status fields in the tests
// (peak and resident memory).

#include <fstream>
#include <string>
#include <string_view>

namespace jirasync::test {

/// The value in kB of `field` ("VmHWM", "RssAnon", ...) of
/// /proc/self/status; -1 when the field is not there.
inline long proc_status_kib(std::string_view field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.size() > field.size() && line.compare(0, field.size(), field) == 0
        && line[field.size()] == ':')
      return std::stol(line.substr(field.size() + 1));
  return -1;
}

} // namespace jirasync::test
