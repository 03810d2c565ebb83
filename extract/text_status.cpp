#include "extract/text_status.hpp"

#include <array>
#include <utility>

namespace jirasync::extract {

namespace {

constexpr std::array<std::pair<text_status, std::string_view>, 6> names{{
  {text_status::extracted, "extracted"},
  {text_status::unsupported, "unsupported"},
  {text_status::too_large, "too_large"},
  {text_status::failed, "failed"},
  {text_status::timeout, "timeout"},
  {text_status::skipped, "skipped"},
}};

} // namespace

std::string_view to_string(text_status s) {
  for (auto& [k, v] : names)
    if (k == s)
      return v;
  return "failed";
}

std::optional<text_status> parse_text_status(std::string_view s) {
  for (auto& [k, v] : names)
    if (v == s)
      return k;
  return std::nullopt;
}

} // namespace jirasync::extract
