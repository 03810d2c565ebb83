#include "service/admin_api.hpp"

#include "protocol/http/http_server.hpp"

#include <charconv>
#include <string>

namespace jirasync::service {

namespace {

common::error bad(std::string message) {
  return common::make_error(common::errc::invalid_argument, std::move(message));
}

std::optional<std::uint64_t> parse_u64(std::string_view text) {
  std::uint64_t v = 0;
  if (text.empty())
    return std::nullopt;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size())
    return std::nullopt;
  return v;
}

} // namespace

bool bearer_matches(std::optional<std::string_view> authorization,
                    std::string_view token) {
  constexpr std::string_view scheme = "Bearer ";
  if (!authorization || token.empty()
      || authorization->substr(0, scheme.size()) != scheme)
    return false;
  auto given = authorization->substr(scheme.size());
  // No early exit on the first differing byte: the time taken does not
  // tell how much of a guess was right.
  unsigned char diff = given.size() == token.size() ? 0 : 1;
  for (std::size_t i = 0; i < given.size(); ++i)
    diff |= static_cast<unsigned char>(given[i])
            ^ static_cast<unsigned char>(token[i % token.size()]);
  return diff == 0;
}

common::result<feed_query> parse_feed_query(std::string_view query,
                                            std::chrono::seconds max_wait) {
  feed_query q;
  for (const auto& [name, value] : protocol::parse_query(query)) {
    if (name != "since" && name != "limit" && name != "wait")
      return bad("unknown parameter \"" + name
                 + "\" (expected since, limit, wait)");
    auto n = parse_u64(value);
    if (!n)
      return bad(name + ": expected a non-negative integer, got \"" + value
                 + "\"");
    if (name == "since")
      q.since = *n;
    else if (name == "limit")
      q.limit = *n;
    else if (*n > static_cast<std::uint64_t>(max_wait.count()))
      return bad("wait: at most " + std::to_string(max_wait.count())
                 + " seconds");
    else
      q.wait = std::chrono::seconds(static_cast<std::int64_t>(*n));
  }
  return q;
}

common::result<bool> parse_full_flag(std::string_view query) {
  bool full = false;
  for (const auto& [name, value] : protocol::parse_query(query)) {
    if (name != "full")
      return bad("unknown parameter \"" + name + "\" (expected full)");
    if (value == "1" || value == "true" || value == "yes")
      full = true;
    else if (value == "0" || value == "false" || value == "no")
      full = false;
    else
      return bad("full: expected 1 or 0, got \"" + value + "\"");
  }
  return full;
}

} // namespace jirasync::service
