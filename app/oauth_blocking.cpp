#include "app/oauth_blocking.hpp"

#include <algorithm>
#include <thread>

namespace jirasync::app {

namespace {

/// The request id of the one request this driver serves.
constexpr std::uint64_t the_request = 1;

bool has(const std::vector<std::uint64_t>& v, std::uint64_t id) {
  return std::find(v.begin(), v.end(), id) != v.end();
}

} // namespace

std::int64_t system_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

common::result<void> ensure_token(blocking_oauth& d,
                                  std::optional<std::uint64_t> refused) {
  auto now = [&] {
    return d.now ? d.now() : system_now_ms();
  };
  auto& s = d.session;
  auto fx = refused ? s.on_unauthorized(the_request, *refused, now())
                    : s.request(the_request, now());
  // Held from the store check to the end of the refresh, so that no other
  // process spends the same refresh token meanwhile.
  std::optional<storage::token_store::lock> held;
  // Each turn applies one step; a refresh takes at most a handful (store
  // check, grant, store), retries included.
  for (int turn = 0; turn < 64; ++turn) {
    if (fx.persist) {
      auto saved = d.store.save(*fx.persist);
      if (s.state() == sync::oauth_session_state::persisting) {
        fx = saved ? s.on_persisted(now())
                   : s.on_persist_failed(saved.error(), now());
        continue;
      }
      // A re-authentication mark: best effort, the failure below says it.
      fx.persist.reset();
    }
    if (has(fx.failed, the_request))
      return fx.error.value_or(common::make_error(
        common::errc::internal, "the OAuth session failed the request"));
    if (has(fx.released, the_request))
      return {};
    if (fx.start_refresh) {
      auto lk = d.store.acquire(d.lock_timeout);
      if (!lk)
        return lk.error();
      held.emplace(std::move(*lk));
      auto disk = d.store.load();
      if (!disk)
        return disk.error();
      fx = s.on_store_read(*disk, now());
      continue;
    }
    if (fx.send_refresh) {
      auto answer = d.client.request(
        protocol::oauth_refresh_request(d.oauth, s.refresh_token()));
      fx = s.on_refresh_result(protocol::classify_token_response(
                                 answer, protocol::oauth_grant::refresh_token),
                               now());
      continue;
    }
    if (fx.timer_at_ms) {
      // A retry after a transient failure: the session bounds it (30 s).
      held.reset(); // others may refresh meanwhile; we re-read the file
      auto wait = *fx.timer_at_ms - now();
      if (wait > 0)
        std::this_thread::sleep_for(std::chrono::milliseconds(wait));
      fx = s.on_timer(now());
      continue;
    }
    return common::make_error(common::errc::internal,
                              "the OAuth session left the request waiting "
                              "with nothing to do");
  }
  return common::make_error(common::errc::internal,
                            "the OAuth session did not settle");
}

} // namespace jirasync::app
