#pragma once
// Starting a jira-sim from another program (the `jirasync demo` command, the
// integration tests, the benchmarks): spawn the executable, read its ready
// line (one JSON object, see docs/jira-sim.md) within a bounded time, stop it
// when the handle goes away. Client side of the sim's start-up contract;
// library `jirasim_launcher` (common/ and Boost.JSON only, no server code).

#include "common/child_process.hpp"
#include "common/error.hpp"

#include <boost/json/object.hpp>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace jirasim {

/// A jira-sim that printed its ready line. Stopped (SIGTERM, then SIGKILL
/// after 10 s) and reaped on destruction.
struct running_sim {
  jirasync::common::child_process process;
  /// The ready line: port, base_url, ca_file (null with --http), email,
  /// api_token, cloud_id.
  boost::json::object ready;

  /// A string field of the ready line ("" when absent or not a string).
  std::string str(const char* key) const;
};

/// Starts `binary` with `args` (not including the program itself), stdout
/// piped for the ready line, stderr as given. Errors: those of
/// child_process::start; errc::timeout when no line came within `limit`;
/// errc::unavailable when the sim exited or printed something that is not a
/// ready line (the message quotes at most its first 200 bytes).
jirasync::common::result<running_sim>
start_sim(const std::filesystem::path& binary, std::vector<std::string> args,
          std::chrono::milliseconds limit = std::chrono::seconds(60),
          jirasync::common::child_output err
          = jirasync::common::child_output::inherit,
          const std::filesystem::path& err_file = {});

} // namespace jirasim
