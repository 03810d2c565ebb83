// The OAuth token session, event by event with an injected clock: when it
// refreshes, single flight, persist-then-use, rotation, invalid_grant ->
// re-auth with no retry, transient failures with backoff, 401 handling,
// adoption of tokens another process stored, and every terminal state.
#include "sync/oauth_session.hpp"

#include <catch2/catch.hpp>

using namespace jirasync;
using jirasync::storage::oauth_token_set;
using jirasync::sync::oauth_effects;
using jirasync::sync::oauth_session;
using jirasync::sync::oauth_session_options;
using st = jirasync::sync::oauth_session_state;
using ids = std::vector<std::uint64_t>;

namespace {

constexpr std::int64_t t0 = 1'767'225'600'000; // 2026-01-01T00:00:00Z
constexpr std::int64_t minute = 60'000;
constexpr std::int64_t hour = 60 * minute;

oauth_token_set tokens(std::int64_t expires_at = t0 + hour) {
  oauth_token_set t;
  t.access_token = "AT1";
  t.refresh_token = "RT1";
  t.expires_at_ms = expires_at;
  t.scope = "read:jira-work offline_access";
  t.cloud_id = "cloud-1";
  t.login_id = "login-1";
  t.generation = 1;
  return t;
}

protocol::oauth_token_result ok(std::string at, std::optional<std::string> rt,
                                std::int64_t expires_in = 3600) {
  protocol::oauth_token_response r;
  r.access_token = std::move(at);
  r.refresh_token = std::move(rt);
  r.expires_in_secs = expires_in;
  r.token_type = "Bearer";
  return r;
}

protocol::oauth_token_result fail(protocol::oauth_failure kind,
                                  std::string message) {
  return protocol::oauth_token_error{
    kind,
    kind == protocol::oauth_failure::transient ? 503 : 403,
    {},
    std::move(message)};
}

bool no_effects(const oauth_effects& fx) {
  return !fx.start_refresh && !fx.send_refresh && !fx.persist
         && fx.released.empty() && fx.failed.empty() && !fx.timer_at_ms;
}

} // namespace

TEST_CASE("oauth_session: not logged in, or told to log in again",
          "[sync][oauth]") {
  oauth_session none{std::nullopt};
  CHECK(none.state() == st::reauth_required);
  auto fx = none.request(1, t0);
  CHECK(fx.failed == ids{1});
  REQUIRE(fx.error);
  CHECK(fx.error->code == common::errc::unauthenticated);
  CHECK(fx.error->message
        == "not logged in: no OAuth tokens are stored; re-authenticate with "
           "`jirasync auth login`");
  CHECK_FALSE(fx.start_refresh);

  auto marked = tokens();
  marked.reauth_reason = "the refresh token was refused (HTTP 403 "
                         "invalid_grant: x); re-authenticate with `jirasync "
                         "auth login`";
  oauth_session old{marked};
  CHECK(old.state() == st::reauth_required);
  auto fx2 = old.request(7, t0);
  CHECK(fx2.failed == ids{7});
  CHECK(fx2.error->message == *marked.reauth_reason); // hint not doubled
}

TEST_CASE("oauth_session: a valid token is used as it is", "[sync][oauth]") {
  oauth_session s{tokens()};
  CHECK(s.state() == st::valid);
  auto fx = s.request(1, t0 + 10 * minute);
  CHECK(fx.released == ids{1});
  CHECK_FALSE(fx.start_refresh);
  CHECK(s.authorization() == "Bearer AT1");
  CHECK(s.generation() == 1);
  CHECK(s.refresh_token() == "RT1");
}

TEST_CASE("oauth_session: refresh before expiry, single flight, persist "
          "first",
          "[sync][oauth]") {
  oauth_session s{tokens()};
  auto now = t0 + hour - 4 * minute; // inside the 5-minute margin
  auto a = s.request(1, now);
  CHECK(a.start_refresh);
  CHECK(a.released.empty());
  CHECK(s.state() == st::refreshing);
  auto b = s.request(2, now);
  CHECK(no_effects(b)); // waits; no second refresh
  CHECK(s.waiting() == 2);

  auto read = s.on_store_read(tokens(), now); // the file still holds ours
  CHECK(read.send_refresh);
  CHECK(s.refresh_token() == "RT1");

  auto answered = s.on_refresh_result(ok("AT2", "RT2"), now + 100);
  REQUIRE(answered.persist);
  CHECK(answered.persist->access_token == "AT2");
  CHECK(answered.persist->refresh_token == "RT2");
  CHECK(answered.persist->expires_at_ms == now + 100 + hour);
  CHECK(answered.persist->refreshed_at_ms == now + 100);
  CHECK(answered.persist->generation == 2);
  CHECK(answered.persist->login_id == "login-1");
  CHECK(answered.released.empty()); // not before it is on disk
  CHECK(s.state() == st::persisting);
  CHECK(s.authorization() == "Bearer AT1");
  auto c = s.request(3, now + 150);
  CHECK(no_effects(c));

  auto stored = s.on_persisted(now + 200);
  CHECK(stored.released == ids({1, 2, 3}));
  CHECK(s.state() == st::valid);
  CHECK(s.authorization() == "Bearer AT2");
  CHECK(s.refresh_token() == "RT2");
  CHECK(s.generation() == 2);
  CHECK(s.tokens()->generation == 2);
  CHECK(s.request(4, now + 300).released == ids{4});
}

TEST_CASE("oauth_session: an answer without a refresh token keeps the old "
          "one",
          "[sync][oauth]") {
  oauth_session s{tokens(t0 + minute)};
  REQUIRE(s.request(1, t0).start_refresh);
  REQUIRE(s.on_store_read(tokens(t0 + minute), t0).send_refresh);
  auto fx = s.on_refresh_result(ok("AT2", std::nullopt, 600), t0);
  REQUIRE(fx.persist);
  CHECK(fx.persist->refresh_token == "RT1");
  CHECK(fx.persist->expires_at_ms == t0 + 600'000);
  CHECK(s.on_persisted(t0).released == ids{1});
  CHECK(s.refresh_token() == "RT1");
  CHECK(s.authorization() == "Bearer AT2");
}

TEST_CASE("oauth_session: invalid_grant ends in reauth_required, no retry",
          "[sync][oauth]") {
  oauth_session s{tokens(t0 + minute)};
  REQUIRE(s.request(1, t0).start_refresh);
  s.request(2, t0);
  REQUIRE(s.on_store_read(tokens(t0 + minute), t0).send_refresh);
  std::string why = "the refresh token was refused (HTTP 403 invalid_grant: "
                    "Unknown or invalid refresh token.): it expired, was "
                    "revoked, or was reused after rotation; re-authenticate "
                    "with `jirasync auth login`";
  auto fx = s.on_refresh_result(
    fail(protocol::oauth_failure::invalid_grant, why), t0 + 5);
  CHECK(s.state() == st::reauth_required);
  CHECK(fx.failed == ids({1, 2}));
  REQUIRE(fx.error);
  CHECK(fx.error->code == common::errc::unauthenticated);
  CHECK(fx.error->message == why);
  // The file is told, so that status and the next run know.
  REQUIRE(fx.persist);
  CHECK(fx.persist->reauth_reason == std::optional<std::string>{why});
  CHECK(fx.persist->reauth_at_ms == t0 + 5);
  CHECK(fx.persist->access_token == "AT1");
  CHECK(no_effects(s.on_persisted(t0 + 6))); // nothing to release
  // Later requests fail at once; nothing starts another refresh.
  auto later = s.request(3, t0 + hour);
  CHECK(later.failed == ids{3});
  CHECK_FALSE(later.start_refresh);
  CHECK(s.on_unauthorized(4, s.generation(), t0 + hour).failed == ids{4});
  CHECK(no_effects(s.on_timer(t0 + 2 * hour)));
  REQUIRE(s.terminal_error());
  CHECK(s.terminal_error()->message == why);
}

TEST_CASE("oauth_session: 401s", "[sync][oauth]") {
  oauth_session s{tokens()};
  auto gen1 = s.generation();
  SECTION("on the current token: refresh, then retry with the new one") {
    auto fx = s.on_unauthorized(1, gen1, t0 + minute);
    CHECK(fx.start_refresh);
    // Another request sent with the same token comes back 401 meanwhile.
    CHECK(no_effects(s.on_unauthorized(2, gen1, t0 + minute)));
    REQUIRE(s.on_store_read(tokens(), t0 + minute).send_refresh);
    REQUIRE(s.on_refresh_result(ok("AT2", "RT2"), t0 + minute).persist);
    CHECK(s.on_persisted(t0 + minute).released == ids({1, 2}));
    // A late 401 for the old token is simply retried with the new one.
    auto late = s.on_unauthorized(3, gen1, t0 + minute + 1);
    CHECK(late.released == ids{3});
    CHECK_FALSE(late.start_refresh);
  }
  SECTION("on a token that a 401 just refreshed: the request fails") {
    REQUIRE(s.on_unauthorized(1, gen1, t0).start_refresh);
    REQUIRE(s.on_store_read(tokens(), t0).send_refresh);
    REQUIRE(s.on_refresh_result(ok("AT2", "RT2"), t0).persist);
    REQUIRE(s.on_persisted(t0).released == ids{1});
    auto again = s.on_unauthorized(1, s.generation(), t0 + 30'000);
    CHECK(again.failed == ids{1});
    CHECK_FALSE(again.start_refresh);
    REQUIRE(again.error);
    CHECK(again.error->message.find("lacks a scope") != std::string::npos);
    CHECK(s.state() == st::valid); // not terminal: other requests may work
    // After the interval a 401 may refresh again.
    CHECK(s.on_unauthorized(2, s.generation(), t0 + 2 * minute).start_refresh);
  }
}

TEST_CASE("oauth_session: transient failures back off", "[sync][oauth]") {
  oauth_session_options o;
  o.max_refresh_attempts = 3;
  SECTION("ahead of expiry: requests keep going with the old token") {
    oauth_session s{tokens(t0 + 2 * minute), o};
    REQUIRE(s.request(1, t0).start_refresh);
    REQUIRE(s.on_store_read(tokens(t0 + 2 * minute), t0).send_refresh);
    auto fx = s.on_refresh_result(
      fail(protocol::oauth_failure::transient, "HTTP 503"), t0);
    CHECK(fx.released == ids{1});
    CHECK(fx.timer_at_ms == std::optional<std::int64_t>{t0 + 2000});
    CHECK(s.state() == st::backoff);
    CHECK(s.request(2, t0 + 1000).released == ids{2});
    CHECK(no_effects(s.on_timer(t0 + 1999)));
    CHECK(s.on_timer(t0 + 2000).start_refresh);
    REQUIRE(s.on_store_read(tokens(t0 + 2 * minute), t0 + 2000).send_refresh);
    auto second = s.on_refresh_result(
      fail(protocol::oauth_failure::transient, "HTTP 503"), t0 + 2000);
    CHECK(second.timer_at_ms == std::optional<std::int64_t>{t0 + 6000});
  }
  SECTION("expired: requests wait, then fail after the last attempt") {
    oauth_session s{tokens(t0 - 1), o};
    REQUIRE(s.request(1, t0).start_refresh);
    auto now = t0;
    for (int attempt = 1; attempt <= 3; ++attempt) {
      REQUIRE(s.on_store_read(tokens(t0 - 1), now).send_refresh);
      auto fx = s.on_refresh_result(
        fail(protocol::oauth_failure::transient, "connect refused"), now);
      if (attempt < 3) {
        CHECK(fx.released.empty());
        CHECK(fx.failed.empty());
        REQUIRE(fx.timer_at_ms);
        CHECK(no_effects(s.request(10 + attempt, now))); // waits too
        now = *fx.timer_at_ms;
        REQUIRE(s.on_timer(now).start_refresh);
      } else {
        CHECK(fx.failed == ids({1, 11, 12}));
        REQUIRE(fx.error);
        CHECK(fx.error->code == common::errc::unavailable);
        CHECK(fx.error->message
              == "could not refresh the OAuth access token (3 attempts): "
                 "connect refused");
        CHECK_FALSE(fx.timer_at_ms);
      }
    }
    // Not terminal: the next request starts a new round.
    CHECK(s.request(20, now + 1).start_refresh);
  }
}

TEST_CASE("oauth_session: terminal failures other than re-auth",
          "[sync][oauth]") {
  oauth_session s{tokens(t0 + minute)};
  REQUIRE(s.request(1, t0).start_refresh);
  REQUIRE(s.on_store_read(tokens(t0 + minute), t0).send_refresh);
  SECTION("client credentials rejected") {
    auto fx = s.on_refresh_result(
      fail(protocol::oauth_failure::invalid_client,
           "the token endpoint rejected the client credentials"),
      t0);
    CHECK(s.state() == st::failed);
    CHECK(fx.failed == ids{1});
    CHECK(fx.error->code == common::errc::unauthenticated);
    CHECK_FALSE(fx.persist); // the login itself may be fine
    CHECK(s.request(2, t0).failed == ids{2});
  }
  SECTION("the rotated tokens cannot be stored: never used") {
    REQUIRE(s.on_refresh_result(ok("AT2", "RT2"), t0).persist);
    s.request(2, t0);
    auto fx = s.on_persist_failed(
      common::make_error(common::errc::no_space, "cannot write x: No space"),
      t0);
    CHECK(s.state() == st::failed);
    CHECK(fx.failed == ids({1, 2}));
    CHECK(fx.error->code == common::errc::no_space);
    CHECK(fx.error->message.find("could not be stored (cannot write x: No "
                                 "space), so they are not used")
          != std::string::npos);
    CHECK(fx.error->message.find("10 minutes") != std::string::npos);
    CHECK(s.authorization() == "Bearer AT1");
    CHECK(fx.error->message.find("AT2") == std::string::npos);
  }
  SECTION("a refusal that is not invalid_grant") {
    auto fx = s.on_refresh_result(
      fail(protocol::oauth_failure::rejected, "HTTP 400 invalid_request"), t0);
    CHECK(s.state() == st::failed);
    CHECK(fx.error->code == common::errc::invalid_input);
  }
}

TEST_CASE("oauth_session: tokens another process stored are adopted",
          "[sync][oauth]") {
  oauth_session s{tokens(t0 + minute)};
  REQUIRE(s.request(1, t0).start_refresh);
  SECTION("a newer refresh of the same login: used, not refreshed again") {
    auto disk = tokens(t0 + hour);
    disk.access_token = "AT-other";
    disk.refresh_token = "RT-other";
    disk.generation = 2;
    auto fx = s.on_store_read(disk, t0);
    CHECK_FALSE(fx.send_refresh);
    CHECK(fx.released == ids{1});
    CHECK(s.authorization() == "Bearer AT-other");
    CHECK(s.refresh_token() == "RT-other");
    CHECK(s.generation() == 2);
  }
  SECTION("a new login, itself due: refreshed with its refresh token") {
    auto disk = tokens(t0 + minute);
    disk.login_id = "login-2";
    disk.refresh_token = "RT-new-login";
    disk.generation = 1;
    auto fx = s.on_store_read(disk, t0);
    CHECK(fx.send_refresh);
    CHECK(s.refresh_token() == "RT-new-login");
  }
  SECTION("the file says re-authenticate (another process was refused)") {
    auto disk = tokens(t0 + minute);
    disk.reauth_reason = "refused earlier";
    auto fx = s.on_store_read(disk, t0);
    CHECK(s.state() == st::reauth_required);
    CHECK(fx.failed == ids{1});
    CHECK_FALSE(fx.persist); // already marked
    CHECK(fx.error->message
          == "refused earlier; re-authenticate with `jirasync auth login`");
  }
  SECTION("the file is gone") {
    auto fx = s.on_store_read(std::nullopt, t0);
    CHECK(s.state() == st::reauth_required);
    CHECK(fx.failed == ids{1});
  }
  SECTION("an older generation on disk: ours is kept and refreshed") {
    auto disk = tokens(t0 + minute);
    disk.generation = 0;
    disk.refresh_token = "RT-old";
    CHECK(s.on_store_read(disk, t0).send_refresh);
    CHECK(s.refresh_token() == "RT1");
  }
}

TEST_CASE("oauth_session: a login without a refresh token", "[sync][oauth]") {
  auto t = tokens(t0 + minute);
  t.refresh_token.clear();
  oauth_session s{t};
  CHECK(s.request(1, t0).released == ids{1}); // used up until it expires
  auto fx = s.request(2, t0 + minute);
  CHECK(s.state() == st::reauth_required);
  CHECK(fx.failed == ids{2});
  CHECK(fx.error->message.find("offline_access was not granted")
        != std::string::npos);
}

TEST_CASE("oauth_session: events out of turn change nothing", "[sync][oauth]") {
  oauth_session s{tokens()};
  CHECK(no_effects(s.on_store_read(tokens(), t0)));
  CHECK(no_effects(s.on_refresh_result(ok("X", "Y"), t0)));
  CHECK(no_effects(s.on_persisted(t0)));
  CHECK(no_effects(
    s.on_persist_failed(common::make_error(common::errc::io_error, "x"), t0)));
  CHECK(no_effects(s.on_timer(t0)));
  CHECK(s.state() == st::valid);
  CHECK(s.authorization() == "Bearer AT1");
  CHECK(to_string(st::reauth_required) == "reauth_required");
}

TEST_CASE("oauth_session: a short-lived token is refreshed in its last "
          "quarter, not at every request",
          "[sync][oauth]") {
  // A 20 s token (a test server's --access-token-ttl-secs): the 5-minute
  // margin would make it due at once; a quarter of 20 s is 5 s.
  auto t = tokens(t0 + 20'000);
  t.obtained_at_ms = t0;
  oauth_session s{t};
  CHECK(s.request(1, t0).released == ids{1});
  CHECK(s.request(2, t0 + 14'999).released == ids{2});
  auto due = s.request(3, t0 + 15'000);
  CHECK(due.start_refresh);
  CHECK(due.released.empty());
  s.on_store_read(t, t0 + 15'000);
  auto answered = s.on_refresh_result(ok("AT2", "RT2", 20), t0 + 15'100);
  REQUIRE(answered.persist);
  CHECK(s.on_persisted(t0 + 15'200).released == ids{3});
  // The new token's lifetime counts from its refresh: due 5 s before it
  // ends (t0 + 35.1 s), not earlier.
  CHECK(s.request(4, t0 + 30'099).released == ids{4});
  CHECK(s.request(5, t0 + 30'100).start_refresh);

  // An hour-long token keeps the full 5-minute margin.
  auto h = tokens(t0 + hour);
  h.obtained_at_ms = t0;
  oauth_session l{h};
  CHECK(l.request(1, t0 + hour - 5 * minute - 1).released == ids{1});
  CHECK(l.request(2, t0 + hour - 5 * minute).start_refresh);
}

TEST_CASE("login_mismatch: the stored login must be for the config's site "
          "and app",
          "[sync][oauth]") {
  auto t = tokens();
  t.site_url = "https://acme.atlassian.net";
  t.client_id = "cid-1";
  CHECK_FALSE(
    sync::login_mismatch(t, "HTTPS://Acme.atlassian.net:443/", "cid-1"));
  auto site = sync::login_mismatch(t, "https://other.atlassian.net", "cid-1");
  REQUIRE(site);
  CHECK(site->code == common::errc::unauthenticated);
  CHECK(site->message
        == "the stored OAuth login is for the site https://acme.atlassian.net, "
           "but jira.site is https://other.atlassian.net; re-authenticate "
           "with `jirasync auth login`");
  auto app = sync::login_mismatch(t, "https://acme.atlassian.net", "cid-2");
  REQUIRE(app);
  CHECK(app->message
        == "the stored OAuth tokens belong to the client id cid-1, but "
           "jira.client_id is cid-2; re-authenticate with `jirasync auth "
           "login`");
}
