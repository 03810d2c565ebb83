#include "service/scheduler.hpp"

#include <algorithm>

namespace jirasync::service {

std::string_view to_string(run_reason r) {
  switch (r) {
    case run_reason::start:
      return "start";
    case run_reason::schedule:
      return "schedule";
    case run_reason::trigger:
      return "trigger";
    case run_reason::retry:
      return "retry";
  }
  return "start";
}

std::string_view to_string(run_outcome o) {
  switch (o) {
    case run_outcome::ok:
      return "ok";
    case run_outcome::partial:
      return "partial";
    case run_outcome::failed:
      return "failed";
    case run_outcome::cancelled:
      return "cancelled";
    case run_outcome::reauth_required:
      return "reauth_required";
  }
  return "failed";
}

scheduler::scheduler(schedule_options options, std::int64_t now_ms)
    : opt_(options) {
  if (opt_.scheduled) {
    due_ms_ = now_ms;
    due_reason_ = run_reason::start;
  }
}

std::optional<run_ticket> scheduler::take_due(std::int64_t now_ms) {
  if (running_)
    return std::nullopt;
  run_ticket t;
  if (queued_) {
    // A trigger goes first; a pending retry or schedule is covered by it.
    t.full = *queued_ || (due_ms_ && due_full_);
    t.reason = run_reason::trigger;
    queued_.reset();
  } else if (due_ms_ && now_ms >= *due_ms_) {
    t.full = due_full_;
    t.reason = due_reason_;
  } else {
    return std::nullopt;
  }
  due_ms_.reset();
  due_full_ = false;
  reauth_wait_ = false;
  running_ = true;
  current_ = t;
  last_start_ms_ = now_ms;
  return t;
}

std::int64_t scheduler::retry_delay_ms() const {
  auto initial = opt_.retry_initial.count();
  auto max = std::max(opt_.retry_max.count(), initial);
  auto delay = initial;
  for (int i = 1; i < failures_ && delay < max; ++i)
    delay *= 2;
  return std::min(delay, max);
}

void scheduler::finished(run_outcome outcome, std::int64_t now_ms) {
  if (!running_)
    return;
  running_ = false;
  if (outcome == run_outcome::reauth_required) {
    // Every run would be refused the same way: wait for a person.
    due_ms_.reset();
    due_full_ = false;
    queued_.reset();
    reauth_wait_ = true;
    return;
  }
  if (outcome == run_outcome::failed) {
    ++failures_;
    due_ms_ = now_ms + retry_delay_ms();
    due_reason_ = run_reason::retry;
    due_full_ = current_.full;
    return;
  }
  if (outcome != run_outcome::cancelled)
    failures_ = 0;
  if (opt_.scheduled) {
    due_ms_ = std::max(*last_start_ms_ + opt_.interval.count(), now_ms);
    due_reason_ = run_reason::schedule;
  } else {
    due_ms_.reset();
  }
  due_full_ = false;
}

trigger_result scheduler::trigger(bool full) {
  if (!running_) {
    // A trigger already waiting for take_due(): the run it starts covers
    // this one too (it has not read anything yet).
    auto result
      = queued_ ? trigger_result::already_queued : trigger_result::due_now;
    queued_ = queued_.value_or(false) || full;
    return result;
  }
  if (queued_) {
    queued_ = *queued_ || full;
    return trigger_result::already_queued;
  }
  queued_ = full;
  return trigger_result::queued;
}

bool scheduler::cancel() {
  queued_.reset();
  if (due_ms_ && due_reason_ == run_reason::retry) {
    // Back to the plain schedule (or nothing, when manual).
    due_ms_.reset();
    if (opt_.scheduled && last_start_ms_)
      due_ms_ = *last_start_ms_ + opt_.interval.count();
    due_reason_ = run_reason::schedule;
    due_full_ = false;
  }
  return running_;
}

void scheduler::set_options(schedule_options options, std::int64_t now_ms) {
  bool was_scheduled = opt_.scheduled;
  opt_ = options;
  if (reauth_wait_ && !running_) {
    // New credentials may be in place: a scheduled site runs at once.
    reauth_wait_ = false;
    if (opt_.scheduled) {
      due_ms_ = now_ms;
      due_reason_ = run_reason::schedule;
    }
    return;
  }
  if (running_ || (due_ms_ && due_reason_ == run_reason::retry))
    return; // finished() / the retry apply the new options
  if (!opt_.scheduled) {
    due_ms_.reset();
    return;
  }
  if (!was_scheduled || !due_ms_) {
    due_ms_ = last_start_ms_
                ? std::max(*last_start_ms_ + opt_.interval.count(), now_ms)
                : now_ms;
    due_reason_ = last_start_ms_ ? run_reason::schedule : run_reason::start;
  } else if (last_start_ms_) {
    // A new interval moves the next scheduled run.
    due_ms_ = std::max(*last_start_ms_ + opt_.interval.count(), now_ms);
  }
}

std::optional<std::int64_t> scheduler::next_due_ms() const {
  if (running_)
    return std::nullopt;
  return due_ms_;
}

} // namespace jirasync::service
