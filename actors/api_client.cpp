#include "actors/api_client.hpp"

#include "protocol/jira/rate_limit.hpp"

#include <caf/all.hpp>

#include <chrono>
#include <random>
#include <unordered_map>

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jirasync::protocol::http_result)

namespace jirasync::actors {

namespace {

using clock_type = std::chrono::steady_clock;

struct pending_call {
  caf::response_promise promise;
  protocol::api_request request;
  int attempt = 0;
  clock_type::time_point started;
};

struct api_state {
  std::shared_ptr<protocol::http_client> client;
  caf::actor governor;
  sync::backoff_policy backoff;
  std::unordered_map<std::uint64_t, pending_call> calls;
  std::uint64_t next_id = 1;
  std::mt19937_64 rng{std::random_device{}()};
  api_stats stats;
  static inline const char* name = "api_client";
};

using api_actor = caf::stateful_actor<api_state>;

bool transient(protocol::http_errc e) {
  using protocol::http_errc;
  return e == http_errc::dns || e == http_errc::connect
         || e == http_errc::timeout || e == http_errc::protocol;
}

void start_attempt(api_actor* self, std::uint64_t id) {
  auto& st = self->state;
  auto i = st.calls.find(id);
  if (i == st.calls.end())
    return;
  self
    ->request(st.governor, caf::infinite, permit_atom_v,
              i->second.request.bucket, i->second.request.cost)
    .then([=](permit_atom) {
      auto& st = self->state;
      auto j = st.calls.find(id);
      if (j == st.calls.end())
        return;
      ++j->second.attempt;
      ++st.stats.requests;
      j->second.started = clock_type::now();
      auto hdl = caf::actor_cast<caf::actor>(self);
      st.client->async_request(
        j->second.request.http, [hdl, id](protocol::http_result r) {
          caf::anon_send(hdl, http_atom_v, id, std::move(r));
        });
    });
}

void finish(api_actor* self, std::uint64_t id, api_reply reply) {
  auto& st = self->state;
  auto i = st.calls.find(id);
  if (i == st.calls.end())
    return;
  if (!reply.ok)
    ++st.stats.failures;
  i->second.promise.deliver(std::move(reply));
  st.calls.erase(i);
}

void on_result(api_actor* self, std::uint64_t id, protocol::http_result r) {
  auto& st = self->state;
  auto i = st.calls.find(id);
  if (i == st.calls.end())
    return;
  auto& call = i->second;
  auto latency = std::chrono::duration_cast<std::chrono::milliseconds>(
                   clock_type::now() - call.started)
                   .count();
  sync::attempt_outcome out;
  sync::completion done;
  done.bucket = call.request.bucket;
  done.latency_ms = latency;
  if (r.response) {
    out.status = r.response->status;
    done.status = out.status;
    auto now = std::chrono::system_clock::now();
    auto sig = protocol::parse_rate_limit_headers(r.response->headers, now);
    if (auto hint = sig.wait_hint(now))
      out.retry_after_ms = hint->count();
    out.quota_reason = sig.is_quota_reason();
    done.retry_after_ms = out.retry_after_ms;
    done.quota_reason = out.quota_reason;
    done.remaining = sig.remaining;
    if (sig.reset_at)
      done.reset_at_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                           sig.reset_at->time_since_epoch())
                           .count();
    // Quota limit and window reset for the governor's reserve (the
    // structured headers come on every answer, X-RateLimit-Reset on 429s).
    done.cost_points = call.request.cost;
    done.limit = sig.limit;
    for (const auto& p : sig.policies)
      if (!done.limit && p.quota)
        done.limit = p.quota;
    for (const auto& q : sig.states)
      if (q.reset_secs && !done.quota_reset_at_ms)
        done.quota_reset_at_ms
          = std::chrono::duration_cast<std::chrono::milliseconds>(
              now.time_since_epoch())
              .count()
            + *q.reset_secs * 1000;
    if (out.status >= 200 && out.status < 300 && !call.request.http.body_file
        && !r.response->body.empty()
        && !protocol::parse_json(r.response->body).ok()) {
      // A 2xx with a broken JSON body (cut off on the way): transient.
      out.status = 0;
      out.transient_transport = true;
      out.detail = "HTTP 200 with an invalid JSON body";
    }
    if (out.status >= 400) {
      auto err = protocol::parse_jira_error(r.response->body, out.status);
      out.detail = err.describe();
    }
  } else if (r.error) {
    out.transient_transport = transient(r.error->code);
    out.detail = r.error->message;
  }
  if (out.status == 429)
    ++st.stats.responses_429;
  self->send(st.governor, done_atom_v, governor_done{done});
  std::uniform_real_distribution<double> unit{0.0, 1.0};
  auto c = sync::classify(out, call.attempt, st.backoff, unit(st.rng));
  if (c.decision == sync::retry_decision::retry) {
    ++st.stats.retries;
    self->delayed_send(self, std::chrono::milliseconds(c.delay_ms),
                       retry_atom_v, id);
    return;
  }
  api_reply reply;
  reply.attempts = call.attempt;
  reply.status = out.status;
  if (c.decision == sync::retry_decision::success) {
    reply.ok = true;
    reply.body = std::move(r.response->body);
    reply.headers = std::move(r.response->headers);
    reply.sha256_hex = std::move(r.response->sha256_hex);
    reply.body_bytes = r.response->body_bytes;
  } else {
    reply.error = call.request.label + ": " + c.reason;
  }
  finish(self, id, std::move(reply));
}

caf::behavior api_client_impl(api_actor* self,
                              std::shared_ptr<protocol::http_client> client,
                              caf::actor governor,
                              sync::backoff_policy backoff) {
  self->state.client = std::move(client);
  self->state.governor = std::move(governor);
  self->state.backoff = backoff;
  return {
    [=](api_call& call) -> caf::result<api_reply> {
      auto& st = self->state;
      auto id = st.next_id++;
      auto rp = self->make_response_promise();
      st.calls.emplace(id, pending_call{rp, std::move(call.request), 0, {}});
      start_attempt(self, id);
      return rp;
    },
    [=](http_atom, std::uint64_t id, protocol::http_result& r) {
      on_result(self, id, std::move(r));
    },
    [=](retry_atom, std::uint64_t id) {
      start_attempt(self, id);
    },
    [=](stats_atom) -> api_stats {
      return self->state.stats;
    },
  };
}

} // namespace

caf::actor spawn_api_client(caf::actor_system& sys,
                            std::shared_ptr<protocol::http_client> client,
                            caf::actor governor, sync::backoff_policy backoff) {
  return sys.spawn(api_client_impl, std::move(client), std::move(governor),
                   backoff);
}

} // namespace jirasync::actors
