#include "actors/rate_governor.hpp"

#include <caf/all.hpp>

#include <chrono>
#include <deque>

namespace jirasync::actors {

namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

struct pending_permit {
  caf::response_promise promise;
  std::string bucket;
  std::int64_t cost = 1;
  std::int64_t enqueued_ms = 0;
  bool counted_wait = false;
};

struct governor_state {
  std::unique_ptr<sync::governor> gov;
  std::deque<pending_permit> queue;
  /// Time the armed wake-up fires (0 = none armed).
  std::int64_t wake_at_ms = 0;
  std::uint64_t waits = 0;
  std::int64_t wait_ms = 0;
  static inline const char* name = "rate_governor";
};

using governor_actor = caf::stateful_actor<governor_state>;

void drain(governor_actor* self) {
  auto& st = self->state;
  auto now = now_ms();
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
  if (next_wake != 0 && (st.wake_at_ms == 0 || next_wake < st.wake_at_ms)) {
    st.wake_at_ms = next_wake;
    auto delay = std::max<std::int64_t>(next_wake - now, 1);
    self->delayed_send(self, std::chrono::milliseconds(delay), tick_atom_v);
  }
}

caf::behavior governor_impl(governor_actor* self,
                            sync::governor_options options) {
  self->state.gov = std::make_unique<sync::governor>(std::move(options));
  return {
    [=](permit_atom, const std::string& bucket,
        std::int64_t cost) -> caf::result<permit_atom> {
      auto rp = self->make_response_promise();
      self->state.queue.push_back(
        pending_permit{rp, bucket, cost, now_ms(), false});
      drain(self);
      return rp;
    },
    [=](done_atom, const governor_done& d) {
      self->state.gov->on_complete(d.completion, now_ms());
      drain(self);
    },
    [=](tick_atom) {
      if (self->state.wake_at_ms <= now_ms())
        self->state.wake_at_ms = 0;
      drain(self);
    },
    [=](stats_atom) -> governor_report {
      auto& st = self->state;
      return governor_report{st.gov->stats(), st.waits, st.wait_ms,
                             st.gov->concurrency()};
    },
  };
}

} // namespace

caf::actor spawn_rate_governor(caf::actor_system& sys,
                               sync::governor_options options) {
  return sys.spawn(governor_impl, std::move(options));
}

} // namespace jirasync::actors
