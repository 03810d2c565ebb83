#include "app/sync_display.hpp"

#include "app/commands.hpp"

#include <chrono>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <sstream>

namespace jirasync::app {

namespace {

std::string render(const actors::progress_snapshot& s) {
  std::ostringstream o;
  o << "[" << s.phase << "] projects " << s.projects_done << "/"
    << s.projects_total << " | issues " << s.issues_done;
  if (s.issues_estimated > 0)
    o << "/~" << s.issues_estimated;
  o << " | comments " << s.comments_done << " | attachments "
    << s.attachments_done << " | requests " << s.requests;
  if (s.governor.responses_429 > 0)
    o << " | 429s " << s.governor.responses_429;
  if (!s.waiting.empty())
    o << " | " << s.waiting;
  return o.str();
}

std::string bar(const actors::progress_snapshot& s) {
  constexpr int width = 24;
  double frac = 0;
  if (s.issues_estimated > 0)
    frac = std::min(1.0, static_cast<double>(s.issues_done)
                           / static_cast<double>(s.issues_estimated));
  int filled = static_cast<int>(frac * width);
  std::string b = "[";
  b.append(static_cast<std::size_t>(filled), '#');
  b.append(static_cast<std::size_t>(width - filled), '.');
  b += "] ";
  return b;
}

std::string secs(std::int64_t ms) {
  std::ostringstream o;
  o << ms / 1000 << "." << (ms % 1000) / 100 << " s";
  return o.str();
}

/// The governor's part of the summary: requests and peak concurrency per
/// class, 429s by reason, time waited by reason, the longest wait and why.
void print_governor(std::ostream& out, const sync::governor_stats& g) {
  using protocol::endpoint_class;
  out << "  by class (requests, peak in flight):";
  bool any = false;
  for (int k = 0; k < protocol::endpoint_class_count; ++k) {
    const auto& c = g.classes[static_cast<std::size_t>(k)];
    if (c.requests == 0)
      continue;
    out << (any ? ", " : " ")
        << protocol::to_string(static_cast<endpoint_class>(k)) << " "
        << c.requests << " (peak " << c.peak_in_flight << ")";
    any = true;
  }
  out << (any ? "" : " none") << "; all at once at most " << g.peak_in_flight
      << "\n";
  out << "  429s by reason:";
  any = false;
  for (int r = 0; r < protocol::rate_limit_reason_count; ++r)
    if (auto n = g.responses_429_by_reason[static_cast<std::size_t>(r)]) {
      out << (any ? ", " : " ")
          << protocol::to_string(static_cast<protocol::rate_limit_reason>(r))
          << " " << n;
      any = true;
    }
  out << (any ? "" : " none") << "\n";
  out << "  time waited by reason:";
  any = false;
  for (int w = 0; w < sync::wait_reason_count; ++w)
    if (auto ms = g.waited_ms[static_cast<std::size_t>(w)]) {
      out << (any ? ", " : " ")
          << sync::to_string(static_cast<sync::wait_reason>(w)) << " "
          << secs(ms);
      any = true;
    }
  out << (any ? "" : " none") << "\n";
  if (g.longest_wait.waiting())
    out << "  longest wait: " << secs(g.longest_wait_ms) << ", "
        << sync::to_string(g.longest_wait.reason)
        << (g.longest_wait.cls
              ? " of " + std::string{protocol::to_string(*g.longest_wait.cls)}
              : std::string{})
        << " (" << g.longest_wait.text << ")\n";
}

} // namespace

actors::progress_fn make_progress_printer(bool tty) {
  struct printer {
    std::mutex mtx;
    std::chrono::steady_clock::time_point last{};
    std::string last_phase;
  };
  auto p = std::make_shared<printer>();
  return [p, tty](const actors::progress_snapshot& s) {
    std::lock_guard<std::mutex> guard{p->mtx};
    auto now = std::chrono::steady_clock::now();
    bool phase_changed = s.phase != p->last_phase;
    auto interval
      = tty ? std::chrono::milliseconds(100) : std::chrono::milliseconds(5000);
    if (!phase_changed && now - p->last < interval)
      return;
    p->last = now;
    p->last_phase = s.phase;
    if (tty) {
      std::fprintf(stderr, "\r\033[K%s%s", bar(s).c_str(), render(s).c_str());
      std::fflush(stderr);
    } else {
      std::fprintf(stderr, "jirasync: %s\n", render(s).c_str());
    }
  };
}

void finish_progress(bool tty) {
  if (tty) {
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
  }
}

void print_summary(std::ostream& out, const actors::sync_report& r) {
  out << "sync " << sync::to_string(r.result()) << " in "
      << r.duration_ms / 1000 << "." << (r.duration_ms % 1000) / 100 << " s\n";
  if (r.error)
    out << "  error: " << r.error->to_string() << "\n";
  out << "  mode " << r.mode;
  if (!r.mode_reason.empty())
    out << " (" << r.mode_reason << ")";
  out << "\n";
  for (const auto& [key, how] : r.project_modes)
    if (how.rfind(r.mode, 0) != 0) // only the projects that differ
      out << "    project " << key << ": " << how << "\n";
  out << "  users " << r.users;
  if (r.hidden_email_users > 0)
    out << " (" << r.hidden_email_users
        << " with hidden email: jirasync users --hidden-email)";
  out << ", groups " << r.groups << ", projects " << r.projects << "\n"
      << "  issues " << r.issues << ", comments " << r.comments
      << ", attachments " << r.attachments;
  if (r.attachments_skipped > 0)
    out << " (" << r.attachments_skipped << " over attachment_max_bytes)";
  if (r.attachments_reused > 0)
    out << " (" << r.attachments_reused
        << " already stored, not downloaded again)";
  out << "\n"
      << "  records: added " << r.store.added << ", updated " << r.store.updated
      << ", unchanged " << r.store.unchanged << ", deleted " << r.store.deleted
      << "\n"
      << "  removed: issues " << r.issues_removed << ", projects "
      << r.projects_removed << ", users " << r.users_removed << ", groups "
      << r.groups_removed;
  if (r.blobs_removed > 0)
    out << ", attachment files " << r.blobs_removed;
  out << "; ACLs recomputed: " << r.acls_refreshed << " record(s)\n"
      << "  requests " << r.api.requests << " (retries " << r.api.retries
      << ", 429 responses " << r.api.responses_429 << ")\n";
  print_governor(out, r.governor.stats);
  out << "  " << sync::describe(r.texts) << "\n";
  if (!r.texts.without_text.empty()) {
    // Files that yield no text: the attachment is stored, its text_status
    // says why. Listed, not failures (exit code unchanged).
    const auto& w = r.texts.without_text;
    out << "  attachments without text: " << w.size() << "\n";
    for (std::size_t i = 0; i < w.size(); ++i) {
      if (i == 20) {
        out << "    ... and " << w.size() - 20 << " more\n";
        break;
      }
      out << "    " << w[i].to_string() << "\n";
    }
  }
  if (!r.warnings.empty()) {
    // Content the converter cut or rendered leniently: written, but
    // never silently.
    out << "  content warnings: " << r.warnings.size() << "\n";
    std::size_t shown = 0;
    for (const auto& w : r.warnings) {
      if (++shown > 20) {
        out << "    ... and " << r.warnings.size() - 20 << " more\n";
        break;
      }
      out << "    " << w.to_string() << "\n";
    }
  }
  if (!r.degraded.empty()) {
    out << "  degraded (narrower ACLs, permission data not readable; see "
           "docs/permissions.md): "
        << r.degraded.size() << "\n";
    for (const auto& d : r.degraded)
      out << "    " << sync::describe(d) << "\n";
  }
  if (r.unknown.holders > 0)
    out << "  unknown holder types (granting nothing): " << r.unknown.holders
        << ", e.g. \"" << r.unknown.holder_example << "\"\n";
  if (r.unknown.visibilities > 0)
    out << "  unknown comment visibility types (granting nothing): "
        << r.unknown.visibilities << ", e.g. \"" << r.unknown.visibility_example
        << "\"\n";
  if (!r.failures.empty()) {
    out << "  failed: " << r.failures.size() << "\n";
    std::size_t shown = 0;
    for (const auto& f : r.failures) {
      if (++shown > 50) {
        out << "    ... and " << r.failures.size() - 50 << " more\n";
        break;
      }
      out << "    " << f.to_string() << "\n";
    }
  }
}

int exit_code_of(const actors::sync_report& r) {
  // Refused credentials need a person (a new API token, `jirasync auth
  // login`): a code of their own lets a scheduler tell them apart.
  if (r.error && r.error->code == common::errc::unauthenticated)
    return static_cast<int>(exit_code::auth);
  auto result = r.result();
  if (result == sync::run_result::ok)
    return static_cast<int>(exit_code::ok);
  if (result == sync::run_result::partial)
    return static_cast<int>(exit_code::partial);
  return static_cast<int>(exit_code::failure);
}

} // namespace jirasync::app
