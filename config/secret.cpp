#include "config/config.hpp"

#include <ostream>

namespace jirasync::config {

namespace {

constexpr std::string_view redacted = "<redacted>";

} // namespace

std::string to_string(const secret&) {
  return std::string{redacted};
}

std::ostream& operator<<(std::ostream& out, const secret&) {
  return out << redacted;
}

} // namespace jirasync::config
