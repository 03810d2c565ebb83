#include "actors/issue_fetcher.hpp"
#include "actors/projects_actor.hpp"
#include "actors/rate_governor.hpp"
#include "actors/store_writer.hpp"

#include <caf/all.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>

using namespace jirasync;
using namespace jirasync::actors;

namespace {

struct temp_store_dir {
  std::filesystem::path path;
  temp_store_dir() {
    auto tmpl
      = (std::filesystem::temp_directory_path() / "jirasync-actors-XXXXXX")
          .string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
  }
  ~temp_store_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

caf::actor_system_config& test_config() {
  static caf::actor_system_config cfg = [] {
    caf::actor_system_config c;
    c.set("scheduler.max-threads", 2);
    return c;
  }();
  return cfg;
}

} // namespace

TEST_CASE("project key filter: in / not in", "[actors]") {
  config::filters_config f;
  CHECK(project_in_scope(f, "ABC"));
  f.project_keys = {"ABC", "DEF"};
  CHECK(project_in_scope(f, "ABC"));
  CHECK_FALSE(project_in_scope(f, "XYZ"));
  f.project_keys_op = config::keys_op::not_in;
  CHECK_FALSE(project_in_scope(f, "ABC"));
  CHECK(project_in_scope(f, "XYZ"));
}

TEST_CASE("project JQL carries the date filters in the user's zone",
          "[actors]") {
  config::filters_config f;
  auto plain = project_jql(f, "ABC", "UTC");
  REQUIRE(plain.ok());
  CHECK(plain.jql.find("project = \"ABC\"") != std::string::npos);
  CHECK(plain.jql.find("updated") == std::string::npos);
  f.modified_after = config::parse_date_bound("2024-01-02");
  f.created_before = config::parse_date_bound("2024-03-01T10:00:00Z");
  auto q = project_jql(f, "ABC", "Europe/Berlin");
  REQUIRE(q.ok());
  // 2024-01-02T00:00Z is 01:00 in Berlin (CET).
  CHECK(q.jql.find("updated >= \"2024/01/02 01:00\"") != std::string::npos);
  CHECK(q.jql.find("created <= \"2024/03/01 11:00\"") != std::string::npos);
}

TEST_CASE("rate_governor parks permits until the bucket refills", "[actors]") {
  caf::actor_system sys{test_config()};
  sync::governor_options o;
  o.default_bucket = {"default", 10, 2}; // 10/s, burst 2
  o.initial_concurrency = 16;
  auto gov = spawn_rate_governor(sys, o);
  caf::scoped_actor self{sys};
  auto start = std::chrono::steady_clock::now();
  std::vector<std::chrono::milliseconds> granted;
  for (int i = 0; i < 4; ++i) {
    self
      ->request(gov, std::chrono::seconds(5), permit_atom_v, std::string{"get"},
                std::int64_t{1})
      .receive(
        [&](permit_atom) {
          granted.push_back(
            std::chrono::duration_cast<std::chrono::milliseconds>(
              std::chrono::steady_clock::now() - start));
        },
        [&](caf::error& err) {
          FAIL(sys.render(err));
        });
    // Return the permit so concurrency is never the limit.
    self->send(
      gov, done_atom_v,
      governor_done{sync::completion{"get", 1, 200, {}, false, {}, {}}});
  }
  REQUIRE(granted.size() == 4);
  CHECK(granted[1].count() < 50);  // burst of 2: immediate
  CHECK(granted[2].count() >= 90); // then one every 100 ms
  CHECK(granted[3].count() >= 190);
  self->request(gov, std::chrono::seconds(5), stats_atom_v)
    .receive(
      [&](governor_report& r) {
        CHECK(r.stats.granted == 4);
        CHECK(r.rate_limit_waits == 2);
      },
      [&](caf::error& err) {
        FAIL(sys.render(err));
      });
  self->send_exit(gov, caf::exit_reason::user_shutdown);
}

TEST_CASE("store_writer applies batches and keeps totals", "[actors]") {
  temp_store_dir dir;
  auto opened = storage::store::open(dir.path / "db");
  REQUIRE(opened.has_value());
  std::shared_ptr<storage::store> db{std::move(opened.value())};
  caf::actor_system sys{test_config()};
  auto writer = spawn_store_writer(sys, db);
  caf::scoped_actor self{sys};
  auto spec = std::make_shared<storage::write_batch_spec>();
  storage::user_record u;
  u.account_id = "acc-1";
  u.display_name = "Ann";
  spec->upserts.emplace_back(u);
  for (int round = 0; round < 2; ++round)
    self
      ->request(writer, std::chrono::seconds(5), write_atom_v, write_job{spec})
      .receive(
        [&](write_reply& r) {
          CHECK(r.ok);
        },
        [&](caf::error& err) {
          FAIL(sys.render(err));
        });
  // An upsert naming an unknown ACL fails the whole batch, as a value.
  auto bad = std::make_shared<storage::write_batch_spec>();
  storage::project_record p;
  p.id = "1";
  p.key = "P";
  p.acl = "no-such-acl";
  bad->upserts.emplace_back(p);
  self->request(writer, std::chrono::seconds(5), write_atom_v, write_job{bad})
    .receive(
      [&](write_reply& r) {
        CHECK_FALSE(r.ok);
        CHECK(r.error.rfind("store: ", 0) == 0);
      },
      [&](caf::error& err) {
        FAIL(sys.render(err));
      });
  self->request(writer, std::chrono::seconds(5), stats_atom_v)
    .receive(
      [&](store_totals& t) {
        CHECK(t.added == 1);
        CHECK(t.unchanged == 1);
        CHECK(t.batches == 2);
      },
      [&](caf::error& err) {
        FAIL(sys.render(err));
      });
  auto got = db->get_user("acc-1");
  REQUIRE(got.has_value());
  REQUIRE(got.value());
  CHECK(got.value()->display_name == "Ann");
  self->send_exit(writer, caf::exit_reason::user_shutdown);
}
