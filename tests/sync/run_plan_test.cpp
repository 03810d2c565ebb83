#include "sync/checkpoints.hpp"
#include "sync/run_plan.hpp"

#include <catch2/catch.hpp>

using namespace jirasync;
using namespace jirasync::sync;

namespace {

storage::project_checkpoint cp(std::string key, std::string hash, bool done,
                               std::int64_t updated, std::string last_id,
                               std::string access = "A") {
  storage::project_checkpoint c;
  c.project_key = std::move(key);
  c.project_id = "1";
  c.filters_hash = std::move(hash);
  c.full_sync_done = done;
  c.last_updated_ms = updated;
  c.last_issue_id = std::move(last_id);
  c.access_hash = std::move(access);
  return c;
}

using strings = std::vector<std::string>;

} // namespace

TEST_CASE("run mode: first run, --full, filter change, else incremental",
          "[sync]") {
  auto first = plan_run(false, std::nullopt, {}, "h");
  CHECK(first.mode == sync_mode::full);
  CHECK(first.reason == "first run (no checkpoint in the store)");

  storage::sync_checkpoint last;
  last.filters_hash = "h";
  std::vector<storage::project_checkpoint> cps{cp("ABC", "h", true, 1000, "7")};
  auto inc = plan_run(false, last, cps, "h");
  CHECK(inc.mode == sync_mode::incremental);
  CHECK(inc.reason == "checkpoints of 1 project(s)");
  CHECK(inc.checkpoints.at("ABC").last_updated_ms == 1000);

  auto forced = plan_run(true, last, cps, "h");
  CHECK(forced.mode == sync_mode::full);
  CHECK(forced.forced_full);
  CHECK(forced.reason == "--full was given");

  auto changed = plan_run(false, last, cps, "other");
  CHECK(changed.mode == sync_mode::full);
  CHECK(changed.reason == "the sync filters changed since the last run");

  // A first run killed before its run checkpoint: project checkpoints only.
  auto killed
    = plan_run(false, std::nullopt, {cp("ABC", "h", false, 500, "10042")}, "h");
  CHECK(killed.mode == sync_mode::incremental);
  CHECK(killed.reason
        == "checkpoints found; an interrupted full sync of some project(s) is "
           "resumed");
}

TEST_CASE("project plan: resume, permissions, incremental", "[sync]") {
  auto none = plan_project(std::nullopt, "h", "A", false);
  CHECK(none.mode == sync_mode::full);
  CHECK(none.resume_after_id.empty());
  CHECK(none.reason == "no checkpoint yet");

  auto other_filters
    = plan_project(cp("P", "x", true, 5, "1"), "h", "A", false);
  CHECK(other_filters.mode == sync_mode::full);
  CHECK(other_filters.resume_after_id.empty());

  auto resumed
    = plan_project(cp("P", "h", false, 777, "10500"), "h", "A", false);
  CHECK(resumed.mode == sync_mode::full);
  CHECK(resumed.resume_after_id == "10500");
  CHECK(resumed.pass_started_updated_ms == 777);
  // --full does not throw away what an interrupted full pass committed.
  auto resumed_forced
    = plan_project(cp("P", "h", false, 777, "10500"), "h", "A", true);
  CHECK(resumed_forced.resume_after_id == "10500");
  // ... unless the permissions changed meanwhile (its ACLs are old).
  auto restarted
    = plan_project(cp("P", "h", false, 777, "10500", "old"), "h", "A", false);
  CHECK(restarted.mode == sync_mode::full);
  CHECK(restarted.resume_after_id.empty());
  CHECK(restarted.pass_started_updated_ms == 0);

  auto forced = plan_project(cp("P", "h", true, 777, "10500"), "h", "A", true);
  CHECK(forced.mode == sync_mode::full);
  CHECK(forced.resume_after_id.empty());
  CHECK(forced.reason == "--full");

  // Changed permissions: incremental, and every stored ACL recomputed.
  auto acl = plan_project(cp("P", "h", true, 777, "1", "old"), "h", "A", false);
  CHECK(acl.mode == sync_mode::incremental);
  CHECK(acl.refresh_acls);

  auto inc
    = plan_project(cp("P", "h", true, 1733000000000, "1"), "h", "A", false);
  CHECK(inc.mode == sync_mode::incremental);
  CHECK(inc.since_ms == 1733000000000);
  CHECK(inc.reason == "changes since 2024-11-30T20:53:20.000Z");
  CHECK_FALSE(inc.refresh_acls);
}

TEST_CASE("low-water mark: contiguous committed prefix only", "[sync]") {
  low_water_mark m{project_cursor{100, ""}};
  // Chunk 1 (clean) commits: the mark moves to its last entry.
  auto c1 = m.if_committed(200, "11", true);
  CHECK(c1.max_updated_ms == 200);
  m.committed(200, "11", true);
  // Chunk 2 has a failed record: its batch keeps the mark at chunk 1 ...
  auto c2 = m.if_committed(300, "12", false);
  CHECK(c2.max_updated_ms == 200);
  CHECK(c2.last_issue_id == "11");
  m.committed(300, "12", false);
  CHECK(m.stopped());
  // ... and no later chunk moves it past the failure.
  auto c3 = m.if_committed(400, "13", true);
  CHECK(c3.max_updated_ms == 200);
  m.committed(400, "13", true);
  CHECK(m.cursor().max_updated_ms == 200);
  CHECK(m.cursor().last_issue_id == "11");

  low_water_mark lost{project_cursor{100, "5"}};
  lost.lost();
  CHECK(lost.if_committed(900, "9", true).max_updated_ms == 100);
}

TEST_CASE("listing pages diffed with the stored ids", "[sync]") {
  strings stored{"5", "7", "9", "10", "12", "100"};
  std::size_t pos = 0;
  // Page 1 lists 5, 6, 9: 6 is new, 7 is gone; 10.. wait for later pages.
  auto d1 = diff_listing_page(stored, pos, {"9", "5", "6"}, false);
  CHECK(d1.missing == strings{"6"});
  CHECK(d1.gone == strings{"7"});
  CHECK(pos == 3);
  // Last page: 10 and 11 listed; 12 and 100 are gone.
  auto d2 = diff_listing_page(stored, pos, {"10", "11"}, true);
  CHECK(d2.missing == strings{"11"});
  CHECK(d2.gone == strings{"12", "100"});
  // An empty listing: everything stored is gone.
  std::size_t p0 = 0;
  auto all = diff_listing_page(stored, p0, {}, true);
  CHECK(all.gone == stored);
  CHECK(all.missing.empty());
  CHECK(id_less("99", "100"));
  CHECK_FALSE(id_less("100", "99"));
}

TEST_CASE("what left Jira or the scope", "[sync]") {
  CHECK(missing_ids({"u1", "u2", "u3"}, {"u3", "u1"}) == strings{"u2"});
  run_plan plan;
  plan.stored_project_ids = {"1", "2", "3", "3"};
  plan.checkpoints.emplace("A", storage::project_checkpoint{});
  plan.checkpoints.emplace("B", storage::project_checkpoint{});
  protocol::jira_project a;
  a.id = "1";
  a.key = "A";
  auto out = projects_out_of_scope({a}, &plan);
  CHECK(out.project_ids == strings{"2", "3"});
  CHECK(out.checkpoint_keys == strings{"B"});
  CHECK(projects_out_of_scope({a}, nullptr).project_ids.empty());
}

TEST_CASE("access fingerprints change with what ACLs depend on", "[sync]") {
  identity_directory dir;
  dir.universe = {"a", "b"};
  dir.group_members["g1"] = {"b", "a"};
  auto d1 = directory_fingerprint(dir);
  auto same = dir;
  same.group_members["g1"] = {"a", "b"}; // order does not matter
  CHECK(directory_fingerprint(same) == d1);
  dir.group_members["g1"] = {"a"};
  CHECK(directory_fingerprint(dir) != d1);

  project_access p;
  p.project_id = "10";
  protocol::permission_holder h;
  h.type_raw = "group";
  h.parameter = "devs";
  p.browse_holders = {h};
  auto f1 = access_fingerprint(d1, p);
  CHECK(access_fingerprint(d1, p) == f1);
  p.level_members["5"] = {h};
  auto f2 = access_fingerprint(d1, p);
  CHECK(f2 != f1);
  CHECK(access_fingerprint("other", p) != f2);
}
