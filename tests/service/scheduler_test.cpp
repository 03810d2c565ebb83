// The service's schedule with an injected clock (plain ms values): the
// scheduled and manual strategies, triggers queued once, retries with
// backoff, cancel, reload.
#include "service/scheduler.hpp"

#include <catch2/catch.hpp>

using namespace jirasync::service;

namespace {

constexpr std::int64_t min = 60'000;
constexpr std::int64_t t0 = 1'700'000'000'000;

schedule_options scheduled(int interval_min = 60) {
  schedule_options o;
  o.scheduled = true;
  o.interval = std::chrono::minutes(interval_min);
  o.retry_initial = std::chrono::seconds(60);
  o.retry_max = std::chrono::minutes(8);
  return o;
}

schedule_options manual() {
  auto o = scheduled();
  o.scheduled = false;
  return o;
}

} // namespace

TEST_CASE("scheduled: the first run at start, then every interval from its "
          "start",
          "[service]") {
  scheduler s{scheduled(60), t0};
  CHECK(s.next_due_ms() == t0);
  auto first = s.take_due(t0);
  REQUIRE(first);
  CHECK(first->reason == run_reason::start);
  CHECK_FALSE(first->full);
  CHECK(s.running());
  CHECK_FALSE(s.take_due(t0 + 1)); // never two at once
  CHECK_FALSE(s.next_due_ms());
  s.finished(run_outcome::ok, t0 + 10 * min);
  CHECK(s.next_due_ms() == t0 + 60 * min); // from the start, not the end
  CHECK_FALSE(s.take_due(t0 + 60 * min - 1));
  auto second = s.take_due(t0 + 60 * min);
  REQUIRE(second);
  CHECK(second->reason == run_reason::schedule);
  // A run longer than the interval: the next one is due at once.
  s.finished(run_outcome::partial, t0 + 130 * min);
  CHECK(s.next_due_ms() == t0 + 130 * min);
}

TEST_CASE("manual: nothing runs until a trigger", "[service]") {
  scheduler s{manual(), t0};
  CHECK_FALSE(s.next_due_ms());
  CHECK_FALSE(s.take_due(t0 + 1000 * min));
  CHECK(s.trigger(false) == trigger_result::due_now);
  auto r = s.take_due(t0 + 1000 * min);
  REQUIRE(r);
  CHECK(r->reason == run_reason::trigger);
  s.finished(run_outcome::ok, t0 + 1001 * min);
  CHECK_FALSE(s.next_due_ms());
  CHECK_FALSE(s.take_due(t0 + 5000 * min));
}

TEST_CASE("triggers during a run are queued once, full sticks", "[service]") {
  scheduler s{manual(), t0};
  s.trigger(false);
  REQUIRE(s.take_due(t0));
  CHECK(s.trigger(false) == trigger_result::queued);
  CHECK(s.trigger(true) == trigger_result::already_queued);
  CHECK(s.trigger(false) == trigger_result::already_queued);
  CHECK(s.queued());
  CHECK_FALSE(s.take_due(t0 + 1)); // still running
  s.finished(run_outcome::ok, t0 + 5 * min);
  auto next = s.take_due(t0 + 5 * min);
  REQUIRE(next);
  CHECK(next->reason == run_reason::trigger);
  CHECK(next->full);
  s.finished(run_outcome::ok, t0 + 6 * min);
  // Exactly one extra run: nothing else is queued.
  CHECK_FALSE(s.take_due(t0 + 6 * min));
  CHECK_FALSE(s.queued());
}

TEST_CASE("a failed run is retried with doubling delays up to the cap, and "
          "a success resets them",
          "[service]") {
  scheduler s{scheduled(60), t0};
  auto now = t0;
  REQUIRE(s.take_due(now));
  std::vector<std::int64_t> delays;
  for (int i = 0; i < 6; ++i) {
    now += min;
    s.finished(run_outcome::failed, now);
    REQUIRE(s.next_due_ms());
    CHECK(s.retry_pending());
    delays.push_back(*s.next_due_ms() - now);
    CHECK_FALSE(s.take_due(*s.next_due_ms() - 1));
    now = *s.next_due_ms();
    auto r = s.take_due(now);
    REQUIRE(r);
    CHECK(r->reason == run_reason::retry);
  }
  CHECK(delays
        == std::vector<std::int64_t>{1 * min, 2 * min, 4 * min, 8 * min,
                                     8 * min, 8 * min});
  CHECK(s.consecutive_failures() == 6);
  s.finished(run_outcome::ok, now + min);
  CHECK(s.consecutive_failures() == 0);
  CHECK_FALSE(s.retry_pending());
  CHECK(s.next_due_ms() == now + 60 * min);
}

TEST_CASE("a retry keeps the failed run's full flag - manual runs are retried "
          "too",
          "[service]") {
  scheduler s{manual(), t0};
  s.trigger(true);
  REQUIRE(s.take_due(t0));
  s.finished(run_outcome::failed, t0 + min);
  CHECK(s.next_due_ms() == t0 + 2 * min);
  auto r = s.take_due(t0 + 2 * min);
  REQUIRE(r);
  CHECK(r->full);
  CHECK(r->reason == run_reason::retry);
}

TEST_CASE("cancel drops the queued trigger and the pending retry - a cancelled "
          "run is not retried",
          "[service]") {
  scheduler s{scheduled(60), t0};
  REQUIRE(s.take_due(t0));
  s.trigger(false);
  CHECK(s.cancel()); // a run is in progress
  CHECK_FALSE(s.queued());
  s.finished(run_outcome::cancelled, t0 + min);
  CHECK_FALSE(s.retry_pending());
  CHECK(s.next_due_ms() == t0 + 60 * min);

  REQUIRE(s.take_due(t0 + 60 * min));
  s.finished(run_outcome::failed, t0 + 61 * min);
  CHECK(s.retry_pending());
  CHECK_FALSE(s.cancel()); // nothing running
  CHECK_FALSE(s.retry_pending());
  CHECK(s.next_due_ms() == t0 + 120 * min);
}

TEST_CASE("a reload changes the strategy and the interval", "[service]") {
  scheduler s{manual(), t0};
  CHECK_FALSE(s.next_due_ms());
  s.set_options(scheduled(30), t0 + 5 * min);
  CHECK(s.next_due_ms() == t0 + 5 * min); // never ran: at once
  REQUIRE(s.take_due(t0 + 5 * min));
  s.finished(run_outcome::ok, t0 + 6 * min);
  CHECK(s.next_due_ms() == t0 + 35 * min);
  s.set_options(scheduled(10), t0 + 7 * min);
  CHECK(s.next_due_ms() == t0 + 15 * min);
  s.set_options(manual(), t0 + 8 * min);
  CHECK_FALSE(s.next_due_ms());
}

TEST_CASE("refused credentials stop the schedule until a trigger or a reload",
          "[service]") {
  scheduler s{scheduled(60), t0};
  REQUIRE(s.take_due(t0));
  CHECK(s.trigger(true) == trigger_result::queued);
  s.finished(run_outcome::reauth_required, t0 + min);
  // No retry, no scheduled run, and the trigger queued before is dropped:
  // every run would be refused the same way.
  CHECK_FALSE(s.retry_pending());
  CHECK_FALSE(s.queued());
  CHECK_FALSE(s.next_due_ms());
  CHECK(s.waiting_for_credentials());
  CHECK_FALSE(s.take_due(t0 + 1000 * min));
  CHECK(s.consecutive_failures() == 0);

  // A reload (SIGHUP after `jirasync auth login`) runs at once.
  s.set_options(scheduled(60), t0 + 1000 * min);
  CHECK_FALSE(s.waiting_for_credentials());
  CHECK(s.next_due_ms() == t0 + 1000 * min);
  auto r = s.take_due(t0 + 1000 * min);
  REQUIRE(r);
  CHECK(r->reason == run_reason::schedule);
  CHECK_FALSE(r->full);

  // Refused again; this time a POST /sync brings it back.
  s.finished(run_outcome::reauth_required, t0 + 1001 * min);
  CHECK_FALSE(s.next_due_ms());
  CHECK(s.trigger(false) == trigger_result::due_now);
  r = s.take_due(t0 + 1002 * min);
  REQUIRE(r);
  CHECK(r->reason == run_reason::trigger);
  CHECK_FALSE(s.waiting_for_credentials());
  s.finished(run_outcome::ok, t0 + 1003 * min);
  CHECK(s.next_due_ms() == t0 + 1062 * min);
}

TEST_CASE("refused credentials under the manual strategy: only a trigger",
          "[service]") {
  scheduler s{manual(), t0};
  s.trigger(false);
  REQUIRE(s.take_due(t0));
  s.finished(run_outcome::reauth_required, t0 + min);
  s.set_options(manual(), t0 + 2 * min);
  CHECK_FALSE(s.next_due_ms());
  CHECK_FALSE(s.take_due(t0 + 3 * min));
  CHECK(s.trigger(false) == trigger_result::due_now);
  CHECK(s.take_due(t0 + 3 * min));
}
