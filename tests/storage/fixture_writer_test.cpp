// Not a test of its own: writes a small store for trying the CLI by hand,
// `storage_tests "storage fixture writer"` with JIRASYNC_STORAGE_FIXTURE_DIR.
#include "storage_test_util.hpp"

#include <catch2/catch.hpp>

using namespace jirasync::storage;
using namespace jirasync::storage::test;

TEST_CASE("storage fixture writer", "[.storage_child]") {
  const char* dir = std::getenv("JIRASYNC_STORAGE_FIXTURE_DIR");
  if (!dir)
    return;
  auto s = open_store(dir);
  auto a = make_acl(false, {"u2", "u1"});
  auto open = make_acl(true, {"u1", "u2", "u3"});
  write_batch_spec b;
  b.acls = {a, open};
  b.upserts = {user_record{"u1", "u1@example.com", "U1", true, "atlassian"},
               make_project("10000", "ABC", open.id),
               make_issue("10001", "ABC-1", a.id),
               make_comment("20001", "10001", open.id),
               make_attachment("30001", "10001", a.id, 100)};
  project_checkpoint cp;
  cp.project_key = "ABC";
  cp.project_id = "10000";
  cp.last_updated_ms = 1704190272123;
  cp.last_issue_id = "10001";
  cp.full_sync_done = true;
  b.checkpoints = {cp};
  sync_checkpoint sc;
  sc.result = "ok";
  sc.added = 5;
  sc.started_at_ms = 1704190272123;
  sc.finished_at_ms = 1704190282123;
  b.sync = sc;
  apply_ok(*s, b);
}
