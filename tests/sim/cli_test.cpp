// jira-sim's command line: long options land in sim_options, the defaults
// hold without them, bad values are refused.
#include "sim/cli.hpp"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>

using namespace jirasim;

TEST_CASE("command line: options land in sim_options", "[sim][cli]") {
  auto none = parse_command_line({});
  REQUIRE(none.options);
  CHECK(none.options->workspace.issues == workspace_params{}.issues);
  CHECK(none.options->server.tls);
  CHECK(none.options->limits.burst_enabled);
  CHECK(none.options->faults.kinds == all_fault_kinds());
  CHECK_FALSE(none.options->limits.quota_for_all);
  CHECK_FALSE(none.options->limits.quota_headers_for_all);
  CHECK_FALSE(none.options->limits.unprefixed_quota_headers);
  CHECK_FALSE(none.options->limits.quirks);
  CHECK(none.options->limits.send_headers);
  CHECK(none.options->workspace.api_user_admin);
  CHECK_FALSE(none.options->workspace.browse_users_admins_only);

  auto o = parse_command_line(
    {"--seed", "9", "--issues", "123", "--port", "0", "--http", "--no-burst",
     "--burst-scale", "0.25", "--quota-points", "77", "--quota-scope", "global",
     "--fault-kinds", "status_500,invalid_json", "--log-level", "debug"});
  REQUIRE(o.options);
  CHECK(o.options->workspace.seed == 9);
  CHECK(o.options->workspace.issues == 123);
  CHECK_FALSE(o.options->server.tls);
  CHECK_FALSE(o.options->limits.burst_enabled);
  CHECK(o.options->limits.burst_scale == 0.25);
  CHECK(o.options->limits.quota_points == 77);
  CHECK(o.options->limits.quota_scope == "global");
  CHECK(o.options->faults.kinds
        == std::vector<fault_kind>{fault_kind::status_500,
                                   fault_kind::invalid_json});
  CHECK(o.options->log_level == "debug");
}

TEST_CASE("command line: bad values are refused", "[sim][cli]") {
  auto scope = parse_command_line({"--quota-scope", "planet"});
  CHECK_FALSE(scope.options);
  CHECK(scope.exit_code != 0);
  auto kind = parse_command_line({"--fault-kinds", "status_500,meteor"});
  CHECK_FALSE(kind.options);
  CHECK(kind.exit_code == 2);
  auto unknown = parse_command_line({"--no-such-option"});
  CHECK_FALSE(unknown.options);
  CHECK(unknown.exit_code != 0);
}

TEST_CASE("command line: --config reads the same keys from TOML",
          "[sim][cli]") {
  auto path = std::filesystem::temp_directory_path()
              / ("jira-sim-cli-test-" + std::to_string(::getpid()) + ".toml");
  {
    std::ofstream out{path};
    out << "issues = 42\nfault-rate = 0.05\nhttp = true\n";
  }
  auto o = parse_command_line({"--config", path.string(), "--seed", "5"});
  std::filesystem::remove(path);
  REQUIRE(o.options);
  CHECK(o.options->workspace.issues == 42);
  CHECK(o.options->faults.rate == 0.05);
  CHECK_FALSE(o.options->server.tls);
  CHECK(o.options->workspace.seed == 5);
}
