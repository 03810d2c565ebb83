#include "actors/rate_governor.hpp"

#include "actors/supervision.hpp"

#include <caf/all.hpp>

#include <algorithm>
#include <deque>

namespace jirasync::actors {

std::int64_t system_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

namespace {

struct pending_permit {
  caf::typed_response_promise<permit_atom> promise;
  std::string bucket;
  std::int64_t cost = 1;
  std::int64_t enqueued_ms = 0;
  bool counted_wait = false;
};

struct governor_state {
  std::unique_ptr<sync::governor> gov;
  std::int64_t max_wait_ms = 0;
  clock_fn now;
  fault_hook fault;
  /// FIFO: the oldest permit expires first.
  std::deque<pending_permit> queue;
  /// Time the armed wake-up fires (0 = none armed).
  std::int64_t wake_at_ms = 0;
  std::uint64_t waits = 0;
  std::int64_t wait_ms = 0;
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
  while (!st.queue.empty()
         && st.queue.front().enqueued_ms + st.max_wait_ms <= now) {
    st.queue.front().promise.deliver(
      caf::make_error(caf::sec::request_timeout,
                      "no rate-limit permit within "
                        + describe(std::chrono::milliseconds(st.max_wait_ms))));
    st.queue.pop_front();
  }
}

void drain(governor_actor* self) {
  auto& st = self->state;
  auto now = st.now();
  expire(self, now);
  std::int64_t next_wake = 0;
  for (auto i = st.queue.begin(); i != st.queue.end();) {
    auto r = st.gov->try_acquire(i->bucket, i->cost, now);
    if (r.granted) {
      st.wait_ms += now - i->enqueued_ms;
      i->promise.deliver(permit_atom_v);
      i = st.queue.erase(i);
      continue;
    }
    if (r.rate_limited && !i->counted_wait) {
      i->counted_wait = true;
      ++st.waits;
    }
    if (!r.retry_at_ms)
      break; // concurrency window full: wait for a completion
    if (next_wake == 0 || *r.retry_at_ms < next_wake)
      next_wake = *r.retry_at_ms;
    ++i;
  }
  if (!st.queue.empty()) {
    auto expiry = st.queue.front().enqueued_ms + st.max_wait_ms;
    if (next_wake == 0 || expiry < next_wake)
      next_wake = expiry;
  }
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
  st.fault = std::move(options.fault);
  return {
    [=](permit_atom, const std::string& bucket,
        std::int64_t cost) -> caf::result<permit_atom> {
      if (auto err = check_fault(self, self->state.fault))
        return err;
      auto rp = self->make_response_promise<permit_atom>();
      self->state.queue.push_back(
        pending_permit{rp, bucket, cost, self->state.now(), false});
      drain(self);
      return rp;
    },
    [=](done_atom, const governor_done& d) {
      if (check_fault(self, self->state.fault))
        return;
      self->state.gov->on_complete(d.completion, self->state.now());
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
      return governor_report{st.gov->stats(), st.waits, st.wait_ms,
                             st.gov->concurrency()};
    },
  };
}

} // namespace

rate_governor_actor spawn_rate_governor(caf::actor_system& sys,
                                        rate_governor_options options) {
  return sys.spawn(governor_impl, std::move(options));
}

} // namespace jirasync::actors
