#include "actors/store_writer.hpp"
#include "actors/supervision.hpp"
#include "common/sha256.hpp"

#include <caf/all.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>

using namespace jirasync;
using namespace jirasync::actors;
using namespace std::chrono_literals;

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

caf::actor_system_config& threaded_config() {
  static caf::actor_system_config cfg = [] {
    caf::actor_system_config c;
    c.set("scheduler.max-threads", 2);
    c.set("logger.console", caf::atom("none"));
    return c;
  }();
  return cfg;
}

} // namespace

TEST_CASE("store_writer applies batches, adopts blobs, keeps totals",
          "[actors]") {
  temp_store_dir dir;
  auto opened = storage::store::open(dir.path / "db");
  REQUIRE(opened.has_value());
  std::shared_ptr<storage::store> db{std::move(opened.value())};
  caf::actor_system sys{threaded_config()};
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
  // A downloaded file is adopted into the blob store, its text read first.
  auto tmp = db->blob_tmp_dir() / "dl-1";
  {
    std::ofstream out{tmp, std::ios::binary};
    out << "hello";
  }
  auto sha = common::sha256_hex("hello");
  self->request(writer, 5s, adopt_atom_v, adopt_job{tmp, sha, 100})
    .receive(
      [&](adopt_reply& r) {
        REQUIRE(r.has_value());
        CHECK(*r == std::optional<std::string>{"hello"});
      },
      fail);
  CHECK(db->has_blob(sha));
  CHECK_FALSE(std::filesystem::exists(tmp));
  // A missing file fails the adoption as a value.
  self
    ->request(writer, 5s, adopt_atom_v,
              adopt_job{db->blob_tmp_dir() / "none", sha, 100})
    .receive(
      [&](adopt_reply& r) {
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().code == common::errc::not_found);
      },
      fail);
  // A text over its cap fails the adoption and removes the temp file.
  auto big = db->blob_tmp_dir() / "dl-2";
  {
    std::ofstream out{big, std::ios::binary};
    out << "hello";
  }
  self->request(writer, 5s, adopt_atom_v, adopt_job{big, sha, 4})
    .receive(
      [&](adopt_reply& r) {
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().code == common::errc::invalid_input);
        CHECK(r.error().message.rfind("text: ", 0) == 0);
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
