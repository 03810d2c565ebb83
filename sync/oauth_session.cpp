#include "sync/oauth_session.hpp"

#include <algorithm>

namespace jirasync::sync {

using common::errc;
using protocol::oauth_failure;
using state = oauth_session_state;

std::string_view to_string(oauth_session_state s) {
  switch (s) {
    case state::valid:
      return "valid";
    case state::refreshing:
      return "refreshing";
    case state::persisting:
      return "persisting";
    case state::backoff:
      return "backoff";
    case state::reauth_required:
      return "reauth_required";
    case state::failed:
      return "failed";
  }
  return "unknown";
}

namespace {

std::string with_hint(std::string reason) {
  if (reason.size() >= reauth_hint.size()
      && reason.compare(reason.size() - reauth_hint.size(), reauth_hint.size(),
                        reauth_hint)
           == 0)
    return reason;
  return reason + "; " + std::string(reauth_hint);
}

} // namespace

std::optional<common::error>
login_mismatch(const storage::oauth_token_set& stored, std::string_view site,
               std::string_view client_id) {
  if (protocol::normalize_site_url(stored.site_url)
      != protocol::normalize_site_url(site))
    return common::make_error(
      errc::unauthenticated,
      with_hint("the stored OAuth login is for the site " + stored.site_url
                + ", but jira.site is " + std::string(site)));
  if (!stored.client_id.empty() && stored.client_id != client_id)
    return common::make_error(
      errc::unauthenticated,
      with_hint("the stored OAuth tokens belong to the client id "
                + stored.client_id + ", but jira.client_id is "
                + std::string(client_id)));
  return std::nullopt;
}

oauth_session::oauth_session(std::optional<storage::oauth_token_set> stored,
                             oauth_session_options options)
    : opt_(options), current_(std::move(stored)) {
  if (!current_) {
    state_ = state::reauth_required;
    terminal_ = common::make_error(
      errc::unauthenticated,
      with_hint("not logged in: no OAuth tokens are stored"));
  } else if (current_->reauth_reason) {
    state_ = state::reauth_required;
    terminal_ = common::make_error(errc::unauthenticated,
                                   with_hint(*current_->reauth_reason));
  }
}

std::string oauth_session::authorization() const {
  return current_ ? "Bearer " + current_->access_token : std::string{};
}

const std::string& oauth_session::refresh_token() const {
  static const std::string none;
  return current_ ? current_->refresh_token : none;
}

bool oauth_session::usable(std::int64_t now_ms) const {
  return current_ && !refused_ && !current_->access_token.empty()
         && now_ms < current_->expires_at_ms;
}

std::int64_t oauth_session::margin_ms() const {
  if (!current_)
    return opt_.refresh_margin_ms;
  // A quarter of the token's lifetime at most: with a short-lived token
  // (a test server, or an authorization server that hands out minutes) the
  // full margin would make every request refresh.
  auto issued = current_->refreshed_at_ms > 0 ? current_->refreshed_at_ms
                                              : current_->obtained_at_ms;
  auto lifetime = current_->expires_at_ms - issued;
  if (issued <= 0 || lifetime <= 0)
    return opt_.refresh_margin_ms;
  return std::min(opt_.refresh_margin_ms, lifetime / 4);
}

std::int64_t oauth_session::due_at_ms() const {
  return current_ ? current_->expires_at_ms - margin_ms() : 0;
}

bool oauth_session::due(std::int64_t now_ms) const {
  return !usable(now_ms) || now_ms >= current_->expires_at_ms - margin_ms();
}

oauth_effects oauth_session::release_all() {
  oauth_effects fx;
  fx.released = std::move(waiters_);
  waiters_.clear();
  return fx;
}

oauth_effects oauth_session::fail_all(common::error e) {
  oauth_effects fx;
  fx.failed = std::move(waiters_);
  waiters_.clear();
  fx.error = std::move(e);
  return fx;
}

oauth_effects oauth_session::begin_refresh(std::optional<std::uint64_t> id) {
  state_ = state::refreshing;
  if (id)
    waiters_.push_back(*id);
  oauth_effects fx;
  fx.start_refresh = true;
  return fx;
}

oauth_effects oauth_session::to_reauth(std::string reason, std::int64_t now_ms,
                                       bool mark_file) {
  state_ = state::reauth_required;
  pending_.reset();
  auto message = with_hint(std::move(reason));
  terminal_ = common::make_error(errc::unauthenticated, message);
  auto fx = fail_all(*terminal_);
  if (mark_file && current_) {
    // Recorded in the token file so that `status`, the service's readiness
    // and the next run know without asking Atlassian again.
    auto t = *current_;
    t.reauth_reason = message;
    t.reauth_at_ms = now_ms;
    fx.persist = std::move(t);
  }
  return fx;
}

oauth_effects oauth_session::to_failed(common::error e) {
  state_ = state::failed;
  pending_.reset();
  terminal_ = e;
  return fail_all(std::move(e));
}

oauth_effects oauth_session::adopt(const storage::oauth_token_set& t,
                                   std::int64_t now_ms) {
  current_ = t;
  ++generation_;
  refused_ = false;
  refresh_for_401_ = false;
  refreshed_for_401_at_ms_.reset();
  attempts_ = 0;
  if (!due(now_ms)) {
    state_ = state::valid;
    return release_all();
  }
  // What the other process stored is due as well: refresh it, with its
  // refresh token (ours may have been rotated out by it).
  if (current_->refresh_token.empty())
    return to_reauth("the stored access token expired and the login has no "
                     "refresh token (offline_access was not granted)",
                     now_ms, false);
  oauth_effects fx;
  fx.send_refresh = true;
  return fx;
}

// --- events ------------------------------------------------------------------

oauth_effects oauth_session::request(std::uint64_t id, std::int64_t now_ms) {
  oauth_effects fx;
  switch (state_) {
    case state::reauth_required:
    case state::failed:
      fx.failed.push_back(id);
      fx.error = terminal_;
      return fx;
    case state::refreshing:
    case state::persisting:
      waiters_.push_back(id);
      return fx;
    case state::backoff:
      if (usable(now_ms)) {
        fx.released.push_back(id);
        return fx;
      }
      if (now_ms >= retry_at_ms_)
        return begin_refresh(id);
      waiters_.push_back(id); // the pending timer retries
      return fx;
    case state::valid:
      break;
  }
  if (!due(now_ms)) {
    fx.released.push_back(id);
    return fx;
  }
  if (current_->refresh_token.empty()) {
    if (usable(now_ms)) {
      fx.released.push_back(id); // nothing to refresh with: use it up
      return fx;
    }
    waiters_.push_back(id);
    return to_reauth("the access token expired and the login has no refresh "
                     "token (offline_access was not granted)",
                     now_ms, false);
  }
  return begin_refresh(id);
}

oauth_effects oauth_session::on_unauthorized(std::uint64_t id,
                                             std::uint64_t generation,
                                             std::int64_t now_ms) {
  if (state_ == state::reauth_required || state_ == state::failed)
    return request(id, now_ms);
  if (generation != generation_)
    return request(id, now_ms); // refused an older token: try the current
  if (state_ == state::refreshing || state_ == state::persisting) {
    waiters_.push_back(id);
    return {};
  }
  if (refreshed_for_401_at_ms_
      && now_ms - *refreshed_for_401_at_ms_
           < opt_.unauthorized_refresh_interval_ms) {
    oauth_effects fx;
    fx.failed.push_back(id);
    fx.error = common::make_error(
      errc::unauthenticated,
      "Jira refused a freshly refreshed access token (HTTP 401): the login "
      "lacks a scope this request needs, or the account lost access; check "
      "the app's permissions in the developer console and the account's "
      "Jira access");
    return fx;
  }
  refused_ = true;
  refresh_for_401_ = true;
  if (current_->refresh_token.empty()) {
    waiters_.push_back(id);
    return to_reauth("Jira refused the access token (HTTP 401) and the login "
                     "has no refresh token (offline_access was not granted)",
                     now_ms, false);
  }
  if (state_ == state::backoff && now_ms < retry_at_ms_) {
    waiters_.push_back(id); // the pending timer retries
    return {};
  }
  return begin_refresh(id);
}

oauth_effects oauth_session::on_store_read(
  const std::optional<storage::oauth_token_set>& on_disk, std::int64_t now_ms) {
  if (state_ != state::refreshing)
    return {};
  if (!on_disk)
    return to_reauth("the stored OAuth tokens were removed", now_ms, false);
  if (on_disk->reauth_reason)
    return to_reauth(*on_disk->reauth_reason, now_ms, false);
  bool new_login = on_disk->login_id != current_->login_id;
  bool newer = !new_login && on_disk->generation > current_->generation;
  if (new_login || newer)
    return adopt(*on_disk, now_ms);
  if (current_->refresh_token.empty())
    return to_reauth("the login has no refresh token (offline_access was not "
                     "granted)",
                     now_ms, false);
  oauth_effects fx;
  fx.send_refresh = true;
  return fx;
}

oauth_effects
oauth_session::on_refresh_result(const protocol::oauth_token_result& result,
                                 std::int64_t now_ms) {
  if (state_ != state::refreshing)
    return {};
  if (result.has_value()) {
    const auto& r = *result;
    auto t = *current_;
    t.access_token = r.access_token;
    // Rotation: a new refresh token replaces the old one, which Atlassian
    // has just disabled. An answer without one keeps the old one.
    if (r.refresh_token)
      t.refresh_token = *r.refresh_token;
    t.expires_at_ms = now_ms + r.expires_in_secs * 1000;
    if (!r.scope.empty())
      t.scope = r.scope;
    t.refreshed_at_ms = now_ms;
    t.generation = current_->generation + 1;
    state_ = state::persisting;
    pending_ = t;
    oauth_effects fx;
    fx.persist = std::move(t);
    return fx;
  }
  const auto& e = result.error();
  switch (e.kind) {
    case oauth_failure::invalid_grant:
      return to_reauth(e.message, now_ms, true);
    case oauth_failure::invalid_client:
      return to_failed(common::make_error(errc::unauthenticated, e.message));
    case oauth_failure::rejected:
    case oauth_failure::malformed:
      return to_failed(common::make_error(errc::invalid_input, e.message));
    case oauth_failure::transient:
      break;
  }
  ++attempts_;
  if (attempts_ >= opt_.max_refresh_attempts) {
    // This round is over: its requests fail (the driver's own retry policy
    // decides about them); a later request starts a new round.
    auto n = attempts_;
    attempts_ = 0;
    state_ = state::valid;
    return fail_all(common::make_error(
      errc::unavailable, "could not refresh the OAuth access token ("
                           + std::to_string(n) + " attempts): " + e.message));
  }
  auto delay = opt_.retry_base_ms;
  for (int i = 1; i < attempts_ && delay < opt_.retry_cap_ms; ++i)
    delay *= 2;
  delay = std::min(delay, opt_.retry_cap_ms);
  state_ = state::backoff;
  retry_at_ms_ = now_ms + delay;
  // Still valid (a refresh ahead of expiry): the waiting requests go with
  // it; otherwise they wait for the retry.
  auto fx = usable(now_ms) ? release_all() : oauth_effects{};
  fx.timer_at_ms = retry_at_ms_;
  return fx;
}

oauth_effects oauth_session::on_persisted(std::int64_t now_ms) {
  if (state_ != state::persisting || !pending_)
    return {};
  current_ = std::move(pending_);
  pending_.reset();
  ++generation_;
  refused_ = false;
  attempts_ = 0;
  if (refresh_for_401_)
    refreshed_for_401_at_ms_ = now_ms;
  else
    refreshed_for_401_at_ms_.reset();
  refresh_for_401_ = false;
  state_ = state::valid;
  return release_all();
}

oauth_effects oauth_session::on_persist_failed(const common::error& error,
                                               std::int64_t) {
  if (state_ != state::persisting)
    return {};
  return to_failed(common::make_error(
    error.code,
    "the rotated OAuth tokens could not be stored (" + error.message
      + "), so they are not used: the stored refresh token stays usable for "
        "about 10 minutes (Atlassian's reuse leeway); fix the problem and run "
        "again within that time, or "
      + std::string(reauth_hint)));
}

oauth_effects oauth_session::on_timer(std::int64_t now_ms) {
  if (state_ != state::backoff || now_ms < retry_at_ms_)
    return {};
  if (waiters_.empty() && !due(now_ms))
    return {};
  return begin_refresh(std::nullopt);
}

} // namespace jirasync::sync
