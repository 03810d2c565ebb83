// Supervision of a real sync (run_sync in this process, jira-sim over TLS,
// a real RocksDB store): an exception in any actor kind, a child that quits
// with an error, or a run past its deadline ends the run with a failed
// report naming the reason - never a hang. The bound is the run's own
// deadline (timeouts.run below, generous): a hang would show up as a
// "did not finish" report, which the checks reject.
#include "child_process.hpp"
#include "test_util/catch_result.hpp"
#include "test_util/temp_dir.hpp"

#include "actors/sync_run.hpp"

#include <catch2/catch.hpp>

#include <mutex>
#include <set>

using namespace jirasync;
using jirasync::test::temp_dir;
using jirasync::testing::sim_process;

namespace {

/// A small site that still reaches every actor kind (attachments included).
sim_process start_sim() {
  return sim_process{{JIRA_SIM_BIN, "--seed", "5", "--issues", "60",
                      "--projects", "2", "--users", "12", "--port", "0"}};
}

actors::sync_report
run_with(const sim_process& sim, const temp_dir& dir, actors::fault_hook fault,
         std::chrono::milliseconds run_timeout = std::chrono::minutes(3)) {
  config::config cfg;
  cfg.jira.site = sim.str("base_url");
  cfg.jira.email = sim.str("email");
  cfg.jira.api_token = config::secret{sim.str("api_token")};
  cfg.jira.ca_file = sim.str("ca_file");
  auto opened = storage::store::open(dir.path() / "store");
  REQUIRE(opened);
  std::shared_ptr<storage::store> db{std::move(opened.value())};
  actors::run_options opts;
  opts.timeouts.run = run_timeout;
  opts.timeouts.report_grace = std::chrono::seconds(30);
  opts.fault = std::move(fault);
  return actors::run_sync(cfg, db, opts);
}

/// A hook making every actor called `name` fail with `kind`.
actors::fault_hook fault_in(std::string name, actors::fault_kind kind) {
  return [name = std::move(name), kind](std::string_view actor) {
    return actor == name ? kind : actors::fault_kind::none;
  };
}

/// Runs with a throw injected into `actor` and checks the failed report.
void expect_failed_run(const std::string& actor) {
  auto sim = start_sim();
  temp_dir dir;
  auto r = run_with(sim, dir, fault_in(actor, actors::fault_kind::raise));
  for (const auto& f : r.failures)
    UNSCOPED_INFO("failure: " << f.to_string());
  REQUIRE(r.error);
  INFO("error: " << r.error->to_string());
  CHECK(r.result() == sync::run_result::failed);
  CHECK(r.error->code == common::errc::internal);
  CHECK(r.error->message.find(actor + ": exception: injected fault in " + actor)
        != std::string::npos);
}

} // namespace

TEST_CASE("supervision: without a fault the small site syncs completely",
          "[integration][actors]") {
  // The control run: every actor kind the fault tests target is used.
  auto sim = start_sim();
  temp_dir dir;
  std::set<std::string> seen;
  std::mutex mtx;
  auto r = run_with(sim, dir, [&](std::string_view actor) {
    std::lock_guard<std::mutex> guard{mtx};
    seen.emplace(actor);
    return actors::fault_kind::none;
  });
  INFO("error: " << (r.error ? r.error->to_string() : "none"));
  CHECK(r.result() == sync::run_result::ok);
  CHECK(r.issues > 0);
  CHECK(r.attachments > 0);
  CHECK(seen
        == std::set<std::string>{
          "sync_coordinator", "api_client", "rate_governor", "store_writer",
          "users_actor", "groups_actor", "projects_actor", "roles_actor",
          "issue_fetcher", "attachment_downloader"});
}

TEST_CASE("supervision: a throw in the coordinator fails the run",
          "[integration][actors]") {
  auto sim = start_sim();
  temp_dir dir;
  auto r = run_with(sim, dir,
                    fault_in("sync_coordinator", actors::fault_kind::raise));
  REQUIRE(r.error);
  INFO("error: " << r.error->to_string());
  CHECK(r.result() == sync::run_result::failed);
  CHECK(r.error->message
        == "the sync coordinator stopped before reporting: sync_coordinator: "
           "exception: injected fault in sync_coordinator");
}

TEST_CASE("supervision: a throw in api_client fails the run",
          "[integration][actors]") {
  expect_failed_run("api_client");
}

TEST_CASE("supervision: a throw in rate_governor fails the run",
          "[integration][actors]") {
  expect_failed_run("rate_governor");
}

TEST_CASE("supervision: a throw in store_writer fails the run",
          "[integration][actors]") {
  expect_failed_run("store_writer");
}

TEST_CASE("supervision: a throw in users_actor fails the run",
          "[integration][actors]") {
  expect_failed_run("users_actor");
}

TEST_CASE("supervision: a throw in groups_actor fails the run",
          "[integration][actors]") {
  expect_failed_run("groups_actor");
}

TEST_CASE("supervision: a throw in projects_actor fails the run",
          "[integration][actors]") {
  expect_failed_run("projects_actor");
}

TEST_CASE("supervision: a throw in roles_actor fails the run",
          "[integration][actors]") {
  expect_failed_run("roles_actor");
}

TEST_CASE("supervision: a throw in issue_fetcher fails the run",
          "[integration][actors]") {
  expect_failed_run("issue_fetcher");
}

TEST_CASE("supervision: a throw in attachment_downloader fails the run",
          "[integration][actors]") {
  expect_failed_run("attachment_downloader");
}

TEST_CASE("supervision: a child that quits with an error fails the run",
          "[integration][actors]") {
  auto sim = start_sim();
  temp_dir dir;
  auto r
    = run_with(sim, dir, fault_in("groups_actor", actors::fault_kind::quit));
  REQUIRE(r.error);
  INFO("error: " << r.error->to_string());
  CHECK(r.result() == sync::run_result::failed);
  CHECK(r.error->code == common::errc::internal);
  CHECK(r.error->message.find("injected quit of groups_actor")
        != std::string::npos);
  // The steps before it ran; nothing after it did.
  CHECK(r.users > 0);
  CHECK(r.projects == 0);
  CHECK(r.issues == 0);
}

TEST_CASE("supervision: a run past its deadline fails with a timeout",
          "[integration][actors]") {
  auto sim = start_sim();
  temp_dir dir;
  auto r = run_with(sim, dir, {}, std::chrono::milliseconds(1));
  REQUIRE(r.error);
  INFO("error: " << r.error->to_string());
  CHECK(r.error->code == common::errc::timeout);
  CHECK(r.error->message
        == "the run did not finish within 1 ms (timeouts.run)");
}
