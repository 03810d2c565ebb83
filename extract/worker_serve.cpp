// The worker's side of extract/worker.hpp: `jirasync extract --worker`.
#include "extract/worker.hpp"

#include <cerrno>
#include <cmath>
#include <string>

#include <fcntl.h>
#include <malloc.h>
#include <sys/resource.h>
#include <unistd.h>

namespace jirasync::extract {

namespace {

/// Reads the requests from fd 0 (blocking: the worker has nothing else to
/// do while it waits).
class request_reader {
public:
  /// The next line without '\n'; nullopt at the end of input or past
  /// `max` bytes without one.
  std::optional<std::string> line(std::size_t max) {
    for (;;) {
      if (auto nl = buf_.find('\n'); nl != std::string::npos) {
        auto l = buf_.substr(0, nl);
        buf_.erase(0, nl + 1);
        return l;
      }
      if (buf_.size() > max || !more())
        return std::nullopt;
    }
  }
  /// Exactly n bytes; nullopt at the end of input first.
  std::optional<std::string> bytes(std::size_t n) {
    while (buf_.size() < n)
      if (!more())
        return std::nullopt;
    auto b = buf_.substr(0, n);
    buf_.erase(0, n);
    return b;
  }

private:
  bool more() {
    char chunk[16384];
    for (;;) {
      auto got = ::read(0, chunk, sizeof chunk);
      if (got < 0 && errno == EINTR)
        continue;
      if (got <= 0)
        return false;
      buf_.append(chunk, static_cast<std::size_t>(got));
      return true;
    }
  }
  std::string buf_;
};

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    auto put = ::write(fd, data.data(), data.size());
    if (put < 0 && errno == EINTR)
      continue;
    if (put <= 0)
      return false;
    data.remove_prefix(static_cast<std::size_t>(put));
  }
  return true;
}

bool set_limit(int resource, rlim_t soft, rlim_t hard) {
  rlimit r{soft, hard};
  return ::setrlimit(resource, &r) == 0;
}

/// CPU seconds this process has used, rounded up.
std::uint64_t cpu_used_us() {
  rusage ru{};
  ::getrusage(RUSAGE_SELF, &ru);
  auto us = [](const timeval& t) {
    return static_cast<std::uint64_t>(t.tv_sec) * 1'000'000
           + static_cast<std::uint64_t>(t.tv_usec);
  };
  return us(ru.ru_utime) + us(ru.ru_stime);
}

/// RLIMIT_CPU counts the whole life of the process: the limit of one file
/// is what it has used so far plus the per-file seconds. Only the soft
/// limit moves (SIGXCPU ends the worker); a hard limit cannot be raised
/// again without privileges.
void limit_cpu_for_next_file(std::uint64_t per_file_s) {
  rlimit cur{};
  ::getrlimit(RLIMIT_CPU, &cur);
  auto used_s = (cpu_used_us() + 999'999) / 1'000'000;
  rlim_t soft = static_cast<rlim_t>(used_s + per_file_s);
  if (cur.rlim_max != RLIM_INFINITY && soft > cur.rlim_max)
    soft = cur.rlim_max;
  set_limit(RLIMIT_CPU, soft, cur.rlim_max);
}

} // namespace

int serve_extractions(const runner_limits& lim) {
  // The protocol gets a descriptor of its own; fd 1 becomes /dev/null so
  // that nothing a library prints can reach the caller as an answer.
  int proto = ::fcntl(1, F_DUPFD_CLOEXEC, 3);
  int devnull = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  if (proto < 0 || devnull < 0 || ::dup2(devnull, 1) < 0)
    return 2;
  ::close(devnull);
  // The limits every file is read under (extract/runner.hpp), applied
  // before the first request.
  bool ok = set_limit(RLIMIT_CORE, 0, 0) && set_limit(RLIMIT_FSIZE, 0, 0)
            && set_limit(RLIMIT_NOFILE, lim.open_files, lim.open_files);
  if (ok && lim.address_space_bytes > 0 && !sanitized_build())
    ok = set_limit(RLIMIT_AS, lim.address_space_bytes, lim.address_space_bytes);
  if (!ok)
    return 2;
  request_reader in;
  for (;;) {
    auto line = in.line(256);
    if (!line)
      return 0; // the end of input: the caller is done
    auto h = parse_request_header(*line);
    if (!h)
      return 2;
    auto fields = in.bytes(h->file + h->mime + h->name);
    if (!fields)
      return 2;
    extract_request req{fields->substr(0, h->file),
                        fields->substr(h->file, h->mime),
                        fields->substr(h->file + h->mime)};
    limit_cpu_for_next_file(static_cast<std::uint64_t>(lim.cpu.count()));
    auto cpu_before = cpu_used_us();
    std::string text;
    answer_header a;
    std::string reason;
    {
      text_sink sink{lim.extract.max_text_bytes, [&text](std::string_view s) {
                       text.append(s);
                     }};
      auto o = extract_file(req, lim.extract, sink);
      a.status = o.status;
      if (o.extracted()) {
        sink.finish();
        a.has_text = true;
        a.cut = sink.full();
        if (a.cut)
          reason = cut_reason(lim.extract.max_text_bytes);
      } else {
        sink.flush();
        text.clear();
        reason = o.reason;
      }
    }
    if (reason.size() > max_reason_bytes)
      reason.resize(max_reason_bytes);
    a.cpu_us = cpu_used_us() - cpu_before;
    if (!write_all(proto, encode_answer(a, text, reason)))
      return 0; // the caller is gone
    text = std::string{};
    ::malloc_trim(0);
  }
}

} // namespace jirasync::extract
