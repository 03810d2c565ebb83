#pragma once
// Child processes for the integration tests: jira-sim (read its ready line,
// SIGTERM on scope exit) and one-shot jirasync runs (exit status + stdout
// captured to a file). POSIX only.

#include <boost/json.hpp>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace jirasync::testing {

inline std::vector<char*> argv_of(std::vector<std::string>& args) {
  std::vector<char*> out;
  for (auto& a : args)
    out.push_back(a.data());
  out.push_back(nullptr);
  return out;
}

/// Runs `args` to completion; stdout to `out_file`, stderr to `err_file`.
/// Returns the exit status (or 128+signal).
inline int run_to_completion(std::vector<std::string> args,
                             const std::filesystem::path& out_file,
                             const std::filesystem::path& err_file) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, out_file.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, err_file.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  auto argv = argv_of(args);
  pid_t pid = 0;
  int rc = ::posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0)
    throw std::runtime_error("cannot start " + args[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (WIFEXITED(status))
    return WEXITSTATUS(status);
  return 128 + WTERMSIG(status);
}

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in{p, std::ios::binary};
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

/// A running jira-sim; SIGTERM + wait on destruction.
class sim_process {
public:
  explicit sim_process(std::vector<std::string> args) {
    int fds[2];
    if (::pipe(fds) != 0)
      throw std::runtime_error("pipe failed");
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
    posix_spawn_file_actions_addclose(&fa, fds[0]);
    auto argv = argv_of(args);
    int rc = ::posix_spawn(&pid_, argv[0], &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    ::close(fds[1]);
    if (rc != 0) {
      ::close(fds[0]);
      throw std::runtime_error("cannot start " + args[0]);
    }
    out_ = ::fdopen(fds[0], "r");
    std::string line;
    int c;
    while ((c = std::fgetc(out_)) != EOF && c != '\n')
      line += static_cast<char>(c);
    if (line.empty())
      throw std::runtime_error("jira-sim printed no ready line");
    ready_ = boost::json::parse(line).as_object();
  }

  ~sim_process() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
    if (out_)
      std::fclose(out_);
  }

  sim_process(const sim_process&) = delete;
  sim_process& operator=(const sim_process&) = delete;

  std::string str(const char* key) const {
    return std::string{ready_.at(key).as_string()};
  }
  std::string base_url() const {
    return str("base_url");
  }
  pid_t pid() const {
    return pid_;
  }

private:
  pid_t pid_ = 0;
  std::FILE* out_ = nullptr;
  boost::json::object ready_;
};

} // namespace jirasync::testing
