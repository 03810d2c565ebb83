#include "common/subprocess.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <string_view>

#include <fcntl.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace jirasync::common {

namespace {

using clock_type = std::chrono::steady_clock;

/// Wait between checks for the child's exit when the kernel offers no
/// pidfd (before Linux 5.3, or a seccomp filter refusing it).
constexpr int fallback_poll_ms = 20;

std::string errno_text(std::string_view what, int err) {
  std::string s{what};
  s += ": ";
  s += std::strerror(err);
  return s;
}

/// Closes on scope exit.
class fd_guard {
public:
  explicit fd_guard(int fd = -1) : fd_(fd) {
    // nop
  }
  ~fd_guard() {
    reset();
  }
  fd_guard(const fd_guard&) = delete;
  fd_guard& operator=(const fd_guard&) = delete;
  int get() const {
    return fd_;
  }
  void reset(int fd = -1) {
    if (fd_ >= 0)
      ::close(fd_);
    fd_ = fd;
  }

private:
  int fd_;
};

/// A close-on-exec pipe whose ends are both >= 3, so that dup2 onto 0/1/2
/// in the child can never clobber another of them.
bool make_pipe(fd_guard& read_end, fd_guard& write_end) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0)
    return false;
  for (int& fd : fds) {
    if (fd < 3) {
      int high = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
      ::close(fd);
      fd = high;
    }
  }
  read_end.reset(fds[0]);
  write_end.reset(fds[1]);
  return fds[0] >= 0 && fds[1] >= 0;
}

/// The executable for argv[0]: itself when it holds a '/', else the first
/// executable file of that name in $PATH.
std::optional<std::string> resolve_program(const std::string& name) {
  if (name.find('/') != std::string::npos)
    return name;
  const char* path = std::getenv("PATH");
  std::string_view dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  while (true) {
    auto colon = dirs.find(':');
    std::string dir{dirs.substr(0, colon)};
    if (dir.empty())
      dir = ".";
    std::string candidate = dir + "/" + name;
    struct stat st {};
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode)
        && ::access(candidate.c_str(), X_OK) == 0)
      return candidate;
    if (colon == std::string_view::npos)
      break;
    dirs.remove_prefix(colon + 1);
  }
  return std::nullopt;
}

std::string_view env_name(std::string_view entry) {
  return entry.substr(0, entry.find('='));
}

std::vector<std::string> build_env(const subprocess_options& opts) {
  std::vector<std::string> out;
  if (opts.inherit_env && environ) {
    for (char** e = environ; *e; ++e) {
      std::string_view entry{*e};
      bool overridden = std::any_of(opts.env.begin(), opts.env.end(),
                                    [&](const std::string& o) {
                                      return env_name(o) == env_name(entry);
                                    });
      if (!overridden)
        out.emplace_back(entry);
    }
  }
  out.insert(out.end(), opts.env.begin(), opts.env.end());
  return out;
}

std::vector<char*> c_array(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (auto& s : strings)
    out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

/// Reports errno to the parent through the report pipe and ends the child.
[[noreturn]] void child_fail(int report_w, int err) {
  [[maybe_unused]] auto n = ::write(report_w, &err, sizeof err);
  ::_exit(127);
}

/// The child between fork and exec: async-signal-safe calls only (no
/// allocation, no locks: another thread of the parent may have held one).
[[noreturn]] void child_after_fork(const char* program, char* const* argv,
                                   char* const* envp, int out_w, int err_w,
                                   int report_w, const struct rlimit* limits,
                                   const int* resources, std::size_t n_limits,
                                   int max_fd) {
  auto fail = [report_w](int err) {
    child_fail(report_w, err);
  };
  // Own process group, so that a kill at the deadline reaches whatever the
  // child starts in turn.
  ::setpgid(0, 0);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig)
    if (sig != SIGKILL && sig != SIGSTOP)
      ::sigaction(sig, &dfl, nullptr); // EINVAL for libc-reserved: harmless
  int devnull = ::open("/dev/null", O_RDONLY);
  if (devnull < 0)
    fail(errno);
  if (::dup2(devnull, 0) < 0 || ::dup2(out_w, 1) < 0 || ::dup2(err_w, 2) < 0)
    fail(errno);
  for (std::size_t i = 0; i < n_limits; ++i)
    if (::setrlimit(resources[i], &limits[i]) != 0)
      fail(errno);
  // Every inherited descriptor above 2 closes at exec; the report pipe
  // (already close-on-exec) stays usable until then.
  if (::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) != 0)
    for (int fd = 3; fd < max_fd; ++fd)
      ::fcntl(fd, F_SETFD, FD_CLOEXEC);
  ::execve(program, argv, envp);
  child_fail(report_w, errno);
}

/// Appends what can be read now; false at end of file (or a read error).
bool drain(int fd, std::string& keep, std::uint64_t& total, std::size_t cap) {
  char buf[16384];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) {
      auto got = static_cast<std::size_t>(n);
      total += got;
      if (keep.size() < cap)
        keep.append(buf, std::min(got, cap - keep.size()));
      continue;
    }
    if (n == 0)
      return false;
    if (errno == EINTR)
      continue;
    return errno == EAGAIN || errno == EWOULDBLOCK;
  }
}

} // namespace

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

std::string subprocess_result::describe() const {
  if (timed_out)
    return "timed out (killed at the deadline)";
  if (killed_for_output)
    return "killed after writing more than " + std::to_string(out.size())
           + " bytes";
  if (term_signal)
    return "killed by signal " + std::to_string(*term_signal) + " ("
           + signal_name(*term_signal) + ")";
  if (exit_code)
    return "exit code " + std::to_string(*exit_code);
  return "ended in an unknown way";
}

result<subprocess_result> run_subprocess(const subprocess_options& opts) {
  if (opts.argv.empty() || opts.argv.front().empty())
    return make_error(errc::invalid_argument, "subprocess: empty argv");
  if (opts.timeout.count() <= 0)
    return make_error(errc::invalid_argument,
                      "subprocess: the timeout must be positive");
  auto program = resolve_program(opts.argv.front());
  if (!program)
    return make_error(errc::not_found, "subprocess: " + opts.argv.front()
                                         + " not found in $PATH");
  // Everything the child needs is built before fork: after it, the child
  // may not allocate.
  std::vector<std::string> args = opts.argv;
  std::vector<std::string> envs = build_env(opts);
  auto argv = c_array(args);
  auto envp = c_array(envs);
  std::vector<struct rlimit> limits;
  std::vector<int> resources;
  for (const auto& l : opts.rlimits) {
    limits.push_back(
      {static_cast<rlim_t>(l.soft), static_cast<rlim_t>(l.hard)});
    resources.push_back(l.resource);
  }
  struct rlimit nofile {};
  ::getrlimit(RLIMIT_NOFILE, &nofile);
  int max_fd = nofile.rlim_cur == RLIM_INFINITY
                 ? 65536
                 : static_cast<int>(std::min<rlim_t>(nofile.rlim_cur, 1 << 20));

  fd_guard out_r, out_w, err_r, err_w, report_r, report_w;
  if (!make_pipe(out_r, out_w) || !make_pipe(err_r, err_w)
      || !make_pipe(report_r, report_w))
    return make_error(errc::io_error, errno_text("subprocess: pipe", errno));

  auto started = clock_type::now();
  auto deadline = started + opts.timeout;
  pid_t pid = ::fork();
  if (pid < 0)
    return make_error(errc::io_error, errno_text("subprocess: fork", errno));
  if (pid == 0)
    child_after_fork(program->c_str(), argv.data(), envp.data(), out_w.get(),
                     err_w.get(), report_w.get(), limits.data(),
                     resources.data(), limits.size(), max_fd);
  out_w.reset();
  err_w.reset();
  report_w.reset();

  // The report pipe closes at a successful exec (close-on-exec) or carries
  // errno when the child could not get that far.
  int child_errno = 0;
  ssize_t got = 0;
  do {
    got = ::read(report_r.get(), &child_errno, sizeof child_errno);
  } while (got < 0 && errno == EINTR);
  report_r.reset();
  if (got == static_cast<ssize_t>(sizeof child_errno)) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      // retry
    }
    auto code = child_errno == ENOENT ? errc::not_found : errc::io_error;
    return make_error(
      code, errno_text("subprocess: cannot run " + *program, child_errno));
  }

  subprocess_result res;
  ::fcntl(out_r.get(), F_SETFL, O_NONBLOCK);
  ::fcntl(err_r.get(), F_SETFL, O_NONBLOCK);
  // glibc 2.36's <sys/pidfd.h> lacks extern "C": the raw system call.
  fd_guard pidfd{static_cast<int>(::syscall(SYS_pidfd_open, pid, 0))};
  bool out_open = true, err_open = true, exited = false, killed = false;
  auto kill_group = [pid] {
    ::kill(-pid, SIGKILL); // the group (the child called setpgid)
    ::kill(pid, SIGKILL);  // and the child, should setpgid have failed
  };
  int status = 0;
  struct rusage usage {};
  while (!exited) {
    auto now = clock_type::now();
    if (now >= deadline && !killed) {
      res.timed_out = true;
      kill_group();
      killed = true;
    }
    if (killed)
      break; // reaped below; SIGKILL cannot be ignored
    auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - now);
    int wait_ms = static_cast<int>(std::min<long long>(left.count(), 1 << 30));
    if (pidfd.get() < 0)
      wait_ms = std::min(wait_ms, fallback_poll_ms);
    pollfd fds[3];
    nfds_t n = 0;
    int out_i = -1, err_i = -1, pid_i = -1;
    if (out_open) {
      out_i = static_cast<int>(n);
      fds[n++] = {out_r.get(), POLLIN, 0};
    }
    if (err_open) {
      err_i = static_cast<int>(n);
      fds[n++] = {err_r.get(), POLLIN, 0};
    }
    if (pidfd.get() >= 0) {
      pid_i = static_cast<int>(n);
      fds[n++] = {pidfd.get(), POLLIN, 0};
    }
    int ready = ::poll(fds, n, wait_ms);
    if (ready < 0 && errno != EINTR) { // ENOMEM: cannot watch it any more
      kill_group();
      killed = true;
      break;
    }
    if (out_i >= 0 && (fds[out_i].revents & (POLLIN | POLLHUP | POLLERR)))
      out_open
        = drain(out_r.get(), res.out, res.out_total, opts.max_stdout_bytes);
    if (err_i >= 0 && (fds[err_i].revents & (POLLIN | POLLHUP | POLLERR)))
      err_open
        = drain(err_r.get(), res.err, res.err_total, opts.max_stderr_bytes);
    if (opts.kill_on_stdout_overflow && res.out_total > opts.max_stdout_bytes
        && !killed) {
      res.killed_for_output = true;
      kill_group();
      killed = true;
      break;
    }
    bool child_done = false;
    if (pid_i >= 0)
      child_done = (fds[pid_i].revents & POLLIN) != 0;
    else {
      siginfo_t info{};
      child_done = ::waitid(P_PID, static_cast<id_t>(pid), &info,
                            WEXITED | WNOHANG | WNOWAIT)
                     == 0
                   && info.si_pid == pid;
    }
    if (child_done) {
      // The child is a zombie: its pid cannot be reused yet, so the group
      // kill below reaches only what it left behind. Take what is still in
      // the pipes, without waiting for descendants that may hold them.
      if (out_open)
        drain(out_r.get(), res.out, res.out_total, opts.max_stdout_bytes);
      if (err_open)
        drain(err_r.get(), res.err, res.err_total, opts.max_stderr_bytes);
      ::kill(-pid, SIGKILL);
      exited = true;
    }
  }
  while (::wait4(pid, &status, 0, &usage) < 0 && errno == EINTR) {
    // retry
  }
  if (WIFEXITED(status))
    res.exit_code = WEXITSTATUS(status);
  else if (WIFSIGNALED(status))
    res.term_signal = WTERMSIG(status);
  res.cpu_time = std::chrono::seconds(usage.ru_utime.tv_sec)
                 + std::chrono::microseconds(usage.ru_utime.tv_usec)
                 + std::chrono::seconds(usage.ru_stime.tv_sec)
                 + std::chrono::microseconds(usage.ru_stime.tv_usec);
  return res;
}

} // namespace jirasync::common
