#include "extract/worker.hpp"

#include "common/utf8.hpp"

#include <algorithm>
#include <charconv>
#include <csignal>
#include <cstdlib>

namespace jirasync::extract {

namespace {

using steady = std::chrono::steady_clock;
using std::chrono::milliseconds;

/// Parses the next space-separated unsigned number of `s`.
std::optional<std::uint64_t> next_number(std::string_view& s) {
  while (!s.empty() && s.front() == ' ')
    s.remove_prefix(1);
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p == s.data())
    return std::nullopt;
  s.remove_prefix(static_cast<std::size_t>(p - s.data()));
  return v;
}

/// The next space-separated word of `s`.
std::string_view next_word(std::string_view& s) {
  while (!s.empty() && s.front() == ' ')
    s.remove_prefix(1);
  auto end = std::min(s.find(' '), s.size());
  auto w = s.substr(0, end);
  s.remove_prefix(end);
  return w;
}

bool at_end(std::string_view s) {
  return s.find_first_not_of(' ') == std::string_view::npos;
}

extraction no_text(text_status s, std::string reason) {
  extraction e;
  e.status = s;
  e.reason = std::move(reason);
  return e;
}

/// A reason as one line of valid UTF-8.
std::string one_line(std::string_view s) {
  std::string out;
  common::append_valid_utf8(out, s);
  std::replace_if(
    out.begin(), out.end(),
    [](char c) {
      return c == '\n' || c == '\r';
    },
    ' ');
  return out;
}

} // namespace

std::string encode_request(const extract_request& req) {
  auto file = req.file.string();
  return "extract " + std::to_string(file.size()) + " "
         + std::to_string(req.mime.size()) + " "
         + std::to_string(req.filename.size()) + "\n" + file + req.mime
         + req.filename;
}

std::optional<request_header> parse_request_header(std::string_view line) {
  if (next_word(line) != "extract")
    return std::nullopt;
  auto f = next_number(line);
  auto m = next_number(line);
  auto n = next_number(line);
  if (!f || !m || !n || !at_end(line) || *f > max_request_field_bytes
      || *m > max_request_field_bytes || *n > max_request_field_bytes
      || *f == 0)
    return std::nullopt;
  return request_header{*f, *m, *n};
}

std::string encode_answer(const answer_header& h, std::string_view text,
                          std::string_view reason) {
  std::string out{to_string(h.status)};
  out += " ";
  out += h.cut ? "1" : "0";
  out += " ";
  out += h.has_text ? "1" : "0";
  out += " " + std::to_string(text.size()) + " " + std::to_string(reason.size())
         + " " + std::to_string(h.cpu_us) + "\n";
  out.append(text);
  out.append(reason);
  return out;
}

std::optional<answer_header> parse_answer_header(std::string_view line) {
  answer_header h;
  auto st = parse_text_status(next_word(line));
  auto cut = next_number(line);
  auto has = next_number(line);
  auto text = next_number(line);
  auto reason = next_number(line);
  auto cpu = next_number(line);
  if (!st || !cut || !has || !text || !reason || !cpu || !at_end(line)
      || *cut > 1 || *has > 1 || *reason > max_reason_bytes
      || (*has == 0 && *text > 0))
    return std::nullopt;
  h.status = *st;
  h.cut = *cut == 1;
  h.has_text = *has == 1;
  h.text = static_cast<std::size_t>(*text);
  h.reason = static_cast<std::size_t>(*reason);
  h.cpu_us = *cpu;
  return h;
}

std::vector<std::string> worker_argv(const runner_options& opts) {
  const auto& l = opts.limits;
  const auto& x = l.extract;
  return {opts.jirasync_bin.string(),
          "extract",
          "--worker",
          "--cpu-seconds",
          std::to_string(l.cpu.count()),
          "--address-space-bytes",
          std::to_string(l.address_space_bytes),
          "--open-files",
          std::to_string(l.open_files),
          "--max-bytes",
          std::to_string(x.max_text_bytes),
          "--max-zip-entry-bytes",
          std::to_string(x.max_zip_entry_bytes),
          "--max-zip-total-bytes",
          std::to_string(x.max_zip_total_bytes),
          "--max-zip-entries",
          std::to_string(x.max_zip_entries)};
}

extraction_worker::extraction_worker(runner_options opts, std::size_t max_jobs)
    : opts_(std::move(opts)), max_jobs_(std::max<std::size_t>(1, max_jobs)) {}

extraction_worker::~extraction_worker() {
  stop();
}

std::optional<int> extraction_worker::pid() const {
  if (!child_)
    return std::nullopt;
  return child_->pid();
}

void extraction_worker::stop(milliseconds grace) {
  if (!child_)
    return;
  // End of input: the worker finishes and exits; a stuck one is killed.
  child_->close_input();
  if (!child_->wait_exit(grace))
    child_->stop(milliseconds(0));
  child_.reset();
  jobs_ = 0;
}

common::result<void> extraction_worker::start() {
  common::child_spec spec;
  spec.argv = worker_argv(opts_);
  spec.in = common::child_input::pipe;
  spec.out = common::child_output::pipe;
  // Library noise (poppler, an ASan report) is not the protocol; the
  // status and reason of each file come over stdout.
  spec.err = common::child_output::discard;
  spec.own_process_group = true;
  const auto as = opts_.limits.address_space_bytes;
  if (as > 0 && sanitized_build()) {
    // ASan reserves terabytes of address space: no RLIMIT_AS in the
    // worker, a cap on resident memory instead (runner_limits).
    const char* inherited = std::getenv("ASAN_OPTIONS");
    std::string v
      = inherited && *inherited ? std::string{inherited} + ":" : std::string{};
    v += "hard_rss_limit_mb="
         + std::to_string(std::max<std::uint64_t>(1, as >> 20));
    spec.env.push_back("ASAN_OPTIONS=" + v);
  }
  auto c = common::child_process::start(spec);
  if (!c)
    return c.error();
  child_.emplace(std::move(*c));
  jobs_ = 0;
  ++starts_;
  return {};
}

extraction extraction_worker::timed_out() {
  child_->signal(SIGKILL);
  child_->stop(milliseconds(0));
  child_.reset();
  return no_text(text_status::timeout,
                 "no result within the "
                   + std::to_string(opts_.limits.wall.count())
                   + " ms wall-clock limit");
}

extraction extraction_worker::ended() {
  // Its output ended: it exits (or has exited); a worker that closed its
  // output but lives on is killed. One that had served earlier files may
  // have died of something else than this file (killed from outside while
  // idle, before its end could be seen; memory an earlier file spoiled):
  // extract() tries the file once more in a fresh process.
  died_after_reuse_ = jobs_ > 1;
  auto st = child_->wait_exit(milliseconds(2000));
  int status = st ? *st : child_->stop(milliseconds(0));
  child_.reset();
  if (status > 128) {
    int sig = status - 128;
    if (sig == SIGXCPU)
      return no_text(text_status::timeout,
                     "CPU limit of " + std::to_string(opts_.limits.cpu.count())
                       + " s reached");
    return no_text(text_status::failed,
                   "the extractor crashed (killed by signal "
                     + std::to_string(sig) + " (" + common::signal_name(sig)
                     + "))");
  }
  return no_text(text_status::failed, "the extractor ended with exit code "
                                        + std::to_string(status)
                                        + " without an answer");
}

extraction extraction_worker::extract(const extract_request& req) {
  auto e = once(req);
  // A fresh process: its answer is the file's own.
  return died_after_reuse_ ? once(req) : e;
}

extraction extraction_worker::once(const extract_request& req) {
  died_after_reuse_ = false;
  try {
    const auto& lim = opts_.limits;
    if (child_ && (jobs_ >= max_jobs_ || child_->exited()))
      stop();
    bool fresh = false;
    if (!child_) {
      if (auto r = start(); !r)
        return no_text(text_status::failed,
                       "cannot start the extractor: " + r.error().message);
      fresh = true;
    }
    const auto deadline = steady::now() + lim.wall;
    auto left = [&] {
      return std::max(milliseconds(1), std::chrono::duration_cast<milliseconds>(
                                         deadline - steady::now()));
    };
    const auto request = encode_request(req);
    auto sent = child_->write_all(request, left());
    if (!sent && sent.error().code == common::errc::not_found && !fresh) {
      // The worker ended while idle (killed from outside, say): a new one.
      stop(milliseconds(0));
      if (auto r = start(); !r)
        return no_text(text_status::failed,
                       "cannot start the extractor: " + r.error().message);
      sent = child_->write_all(request, left());
    }
    if (!sent)
      return sent.error().code == common::errc::timeout ? timed_out() : ended();
    ++jobs_;
    auto line = child_->read_line(left());
    if (!line)
      return line.error().code == common::errc::timeout ? timed_out() : ended();
    auto h = parse_answer_header(*line);
    if (!h) {
      stop(milliseconds(0));
      return no_text(text_status::failed,
                     "the extractor answered out of protocol");
    }
    if (h->text > lim.extract.max_text_bytes) {
      stop(milliseconds(0));
      return no_text(text_status::failed,
                     "the extractor wrote more than the "
                       + std::to_string(lim.extract.max_text_bytes)
                       + "-byte cap");
    }
    auto body = child_->read_exact(h->text + h->reason, left());
    if (!body)
      return body.error().code == common::errc::timeout ? timed_out() : ended();
    extraction e;
    e.status = h->status;
    e.truncated = h->cut;
    e.cpu_time = std::chrono::microseconds(h->cpu_us);
    if (h->has_text) {
      std::string text;
      common::append_valid_utf8(
        text, std::string_view{*body}.substr(0, h->text)); // defence in depth
      e.text = std::move(text);
    }
    e.reason = one_line(std::string_view{*body}.substr(h->text));
    // Out of memory may leave a heap the next file should not inherit.
    if (e.status == text_status::too_large)
      stop(milliseconds(0));
    return e;
  } catch (const std::exception& ex) {
    stop(milliseconds(0));
    return no_text(text_status::failed,
                   std::string{"internal error: "} + ex.what());
  }
}

} // namespace jirasync::extract
