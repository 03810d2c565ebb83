#pragma once
// Child processes for the integration tests, on common/child_process and the
// sim launcher: jira-sim (its ready line, stopped on scope exit) and one-shot
// jirasync runs (exit status; stdout and stderr in files).

#include "common/child_process.hpp"
#include "sim/launcher.hpp"

#include <boost/json.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace jirasync::testing {

/// How long a one-shot run may take before the test gives up on it (and
/// kills it): far beyond any run of the suite, but not forever.
inline constexpr auto run_limit = std::chrono::minutes(10);

/// `args` with stdout to `out_file` and stderr to `err_file`.
inline common::child_spec spec_to_files(std::vector<std::string> args,
                                        const std::filesystem::path& out_file,
                                        const std::filesystem::path& err_file) {
  common::child_spec spec;
  spec.argv = std::move(args);
  spec.out = common::child_output::file;
  spec.out_file = out_file;
  spec.err = common::child_output::file;
  spec.err_file = err_file;
  return spec;
}

/// Runs `args` to completion; stdout to `out_file`, stderr to `err_file`.
/// Returns the exit status (or 128+signal). Throws when the program cannot
/// be started or does not end within `run_limit`.
inline int run_to_completion(std::vector<std::string> args,
                             const std::filesystem::path& out_file,
                             const std::filesystem::path& err_file) {
  auto spec = spec_to_files(std::move(args), out_file, err_file);
  auto child = common::child_process::start(spec);
  if (!child)
    throw std::runtime_error(child.error().to_string());
  auto st = child->wait_exit(run_limit);
  if (!st)
    throw std::runtime_error(spec.argv[0] + " did not end within "
                             + std::to_string(run_limit.count()) + " min");
  return *st;
}

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in{p, std::ios::binary};
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

/// A running jira-sim (args[0] is its executable); stopped on destruction.
/// Throws when it does not print its ready line within a minute.
class sim_process {
public:
  explicit sim_process(std::vector<std::string> args) {
    std::filesystem::path bin = args.at(0);
    args.erase(args.begin());
    auto started = jirasim::start_sim(bin, std::move(args));
    if (!started)
      throw std::runtime_error(started.error().to_string());
    sim_.emplace(std::move(*started));
  }

  std::string str(const char* key) const {
    return sim_->str(key);
  }
  std::string base_url() const {
    return str("base_url");
  }
  pid_t pid() const {
    return sim_->process.pid();
  }

private:
  std::optional<jirasim::running_sim> sim_;
};

} // namespace jirasync::testing
