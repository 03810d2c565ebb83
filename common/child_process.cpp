#include "common/child_process.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <thread>
#include <utility>

#include <pthread.h>
#include <signal.h>

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

/// posix_spawn attributes, destroyed on scope exit.
struct spawn_attr {
  posix_spawnattr_t attr;
  spawn_attr() {
    posix_spawnattr_init(&attr);
  }
  ~spawn_attr() {
    posix_spawnattr_destroy(&attr);
  }
  spawn_attr(const spawn_attr&) = delete;
  spawn_attr& operator=(const spawn_attr&) = delete;
};

/// Both ends of a pipe, closed on scope exit unless released.
struct pipe_pair {
  int fd[2] = {-1, -1};
  ~pipe_pair() {
    close_all();
  }
  void close_all() {
    for (auto& f : fd)
      if (f >= 0) {
        ::close(f);
        f = -1;
      }
  }
  int release(int i) {
    return std::exchange(fd[i], -1);
  }
};

/// The caller's environment with `extra` ("NAME=value") on top.
std::vector<std::string>
child_environment(const std::vector<std::string>& extra) {
  std::vector<std::string> env;
  auto name_of = [](std::string_view v) {
    return v.substr(0, v.find('='));
  };
  for (char** e = environ; e && *e; ++e) {
    std::string_view v{*e};
    bool replaced = false;
    for (const auto& x : extra)
      if (name_of(x) == name_of(v))
        replaced = true;
    if (!replaced)
      env.emplace_back(v);
  }
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
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
  pipe_pair out_pipe;
  pipe_pair in_pipe;
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
        if (::pipe2(out_pipe.fd, O_CLOEXEC) != 0)
          return errno;
        // dup2 clears FD_CLOEXEC on the child's copy.
        return posix_spawn_file_actions_adddup2(&fa.fa, out_pipe.fd[1], fd);
    }
    return EINVAL;
  };
  if (int rc = add(1, spec.out, spec.out_file); rc != 0)
    return io_error("stdout of " + spec.argv[0], rc);
  if (int rc = add(2, spec.err, spec.err_file); rc != 0)
    return io_error("stderr of " + spec.argv[0], rc);
  int in_rc = 0;
  switch (spec.in) {
    case child_input::inherit:
      break;
    case child_input::null:
      in_rc
        = posix_spawn_file_actions_addopen(&fa.fa, 0, "/dev/null", O_RDONLY, 0);
      break;
    case child_input::pipe:
      if (::pipe2(in_pipe.fd, O_CLOEXEC) != 0)
        in_rc = errno;
      else
        in_rc = posix_spawn_file_actions_adddup2(&fa.fa, in_pipe.fd[0], 0);
      break;
  }
  if (in_rc != 0)
    return io_error("stdin of " + spec.argv[0], in_rc);
  // The spawning thread may block or ignore signals (a CAF thread, a
  // service waiting for SIGTERM): the child starts from the defaults.
  spawn_attr sa;
  sigset_t none;
  sigemptyset(&none);
  sigset_t defaults;
  sigemptyset(&defaults);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE})
    sigaddset(&defaults, sig);
  short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
  if (spec.own_process_group) {
    flags |= POSIX_SPAWN_SETPGROUP;
    posix_spawnattr_setpgroup(&sa.attr, 0);
  }
  posix_spawnattr_setsigmask(&sa.attr, &none);
  posix_spawnattr_setsigdefault(&sa.attr, &defaults);
  posix_spawnattr_setflags(&sa.attr, flags);
  std::vector<char*> argv;
  argv.reserve(spec.argv.size() + 1);
  for (const auto& a : spec.argv)
    argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<std::string> env_store;
  std::vector<char*> envp;
  if (!spec.env.empty()) {
    env_store = child_environment(spec.env);
    for (auto& e : env_store)
      envp.push_back(e.data());
    envp.push_back(nullptr);
  }
  child_process child;
  int rc = ::posix_spawn(&child.pid_, argv[0], &fa.fa, &sa.attr, argv.data(),
                         envp.empty() ? environ : envp.data());
  if (rc != 0) {
    child.pid_ = -1;
    return io_error("cannot start " + spec.argv[0], rc);
  }
  // The child's ends are its own now; ours stay.
  if (out_pipe.fd[1] >= 0)
    ::close(out_pipe.release(1));
  if (in_pipe.fd[0] >= 0)
    ::close(in_pipe.release(0));
  child.out_fd_ = out_pipe.release(0);
  child.in_fd_ = in_pipe.release(1);
  return child;
}

child_process::child_process(child_process&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      out_fd_(std::exchange(other.out_fd_, -1)),
      in_fd_(std::exchange(other.in_fd_, -1)),
      pending_(std::move(other.pending_)),
      status_(std::exchange(other.status_, std::nullopt)) {}

child_process& child_process::operator=(child_process&& other) noexcept {
  if (this != &other) {
    release();
    pid_ = std::exchange(other.pid_, -1);
    out_fd_ = std::exchange(other.out_fd_, -1);
    in_fd_ = std::exchange(other.in_fd_, -1);
    pending_ = std::move(other.pending_);
    status_ = std::exchange(other.status_, std::nullopt);
  }
  return *this;
}

child_process::~child_process() {
  release();
}

void child_process::release() noexcept {
  close_input();
  if (pid_ > 0 && !status_)
    stop();
  if (out_fd_ >= 0)
    ::close(out_fd_);
  out_fd_ = -1;
  pid_ = -1;
}

void child_process::close_input() {
  if (in_fd_ >= 0)
    ::close(in_fd_);
  in_fd_ = -1;
}

result<void> child_process::fill(std::chrono::steady_clock::time_point deadline,
                                 std::chrono::milliseconds limit,
                                 const char* what) {
  if (out_fd_ < 0)
    return make_error(errc::invalid_argument,
                      "the child's stdout is not piped");
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - clock::now());
    if (left.count() <= 0)
      return make_error(errc::timeout,
                        std::string{"no "} + what + " from the child within "
                          + std::to_string(limit.count()) + " ms");
    pollfd p{out_fd_, POLLIN, 0};
    int n = ::poll(&p, 1, static_cast<int>(left.count()));
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return io_error("poll", errno);
    }
    if (n == 0)
      continue; // the deadline check above ends the loop
    char buf[65536];
    auto got = ::read(out_fd_, buf, sizeof buf);
    if (got < 0) {
      if (errno == EINTR || errno == EAGAIN)
        continue;
      return io_error("read", errno);
    }
    if (got == 0)
      return make_error(errc::not_found,
                        std::string{"the child closed its output before a "
                                    "full "}
                          + what);
    pending_.append(buf, static_cast<std::size_t>(got));
    return {};
  }
}

result<std::string> child_process::read_line(std::chrono::milliseconds limit) {
  auto deadline = clock::now() + limit;
  for (;;) {
    if (auto nl = pending_.find('\n'); nl != std::string::npos) {
      auto line = pending_.substr(0, nl);
      pending_.erase(0, nl + 1);
      return line;
    }
    if (auto r = fill(deadline, limit, "line"); !r)
      return r.error();
  }
}

result<std::string> child_process::read_exact(std::size_t n,
                                              std::chrono::milliseconds limit) {
  auto deadline = clock::now() + limit;
  while (pending_.size() < n)
    if (auto r = fill(deadline, limit, "answer"); !r)
      return r.error();
  auto out = pending_.substr(0, n);
  pending_.erase(0, n);
  return out;
}

result<void> child_process::write_all(std::string_view data,
                                      std::chrono::milliseconds limit) {
  if (in_fd_ < 0)
    return make_error(errc::invalid_argument, "the child's stdin is not piped");
  // A child that has ended makes write(2) raise SIGPIPE, whose default
  // action would end the caller: blocked in this thread for the write, and
  // a SIGPIPE it raised taken back before the mask is restored.
  sigset_t pipe_only;
  sigemptyset(&pipe_only);
  sigaddset(&pipe_only, SIGPIPE);
  sigset_t old;
  pthread_sigmask(SIG_BLOCK, &pipe_only, &old);
  auto restore = [&](bool raised) {
    if (raised) {
      timespec zero{0, 0};
      while (::sigtimedwait(&pipe_only, nullptr, &zero) > 0) {
      }
    }
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
  };
  auto deadline = clock::now() + limit;
  while (!data.empty()) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - clock::now());
    if (left.count() <= 0) {
      restore(false);
      return make_error(errc::timeout,
                        "the child did not read its input within "
                          + std::to_string(limit.count()) + " ms");
    }
    pollfd p{in_fd_, POLLOUT, 0};
    int n = ::poll(&p, 1, static_cast<int>(left.count()));
    if (n < 0 && errno != EINTR) {
      int err = errno;
      restore(false);
      return io_error("poll", err);
    }
    if (n <= 0)
      continue;
    auto put = ::write(in_fd_, data.data(), data.size());
    if (put < 0) {
      int err = errno;
      if (err == EINTR || err == EAGAIN)
        continue;
      restore(err == EPIPE);
      if (err == EPIPE)
        return make_error(errc::not_found, "the child closed its input");
      return io_error("write", err);
    }
    data.remove_prefix(static_cast<std::size_t>(put));
  }
  restore(false);
  return {};
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

std::string signal_name(int sig) {
  switch (sig) {
    case SIGHUP:
      return "SIGHUP";
    case SIGINT:
      return "SIGINT";
    case SIGQUIT:
      return "SIGQUIT";
    case SIGILL:
      return "SIGILL";
    case SIGTRAP:
      return "SIGTRAP";
    case SIGABRT:
      return "SIGABRT";
    case SIGBUS:
      return "SIGBUS";
    case SIGFPE:
      return "SIGFPE";
    case SIGKILL:
      return "SIGKILL";
    case SIGSEGV:
      return "SIGSEGV";
    case SIGPIPE:
      return "SIGPIPE";
    case SIGALRM:
      return "SIGALRM";
    case SIGTERM:
      return "SIGTERM";
    case SIGXCPU:
      return "SIGXCPU";
    case SIGXFSZ:
      return "SIGXFSZ";
    case SIGSYS:
      return "SIGSYS";
    default:
      return "signal " + std::to_string(sig);
  }
}

} // namespace jirasync::common
