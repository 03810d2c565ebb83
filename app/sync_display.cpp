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
    << s.attachments_done << " | requests " << s.requests
    << " | rate-limit waits " << s.rate_limit_waits;
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
  out << "  users " << r.users << ", groups " << r.groups << ", projects "
      << r.projects << "\n"
      << "  issues " << r.issues << ", comments " << r.comments
      << ", attachments " << r.attachments;
  if (r.attachments_skipped > 0)
    out << " (" << r.attachments_skipped << " over attachment_max_bytes)";
  out << "\n"
      << "  records: added " << r.store.added << ", updated " << r.store.updated
      << ", unchanged " << r.store.unchanged << ", deleted " << r.store.deleted
      << "\n"
      << "  removed: issues " << r.issues_removed << ", projects "
      << r.projects_removed << ", users " << r.users_removed << ", groups "
      << r.groups_removed << "; ACLs recomputed: " << r.acls_refreshed
      << " record(s)\n"
      << "  requests " << r.api.requests << " (retries " << r.api.retries
      << ", 429 responses " << r.api.responses_429 << "), rate-limit waits "
      << r.governor.rate_limit_waits << " (" << r.governor.wait_ms / 1000
      << " s waited)\n";
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
  auto result = r.result();
  if (result == sync::run_result::ok)
    return static_cast<int>(exit_code::ok);
  if (result == sync::run_result::partial)
    return static_cast<int>(exit_code::partial);
  return static_cast<int>(exit_code::failure);
}

} // namespace jirasync::app
