// The OAuth token file: round trip, modes whatever the umask, refusal of a
// file others may read, errors that never quote the file, durability
// (no temporary left behind), the cross-process lock.
#include "storage/token_store.hpp"

#include "test_util/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <sys/stat.h>

using namespace jirasync;
using jirasync::storage::oauth_token_set;
using jirasync::storage::token_store;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

using jirasync::test::temp_dir;

/// Sets the umask for a scope.
struct umask_scope {
  explicit umask_scope(mode_t m) : old(::umask(m)) {
    // nop
  }
  ~umask_scope() {
    ::umask(old);
  }
  mode_t old;
};

mode_t mode_of(const fs::path& p) {
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

oauth_token_set sample() {
  oauth_token_set t;
  t.access_token = "AT-secret-1";
  t.refresh_token = "RT-secret-1";
  t.expires_at_ms = 1767225600000;
  t.scope = "read:jira-work offline_access";
  t.cloud_id = "3648b13a-203c-473d-b410-c064163cbaaf";
  t.site_url = "https://acme.atlassian.net";
  t.site_name = "acme";
  t.account_id = "5b10a2844c20165700ede21g";
  t.display_name = "Mia Krystof";
  t.client_id = "client-1";
  t.login_id = "login-1";
  t.obtained_at_ms = 1767222000000;
  t.refreshed_at_ms = 0;
  t.generation = 3;
  return t;
}

} // namespace

TEST_CASE("token_store: round trip, absent file, remove", "[storage][oauth]") {
  temp_dir tmp;
  token_store ts{tmp.path() / "store"};
  CHECK(ts.file() == tmp.path() / "store" / "auth" / "oauth-tokens.json");
  auto none = ts.load();
  REQUIRE(none.has_value());
  CHECK_FALSE(none->has_value());

  auto t = sample();
  REQUIRE(ts.save(t).has_value());
  auto back = ts.load();
  REQUIRE(back.has_value());
  REQUIRE(back->has_value());
  CHECK(**back == t);

  t.reauth_reason = "HTTP 403 invalid_grant: Unknown or invalid refresh token.";
  t.reauth_at_ms = 1767229200000;
  t.refresh_token.clear();
  REQUIRE(ts.save(t).has_value());
  CHECK(**ts.load() == t);

  // No temporary file is left beside it.
  int files = 0;
  for (const auto& e : fs::directory_iterator(ts.dir())) {
    CHECK(e.path().filename().string().find(".tmp") == std::string::npos);
    ++files;
  }
  CHECK(files == 1);
  REQUIRE(ts.remove().has_value());
  CHECK_FALSE(ts.load()->has_value());
  REQUIRE(ts.remove().has_value()); // absent is fine
}

TEST_CASE("token_store: 0600 file in a 0700 folder whatever the umask",
          "[storage][oauth]") {
  temp_dir tmp;
  token_store ts{tmp.path() / "store"};
  {
    umask_scope open_umask{0};
    REQUIRE(ts.save(sample()).has_value());
  }
  CHECK(mode_of(ts.file()) == 0600);
  CHECK(mode_of(ts.dir()) == 0700);
  // A folder someone widened is narrowed again at the next save.
  REQUIRE(::chmod(ts.dir().c_str(), 0755) == 0);
  {
    umask_scope strict{077};
    REQUIRE(ts.save(sample()).has_value());
  }
  CHECK(mode_of(ts.dir()) == 0700);
  CHECK(mode_of(ts.file()) == 0600);
}

TEST_CASE("token_store: a file others may read is refused",
          "[storage][oauth]") {
  temp_dir tmp;
  token_store ts{tmp.path()};
  REQUIRE(ts.save(sample()).has_value());
  REQUIRE(::chmod(ts.file().c_str(), 0644) == 0);
  auto r = ts.load();
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == common::errc::permission_denied);
  CHECK(r.error().message.find("(mode 0644)") != std::string::npos);
  CHECK(r.error().message.find("chmod 600 " + ts.file().string())
        != std::string::npos);
  CHECK(r.error().message.find("AT-secret-1") == std::string::npos);
}

TEST_CASE("token_store: damaged files give errors that quote nothing",
          "[storage][oauth]") {
  temp_dir tmp;
  token_store ts{tmp.path()};
  REQUIRE(ts.save(sample()).has_value());
  auto write = [&](const std::string& text) {
    std::ofstream out{ts.file(), std::ios::trunc};
    out << text;
  };
  SECTION("not JSON") {
    write("access_token=AT-secret-1 not json");
    auto r = ts.load();
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == common::errc::corruption);
    CHECK(r.error().message.find("AT-secret-1") == std::string::npos);
  }
  SECTION("another format") {
    write(R"({"access_token":"AT-secret-1"})");
    auto r = ts.load();
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == common::errc::corruption);
    CHECK(r.error().message.find("not a jirasync token file")
          != std::string::npos);
  }
  SECTION("a wrong field type names the field only") {
    write(R"({"format":"jirasync-oauth-tokens","version":1,)"
          R"("access_token":"AT-secret-1","cloud_id":42})");
    auto r = ts.load();
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().message.find("field cloud_id") != std::string::npos);
    CHECK(r.error().message.find("AT-secret-1") == std::string::npos);
  }
  SECTION("a newer format") {
    write(R"({"format":"jirasync-oauth-tokens","version":9,)"
          R"("access_token":"x","cloud_id":"c"})");
    auto r = ts.load();
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == common::errc::schema_too_new);
  }
}

TEST_CASE("token_store: refuses to store nothing", "[storage][oauth]") {
  temp_dir tmp;
  token_store ts{tmp.path()};
  auto t = sample();
  t.access_token.clear();
  auto r = ts.save(t);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == common::errc::invalid_argument);
  CHECK_FALSE(fs::exists(ts.file()));
}

TEST_CASE("token_store: the lock excludes a second holder until released",
          "[storage][oauth]") {
  temp_dir tmp;
  token_store ts{tmp.path()};
  auto first = ts.acquire(1s);
  REQUIRE(first.has_value());
  // flock locks belong to an open file description: a second acquire in
  // this process contends exactly like another process would.
  auto second = ts.acquire(50ms);
  REQUIRE_FALSE(second.has_value());
  CHECK(second.error().code == common::errc::locked);
  CHECK(second.error().message.find("for 50 ms") != std::string::npos);
  { auto released = std::move(*first); }
  auto third = ts.acquire(1s);
  CHECK(third.has_value());
  CHECK(mode_of(ts.dir() / "oauth-tokens.lock") == 0600);
}
