#include "actors/api_client.hpp"

#include "actors/supervision.hpp"
#include "common/ascii.hpp"
#include "sync/attempt_assessment.hpp"

#include <caf/all.hpp>

#include <algorithm>
#include <chrono>
#include <optional>
#include <random>
#include <unordered_map>

namespace jirasync::actors {

namespace {

using clock_type = std::chrono::steady_clock;
using protocol::endpoint_class;

/// A 401 in OAuth mode is answered with a refresh and another attempt at
/// most this often per call (the session itself refuses to refresh again
/// for a token it has just refreshed because of a 401).
constexpr int max_auth_retries = 2;
/// A media download refused for its URL's token (401) goes back to
/// attachment content for a fresh redirect at most this often.
constexpr int max_media_restarts = 3;

struct pending_call {
  caf::typed_response_promise<api_reply> promise;
  protocol::api_request request;
  int attempt = 0;
  clock_type::time_point started;
  /// OAuth mode: the token generation the request carries.
  std::uint64_t generation = 0;
  int auth_retries = 0;
  /// OAuth mode: the token must be on the wire before this (its refresh
  /// point, as the keeper said when it handed it out).
  clock_type::time_point token_due{};
  /// OAuth mode: the permit was granted after token_due: the token is
  /// asked for again, and the request goes at once with the new one.
  bool holds_permit = false;
  /// Set after attachment content answered 303: the media URL, fetched
  /// next as a media_download (not a Jira API request).
  std::string media_url;
  /// Media downloads refused for their URL's token, started again.
  int media_restarts = 0;
};

struct api_state {
  std::shared_ptr<protocol::http_client> client;
  rate_governor_actor governor;
  api_client_options options;
  std::unordered_map<std::uint64_t, pending_call> calls;
  std::uint64_t next_id = 1;
  std::mt19937_64 rng{std::random_device{}()};
  api_stats stats;
  static inline const char* name = "api_client";
};

using api_actor = api_client_actor::stateful_base<api_state>;

bool is_redirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307
         || status == 308;
}

/// Location resolved against the request's URL: absolute, or
/// origin-relative ("/path"); nullopt for anything else (Jira and its
/// media host send absolute URLs).
std::optional<std::string> resolve_location(const std::string& base,
                                            std::string_view location) {
  if (location.find("://") != std::string_view::npos)
    return std::string{location};
  auto scheme_end = base.find("://");
  if (scheme_end == std::string::npos)
    return std::nullopt;
  if (location.starts_with("//"))
    return base.substr(0, scheme_end + 1) + std::string{location};
  if (!location.starts_with("/"))
    return std::nullopt;
  auto path = base.find('/', scheme_end + 3);
  return base.substr(0, path) + std::string{location};
}

/// The hop a call sends next: the request itself (attachment content
/// without following its 303), or the media download after it - without
/// our credentials: the media URL carries its own short-lived token, and
/// the media host is another host than the Jira site.
protocol::http_request next_hop(const pending_call& c) {
  auto http = c.request.http;
  if (c.media_url.empty()) {
    if (c.request.cls == endpoint_class::attachment_content)
      http.follow_redirects = false;
    return http;
  }
  http.method = "GET";
  http.url = c.media_url;
  http.body.clear();
  std::erase_if(http.headers, [](const auto& h) {
    return common::ascii_iequals(h.first, "authorization")
           || common::ascii_iequals(h.first, "cookie")
           || common::ascii_iequals(h.first, "content-type");
  });
  return http;
}

endpoint_class class_of(const pending_call& c) {
  return c.media_url.empty() ? c.request.cls : endpoint_class::media_download;
}

/// 429s and 503s with Retry-After: the governor was told and holds the
/// class (or everything) for as long as the server said; the retry asks
/// it for a permit at once, without a backoff of its own on top.
bool governor_holds(const sync::attempt_assessment& a) {
  return a.report.status == 429
         || (a.report.status == 503 && a.report.headers.retry_after_max());
}

void finish(api_actor* self, std::uint64_t id, api_reply reply) {
  auto& st = self->state;
  auto i = st.calls.find(id);
  if (i == st.calls.end())
    return;
  if (!reply)
    ++st.stats.failures;
  i->second.promise.deliver(std::move(reply));
  st.calls.erase(i);
}

/// Replaces (or adds) the request's Authorization header.
void set_authorization(protocol::http_request& r, const std::string& value) {
  std::erase_if(r.headers, [](const auto& h) {
    return common::ascii_iequals(h.first, "authorization");
  });
  r.headers.emplace_back("Authorization", value);
}

void request_permit(api_actor* self, std::uint64_t id);
void send_now(api_actor* self, std::uint64_t id);

/// A permit that will not be used: given back to the governor.
void give_back_permit(api_actor* self, pending_call& c) {
  if (!c.holds_permit)
    return;
  c.holds_permit = false;
  sync::response_report none;
  none.cls = class_of(c);
  none.estimated_cost = c.media_url.empty() ? c.request.cost : 0;
  self->send(self->state.governor, done_atom_v, none);
}

/// OAuth mode: asks the token_keeper for the token to send with (after a
/// 401 to `refused`: a refreshed one), then for a permit. A token comes
/// first so that a refresh does not hold a rate-limit permit. Only when the
/// permit wait outlasted the token's refresh point (a quota reserve wait can
/// last until the window resets, longer than a token lives) is the token
/// asked for again while the permit is held: the keeper usually has the
/// next one at hand, and otherwise refreshes once for everyone.
void request_token(api_actor* self, std::uint64_t id,
                   std::optional<std::uint64_t> refused) {
  auto& st = self->state;
  auto on_grant = [=](bearer_reply& b) {
    auto& st = self->state;
    auto j = st.calls.find(id);
    if (j == st.calls.end())
      return;
    if (!b) { // about the login, not this request: the same words for all
      give_back_permit(self, j->second);
      return finish(self, id, b.error());
    }
    set_authorization(j->second.request.http, b->authorization);
    j->second.generation = b->generation;
    j->second.token_due
      = clock_type::now() + std::chrono::milliseconds(b->valid_for_ms);
    if (j->second.holds_permit)
      return send_now(self, id);
    request_permit(self, id);
  };
  auto on_error = [=](caf::error& err) {
    auto& st = self->state;
    auto j = st.calls.find(id);
    if (j == st.calls.end())
      return;
    give_back_permit(self, j->second);
    auto e = request_failed("OAuth access token", err);
    e.message = j->second.request.label + ": " + e.message;
    finish(self, id, std::move(e));
  };
  if (refused)
    self
      ->request(st.options.keeper, st.options.token_timeout, token_atom_v,
                *refused)
      .then(on_grant, on_error);
  else
    self->request(st.options.keeper, st.options.token_timeout, token_atom_v)
      .then(on_grant, on_error);
}

void start_attempt(api_actor* self, std::uint64_t id) {
  auto& st = self->state;
  auto i = st.calls.find(id);
  if (i == st.calls.end())
    return;
  // The media download carries no credentials of ours (next_hop): no token.
  if (st.options.keeper && i->second.media_url.empty())
    return request_token(self, id, std::nullopt);
  request_permit(self, id);
}

void request_permit(api_actor* self, std::uint64_t id) {
  auto& st = self->state;
  auto i = st.calls.find(id);
  if (i == st.calls.end())
    return;
  auto media = !i->second.media_url.empty();
  permit_request p{class_of(i->second), media ? 0 : i->second.request.cost};
  self->request(st.governor, st.options.permit_timeout, permit_atom_v, p)
    .then(
      [=](permit_atom) {
        auto& st = self->state;
        auto j = st.calls.find(id);
        if (j == st.calls.end()) {
          // Nothing to send: give the permit back.
          sync::response_report none;
          none.cls = p.cls;
          self->send(st.governor, done_atom_v, none);
          return;
        }
        j->second.holds_permit = true;
        if (st.options.keeper && !media
            && clock_type::now() >= j->second.token_due)
          return request_token(self, id, std::nullopt);
        send_now(self, id);
      },
      [=](caf::error& err) {
        auto& st = self->state;
        auto j = st.calls.find(id);
        if (j == st.calls.end())
          return;
        auto e = request_failed("rate-limit permit", err);
        e.message = j->second.request.label + ": " + e.message;
        finish(self, id, std::move(e));
      });
}

/// Sends the call's next hop under the permit it holds.
void send_now(api_actor* self, std::uint64_t id) {
  auto& st = self->state;
  auto j = st.calls.find(id);
  if (j == st.calls.end())
    return;
  auto& c = j->second;
  c.holds_permit = false; // from here on the answer's report returns it
  if (c.media_url.empty())
    ++c.attempt;
  ++st.stats.requests;
  c.started = clock_type::now();
  auto hdl = caf::actor_cast<api_client_actor>(self);
  st.client->async_request(next_hop(c), [hdl, id](protocol::http_result r) {
    caf::anon_send(hdl, http_atom_v, id, std::move(r));
  });
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
  auto cls = class_of(call);
  bool media = cls == endpoint_class::media_download;
  // The one parse of a JSON answer: its check and the value the caller
  // reads (downloads stream to a file and are not JSON).
  std::shared_ptr<const boost::json::value> doc;
  auto fault = protocol::json_text_fault::none;
  if (r.response && r.response->status >= 200 && r.response->status < 300
      && !call.request.http.body_file && !r.response->body.empty()) {
    auto parsed = protocol::parse_json(r.response->body);
    if (parsed.ok())
      doc = std::make_shared<const boost::json::value>(std::move(parsed.value));
    else if (parsed.fatal
             && (fault = protocol::json_fault(r.response->body))
                  == protocol::json_text_fault::none)
      fault = protocol::json_text_fault::malformed; // not JSON at all
    // Usable with defects (a value too deep, invalid UTF-8): no shared
    // document, so api_response::parse reads the text with parse_text,
    // which fails exactly the records holding a defect (rare: the one
    // case parsed twice).
  }
  auto a = sync::assess_attempt(r, cls, media ? 0 : call.request.cost, fault,
                                latency, std::chrono::system_clock::now());
  if (a.outcome.status == 429)
    ++st.stats.responses_429;
  self->send(st.governor, done_atom_v, a.report);
  if (st.options.keeper && !media && a.outcome.status == 401
      && call.auth_retries < max_auth_retries) {
    // The access token was refused (expired early, revoked): the keeper
    // refreshes it - once for all the requests refused with it - and the
    // request goes again with the new one (the permit was given back with
    // the report above, so the refresh holds none).
    ++call.auth_retries;
    return request_token(self, id, call.generation);
  }
  if (media && a.outcome.status == 401
      && call.media_restarts < max_media_restarts) {
    // The media URL's own token was refused: it is short-lived and this
    // download came too late for it (it waited for a permit, a pause, a
    // clock that moved on). Not our credentials' fault: a fresh redirect
    // from attachment content gives a fresh media URL.
    ++call.media_restarts;
    call.media_url.clear();
    return start_attempt(self, id);
  }

  // Attachment content answers 303 to the media host: the next hop.
  if (!media && call.request.cls == endpoint_class::attachment_content
      && r.response && is_redirect(r.response->status)) {
    auto loc = r.response->header("location");
    auto url
      = loc ? resolve_location(call.request.http.url, *loc) : std::nullopt;
    if (!url)
      return finish(self, id,
                    common::make_error(common::errc::unavailable,
                                       call.request.label
                                         + ": a redirect without a usable "
                                           "Location"));
    call.media_url = std::move(*url);
    return start_attempt(self, id);
  }

  std::uniform_real_distribution<double> unit{0.0, 1.0};
  auto c
    = sync::classify(a.outcome, call.attempt, st.options.backoff, unit(st.rng));
  if (c.decision == sync::retry_decision::retry) {
    ++st.stats.retries;
    // A failed media download starts again at attachment content: a fresh
    // redirect, a fresh media token.
    call.media_url.clear();
    if (governor_holds(a))
      return start_attempt(self, id);
    self->delayed_send(self, std::chrono::milliseconds(c.delay_ms),
                       retry_atom_v, id);
    return;
  }
  if (c.decision != sync::retry_decision::success)
    return finish(self, id,
                  common::make_error(sync::give_up_code(a.outcome),
                                     call.request.label + ": " + c.reason));
  api_response resp;
  resp.attempts = call.attempt;
  resp.status = a.outcome.status;
  resp.body = std::move(r.response->body);
  resp.json = std::move(doc);
  resp.headers = std::move(r.response->headers);
  resp.sha256_hex = std::move(r.response->sha256_hex);
  resp.body_bytes = r.response->body_bytes;
  finish(self, id, std::move(resp));
}

api_client_actor::behavior_type
api_client_impl(api_actor* self, std::shared_ptr<protocol::http_client> client,
                rate_governor_actor governor, api_client_options options) {
  fail_on_exception(self);
  auto& st = self->state;
  st.client = std::move(client);
  st.governor = std::move(governor);
  st.options = std::move(options);
  return {
    [=](api_call& call) -> caf::result<api_reply> {
      if (auto err = check_fault(self, self->state.options.fault))
        return err;
      auto& st = self->state;
      auto id = st.next_id++;
      auto rp = self->make_response_promise<api_reply>();
      st.calls.emplace(
        id, pending_call{
              rp, std::move(call.request), 0, {}, 0, 0, {}, false, {}, 0});
      start_attempt(self, id);
      return rp;
    },
    [=](http_atom, std::uint64_t id, protocol::http_result& r) {
      if (check_fault(self, self->state.options.fault))
        return;
      on_result(self, id, std::move(r));
    },
    [=](retry_atom, std::uint64_t id) {
      if (check_fault(self, self->state.options.fault))
        return;
      start_attempt(self, id);
    },
    [=](stats_atom) -> caf::result<api_stats> {
      if (auto err = check_fault(self, self->state.options.fault))
        return err;
      return self->state.stats;
    },
  };
}

} // namespace

api_client_actor spawn_api_client(caf::actor_system& sys,
                                  std::shared_ptr<protocol::http_client> client,
                                  rate_governor_actor governor,
                                  api_client_options options) {
  return sys.spawn(api_client_impl, std::move(client), std::move(governor),
                   std::move(options));
}

} // namespace jirasync::actors
