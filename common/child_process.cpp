#include "common/child_process.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <thread>
#include <utility>

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace jirasync::common {

namespace {

using clock = std::chrono::steady_clock;

error io_error(const std::string& what, int err) {
  return make_error(errc::io_error, what + ": " + std::strerror(err));
}

/// posix_spawn file actions, destroyed on scope exit.
struct file_actions {
  posix_spawn_file_actions_t fa;
  file_actions() {
    posix_spawn_file_actions_init(&fa);
  }
  ~file_actions() {
    posix_spawn_file_actions_destroy(&fa);
  }
  file_actions(const file_actions&) = delete;
  file_actions& operator=(const file_actions&) = delete;
};

int decode_status(int st) {
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

} // namespace

result<child_process> child_process::start(const child_spec& spec) {
  if (spec.argv.empty() || spec.argv[0].empty())
    return make_error(errc::invalid_argument, "no program to start");
  if (spec.err == child_output::pipe)
    return make_error(errc::invalid_argument,
                      "only stdout can be piped back to the caller");
  if ((spec.out == child_output::file && spec.out_file.empty())
      || (spec.err == child_output::file && spec.err_file.empty()))
    return make_error(errc::invalid_argument, "an output file without a path");
  if (::access(spec.argv[0].c_str(), X_OK) != 0)
    return make_error(errc::not_found,
                      spec.argv[0] + ": " + std::strerror(errno));
  file_actions fa;
  int pipe_fds[2] = {-1, -1};
  auto add
    = [&](int fd, child_output mode, const std::filesystem::path& file) -> int {
    switch (mode) {
      case child_output::inherit:
        return 0;
      case child_output::file:
        return posix_spawn_file_actions_addopen(
          &fa.fa, fd, file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      case child_output::discard:
        return posix_spawn_file_actions_addopen(&fa.fa, fd, "/dev/null",
                                                O_WRONLY, 0);
      case child_output::pipe:
        if (::pipe2(pipe_fds, O_CLOEXEC) != 0)
          return errno;
        // dup2 clears FD_CLOEXEC on the child's copy.
        return posix_spawn_file_actions_adddup2(&fa.fa, pipe_fds[1], fd);
    }
    return EINVAL;
  };
  if (int rc = add(1, spec.out, spec.out_file); rc != 0)
    return io_error("stdout of " + spec.argv[0], rc);
  if (int rc = add(2, spec.err, spec.err_file); rc != 0) {
    if (pipe_fds[0] >= 0) {
      ::close(pipe_fds[0]);
      ::close(pipe_fds[1]);
    }
    return io_error("stderr of " + spec.argv[0], rc);
  }
  std::vector<char*> argv;
  argv.reserve(spec.argv.size() + 1);
  for (const auto& a : spec.argv)
    argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  child_process child;
  int rc = ::posix_spawn(&child.pid_, argv[0], &fa.fa, nullptr, argv.data(),
                         environ);
  if (pipe_fds[1] >= 0)
    ::close(pipe_fds[1]);
  if (rc != 0) {
    if (pipe_fds[0] >= 0)
      ::close(pipe_fds[0]);
    child.pid_ = -1;
    return io_error("cannot start " + spec.argv[0], rc);
  }
  child.out_fd_ = pipe_fds[0];
  return child;
}

child_process::child_process(child_process&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      out_fd_(std::exchange(other.out_fd_, -1)),
      pending_(std::move(other.pending_)),
      status_(std::exchange(other.status_, std::nullopt)) {}

child_process& child_process::operator=(child_process&& other) noexcept {
  if (this != &other) {
    release();
    pid_ = std::exchange(other.pid_, -1);
    out_fd_ = std::exchange(other.out_fd_, -1);
    pending_ = std::move(other.pending_);
    status_ = std::exchange(other.status_, std::nullopt);
  }
  return *this;
}

child_process::~child_process() {
  release();
}

void child_process::release() noexcept {
  if (pid_ > 0 && !status_)
    stop();
  if (out_fd_ >= 0)
    ::close(out_fd_);
  out_fd_ = -1;
  pid_ = -1;
}

result<std::string> child_process::read_line(std::chrono::milliseconds limit) {
  if (out_fd_ < 0)
    return make_error(errc::invalid_argument,
                      "the child's stdout is not piped");
  auto deadline = clock::now() + limit;
  for (;;) {
    if (auto nl = pending_.find('\n'); nl != std::string::npos) {
      auto line = pending_.substr(0, nl);
      pending_.erase(0, nl + 1);
      return line;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - clock::now());
    if (left.count() <= 0)
      return make_error(errc::timeout, "no line from the child within "
                                         + std::to_string(limit.count())
                                         + " ms");
    pollfd p{out_fd_, POLLIN, 0};
    int n = ::poll(&p, 1, static_cast<int>(left.count()));
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return io_error("poll", errno);
    }
    if (n == 0)
      continue; // the deadline check above ends the loop
    char buf[4096];
    auto got = ::read(out_fd_, buf, sizeof buf);
    if (got < 0) {
      if (errno == EINTR || errno == EAGAIN)
        continue;
      return io_error("read", errno);
    }
    if (got == 0)
      return make_error(errc::not_found,
                        "the child closed its output before a full line");
    pending_.append(buf, static_cast<std::size_t>(got));
  }
}

bool child_process::exited() {
  if (status_)
    return true;
  if (pid_ <= 0)
    return true;
  int st = 0;
  pid_t r = ::waitpid(pid_, &st, WNOHANG);
  if (r == pid_)
    status_ = decode_status(st);
  else if (r < 0 && errno == ECHILD)
    status_ = 128 + SIGKILL; // reaped elsewhere: report it as gone
  return status_.has_value();
}

std::optional<int> child_process::wait_exit(std::chrono::milliseconds limit) {
  auto deadline = clock::now() + limit;
  while (!exited()) {
    if (clock::now() >= deadline)
      return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return status_;
}

bool child_process::signal(int sig) {
  if (exited())
    return false;
  return ::kill(pid_, sig) == 0;
}

int child_process::stop(std::chrono::milliseconds grace) {
  if (signal(SIGTERM))
    if (auto st = wait_exit(grace))
      return *st;
  if (!exited()) {
    ::kill(pid_, SIGKILL);
    int st = 0;
    if (::waitpid(pid_, &st, 0) == pid_)
      status_ = decode_status(st);
    else
      status_ = 128 + SIGKILL;
  }
  return *status_;
}

} // namespace jirasync::common
