#include "actors/rate_governor.hpp"

#include "actors/supervision.hpp"

#include <caf/all.hpp>

#include <algorithm>
#include <array>
#include <deque>
#include <utility>

namespace jirasync::actors {

std::int64_t system_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

namespace {

using protocol::endpoint_class;
using protocol::endpoint_class_count;

struct pending_permit {
  caf::typed_response_promise<permit_atom> promise;
  std::int64_t cost = 0;
  std::int64_t enqueued_ms = 0;
};

/// Index of the waits of everything in governor_state::logged.
constexpr std::size_t all_scope = endpoint_class_count;

struct governor_state {
  std::unique_ptr<sync::governor> gov;
  std::int64_t max_wait_ms = 0;
  clock_fn now;
  log_fn log;
  std::int64_t log_over_ms = 1'000;
  fault_hook fault;
  /// One FIFO per class: requests of one class share its verdict, so only
  /// each queue's front is asked (the oldest permit of a class expires
  /// first).
  std::array<std::deque<pending_permit>, endpoint_class_count> queues;
  /// The class asked first on the next drain (round robin: under the total
  /// concurrency limit no class starves the others).
  std::size_t first = 0;
  /// Time the armed wake-up fires (0 = none armed).
  std::int64_t wake_at_ms = 0;
  /// The last wait logged per scope (each class, then everything).
  std::array<std::pair<sync::wait_reason, std::int64_t>,
             endpoint_class_count + 1>
    logged{};
  static inline const char* name = "rate_governor";
};

using governor_actor = rate_governor_actor::stateful_base<governor_state>;

void arm(governor_actor* self, std::int64_t at, std::int64_t now) {
  auto& st = self->state;
  if (st.wake_at_ms != 0 && st.wake_at_ms <= at)
    return;
  st.wake_at_ms = at;
  auto delay = std::max<std::int64_t>(at - now, 1);
  self->delayed_send(self, std::chrono::milliseconds(delay), tick_atom_v);
}

/// Refuses the permits parked longer than max_wait.
void expire(governor_actor* self, std::int64_t now) {
  auto& st = self->state;
  for (auto& q : st.queues)
    while (!q.empty() && q.front().enqueued_ms + st.max_wait_ms <= now) {
      q.front().promise.deliver(caf::make_error(
        caf::sec::request_timeout,
        "no rate-limit permit within "
          + describe(std::chrono::milliseconds(st.max_wait_ms))));
      q.pop_front();
    }
}

/// Logs a wait longer than the threshold once, when it starts.
void note_wait(governor_actor* self, const sync::wait_info& w,
               std::int64_t now) {
  auto& st = self->state;
  if (!st.log || w.until_ms - now <= st.log_over_ms)
    return;
  auto scope = w.cls ? static_cast<std::size_t>(*w.cls) : all_scope;
  auto& last = st.logged[std::min(scope, all_scope)];
  if (last.first == w.reason && last.second == w.until_ms)
    return;
  last = {w.reason, w.until_ms};
  st.log("rate limit: " + sync::describe_wait(w) + " (" + w.text + ")");
}

void drain(governor_actor* self) {
  auto& st = self->state;
  auto now = st.now();
  expire(self, now);
  std::int64_t next_wake = 0;
  auto wake_at = [&](std::int64_t t) {
    if (next_wake == 0 || t < next_wake)
      next_wake = t;
  };
  for (std::size_t k = 0; k < st.queues.size(); ++k) {
    auto i = (st.first + k) % st.queues.size();
    auto& q = st.queues[i];
    auto cls = static_cast<endpoint_class>(i);
    while (!q.empty()) {
      auto r = st.gov->try_acquire(cls, q.front().cost, now);
      if (r.granted) {
        q.front().promise.deliver(permit_atom_v);
        q.pop_front();
        continue;
      }
      note_wait(self, r.wait, now);
      wake_at(r.wait.until_ms);
      break;
    }
    if (!q.empty())
      wake_at(q.front().enqueued_ms + st.max_wait_ms);
  }
  st.first = (st.first + 1) % st.queues.size();
  if (next_wake != 0)
    arm(self, next_wake, now);
}

rate_governor_actor::behavior_type
governor_impl(governor_actor* self, rate_governor_options options) {
  fail_on_exception(self);
  auto& st = self->state;
  st.gov = std::make_unique<sync::governor>(std::move(options.governor));
  st.max_wait_ms = options.max_wait.count();
  st.now = std::move(options.now);
  st.log = std::move(options.log);
  st.log_over_ms = options.log_waits_over_ms;
  st.fault = std::move(options.fault);
  return {
    [=](permit_atom, const permit_request& p) -> caf::result<permit_atom> {
      if (auto err = check_fault(self, self->state.fault))
        return err;
      auto rp = self->make_response_promise<permit_atom>();
      auto i = static_cast<std::size_t>(p.cls);
      if (i >= endpoint_class_count)
        i = static_cast<std::size_t>(endpoint_class::unknown);
      self->state.queues[i].push_back(
        pending_permit{rp, p.cost, self->state.now()});
      drain(self);
      return rp;
    },
    [=](done_atom, const sync::response_report& r) {
      if (check_fault(self, self->state.fault))
        return;
      self->state.gov->on_response(r, self->state.now());
      drain(self);
    },
    [=](tick_atom) {
      if (check_fault(self, self->state.fault))
        return;
      if (self->state.wake_at_ms <= self->state.now())
        self->state.wake_at_ms = 0;
      drain(self);
    },
    [=](stats_atom) -> caf::result<governor_report> {
      if (auto err = check_fault(self, self->state.fault))
        return err;
      auto& st = self->state;
      auto now = st.now();
      return governor_report{st.gov->stats(), st.gov->next_wait(now)};
    },
  };
}

} // namespace

rate_governor_actor spawn_rate_governor(caf::actor_system& sys,
                                        rate_governor_options options) {
  return sys.spawn(governor_impl, std::move(options));
}

} // namespace jirasync::actors
