#pragma once
// The request-level rules of the admin endpoints of `jirasync serve`, apart
// from the server so they are unit-tested: the bearer-token check and the
// query of GET /feed and POST /sync. docs/service.md documents the
// endpoints.
//
// Thread-safety: pure functions.

#include "common/error.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace jirasync::service {

/// True when `authorization` is "Bearer TOKEN" with exactly `token` (the
/// comparison takes the same time wherever the first difference is).
bool bearer_matches(std::optional<std::string_view> authorization,
                    std::string_view token);

struct feed_query {
  /// Entries after this seq. Default: 0 (the whole feed).
  std::uint64_t since = 0;
  /// At most this many lines; 0 = no limit. Default: 0.
  std::uint64_t limit = 0;
  /// Long-poll: when nothing is newer than `since`, wait up to this long for
  /// new entries. Default: 0 (answer at once, maybe empty).
  std::chrono::seconds wait{0};
};

/// Parses "since=SEQ&limit=N&wait=S" (each optional, decimal). Errors
/// (errc::invalid_argument) name the parameter: "since: expected a
/// non-negative integer, got \"x\"", "wait: at most 60 seconds".
common::result<feed_query> parse_feed_query(std::string_view query,
                                            std::chrono::seconds max_wait);

/// POST /sync's `full`: "1", "true" or "yes" -> true; absent, "0",
/// "false", "no" -> false; anything else -> errc::invalid_argument.
common::result<bool> parse_full_flag(std::string_view query);

} // namespace jirasync::service
