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
#include <unistd.h>

namespace jirasync::testing {

class background_process {
public:
  background_process(std::vector<std::string> args,
                     std::filesystem::path out_file,
                     std::filesystem::path err_file)
      : out_(std::move(out_file)), err_(std::move(err_file)) {
    auto spec = spec_to_files(std::move(args), out_, err_);
    auto child = common::child_process::start(spec);
    if (!child)
      throw std::runtime_error(child.error().to_string());
    child_.emplace(std::move(*child));
  }

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
      if (child_->exited())
        return std::nullopt;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return std::nullopt;
  }

  /// The exit status (or 128 + signal), waiting at most `limit`.
  std::optional<int> wait_exit(std::chrono::milliseconds limit) {
    return child_->wait_exit(limit);
  }

  /// Sends `sig` (e.g. SIGTERM, SIGINT, SIGKILL: a crash); false when the
  /// process has ended.
  bool signal(int sig) {
    return child_->signal(sig);
  }

  pid_t pid() const {
    return child_->pid();
  }

  /// Sends `sig` (e.g. SIGKILL) and waits (at most a minute) for the end:
  /// the exit status, or 128 + the signal.
  std::optional<int> kill_and_wait(int sig) {
    child_->signal(sig);
    return child_->wait_exit(std::chrono::minutes(1));
  }

  std::string out() const {
    return read_file(out_);
  }
  std::string err() const {
    return read_file(err_);
  }

private:
  std::filesystem::path out_;
  std::filesystem::path err_;
  std::optional<common::child_process> child_;
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
