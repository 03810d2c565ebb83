// token_keeper under CAF's deterministic scheduler, with a real token file
// in a temp folder and a fake token endpoint the test answers by hand:
// single flight, persist before use, rotation and its absence, 401s of old
// and current generations, invalid_grant (once, recorded, told to the
// listener, no retry), a token file that cannot be written, and the
// cross-process lock.
#include "actors/token_keeper.hpp"
#include "deterministic_fixture.hpp"
#include "test_util/catch_result.hpp"
#include "test_util/temp_dir.hpp"

#include <caf/all.hpp>
#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include <filesystem>
#include <memory>
#include <vector>

#include <csignal>

#include <sys/resource.h>
#include <sys/stat.h>

using namespace jirasync;
using namespace jirasync::actors;
using namespace std::chrono_literals;
using jirasync::test::temp_dir;

namespace {

struct fake_endpoint {
  std::vector<protocol::http_request> requests;
  std::vector<std::function<void(protocol::http_result)>> pending;

  /// Answers the oldest pending grant.
  void answer(int status, std::string body) {
    REQUIRE_FALSE(pending.empty());
    protocol::http_result r;
    r.response = protocol::http_response{};
    r.response->status = status;
    r.response->body = std::move(body);
    r.response->headers = {{"Content-Type", "application/json"}};
    auto done = std::move(pending.front());
    pending.erase(pending.begin());
    done(std::move(r));
  }
};

struct keeper_fixture {
  testing::deterministic_fixture fx;
  temp_dir dir;
  std::shared_ptr<fake_endpoint> endpoint = std::make_shared<fake_endpoint>();
  storage::token_store store{dir.path()};
  token_keeper_actor keeper;

  /// A login made an hour ago whose access token has just expired.
  storage::oauth_token_set expired_login() const {
    storage::oauth_token_set t;
    t.access_token = "AT1";
    t.refresh_token = "RT1";
    t.obtained_at_ms = fx.now_ms() - 3'600'000;
    t.expires_at_ms = fx.now_ms() - 1;
    t.scope = "read:jira-work offline_access";
    t.cloud_id = "cloud-1";
    t.site_url = "https://acme.atlassian.net";
    t.client_id = "cid";
    t.login_id = "login-1";
    t.generation = 1;
    return t;
  }

  /// A login whose access token is good for another 50 minutes.
  storage::oauth_token_set fresh_login() const {
    auto t = expired_login();
    t.obtained_at_ms = fx.now_ms() - 600'000;
    t.expires_at_ms = fx.now_ms() + 3'000'000;
    return t;
  }

  void start(std::optional<storage::oauth_token_set> stored,
             std::chrono::milliseconds lock_timeout = 30s) {
    if (stored)
      REQUIRE(store.save(*stored));
    token_keeper_options o;
    o.stored = std::move(stored);
    o.store_dir = dir.path();
    o.oauth.auth_url = "https://auth.example";
    o.oauth.client_id = "cid";
    o.oauth.client_secret = "secret";
    o.transport
      = [ep = endpoint](protocol::http_request r,
                        std::function<void(protocol::http_result)> d) {
          ep->requests.push_back(std::move(r));
          ep->pending.push_back(std::move(d));
        };
    o.now = [this] {
      return fx.now_ms();
    };
    o.lock_timeout = lock_timeout;
    o.detached = false; // the deterministic scheduler runs it
    keeper = spawn_token_keeper(fx.sys(), std::move(o));
    fx.run();
  }

  ~keeper_fixture() {
    fx.self()->send_exit(keeper, caf::exit_reason::user_shutdown);
    fx.run();
  }

  /// Every reply that reached the test since the last call.
  std::vector<bearer_reply> replies() {
    std::vector<bearer_reply> out;
    for (bool more = true; more;)
      fx.self()->receive(
        [&](bearer_reply& r) {
          out.push_back(std::move(r));
        },
        caf::after(0s) >>
          [&] {
            more = false;
          });
    return out;
  }

  storage::oauth_token_set on_disk() {
    auto l = store.load();
    REQUIRE(l);
    REQUIRE(l->has_value());
    return **l;
  }
};

/// Caps the size of files this process writes, for a scope.
struct file_size_limit {
  rlimit old{};
  void (*old_handler)(int) = nullptr;
  explicit file_size_limit(rlim_t bytes) {
    REQUIRE(::getrlimit(RLIMIT_FSIZE, &old) == 0);
    old_handler = std::signal(SIGXFSZ, SIG_IGN); // EFBIG instead of a kill
    rlimit lim = old;
    lim.rlim_cur = bytes;
    REQUIRE(::setrlimit(RLIMIT_FSIZE, &lim) == 0);
  }
  ~file_size_limit() {
    ::setrlimit(RLIMIT_FSIZE, &old);
    std::signal(SIGXFSZ, old_handler);
  }
};

std::string refresh_param(const protocol::http_request& r, const char* key) {
  auto o = boost::json::parse(r.body).as_object();
  auto* v = o.if_contains(key);
  return v ? std::string(v->as_string()) : std::string{};
}

} // namespace

TEST_CASE("token_keeper: one refresh for many waiting requests, stored "
          "before anyone uses it",
          "[actors][oauth]") {
  keeper_fixture k;
  k.start(k.expired_login());
  auto& self = k.fx.self();
  for (int i = 0; i < 5; ++i)
    self->send(k.keeper, token_atom_v);
  k.fx.run();
  // One grant on the wire, with the stored refresh token; nobody answered.
  REQUIRE(k.endpoint->requests.size() == 1);
  const auto& grant = k.endpoint->requests.front();
  CHECK(grant.method == "POST");
  CHECK(grant.url == "https://auth.example/oauth/token");
  CHECK(refresh_param(grant, "grant_type") == "refresh_token");
  CHECK(refresh_param(grant, "refresh_token") == "RT1");
  CHECK(k.replies().empty());
  // More requests while the grant is out join the wait.
  self->send(k.keeper, token_atom_v);
  k.fx.run();
  CHECK(k.endpoint->requests.size() == 1);

  k.endpoint->answer(200, R"({"access_token":"AT2","refresh_token":"RT2",)"
                          R"("expires_in":3600,"scope":"read:jira-work",)"
                          R"("token_type":"Bearer"})");
  k.fx.run();
  auto got = k.replies();
  REQUIRE(got.size() == 6);
  for (auto& r : got) {
    REQUIRE(r);
    CHECK(r->authorization == "Bearer AT2");
    CHECK(r->generation == 2);
    // Usable until the refresh point: an hour less the 5-minute margin.
    CHECK(r->valid_for_ms == 3'300'000);
  }
  // The rotated refresh token is in the file (0600).
  auto t = k.on_disk();
  CHECK(t.access_token == "AT2");
  CHECK(t.refresh_token == "RT2");
  CHECK(t.generation == 2);
  CHECK(t.refreshed_at_ms == k.fx.now_ms());
  CHECK(t.expires_at_ms == k.fx.now_ms() + 3'600'000);
  struct stat sb {};
  REQUIRE(::stat(k.store.file().c_str(), &sb) == 0);
  CHECK((sb.st_mode & 0777) == 0600);
  // Now valid: answered at once, no new grant; 10 minutes later its
  // refresh point is 10 minutes closer.
  k.fx.advance(10min);
  self->send(k.keeper, token_atom_v);
  k.fx.run();
  auto later = k.replies();
  REQUIRE(later.size() == 1);
  CHECK(later[0]->generation == 2);
  CHECK(later[0]->valid_for_ms == 2'700'000);
  CHECK(k.endpoint->requests.size() == 1);
  self->send(k.keeper, stats_atom_v);
  k.fx.run();
  self->receive(
    [&](token_stats& s) {
      CHECK(s.refreshes == 1);
      CHECK(s.grants_sent == 1);
      CHECK(s.state == "valid");
    },
    caf::after(0s) >>
      [] {
        FAIL("no stats");
      });
}

TEST_CASE("token_keeper: an answer without a refresh token keeps the old one",
          "[actors][oauth]") {
  keeper_fixture k;
  k.start(k.expired_login());
  k.fx.self()->send(k.keeper, token_atom_v);
  k.fx.run();
  k.endpoint->answer(200, R"({"access_token":"AT2","expires_in":3600})");
  k.fx.run();
  auto got = k.replies();
  REQUIRE(got.size() == 1);
  CHECK(got[0]->authorization == "Bearer AT2");
  auto t = k.on_disk();
  CHECK(t.access_token == "AT2");
  CHECK(t.refresh_token == "RT1");
}

TEST_CASE("token_keeper: 401s refresh once per generation", "[actors][oauth]") {
  keeper_fixture k;
  k.start(k.fresh_login());
  auto& self = k.fx.self();
  self->send(k.keeper, token_atom_v);
  k.fx.run();
  auto first = k.replies();
  REQUIRE(first.size() == 1);
  CHECK(first[0]->authorization == "Bearer AT1");
  CHECK(first[0]->generation == 1);
  CHECK(k.endpoint->requests.empty()); // valid: no refresh

  // Three requests sent with generation 1 come back 401.
  for (int i = 0; i < 3; ++i)
    self->send(k.keeper, token_atom_v, std::uint64_t{1});
  k.fx.run();
  REQUIRE(k.endpoint->requests.size() == 1);
  k.endpoint->answer(200, R"({"access_token":"AT2","refresh_token":"RT2",)"
                          R"("expires_in":3600})");
  k.fx.run();
  auto got = k.replies();
  REQUIRE(got.size() == 3);
  for (auto& r : got)
    CHECK(r->generation == 2);
  // A late 401 of generation 1 gets generation 2 without another refresh.
  self->send(k.keeper, token_atom_v, std::uint64_t{1});
  k.fx.run();
  auto late = k.replies();
  REQUIRE(late.size() == 1);
  CHECK(late[0]->authorization == "Bearer AT2");
  CHECK(k.endpoint->requests.size() == 1);
  // A 401 to the token that a 401 just produced is not refreshed again: a
  // scope or a permission is missing, refreshing would only loop.
  self->send(k.keeper, token_atom_v, std::uint64_t{2});
  k.fx.run();
  auto refused = k.replies();
  REQUIRE(refused.size() == 1);
  REQUIRE_FALSE(refused[0]);
  CHECK(refused[0].error().code == common::errc::unauthenticated);
  CHECK(refused[0].error().message.find("freshly refreshed")
        != std::string::npos);
  CHECK(k.endpoint->requests.size() == 1);
}

TEST_CASE("token_keeper: invalid_grant fails everyone once, is recorded and "
          "told to the listener, and is never retried",
          "[actors][oauth]") {
  keeper_fixture k;
  k.start(k.expired_login());
  auto& self = k.fx.self();
  self->send(k.keeper, auth_atom_v, caf::actor_cast<auth_listener_actor>(self));
  for (int i = 0; i < 3; ++i)
    self->send(k.keeper, token_atom_v);
  k.fx.run();
  REQUIRE(k.endpoint->requests.size() == 1);
  k.endpoint->answer(403, R"({"error":"invalid_grant",)"
                          R"("error_description":"Unknown or invalid refresh )"
                          R"(token."})");
  k.fx.run();
  std::vector<bearer_reply> got;
  std::vector<common::error> told;
  for (bool more = true; more;)
    self->receive(
      [&](bearer_reply& r) {
        got.push_back(std::move(r));
      },
      [&](auth_atom, common::error& e) {
        told.push_back(std::move(e));
      },
      caf::after(0s) >>
        [&] {
          more = false;
        });
  REQUIRE(got.size() == 3);
  for (auto& r : got) {
    REQUIRE_FALSE(r);
    CHECK(r.error().code == common::errc::unauthenticated);
    CHECK(r.error().message
          == "the refresh token was refused (HTTP 403 invalid_grant: Unknown "
             "or invalid refresh token.): it expired (unused for 90 days, or "
             "older than 365 days), was revoked, or was reused after "
             "rotation; re-authenticate with `jirasync auth login`");
  }
  REQUIRE(told.size() == 1);
  CHECK(told[0] == got[0].error());
  auto t = k.on_disk();
  REQUIRE(t.reauth_reason);
  CHECK(*t.reauth_reason == got[0].error().message);
  CHECK(t.refresh_token == "RT1");
  // Later requests fail at once, without a grant.
  self->send(k.keeper, token_atom_v);
  k.fx.advance(60s);
  auto later = k.replies();
  REQUIRE(later.size() == 1);
  CHECK_FALSE(later[0]);
  CHECK(k.endpoint->requests.size() == 1);
}

TEST_CASE("token_keeper: rotated tokens that cannot be stored are not used",
          "[actors][oauth]") {
  keeper_fixture k;
  k.start(k.expired_login());
  k.fx.self()->send(k.keeper, token_atom_v);
  k.fx.run();
  REQUIRE(k.endpoint->requests.size() == 1);
  k.endpoint->answer(200, R"({"access_token":"AT2","refresh_token":"RT2",)"
                          R"("expires_in":3600})");
  {
    // No file may grow while the keeper stores the answer (a full disk;
    // RLIMIT_FSIZE binds root too): save() fails with EFBIG. The keeper
    // runs on this thread (deterministic scheduler), so the limit covers
    // exactly its handling of the answer.
    file_size_limit none{0};
    k.fx.run();
  }
  auto got = k.replies();
  REQUIRE(got.size() == 1);
  REQUIRE_FALSE(got[0]);
  CHECK(got[0].error().message.rfind("the rotated OAuth tokens could not be "
                                     "stored",
                                     0)
        == 0);
  CHECK(got[0].error().message.find("AT2") == std::string::npos);
  CHECK(got[0].error().message.find("RT2") == std::string::npos);
  // The file still holds the refresh token that is still valid.
  CHECK(k.on_disk().refresh_token == "RT1");
}

TEST_CASE("token_keeper: waits for another process's lock, and its wait "
          "ends",
          "[actors][oauth]") {
  keeper_fixture k;
  k.start(k.expired_login(), 0ms);   // give up on the lock at the first try
  auto other = k.store.acquire(0ms); // "another jirasync process"
  REQUIRE(other);
  k.fx.self()->send(k.keeper, token_atom_v);
  k.fx.run();
  // Locked: no grant; a transient failure, retried after the backoff.
  CHECK(k.endpoint->requests.empty());
  CHECK(k.replies().empty());
  { auto released = std::move(*other); }
  k.fx.advance(2s); // the session's first backoff
  REQUIRE(k.endpoint->requests.size() == 1);
  k.endpoint->answer(200, R"({"access_token":"AT2","refresh_token":"RT2",)"
                          R"("expires_in":3600})");
  k.fx.run();
  auto got = k.replies();
  REQUIRE(got.size() == 1);
  CHECK(got[0]->authorization == "Bearer AT2");
}

TEST_CASE("token_keeper: tokens another process stored are adopted, not "
          "refreshed again",
          "[actors][oauth]") {
  keeper_fixture k;
  k.start(k.expired_login());
  // Another process refreshed meanwhile (same login, newer generation).
  auto theirs = k.fresh_login();
  theirs.access_token = "AT9";
  theirs.refresh_token = "RT9";
  theirs.generation = 5;
  REQUIRE(k.store.save(theirs));
  k.fx.self()->send(k.keeper, token_atom_v);
  k.fx.run();
  auto got = k.replies();
  REQUIRE(got.size() == 1);
  CHECK(got[0]->authorization == "Bearer AT9");
  CHECK(k.endpoint->requests.empty());
}
