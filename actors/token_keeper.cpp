#include "actors/token_keeper.hpp"

#include "actors/supervision.hpp"

#include <caf/all.hpp>

#include <algorithm>
#include <unordered_map>

namespace jirasync::actors {

namespace {

using session_state = sync::oauth_session_state;

/// The refresh_token grant must answer within this (the http client's own
/// default, 10 min, is for attachment downloads).
constexpr auto grant_timeout = std::chrono::seconds(60);

/// A refresh moves through a handful of session steps (store check, grant,
/// store, adoption); more than this in one go is a bug, not progress.
constexpr int max_steps = 16;

struct keeper_state {
  token_keeper_options opt;
  std::optional<sync::oauth_session> session;
  std::optional<storage::token_store> store;
  std::unordered_map<std::uint64_t, caf::typed_response_promise<bearer_reply>>
    waiting;
  std::uint64_t next_id = 1;
  /// Held from reading the token file to storing the rotated tokens.
  std::optional<storage::token_store::lock> lock;
  /// The refresh round that the lock tries belong to.
  std::uint64_t lock_round = 0;
  std::chrono::steady_clock::time_point lock_deadline;
  /// The grant in flight (answers of older ones are ignored).
  std::uint64_t grant_serial = 0;
  std::vector<auth_listener_actor> listeners;
  bool told_listeners = false;
  token_stats stats;
  static inline const char* name = "token_keeper";
};

using keeper_actor = token_keeper_actor::stateful_base<keeper_state>;

std::int64_t now_ms(keeper_actor* self) {
  return self->state.opt.now();
}

bool terminal(const sync::oauth_session& s) {
  return s.state() == session_state::reauth_required
         || s.state() == session_state::failed;
}

void tell_listeners(keeper_actor* self) {
  auto& st = self->state;
  if (st.told_listeners || !terminal(*st.session)
      || !st.session->terminal_error())
    return;
  st.told_listeners = true;
  for (const auto& l : st.listeners)
    self->send(l, auth_atom_v, *st.session->terminal_error());
}

/// Answers the requests the session released or failed.
void deliver(keeper_actor* self, const sync::oauth_effects& fx) {
  auto& st = self->state;
  for (auto id : fx.released) {
    auto i = st.waiting.find(id);
    if (i == st.waiting.end())
      continue;
    auto left = st.session->due_at_ms() - now_ms(self);
    i->second.deliver(bearer_reply{
      bearer_grant{st.session->authorization(), st.session->generation(),
                   std::max<std::int64_t>(0, left)}});
    st.waiting.erase(i);
  }
  for (auto id : fx.failed) {
    auto i = st.waiting.find(id);
    if (i == st.waiting.end())
      continue;
    i->second.deliver(bearer_reply{fx.error.value_or(common::make_error(
      common::errc::internal, "the OAuth session failed the request"))});
    st.waiting.erase(i);
  }
}

void try_lock(keeper_actor* self, std::uint64_t round);

/// Applies the session's effects in order until it waits for something (the
/// lock, the token endpoint, a timer) or is done.
void apply(keeper_actor* self, sync::oauth_effects fx) {
  auto& st = self->state;
  auto& s = *st.session;
  for (int step = 0; step < max_steps; ++step) {
    deliver(self, fx);
    if (fx.persist) {
      // Durable before use: save() fsyncs the file and its folder.
      auto saved = st.store->save(*fx.persist);
      if (s.state() == session_state::persisting) {
        if (saved)
          ++st.stats.refreshes;
        fx = saved ? s.on_persisted(now_ms(self))
                   : s.on_persist_failed(saved.error(), now_ms(self));
        continue;
      }
      // A re-authentication mark: best effort; the requests already fail
      // with the reason, and the run report carries it.
    }
    if (fx.start_refresh) {
      st.lock_round += 1;
      st.lock_deadline = std::chrono::steady_clock::now() + st.opt.lock_timeout;
      try_lock(self, st.lock_round);
      return; // try_lock applies what follows
    }
    if (fx.send_refresh) {
      auto serial = ++st.grant_serial;
      ++st.stats.grants_sent;
      auto req
        = protocol::oauth_refresh_request(st.opt.oauth, s.refresh_token());
      req.timeouts.total = grant_timeout;
      auto hdl = caf::actor_cast<token_keeper_actor>(self);
      st.opt.transport(std::move(req), [hdl, serial](protocol::http_result r) {
        caf::anon_send(hdl, http_atom_v, serial, std::move(r));
      });
    }
    if (fx.timer_at_ms) {
      auto wait = std::max<std::int64_t>(0, *fx.timer_at_ms - now_ms(self));
      self->delayed_send(self, std::chrono::milliseconds(wait), tick_atom_v);
    }
    break;
  }
  if (s.state() != session_state::refreshing
      && s.state() != session_state::persisting)
    st.lock.reset(); // others may refresh while we back off or are done
  tell_listeners(self);
}

/// One try of the token file's lock (never a blocking wait): on success the
/// file is read and the session decides; while another process holds it,
/// another try after lock_poll, until lock_deadline.
void try_lock(keeper_actor* self, std::uint64_t round) {
  auto& st = self->state;
  auto& s = *st.session;
  if (round != st.lock_round || s.state() != session_state::refreshing
      || st.lock)
    return;
  auto lk = st.store->acquire(std::chrono::milliseconds(0));
  if (!lk) {
    if (lk.error().code == common::errc::locked
        && std::chrono::steady_clock::now() < st.lock_deadline) {
      self->delayed_send(self, st.opt.lock_poll, retry_atom_v, round);
      return;
    }
    auto why = lk.error().code == common::errc::locked
                 ? "another jirasync process kept the OAuth token file locked "
                   "for "
                     + describe(st.opt.lock_timeout)
                 : lk.error().message;
    return apply(self, s.on_refresh_result(
                         protocol::oauth_token_error{
                           protocol::oauth_failure::transient,
                           0,
                           {},
                           "cannot lock the OAuth tokens: " + why},
                         now_ms(self)));
  }
  st.lock.emplace(std::move(*lk));
  auto disk = st.store->load();
  if (!disk)
    return apply(
      self, s.on_refresh_result(
              protocol::oauth_token_error{
                protocol::oauth_failure::rejected,
                0,
                {},
                "cannot read the stored OAuth tokens: " + disk.error().message},
              now_ms(self)));
  apply(self, s.on_store_read(*disk, now_ms(self)));
}

caf::result<bearer_reply>
await_token(keeper_actor* self,
            std::function<sync::oauth_effects(std::uint64_t)> event) {
  auto& st = self->state;
  auto id = st.next_id++;
  auto rp = self->make_response_promise<bearer_reply>();
  st.waiting.emplace(id, rp);
  apply(self, event(id));
  return rp;
}

token_keeper_actor::behavior_type keeper_impl(keeper_actor* self,
                                              token_keeper_options opt) {
  fail_on_exception(self);
  auto& st = self->state;
  if (!opt.now)
    opt.now = [] {
      return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
    };
  st.session.emplace(std::move(opt.stored), opt.session);
  st.store.emplace(opt.store_dir);
  st.opt = std::move(opt);
  return {
    [=](token_atom) -> caf::result<bearer_reply> {
      if (auto err = check_fault(self, self->state.opt.fault))
        return err;
      return await_token(self, [=](std::uint64_t id) {
        return self->state.session->request(id, now_ms(self));
      });
    },
    [=](token_atom, std::uint64_t generation) -> caf::result<bearer_reply> {
      if (auto err = check_fault(self, self->state.opt.fault))
        return err;
      ++self->state.stats.unauthorized;
      return await_token(self, [=](std::uint64_t id) {
        return self->state.session->on_unauthorized(id, generation,
                                                    now_ms(self));
      });
    },
    [=](auth_atom, auth_listener_actor& listener) {
      if (check_fault(self, self->state.opt.fault))
        return;
      auto& st = self->state;
      st.listeners.push_back(listener);
      if (st.told_listeners && st.session->terminal_error())
        self->send(listener, auth_atom_v, *st.session->terminal_error());
      else
        tell_listeners(self);
    },
    [=](stats_atom) -> caf::result<token_stats> {
      if (auto err = check_fault(self, self->state.opt.fault))
        return err;
      auto s = self->state.stats;
      s.state = std::string(to_string(self->state.session->state()));
      return s;
    },
    [=](http_atom, std::uint64_t serial, protocol::http_result& r) {
      if (check_fault(self, self->state.opt.fault))
        return;
      auto& st = self->state;
      if (serial != st.grant_serial)
        return; // an answer nobody waits for any more
      apply(self, st.session->on_refresh_result(
                    protocol::classify_token_response(
                      r, protocol::oauth_grant::refresh_token),
                    now_ms(self)));
    },
    [=](retry_atom, std::uint64_t round) {
      if (check_fault(self, self->state.opt.fault))
        return;
      try_lock(self, round);
    },
    [=](tick_atom) {
      if (check_fault(self, self->state.opt.fault))
        return;
      apply(self, self->state.session->on_timer(now_ms(self)));
    },
  };
}

} // namespace

token_keeper_actor spawn_token_keeper(caf::actor_system& sys,
                                      token_keeper_options options) {
  if (!options.detached)
    return sys.spawn(keeper_impl, std::move(options));
  return sys.spawn<caf::detached>(keeper_impl, std::move(options));
}

} // namespace jirasync::actors
