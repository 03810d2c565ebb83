#include "extract/runner.hpp"

#include "common/subprocess.hpp"
#include "common/utf8.hpp"
#include "extract/formats.hpp"

#include <csignal>
#include <cstdlib>
#include <new>

#include <sys/resource.h>

#if defined(__SANITIZE_ADDRESS__)
#define JIRASYNC_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define JIRASYNC_ASAN 1
#endif
#endif

namespace jirasync::extract {

namespace {

constexpr std::string_view cut_prefix = "cut: ";

/// stderr kept from the child: its status line, or the head of a crash
/// report.
constexpr std::size_t max_stderr = 16 << 10;

std::string first_line(std::string_view s) {
  while (!s.empty() && (s.front() == '\n' || s.front() == ' '))
    s.remove_prefix(1);
  auto nl = s.find('\n');
  std::string out{s.substr(0, nl)};
  if (out.size() > 300)
    out.resize(common::utf8_prefix_length(out, 300));
  std::string valid;
  common::append_valid_utf8(valid, out);
  return valid;
}

extraction no_text(text_status s, std::string reason) {
  extraction e;
  e.status = s;
  e.reason = std::move(reason);
  return e;
}

} // namespace

bool sanitized_build() {
#ifdef JIRASYNC_ASAN
  return true;
#else
  return false;
#endif
}

std::string status_line(const extract_outcome& o) {
  std::string reason = o.reason;
  for (auto& c : reason)
    if (c == '\n' || c == '\r')
      c = ' ';
  return std::string{to_string(o.status)} + ": " + reason;
}

std::string cut_line(std::size_t max_bytes) {
  return std::string{cut_prefix} + "text cut at the "
         + std::to_string(max_bytes) + "-byte cap";
}

std::optional<extract_outcome> parse_status_line(std::string_view err) {
  std::optional<extract_outcome> found;
  while (!err.empty()) {
    auto nl = err.find('\n');
    auto line = err.substr(0, nl);
    auto colon = line.find(": ");
    if (colon != std::string_view::npos) {
      auto st = parse_text_status(line.substr(0, colon));
      if (st && *st != text_status::extracted && *st != text_status::skipped)
        found = extract_outcome::fail(*st, std::string{line.substr(colon + 2)});
    }
    if (nl == std::string_view::npos)
      break;
    err.remove_prefix(nl + 1);
  }
  return found;
}

std::vector<std::string> extraction_argv(const runner_options& opts,
                                         const extract_request& req) {
  const auto& x = opts.limits.extract;
  std::vector<std::string> argv{opts.jirasync_bin.string(), "extract",
                                req.file.string()};
  if (!req.mime.empty())
    argv.insert(argv.end(), {"--mime", req.mime});
  if (!req.filename.empty())
    argv.insert(argv.end(), {"--name", req.filename});
  argv.insert(argv.end(),
              {"--max-bytes", std::to_string(x.max_text_bytes),
               "--max-zip-entry-bytes", std::to_string(x.max_zip_entry_bytes),
               "--max-zip-total-bytes", std::to_string(x.max_zip_total_bytes),
               "--max-zip-entries", std::to_string(x.max_zip_entries)});
  return argv;
}

extraction run_extraction(const runner_options& opts,
                          const extract_request& req) {
  const auto& lim = opts.limits;
  common::subprocess_options sp;
  sp.argv = extraction_argv(opts, req);
  sp.timeout = lim.wall;
  sp.max_stdout_bytes = lim.extract.max_text_bytes;
  sp.kill_on_stdout_overflow = true;
  sp.max_stderr_bytes = max_stderr;
  auto cpu = static_cast<std::uint64_t>(lim.cpu.count());
  sp.rlimits = {{RLIMIT_CPU, cpu, cpu + 1},
                {RLIMIT_CORE, 0, 0},  // no core files of hostile input
                {RLIMIT_FSIZE, 0, 0}, // the child writes pipes only
                {RLIMIT_NOFILE, lim.open_files, lim.open_files}};
  if (lim.address_space_bytes > 0) {
    if (sanitized_build()) {
      const char* inherited = std::getenv("ASAN_OPTIONS");
      std::string v = inherited && *inherited ? std::string{inherited} + ":"
                                              : std::string{};
      v += "hard_rss_limit_mb="
           + std::to_string(
             std::max<std::uint64_t>(1, lim.address_space_bytes >> 20));
      sp.env.push_back("ASAN_OPTIONS=" + v);
    } else {
      sp.rlimits.push_back(
        {RLIMIT_AS, lim.address_space_bytes, lim.address_space_bytes});
    }
  }
  auto ran = common::run_subprocess(sp);
  if (!ran)
    return no_text(text_status::failed,
                   "cannot start the extractor: " + ran.error().message);
  const auto& r = *ran;
  extraction e;
  e.cpu_time = r.cpu_time;
  if (r.timed_out) {
    e.status = text_status::timeout;
    e.reason = "no result within the " + std::to_string(lim.wall.count())
               + " ms wall-clock limit";
    return e;
  }
  if (r.term_signal
      && (*r.term_signal == SIGXCPU
          || (*r.term_signal == SIGKILL && !r.killed_for_output
              && r.cpu_time >= lim.cpu))) {
    e.status = text_status::timeout;
    e.reason = "CPU limit of " + std::to_string(cpu) + " s reached";
    return e;
  }
  if (r.killed_for_output) {
    e.status = text_status::failed;
    e.reason = "the extractor wrote more than the "
               + std::to_string(lim.extract.max_text_bytes) + "-byte cap";
    return e;
  }
  if (r.term_signal) {
    e.status = text_status::failed;
    e.reason = "the extractor crashed (" + r.describe() + ")";
    return e;
  }
  if (r.exit_code == 0) {
    e.status = text_status::extracted;
    std::string text;
    common::append_valid_utf8(text, r.out); // defence in depth
    e.text = std::move(text);
    auto pos = r.err.find(cut_prefix);
    if (pos != std::string::npos) {
      e.truncated = true;
      e.reason
        = first_line(std::string_view{r.err}.substr(pos + cut_prefix.size()));
    }
    return e;
  }
  if (r.exit_code == 1) {
    if (auto st = parse_status_line(r.err)) {
      e.status = st->status;
      e.reason = st->reason;
      return e;
    }
  }
  e.status = text_status::failed;
  auto line = first_line(r.err);
  e.reason = "the extractor ended with " + r.describe()
             + (line.empty() ? std::string{} : ": " + line);
  return e;
}

std::optional<extraction> extract_without_child(const runner_options& opts,
                                                const extract_request& req) {
  try {
    if (guess_file_format(req).format != doc_format::text)
      return std::nullopt;
    const auto cap = opts.limits.extract.max_text_bytes;
    std::string out;
    text_sink sink{cap, [&out](std::string_view s) {
                     out.append(s);
                   }};
    // What the child does (app/cmd_extract.cpp), with a string for stdout.
    auto o = extract_plain_text(req.file, sink);
    if (!o.extracted())
      return no_text(o.status, o.reason);
    sink.finish();
    extraction e;
    e.status = text_status::extracted;
    std::string text;
    common::append_valid_utf8(text, out); // as run_extraction() does
    e.text = std::move(text);
    if (sink.full()) {
      e.truncated = true;
      e.reason = first_line(cut_line(cap).substr(cut_prefix.size()));
    }
    return e;
  } catch (const std::bad_alloc&) {
    return no_text(text_status::too_large,
                   "out of memory while extracting plain text");
  } catch (const std::exception& ex) {
    return no_text(text_status::failed,
                   std::string{"internal error: "} + ex.what());
  }
}

} // namespace jirasync::extract
