// Signals sent to real jirasync processes in the middle of a sync against
// jira-sim over TLS: `sync` stops after the writes in flight and exits 130
// (a second signal exits at once), `serve` exits 0 within its shutdown
// bound; the store stays usable and the next run completes it: its export
// equals that of an uninterrupted sync of the same site.
#include "serve_fixture.hpp"

#include "test_util/temp_dir.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <csignal>

namespace json = boost::json;
using namespace jirasync::testing;
using namespace std::chrono_literals;
using jirasync::test::temp_dir;

namespace {

/// Big and slow enough to be signalled while issues are being written.
sim_process start_sim() {
  return sim_process{{JIRA_SIM_BIN, "--seed", "9", "--issues", "800",
                      "--projects", "3", "--users", "20", "--port", "0",
                      "--latency-base-ms", "40"}};
}

std::filesystem::path write_config(const sim_process& sim,
                                   const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  serve_config c;
  c.api_token = sim.str("api_token");
  c.port = free_loopback_port();
  c.strategy = "scheduled";
  return write_serve_config(sim, dir, c);
}

int run_cli(const std::filesystem::path& dir, std::vector<std::string> args,
            std::string& out) {
  args.insert(args.begin(), JIRASYNC_BIN);
  int rc = run_to_completion(args, dir / "cli.out", dir / "cli.err");
  out = read_file(dir / "cli.out");
  return rc;
}

/// The snapshot export of the store of `cfg`.
std::string export_of(const std::filesystem::path& cfg) {
  std::string out;
  int rc
    = run_cli(cfg.parent_path(), {"export", "--config", cfg.string()}, out);
  REQUIRE(rc == 0);
  return out;
}

/// An uninterrupted sync of the same site into its own store.
std::string reference_export(const sim_process& sim, const temp_dir& dir) {
  auto cfg = write_config(sim, dir.path() / "reference");
  std::string out;
  REQUIRE(run_cli(cfg.parent_path(), {"sync", "--config", cfg.string()}, out)
          == 0);
  return export_of(cfg);
}

background_process start_sync(const std::filesystem::path& cfg) {
  auto dir = cfg.parent_path();
  return background_process{{JIRASYNC_BIN, "sync", "--config", cfg.string()},
                            dir / "sync.out",
                            dir / "sync.err"};
}

/// Waits for the issues step, and a little into it (the step lasts
/// seconds on this site: hundreds of issues and attachments at 40 ms a
/// request).
bool in_issues_phase(background_process& p) {
  bool reached = eventually(
    [&] {
      return p.err().find("jirasync: [issues]") != std::string::npos;
    },
    120s);
  std::this_thread::sleep_for(700ms);
  return reached;
}

json::object last_sync(const std::filesystem::path& cfg) {
  std::string out;
  REQUIRE(run_cli(cfg.parent_path(),
                  {"status", "--config", cfg.string(), "--json"}, out)
          == 0);
  return json::parse(out).at("last_sync").as_object();
}

} // namespace

TEST_CASE("sync: SIGINT stops after the writes in flight - exit 130 - the "
          "next sync completes the store",
          "[integration][service]") {
  auto sim = start_sim();
  temp_dir dir;
  auto cfg = write_config(sim, dir.path() / "a");
  auto sync = start_sync(cfg);
  REQUIRE(in_issues_phase(sync));
  sync.signal(SIGINT);
  auto code = sync.wait_exit(60s);
  INFO("stderr:\n" << sync.err());
  REQUIRE(code);
  CHECK(*code == 130);
  CHECK(sync.err().find("sync interrupted") != std::string::npos);
  auto cp = last_sync(cfg);
  CHECK(cp.at("result") == "failed");
  CHECK(std::string{cp.at("error").as_string()}.find("interrupted")
        != std::string::npos);
  CHECK(as_int(cp.at("added")) > 0); // the pages written before the stop
  std::string out;
  REQUIRE(run_cli(cfg.parent_path(), {"sync", "--config", cfg.string()}, out)
          == 0);
  CHECK(export_of(cfg) == reference_export(sim, dir));
}

TEST_CASE("sync: a second SIGINT exits at once - the store stays usable",
          "[integration][service]") {
  auto sim = start_sim();
  temp_dir dir;
  auto cfg = write_config(sim, dir.path() / "a");
  auto sync = start_sync(cfg);
  REQUIRE(in_issues_phase(sync));
  sync.signal(SIGINT);
  // A second SIGINT sent while the first is still pending merges with it
  // (standard signals are not queued): send it once the first was taken.
  REQUIRE(eventually(
    [&] {
      return sync.err().find("signal again to exit") != std::string::npos;
    },
    10s));
  sync.signal(SIGINT);
  auto code = sync.wait_exit(10s);
  INFO("stderr:\n" << sync.err());
  REQUIRE(code);
  CHECK(*code == 130);
  CHECK(sync.err().find("again: exiting now") != std::string::npos);
  std::string out;
  REQUIRE(run_cli(cfg.parent_path(), {"sync", "--config", cfg.string()}, out)
          == 0);
  CHECK(export_of(cfg) == reference_export(sim, dir));
}

TEST_CASE("serve: SIGTERM in the middle of a big sync exits 0 within the "
          "bound - a restart resumes and completes",
          "[integration][service]") {
  auto sim = start_sim();
  temp_dir dir;
  auto cfg = write_config(sim, dir.path() / "a");
  auto port = [&] {
    // The port written by write_config, read back from the file.
    auto text = read_file(cfg);
    auto at = text.find("listen = \"127.0.0.1:") + 20;
    return static_cast<std::uint16_t>(std::stoi(text.substr(at)));
  }();
  admin_client admin{port};
  {
    background_process serve{{JIRASYNC_BIN, "serve", "--config", cfg.string()},
                             cfg.parent_path() / "serve.out",
                             cfg.parent_path() / "serve.err"};
    INFO("serve stderr:\n" << serve.err());
    REQUIRE(eventually(
      [&] {
        auto s = admin.status();
        return !s.empty() && s.at("run").is_object()
               && s.at("run").at("progress").at("phase") == "issues"
               && as_int(s.at("run").at("progress").at("issues_done")) > 0;
      },
      120s));
    serve.signal(SIGTERM);
    auto code = serve.wait_exit(35s); // shutdown_timeout_secs = 30
    REQUIRE(code);
    CHECK(*code == 0);
    CHECK(serve.err().find("stopped") != std::string::npos);
  }
  auto cp = last_sync(cfg);
  CHECK(std::string{cp.at("error").as_string()}.find("interrupted")
        != std::string::npos);
  {
    background_process serve{{JIRASYNC_BIN, "serve", "--config", cfg.string()},
                             cfg.parent_path() / "serve2.out",
                             cfg.parent_path() / "serve2.err"};
    INFO("serve stderr:\n" << serve.err());
    REQUIRE(eventually(
      [&] {
        auto s = admin.status();
        return !s.empty() && !s.at("last_run").is_null();
      },
      180s));
    CHECK(admin.status().at("last_run").at("result") == "ok");
    serve.signal(SIGTERM);
    auto code = serve.wait_exit(35s);
    REQUIRE(code);
    CHECK(*code == 0);
  }
  CHECK(export_of(cfg) == reference_export(sim, dir));
}
