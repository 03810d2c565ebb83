#pragma once
// A child process that runs while the test acts (e.g. `jirasync auth login`
// waiting for its callback): stdout and stderr go to files the test can
// watch; every wait is bounded; SIGTERM + wait on destruction. POSIX only.

#include "child_process.hpp"

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

namespace jirasync::testing {

class background_process {
public:
  background_process(std::vector<std::string> args,
                     std::filesystem::path out_file,
                     std::filesystem::path err_file)
      : out_(std::move(out_file)), err_(std::move(err_file)) {
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, out_.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, err_.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    auto argv = argv_of(args);
    int rc = ::posix_spawn(&pid_, argv[0], &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0)
      throw std::runtime_error("cannot start " + args[0]);
  }

  ~background_process() {
    if (pid_ > 0 && !status_) {
      ::kill(pid_, SIGTERM);
      int st = 0;
      ::waitpid(pid_, &st, 0);
    }
  }

  background_process(const background_process&) = delete;
  background_process& operator=(const background_process&) = delete;

  /// The first stdout line starting with `prefix`, waiting at most `limit`.
  std::optional<std::string> wait_for_line(const std::string& prefix,
                                           std::chrono::milliseconds limit) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      auto text = read_file(out_);
      std::size_t pos = 0;
      while (pos < text.size()) {
        auto end = text.find('\n', pos);
        if (end == std::string::npos)
          break; // a line still being written
        auto line = text.substr(pos, end - pos);
        if (line.rfind(prefix, 0) == 0)
          return line;
        pos = end + 1;
      }
      if (exited())
        return std::nullopt;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return std::nullopt;
  }

  /// The exit status (or 128 + signal), waiting at most `limit`.
  std::optional<int> wait_exit(std::chrono::milliseconds limit) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (!exited()) {
      if (std::chrono::steady_clock::now() >= deadline)
        return std::nullopt;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return status_;
  }

  /// Sends `sig` (e.g. SIGKILL) and waits for the process to end.
  int kill_and_wait(int sig) {
    if (!status_) {
      ::kill(pid_, sig);
      int st = 0;
      ::waitpid(pid_, &st, 0);
      status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    }
    return *status_;
  }

  std::string out() const {
    return read_file(out_);
  }
  std::string err() const {
    return read_file(err_);
  }

private:
  bool exited() {
    if (status_)
      return true;
    int st = 0;
    if (::waitpid(pid_, &st, WNOHANG) == pid_)
      status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    return status_.has_value();
  }

  std::filesystem::path out_;
  std::filesystem::path err_;
  pid_t pid_ = 0;
  std::optional<int> status_;
};

/// A TCP port on 127.0.0.1 that was free a moment ago (the kernel's pick).
inline std::uint16_t free_loopback_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0)
    throw std::runtime_error("socket failed");
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof a;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0
      || ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot find a free port");
  }
  ::close(fd);
  return ntohs(a.sin_port);
}

} // namespace jirasync::testing
