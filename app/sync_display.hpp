#pragma once
// Progress display and summary of a sync run, shared by `sync` and `demo`:
// a live bar on a TTY (stderr), plain log lines otherwise.

#include "actors/sync_coordinator.hpp"

#include <iosfwd>
#include <memory>

namespace jirasync::app {

/// A thread-safe progress sink (called from actor threads). On a TTY it
/// redraws one line at most 10 times a second; otherwise it prints a line
/// on every phase change and every 5 seconds.
actors::progress_fn make_progress_printer(bool tty);

/// Clears the live bar line (TTY) before other output.
void finish_progress(bool tty);

/// The end-of-run summary (records, requests, the governor's figures:
/// requests and peak in flight per class, 429s by reason, time waited by
/// reason, the longest wait and why; duration, failures).
void print_summary(std::ostream& out, const actors::sync_report& report);

/// exit_code for a report: ok 0, partial 3, failed 1; failed because the
/// credentials were refused or the OAuth login must be renewed
/// (errc::unauthenticated) 4.
int exit_code_of(const actors::sync_report& report);

} // namespace jirasync::app
