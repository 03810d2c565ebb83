#include "sync/checkpoints.hpp"

#include <catch2/catch.hpp>

using namespace jirasync;
using namespace jirasync::sync;

TEST_CASE("project checkpoint: cursor, filters, time passed in", "[sync]") {
  project_cursor c;
  c.advance(500, "10");
  c.advance(300, "11"); // older updated: max stays, last id moves
  c.advance(0, "");     // an empty batch changes nothing
  CHECK(c.max_updated_ms == 500);
  CHECK(c.last_issue_id == "11");
  protocol::jira_project p;
  p.id = "100";
  p.key = "ABC";
  auto cp = make_project_checkpoint(p, c, "hash", true, 1234);
  CHECK(cp.project_key == "ABC");
  CHECK(cp.project_id == "100");
  CHECK(cp.last_updated_ms == 500);
  CHECK(cp.last_issue_id == "11");
  CHECK(cp.filters_hash == "hash");
  CHECK(cp.full_sync_done);
  CHECK(cp.synced_at_ms == 1234);
}

TEST_CASE("run result and its checkpoint", "[sync]") {
  CHECK(result_of(std::nullopt, 0) == run_result::ok);
  CHECK(result_of(std::nullopt, 2) == run_result::partial);
  auto fatal = common::make_error(common::errc::unauthenticated,
                                  "authentication failed (HTTP 401)");
  CHECK(result_of(fatal, 2) == run_result::failed);
  CHECK(to_string(run_result::partial) == "partial");

  auto ok
    = make_sync_checkpoint(std::nullopt, 0, 10, 20, "h", {{"requests", 5}});
  CHECK(ok.result == "ok");
  CHECK(ok.error.empty());
  CHECK(ok.mode == "full");
  CHECK(ok.started_at_ms == 10);
  CHECK(ok.finished_at_ms == 20);
  CHECK(ok.filters_hash == "h");
  CHECK(ok.counters.at("requests") == 5);
  auto partial = make_sync_checkpoint(std::nullopt, 3, 10, 20, "h", {});
  CHECK(partial.result == "partial");
  CHECK(partial.error == "3 record(s) or project(s) failed");
  auto failed = make_sync_checkpoint(fatal, 3, 10, 20, "h", {});
  CHECK(failed.result == "failed");
  CHECK(failed.error == "authentication failed (HTTP 401)");
}
