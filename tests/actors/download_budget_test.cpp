// attachment_downloader under sync.download_bytes_in_flight (issue 11): a
// slow media host that records the bytes it is serving at once; the
// downloader never has more reserved than the budget, the attachment larger
// than the whole budget is served alone, every body is capped at its
// reservation, and every download completes.
#include "actors/attachment_downloader.hpp"
#include "actors/store_writer.hpp"
#include "actors/sync_env.hpp"
#include "common/sha256.hpp"
#include "test_util/temp_dir.hpp"
#include "threaded_config.hpp"

#include <caf/all.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <fstream>
#include <map>
#include <mutex>

using namespace jirasync;
using namespace jirasync::actors;
using namespace std::chrono_literals;

namespace {

/// What the media host saw (written from its actor, read by the test once
/// every download answered).
struct media_log {
  std::mutex mu;
  std::uint64_t serving = 0;
  int concurrent = 0;
  /// The most bytes served at once while the oversized one was not among
  /// them, and how many were served beside the oversized one.
  std::uint64_t peak_without_oversized = 0;
  int beside_oversized = 0;
  bool oversized_serving = false;
  std::map<std::string, std::uint64_t> max_body_bytes;

  void begin(const std::string& id, std::uint64_t bytes, bool oversized,
             std::uint64_t cap) {
    std::lock_guard<std::mutex> lock{mu};
    max_body_bytes[id] = cap;
    if (oversized_serving || (oversized && concurrent > 0))
      ++beside_oversized;
    oversized_serving = oversized_serving || oversized;
    serving += bytes;
    ++concurrent;
    if (!oversized_serving)
      peak_without_oversized = std::max(peak_without_oversized, serving);
  }
  void end(std::uint64_t bytes, bool oversized) {
    std::lock_guard<std::mutex> lock{mu};
    serving -= bytes;
    --concurrent;
    if (oversized)
      oversized_serving = false;
  }
};

struct pending_answer {
  caf::typed_response_promise<api_reply> promise;
  api_response response;
  std::uint64_t bytes = 0;
  bool oversized = false;
};

struct media_state {
  std::map<std::uint64_t, pending_answer> pending;
  std::uint64_t next = 0;
};

/// A media host that writes each attachment's body (`sizes`: id -> bytes,
/// one byte value per attachment) to the request's body_file and answers
/// 200 ms later, so that downloads overlap. The table and the log are spawn
/// arguments (CAF 0.17 and empty argument tuples: see actors_test.cpp).
caf::behavior slow_media(caf::stateful_actor<media_state>* self,
                         std::map<std::string, std::uint64_t> sizes,
                         std::uint64_t oversized_from,
                         std::shared_ptr<media_log> log) {
  return {
    [=](api_call& c) -> caf::result<api_reply> {
      const auto& url = c.request.http.url;
      auto id = url.substr(url.rfind('/') + 1);
      auto size = sizes.at(id);
      std::string body(size, static_cast<char>('a' + id.back() % 26));
      {
        std::ofstream out{*c.request.http.body_file, std::ios::binary};
        out << body;
      }
      bool oversized = size >= oversized_from;
      log->begin(id, size, oversized, c.request.http.max_body_bytes);
      api_response r;
      r.status = 200;
      r.sha256_hex = common::sha256_hex(body);
      r.body_bytes = size;
      auto token = ++self->state.next;
      auto rp = self->make_response_promise<api_reply>();
      self->state.pending[token]
        = pending_answer{rp, std::move(r), size, oversized};
      self->delayed_send(self, 200ms, done_atom_v, token);
      return rp;
    },
    [=](done_atom, std::uint64_t token) {
      auto it = self->state.pending.find(token);
      if (it == self->state.pending.end())
        return;
      auto p = std::move(it->second);
      self->state.pending.erase(it);
      log->end(p.bytes, p.oversized);
      p.promise.deliver(api_reply{std::move(p.response)});
    },
  };
}

protocol::jira_attachment attachment(std::string id, std::uint64_t size) {
  protocol::jira_attachment a;
  a.id = std::move(id);
  a.filename = "f-" + a.id + ".bin";
  a.mime_type = "application/octet-stream";
  a.size_bytes = static_cast<std::int64_t>(size);
  a.size_known = true;
  return a;
}

} // namespace

TEST_CASE("attachment_downloader keeps the bytes in flight within "
          "download_bytes_in_flight",
          "[actors][download_budget]") {
  constexpr std::uint64_t kib = 1024;
  constexpr std::uint64_t budget = 1024 * kib;
  jirasync::test::temp_dir dir;
  auto opened = storage::store::open(dir.path() / "db");
  REQUIRE(opened.has_value());
  std::shared_ptr<storage::store> db{std::move(opened.value())};
  caf::actor_system sys{jirasync::testing::threaded_config()};
  // Six of 300 KiB (three fit the 1 MiB budget at once), one of 2 MiB
  // (larger than the whole budget), one declared empty (reserves 64 KiB).
  std::map<std::string, std::uint64_t> sizes{
    {"101", 300 * kib},  {"102", 300 * kib}, {"103", 300 * kib},
    {"104", 2048 * kib}, {"105", 0},         {"106", 300 * kib},
    {"107", 300 * kib},  {"108", 300 * kib}};
  auto log = std::make_shared<media_log>();
  auto env = std::make_shared<sync_env>();
  env->db = db;
  env->writer = spawn_store_writer(sys, db);
  env->api = caf::actor_cast<api_client_actor>(
    sys.spawn(slow_media, sizes, std::uint64_t{2048 * kib}, log));
  env->download_bytes_in_flight = budget;
  auto downloader = spawn_attachment_downloader(sys, env);
  caf::scoped_actor self{sys};
  auto fail = [&](caf::error& err) {
    FAIL(sys.render(err));
  };
  // All asked at once, in this order.
  for (const auto& id :
       {"101", "102", "103", "104", "105", "106", "107", "108"})
    self->send(downloader, download_atom_v,
               download_job{attachment(id, sizes.at(id)), std::nullopt});
  std::map<std::string, std::string> stored;
  for (std::size_t i = 0; i < sizes.size(); ++i)
    self->receive(
      [&](download_result& r) {
        INFO("attachment " << r.attachment_id);
        REQUIRE(r.outcome.has_value());
        CHECK_FALSE(r.outcome->skipped);
        stored[r.attachment_id] = r.outcome->sha256;
      },
      fail,
      caf::after(60s) >>
        [&] {
          FAIL("a download never answered");
        });
  REQUIRE(stored.size() == sizes.size());
  for (const auto& [id, size] : sizes) {
    std::string body(size, static_cast<char>('a' + id.back() % 26));
    CHECK(stored[id] == common::sha256_hex(body));
    CHECK(db->has_blob(stored[id]));
  }

  // A content the store holds already (the fetcher found it under the same
  // id and size) is answered without a request: the media host never sees
  // attachment 109.
  self
    ->request(downloader, 5s, download_atom_v,
              download_job{attachment("109", 300 * kib), stored["101"]})
    .receive(
      [&](download_result& r) {
        REQUIRE(r.outcome.has_value());
        CHECK(r.outcome->reused);
        CHECK_FALSE(r.outcome->skipped);
        CHECK(r.outcome->sha256 == stored["101"]);
      },
      fail);
  {
    std::lock_guard<std::mutex> lock{log->mu};
    CHECK(log->max_body_bytes.count("109") == 0);
  }

  self->request(downloader, 5s, stats_atom_v)
    .receive(
      [&](download_stats& s) {
        CHECK(s.capacity_bytes == budget);
        CHECK(s.in_flight_bytes == 0);
        // The 2 MiB attachment ran alone: the peak is its reservation.
        CHECK(s.peak_bytes == 2048 * kib);
        CHECK(s.waits >= 1);
      },
      fail);
  std::lock_guard<std::mutex> lock{log->mu};
  // Seen from the media host: within the budget, the oversized one alone.
  CHECK(log->peak_without_oversized <= budget);
  CHECK(log->peak_without_oversized >= 300 * kib);
  CHECK(log->beside_oversized == 0);
  CHECK(log->serving == 0);
  // Each body capped at its reservation.
  CHECK(log->max_body_bytes["101"] == 300 * kib);
  CHECK(log->max_body_bytes["104"] == 2048 * kib);
  CHECK(log->max_body_bytes["105"] == 64 * kib);
  for (const auto& a : {caf::actor_cast<caf::actor>(downloader),
                        caf::actor_cast<caf::actor>(env->api),
                        caf::actor_cast<caf::actor>(env->writer)})
    self->send_exit(a, caf::exit_reason::user_shutdown);
}
