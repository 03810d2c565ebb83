// filters_hash() and the redacted effective config.
#include "config_test_util.hpp"

#include <catch2/catch.hpp>

#include <sstream>

using namespace jirasync::config;
using namespace jirasync::config::test;
using strings = std::vector<std::string>;

namespace {

filters_config filters_from(const std::string& filters_table,
                            const std::string& rest = "") {
  auto r = load(minimal_toml + "[filters]\n" + filters_table + rest);
  INFO(filters_table);
  REQUIRE(r.errors == strings{});
  return r.cfg->filters;
}

} // namespace

TEST_CASE("filters_hash is SHA-256 of the documented canonical form",
          "[config]") {
  // Expected values computed independently (Python hashlib) from the
  // canonical text documented in config/README.md.
  CHECK(filters_hash(filters_config{})
        == "751226752a9b43ce49027d4942539d3d393471a5f4d4753ce4c3d9501b7848eb");
  auto f = filters_from("project_keys = [\"OPS\", \"ENG\"]\n"
                        "project_keys_op = \"not_in\"\n"
                        "modified_after = \"2024-01-02\"\n"
                        "created_before = \"2024-01-02T10:11:12.345+02:00\"\n");
  CHECK(filters_hash(f)
        == "2b9010d828b2657951f8e4b584b5937bd5db0680da7e404e42470db67a09b3d0");
}

TEST_CASE("filters_hash ignores key order and indexing, not filter changes",
          "[config]") {
  auto base = filters_hash(filters_from("project_keys = [\"ENG\", \"OPS\"]\n"
                                        "created_after = \"2024-01-01\"\n"));
  SECTION("order of keys and of project keys does not matter") {
    CHECK(filters_hash(filters_from("created_after = \"2024-01-01\"\n"
                                    "project_keys = [\"OPS\", \"ENG\"]\n"))
          == base);
  }
  SECTION("indexing filters are not part of it") {
    CHECK(filters_hash(filters_from("project_keys = [\"ENG\", \"OPS\"]\n"
                                    "created_after = \"2024-01-01\"\n",
                                    "[indexing]\ncomments = false\n"
                                    "attachment_max_bytes = 1\n"))
          == base);
  }
  SECTION("every sync filter changes it") {
    for (const char* changed :
         {"project_keys = [\"ENG\"]\ncreated_after = \"2024-01-01\"\n",
          "project_keys = [\"ENG\", \"OPS\"]\n"
          "project_keys_op = \"not_in\"\ncreated_after = \"2024-01-01\"\n",
          "project_keys = [\"ENG\", \"OPS\"]\n"
          "created_after = \"2024-01-02\"\n",
          "project_keys = [\"ENG\", \"OPS\"]\n"
          "created_after = \"2024-01-01T00:00:00Z\"\n",
          "project_keys = [\"ENG\", \"OPS\"]\n"
          "modified_after = \"2024-01-01\"\n",
          "project_keys = [\"ENG\", \"OPS\"]\ncreated_after = \"2024-01-01\"\n"
          "created_before = \"2024-02-01\"\n"}) {
      INFO(changed);
      CHECK(filters_hash(filters_from(changed)) != base);
    }
  }
  SECTION("an empty key list means all projects under either operator") {
    CHECK(filters_hash(filters_from("project_keys_op = \"not_in\"\n"))
          == filters_hash(filters_config{}));
  }
}

TEST_CASE("secrets print as <redacted>", "[config]") {
  secret s{"hunter2-value"};
  std::ostringstream os;
  os << s;
  CHECK(os.str() == "<redacted>");
  CHECK(to_string(s) == "<redacted>");
  CHECK(s.reveal() == "hunter2-value");
}

TEST_CASE("the effective config never contains a secret and loads back",
          "[config]") {
  auto r = load("[jira]\n"
                "site = \"https://acme.atlassian.net/\"\n"
                "email = \"bot@acme.com\"\n"
                "api_token_env = \"JIRA_API_TOKEN\"\n"
                "client_secret_env = \"CS\"\n"
                "[filters]\n"
                "project_keys = [\"ENG\"]\n"
                "modified_after = \"2024-01-02\"\n"
                "created_after = \"2024-01-02T10:11:12.345+02:00\"\n"
                "[sync]\n"
                "strategy = \"manual\"\n",
                fake_env({{"JIRA_API_TOKEN", token_value}, {"CS", "cs-val"}}));
  REQUIRE(r.errors == strings{});
  auto text = to_toml_redacted(*r.cfg);
  CHECK(text.find(token_value) == std::string::npos);
  CHECK(text.find("# api_token: <redacted>\n") != std::string::npos);
  // oauth secrets are not resolved in api_token mode.
  CHECK(r.cfg->jira.client_secret.empty());
  CHECK(text.find("client_secret: ") == std::string::npos);
  CHECK(text.find("\nsite = \"https://acme.atlassian.net\"\n")
        != std::string::npos);
  CHECK(text.find("\nmodified_after = \"2024-01-02\"\n") != std::string::npos);
  CHECK(text.find("\ncreated_after = \"2024-01-02T08:11:12.345Z\"\n")
        != std::string::npos);
  CHECK(text.find("\nattachment_max_bytes = 52428800\n") != std::string::npos);
  CHECK(text.find("\nstrategy = \"manual\"\n") != std::string::npos);
  CHECK(text.find("\ninterval_minutes = 60\n") != std::string::npos);
  CHECK(text.find("\nmax_unexplained_wait_secs = 60\n") != std::string::npos);
  CHECK(text.find("\noverlap_minutes = 10\n") != std::string::npos);
  CHECK(text.find("\nreconcile_range_ids = 5000\n") != std::string::npos);
  CHECK(text.find("\ndownload_bytes_in_flight = 268435456\n")
        != std::string::npos);
  CHECK(text.find("\nlisten = \"127.0.0.1:8080\"\n") != std::string::npos);
  CHECK(text.find("# filters_hash = " + filters_hash(r.cfg->filters) + "\n")
        != std::string::npos);
  // Loading the printed config again gives the same config.
  auto again
    = load(text, fake_env({{"JIRA_API_TOKEN", token_value}, {"CS", "cs-val"}}));
  REQUIRE(again.errors == strings{});
  CHECK(*again.cfg == *r.cfg);
}

TEST_CASE("the oauth client secret is redacted too", "[config]") {
  temp_dir dir;
  dir.write("cs", "oauth-client-secret-xyz\n");
  auto file = dir.write("c.toml",
                        "[jira]\n"
                        "site = \"https://acme.atlassian.net\"\n"
                        "auth = \"oauth\"\n"
                        "client_id = \"cid\"\n"
                        "client_secret_file = \"cs\"\n"
                        "redirect_uri = \"http://127.0.0.1:8765/callback\"\n");
  auto r = load_config(file, fake_env({}));
  REQUIRE(r.errors == strings{});
  CHECK(r.cfg->jira.client_secret.reveal() == "oauth-client-secret-xyz");
  auto text = to_toml_redacted(*r.cfg);
  CHECK(text.find("oauth-client-secret-xyz") == std::string::npos);
  CHECK(text.find("# client_secret: <redacted>\n") != std::string::npos);
  CHECK(text.find("\nclient_secret_file = \"" + (dir.path() / "cs").string()
                  + "\"\n")
        != std::string::npos);
}
