#include "actors/groups_actor.hpp"
#include "actors/rate_governor.hpp"
#include "actors/roles_actor.hpp"
#include "actors/store_writer.hpp"
#include "actors/supervision.hpp"
#include "actors/sync_env.hpp"
#include "actors/users_actor.hpp"
#include "common/sha256.hpp"
#include "deterministic_fixture.hpp"
#include "test_util/temp_dir.hpp"
#include "threaded_config.hpp"

#include <caf/all.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>

using namespace jirasync;
using namespace jirasync::actors;
using namespace std::chrono_literals;

namespace {

using temp_store_dir = jirasync::test::temp_dir;

} // namespace

TEST_CASE("store_writer applies batches, adopts blobs, keeps totals",
          "[actors]") {
  temp_store_dir dir;
  auto opened = storage::store::open(dir.path() / "db");
  REQUIRE(opened.has_value());
  std::shared_ptr<storage::store> db{std::move(opened.value())};
  caf::actor_system sys{jirasync::testing::threaded_config()};
  auto writer = spawn_store_writer(sys, db);
  caf::scoped_actor self{sys};
  auto fail = [&](caf::error& err) {
    FAIL(sys.render(err));
  };
  auto spec = std::make_shared<storage::write_batch_spec>();
  storage::user_record u;
  u.account_id = "acc-1";
  u.display_name = "Ann";
  spec->upserts.emplace_back(u);
  for (int round = 0; round < 2; ++round)
    self->request(writer, 5s, write_atom_v, write_job{spec})
      .receive(
        [&](write_reply& r) {
          CHECK(r.has_value());
        },
        fail);
  // An upsert naming an unknown ACL fails the whole batch, as a value.
  auto bad = std::make_shared<storage::write_batch_spec>();
  storage::project_record p;
  p.id = "1";
  p.key = "P";
  p.acl = "no-such-acl";
  bad->upserts.emplace_back(p);
  self->request(writer, 5s, write_atom_v, write_job{bad})
    .receive(
      [&](write_reply& r) {
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().code == common::errc::io_error);
        CHECK(r.error().message.rfind("store: ", 0) == 0);
      },
      fail);
  // A downloaded file is adopted into the blob store (its text is the
  // text_extractor's business).
  auto tmp = db->blob_tmp_dir() / "dl-1";
  {
    std::ofstream out{tmp, std::ios::binary};
    out << "hello";
  }
  auto sha = common::sha256_hex("hello");
  self->request(writer, 5s, adopt_atom_v, adopt_job{tmp, sha})
    .receive(
      [&](adopt_reply& r) {
        REQUIRE(r.has_value());
      },
      fail);
  CHECK(db->has_blob(sha));
  CHECK_FALSE(std::filesystem::exists(tmp));
  // A missing file fails the adoption as a value.
  self
    ->request(
      writer, 5s, adopt_atom_v,
      adopt_job{db->blob_tmp_dir() / "none", common::sha256_hex("other")})
    .receive(
      [&](adopt_reply& r) {
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().code == common::errc::io_error);
        CHECK_THAT(r.error().message, Catch::Contains("no downloaded file"));
      },
      fail);
  // The same content again: the temp file is gone (the blob existed
  // already).
  auto big = db->blob_tmp_dir() / "dl-2";
  {
    std::ofstream out{big, std::ios::binary};
    out << "hello";
  }
  self->request(writer, 5s, adopt_atom_v, adopt_job{big, sha})
    .receive(
      [&](adopt_reply& r) {
        REQUIRE(r.has_value());
      },
      fail);
  CHECK_FALSE(std::filesystem::exists(big));
  // A temp file that will not be adopted is discarded by the writer (the
  // stats answer below comes after it: one sender, in order).
  auto stale = db->blob_tmp_dir() / "dl-3";
  {
    std::ofstream out{stale, std::ios::binary};
    out << "x";
  }
  self->send(writer, discard_atom_v, stale);
  self->request(writer, 5s, stats_atom_v)
    .receive(
      [&](store_totals& t) {
        CHECK(t.added == 1);
        CHECK(t.unchanged == 1);
        CHECK(t.batches == 2);
      },
      fail);
  CHECK_FALSE(std::filesystem::exists(stale));
  auto got = db->get_user("acc-1");
  REQUIRE(got.has_value());
  REQUIRE(got.value());
  CHECK(got.value()->display_name == "Ann");
  self->send_exit(writer, caf::exit_reason::user_shutdown);
}

TEST_CASE("CAF errors become readable lines and common errors", "[actors]") {
  CHECK(describe(std::chrono::hours(24)) == "24 h");
  CHECK(describe(std::chrono::minutes(90)) == "90 min");
  CHECK(describe(std::chrono::seconds(30)) == "30 s");
  CHECK(describe(std::chrono::milliseconds(1500)) == "1500 ms");
  CHECK(describe(caf::error{}) == "no error");
  auto timeout
    = request_failed("store write", caf::make_error(caf::sec::request_timeout));
  CHECK(timeout.code == common::errc::timeout);
  CHECK(timeout.message == "store write: no answer within its timeout");
  auto crashed
    = request_failed("users", caf::make_error(caf::sec::runtime_error,
                                              "users_actor: exception: boom"));
  CHECK(crashed.code == common::errc::internal);
  CHECK(crashed.message == "users: users_actor: exception: boom");
  auto gone = request_failed("download",
                             caf::make_error(caf::sec::request_receiver_down));
  CHECK(gone.message == "download: the actor that should answer has stopped");
  auto e = prefixed(
    "groups", common::make_error(common::errc::unavailable, "HTTP 503", "x"));
  CHECK(e.to_string() == "x: groups: HTTP 503");
}

namespace {

/// An api_client stand-in answering from a table of URL fragments; the
/// first fragment found in the URL wins, "" matches anything.
api_client_actor
fake_api(caf::actor_system& sys,
         std::vector<std::pair<std::string, std::string>> answers) {
  // The table is a spawn argument, not a capture: CAF 0.17 applies an
  // empty argument tuple through a null pointer, which UBSan reports.
  using table = std::vector<std::pair<std::string, std::string>>;
  return sys.spawn(
    [](api_client_actor::pointer,
       table answers) -> api_client_actor::behavior_type {
      return {
        [answers](api_call& c) -> api_reply {
          for (const auto& [fragment, body] : answers)
            if (c.request.http.url.find(fragment) != std::string::npos) {
              if (body.empty())
                return common::make_error(common::errc::not_found, "HTTP 404");
              api_response r;
              r.status = 200;
              r.body = body;
              return r;
            }
          return common::make_error(common::errc::not_found, "HTTP 404");
        },
        [](stats_atom) -> api_stats {
          return {};
        },
        [](http_atom, std::uint64_t, protocol::http_result&) {},
        [](retry_atom, std::uint64_t) {},
      };
    },
    std::move(answers));
}

} // namespace

TEST_CASE("users and groups the parser drops are named failures",
          "[actors][hostile]") {
  // Problem 4 of issue 11: these parse errors were ignored (exit 0).
  temp_store_dir dir;
  auto opened = storage::store::open(dir.path() / "db");
  REQUIRE(opened.has_value());
  std::shared_ptr<storage::store> db{std::move(opened.value())};
  caf::actor_system sys{jirasync::testing::threaded_config()};
  auto env = std::make_shared<sync_env>();
  env->db = db;
  env->writer = spawn_store_writer(sys, db);
  env->api = fake_api(
    sys,
    {{"/users/search?startAt=0",
      R"([{"accountId":"u1","accountType":"atlassian","displayName":"Ann","active":true},)"
      R"({"accountId":"","accountType":"atlassian","displayName":"Bad"}])"},
     {"/users/search", "[]"},
     {"/group/bulk", R"({"isLast":true,"startAt":0,"maxResults":50,"total":2,)"
                     R"("values":[{"name":"dev","groupId":"g1"},42]})"},
     {"/group/member",
      R"({"isLast":true,"startAt":0,"maxResults":50,"total":2,)"
      R"("values":[{"accountId":"u1","accountType":"atlassian"},"x"]})"},
     {"/applicationrole", ""}});
  caf::scoped_actor self{sys};
  auto fail = [&](caf::error& err) {
    FAIL(sys.render(err));
  };
  users_result users;
  auto users_a = spawn_users_actor(sys, env);
  auto groups_a = spawn_groups_actor(sys, env);
  self->request(users_a, 10s, run_atom_v)
    .receive(
      [&](users_reply& r) {
        REQUIRE(r.has_value());
        users = *r;
      },
      fail);
  CHECK(users.count == 1);
  REQUIRE(users.failures.size() == 1);
  CHECK(users.failures[0].record == "users[1]");
  CHECK_THAT(users.failures[0].message, Catch::StartsWith("users: users[1]: "));
  CHECK(users.failures[0].code == common::errc::invalid_input);
  self->request(groups_a, 10s, run_atom_v, users)
    .receive(
      [&](groups_reply& r) {
        REQUIRE(r.has_value());
        CHECK(r->count == 1);
        REQUIRE(r->failures.size() == 2);
        CHECK_THAT(r->failures[0].message,
                   Catch::StartsWith("groups: ")
                     && Catch::Contains("expected an object, got a number"));
        CHECK(r->failures[1].record == "group dev");
        CHECK_THAT(r->failures[1].message,
                   Catch::StartsWith("group members: ")
                     && Catch::Contains("expected an object"));
      },
      fail);
  // The actor system waits for every actor when it goes away.
  for (const auto& a : {caf::actor_cast<caf::actor>(users_a),
                        caf::actor_cast<caf::actor>(groups_a),
                        caf::actor_cast<caf::actor>(env->api),
                        caf::actor_cast<caf::actor>(env->writer)})
    self->send_exit(a, caf::exit_reason::user_shutdown);
}

TEST_CASE("a permission scheme with a malformed grant fails the project",
          "[actors][hostile]") {
  // Fail safe for ACL inputs (issue 11): a grant the parser drops must not
  // leave an ACL computed without it, so the project's access fails as a
  // whole, named.
  caf::actor_system sys{jirasync::testing::threaded_config()};
  auto env = std::make_shared<sync_env>();
  env->api = fake_api(
    sys,
    {{"/project/ABC/permissionscheme", R"({"id":10000,"name":"S"})"},
     {"/permissionscheme/10000",
      R"({"id":10000,"name":"S","permissions":[)"
      R"({"id":1,"holder":{"type":"group","parameter":"dev"},"permission":"BROWSE_PROJECTS"},)"
      R"({"id":2,"holder":42,"permission":"BROWSE_PROJECTS"}]})"},
     {"/project/ABC/role", "{}"},
     {"/project/ABC/issuesecuritylevelscheme", ""}});
  caf::scoped_actor self{sys};
  protocol::jira_project p;
  p.id = "100";
  p.key = "ABC";
  auto roles_a = spawn_roles_actor(sys, env);
  self->request(roles_a, 10s, run_atom_v, p)
    .receive(
      [&](access_reply& r) {
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().code == common::errc::invalid_input);
        CHECK_THAT(r.error().message,
                   Catch::StartsWith("permission scheme 10000: "));
      },
      [&](caf::error& err) {
        FAIL(sys.render(err));
      });
  self->send_exit(roles_a, caf::exit_reason::user_shutdown);
  self->send_exit(env->api, caf::exit_reason::user_shutdown);
}
