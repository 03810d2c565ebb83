#pragma once
// When `jirasync serve` starts a sync: the strategies of the reference
// connector guide and the retry of failed runs, as a plain state machine.
// Time is passed in (UTC milliseconds); no clock is read here.
//
//   scheduled  the first run is due at start; a run that ends (ok, partial
//              or cancelled) makes the next one due `interval` after it
//              STARTED (at once when that moment has passed already).
//   manual     a run only on trigger().
//   trigger()  runs now when idle; during a run it is queued ONCE (a
//              second trigger adds nothing, but full=true sticks); the
//              queued run starts when the current one ends.
//   failure    a failed run is retried after retry_initial, doubling with
//              each consecutive failure up to retry_max (both strategies);
//              the retry keeps the failed run's `full`. A success resets it.
//   cancel()   drops the queued trigger and the pending retry; a cancelled
//              run is not retried.
//   reauth     a run that ended because the credentials were refused
//              (invalid_grant, a 401 to an API token) is NOT retried and
//              nothing is scheduled: every run would fail the same way
//              until a person acts; a trigger queued during that run is
//              dropped. The next run waits for trigger() (POST /sync) or
//              set_options() (SIGHUP, e.g. after `jirasync auth login` or a
//              new API token), which makes a scheduled run due at once.
// At most one run is out at a time: take_due() answers nothing until
// finished() is called for the run it handed out.
//
// Thread-safety: none; the service guards it with its mutex.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace jirasync::service {

struct schedule_options {
  /// false: manual. Default: true (scheduled).
  bool scheduled = true;
  /// Between the starts of two scheduled runs. Default: 60 min.
  std::chrono::milliseconds interval = std::chrono::minutes(60);
  /// The delay after a first failure. Default: 60 s.
  std::chrono::milliseconds retry_initial = std::chrono::seconds(60);
  /// The longest delay between retries. Default: 30 min.
  std::chrono::milliseconds retry_max = std::chrono::minutes(30);
};

/// Why a run starts.
enum class run_reason { start, schedule, trigger, retry };

/// "start", "schedule", "trigger", "retry".
std::string_view to_string(run_reason r);

/// How a run ended, for the scheduler.
enum class run_outcome { ok, partial, failed, cancelled, reauth_required };

/// "ok", "partial", "failed", "cancelled", "reauth_required".
std::string_view to_string(run_outcome o);

struct run_ticket {
  /// A full sync was asked for (POST /sync?full=1).
  bool full = false;
  run_reason reason = run_reason::start;
};

enum class trigger_result {
  /// Idle: the run is due now.
  due_now,
  /// A run is in progress: this one follows it.
  queued,
  /// A run is in progress and one is queued already: nothing added.
  already_queued,
};

class scheduler {
public:
  scheduler(schedule_options options, std::int64_t now_ms);

  /// The run to start now, if one is due; the scheduler then counts it as
  /// running until finished().
  std::optional<run_ticket> take_due(std::int64_t now_ms);

  /// The run handed out by take_due() ended.
  void finished(run_outcome outcome, std::int64_t now_ms);

  trigger_result trigger(bool full);

  /// Drops the queued trigger and the pending retry. True when a run is in
  /// progress (the caller stops it).
  bool cancel();

  /// New strategy, interval or retry delays (a config reload). A scheduled
  /// run already due stays due; switching to scheduled makes one due
  /// `interval` after the last start (or now, if none yet).
  void set_options(schedule_options options, std::int64_t now_ms);

  /// When take_due() will next hand out a run without a trigger; nullopt:
  /// only a trigger starts one (manual, or a run in progress).
  std::optional<std::int64_t> next_due_ms() const;

  bool running() const {
    return running_;
  }
  bool queued() const {
    return queued_.has_value();
  }
  /// Failed runs in a row (0 after a success).
  int consecutive_failures() const {
    return failures_;
  }
  /// The last run's credentials were refused: nothing runs until a
  /// trigger or new options.
  bool waiting_for_credentials() const {
    return reauth_wait_;
  }
  /// The pending due time is a retry of a failed run.
  bool retry_pending() const {
    return due_ms_ && due_reason_ == run_reason::retry;
  }

private:
  std::int64_t retry_delay_ms() const;

  schedule_options opt_;
  bool running_ = false;
  run_ticket current_;
  std::optional<std::int64_t> last_start_ms_;
  /// The next run that comes without a trigger.
  std::optional<std::int64_t> due_ms_;
  run_reason due_reason_ = run_reason::start;
  bool due_full_ = false;
  /// A trigger waiting: its `full`.
  std::optional<bool> queued_;
  int failures_ = 0;
  bool reauth_wait_ = false;
};

} // namespace jirasync::service
