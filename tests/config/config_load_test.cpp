// Loading and validation of the TOML config: every message is asserted
// exactly ("FILE:LINE: KEY: REASON").
#include "config_test_util.hpp"

#include <catch2/catch.hpp>

using namespace jirasync::config;
using namespace jirasync::config::test;
using strings = std::vector<std::string>;

TEST_CASE("a minimal api_token file loads with every default filled",
          "[config]") {
  auto r = load(minimal_toml);
  REQUIRE(r.errors == strings{});
  REQUIRE(r.cfg);
  const auto& c = *r.cfg;
  CHECK(c.source_file == "test.toml");
  CHECK(c.jira.site == "https://acme.atlassian.net");
  CHECK(c.jira.auth == auth_method::api_token);
  CHECK(c.jira.email == "bot@acme.com");
  CHECK(c.jira.api_token_env == "JIRA_API_TOKEN");
  CHECK(c.jira.api_token.reveal() == token_value);
  CHECK(c.jira.api_token_file.empty());
  CHECK(c.jira.client_id.empty());
  CHECK(c.jira.client_secret.empty());
  CHECK(c.jira.redirect_uri.empty());
  CHECK(c.jira.auth_url == "https://auth.atlassian.com");
  CHECK(c.jira.api_gateway == "https://api.atlassian.com");
  CHECK(c.jira.ca_file.empty());
  CHECK_FALSE(c.jira.allow_insecure_http);
  CHECK(c.filters.project_keys.empty());
  CHECK(c.filters.project_keys_op == keys_op::in);
  CHECK_FALSE(c.filters.modified_after);
  CHECK_FALSE(c.filters.modified_before);
  CHECK_FALSE(c.filters.created_after);
  CHECK_FALSE(c.filters.created_before);
  CHECK(c.indexing.issues);
  CHECK(c.indexing.comments);
  CHECK(c.indexing.attachments);
  CHECK(c.indexing.attachment_max_bytes == 52428800);
  CHECK(c.indexing.attachment_text_max_bytes == 1048576);
  CHECK(c.indexing.attachment_text_workers == 2);
  CHECK(c.sync.strategy == sync_strategy::scheduled);
  CHECK(c.sync.interval_minutes == 60);
  CHECK(c.sync.max_unexplained_wait_secs == 60);
  // Relative storage.path: against the working directory, made absolute.
  CHECK(c.storage.path == std::filesystem::current_path() / "jirasync-data");
  CHECK(c.service.listen == "127.0.0.1:8080");
  CHECK(c.service.listen_host == "127.0.0.1");
  CHECK(c.service.listen_port == 8080);
}

TEST_CASE("a full file sets every key", "[config]") {
  auto r = load("[jira]\n"
                "site = \"HTTPS://Acme.Atlassian.NET/\"\n"
                "auth = \"oauth\"\n"
                "client_id = \"cid\"\n"
                "client_secret_env = \"CS\"\n"
                "redirect_uri = \"http://127.0.0.1:8765/callback\"\n"
                "auth_url = \"https://auth.example.com/\"\n"
                "api_gateway = \"https://api.example.com//\"\n"
                "[filters]\n"
                "project_keys = [\"ENG\", \"OPS_2\"]\n"
                "project_keys_op = \"not_in\"\n"
                "[indexing]\n"
                "issues = false\n"
                "comments = false\n"
                "attachments = false\n"
                "attachment_max_bytes = 0\n"
                "[sync]\n"
                "strategy = \"manual\"\n"
                "interval_minutes = 1\n"
                "max_unexplained_wait_secs = 3600\n"
                "[storage]\n"
                "path = \"/var/lib/jirasync/../jirasync/db\"\n"
                "[service]\n"
                "listen = \"[::1]:0\"\n",
                fake_env({{"CS", "client-secret-value"}}));
  REQUIRE(r.errors == strings{});
  const auto& c = *r.cfg;
  CHECK(c.jira.site == "https://acme.atlassian.net");
  CHECK(c.jira.auth == auth_method::oauth);
  CHECK(c.jira.client_id == "cid");
  CHECK(c.jira.client_secret.reveal() == "client-secret-value");
  CHECK(c.jira.api_token.empty());
  CHECK(c.jira.redirect_uri == "http://127.0.0.1:8765/callback");
  CHECK(c.jira.auth_url == "https://auth.example.com");
  CHECK(c.jira.api_gateway == "https://api.example.com");
  CHECK(c.filters.project_keys == strings{"ENG", "OPS_2"});
  CHECK(c.filters.project_keys_op == keys_op::not_in);
  CHECK_FALSE(c.indexing.issues);
  CHECK_FALSE(c.indexing.comments);
  CHECK_FALSE(c.indexing.attachments);
  CHECK(c.indexing.attachment_max_bytes == 0);
  CHECK(c.sync.strategy == sync_strategy::manual);
  CHECK(c.sync.interval_minutes == 1);
  CHECK(c.sync.max_unexplained_wait_secs == 3600);
  CHECK(c.storage.path == "/var/lib/jirasync/db");
  CHECK(c.service.listen == "[::1]:0");
  CHECK(c.service.listen_host == "::1");
  CHECK(c.service.listen_port == 0);
}

TEST_CASE("unknown keys are rejected with their line and a hint", "[config]") {
  auto r = load(minimal_toml
                + "sitee = \"x\"\n"
                  "[sync]\n"
                  "interval = 5\n"
                  "frobnicate = true\n");
  CHECK_FALSE(r.cfg);
  CHECK(r.errors
        == strings{
          "test.toml:5: jira.sitee: unknown key (did you mean \"site\"?)",
          "test.toml:7: sync.interval: unknown key",
          "test.toml:8: sync.frobnicate: unknown key",
        });
}

TEST_CASE("unknown tables and unknown top-level keys are rejected",
          "[config]") {
  auto r = load("verbose = true\n" + minimal_toml
                + "[jira.extra]\nx = 1\n[logging]\nlevel = \"debug\"\n");
  CHECK(r.errors
        == strings{
          "test.toml:1: verbose: unknown key",
          "test.toml:6: jira.extra: unknown key",
          "test.toml:8: logging: unknown table",
        });
}

TEST_CASE("wrong types are rejected", "[config]") {
  auto r = load(minimal_toml
                + "allow_insecure_http = \"yes\"\n"
                  "[sync]\n"
                  "interval_minutes = 1.5\n"
                  "[filters]\n"
                  "project_keys = \"ENG\"\n"
                  "[indexing]\n"
                  "issues = 1\n");
  CHECK(r.errors
        == strings{
          "test.toml:5: jira.allow_insecure_http: expected a boolean, got a "
          "string",
          "test.toml:7: sync.interval_minutes: expected an integer, got a "
          "float",
          "test.toml:9: filters.project_keys: expected an array of strings, "
          "got a string",
          "test.toml:11: indexing.issues: expected a boolean, got an integer",
        });
}

TEST_CASE("a known table of the wrong type is rejected", "[config]") {
  auto r = load(minimal_toml + "sync = 5\n");
  CHECK(r.errors == strings{"test.toml:5: jira.sync: unknown key"});
  auto r2 = load("sync = 5\n" + minimal_toml);
  CHECK(r2.errors
        == strings{"test.toml:1: sync: expected a table, got an integer"});
}

TEST_CASE("invalid enum values list the allowed ones", "[config]") {
  auto r = load("[jira]\n"
                "site = \"https://acme.atlassian.net\"\n"
                "auth = \"basic\"\n"
                "email = \"bot@acme.com\"\n"
                "api_token_env = \"JIRA_API_TOKEN\"\n"
                "[filters]\n"
                "project_keys_op = \"notin\"\n"
                "[sync]\n"
                "strategy = \"cron\"\n");
  CHECK(r.errors
        == strings{
          "test.toml:3: jira.auth: invalid value \"basic\"; allowed: "
          "\"api_token\", \"oauth\"",
          "test.toml:7: filters.project_keys_op: invalid value \"notin\"; "
          "allowed: \"in\", \"not_in\"",
          "test.toml:9: sync.strategy: invalid value \"cron\"; allowed: "
          "\"scheduled\", \"manual\"",
        });
}

TEST_CASE("malformed dates are rejected", "[config]") {
  const std::string hint = "; expected \"YYYY-MM-DD\" or RFC 3339 such as "
                           "\"2024-01-02T10:11:12Z\" or "
                           "\"2024-01-02T10:11:12+02:00\"";
  auto r = load(minimal_toml
                + "[filters]\n"
                  "modified_after = \"2024-13-01\"\n"
                  "modified_before = \"yesterday\"\n"
                  "created_after = \"2024-01-02T10:11:12\"\n"
                  "created_before = 2024-01-02T10:11:12\n");
  CHECK(
    r.errors
    == strings{
      "test.toml:6: filters.modified_after: invalid date \"2024-13-01\"" + hint,
      "test.toml:7: filters.modified_before: invalid date \"yesterday\"" + hint,
      "test.toml:8: filters.created_after: invalid date "
      "\"2024-01-02T10:11:12\""
        + hint,
      "test.toml:9: filters.created_before: a date-time needs an offset "
      "(\"Z\" or \"+hh:mm\")",
    });
}

TEST_CASE("dates: date-only is 00:00 UTC, RFC 3339 offsets are applied",
          "[config]") {
  // 2024-01-01T00:00:00Z = 1704067200 s (19723 days after the epoch).
  constexpr std::int64_t jan1_ms = 1704067200000;
  constexpr std::int64_t day_ms = 86400000;
  auto r = load(minimal_toml
                + "[filters]\n"
                  "modified_after = \"2024-01-02\"\n"
                  "modified_before = \"2024-01-02T10:11:12.345+02:00\"\n"
                  "created_after = \"2023-12-31T23:30:00-01:00\"\n"
                  "created_before = 2024-03-01T00:00:00Z\n");
  REQUIRE(r.errors == strings{});
  const auto& f = r.cfg->filters;
  CHECK(f.modified_after == date_bound{jan1_ms + day_ms, true});
  // 10:11:12.345 at +02:00 is 08:11:12.345Z.
  CHECK(
    f.modified_before
    == date_bound{jan1_ms + day_ms + 8 * 3600000 + 11 * 60000 + 12345, false});
  // 23:30 at -01:00 is 00:30Z the next day.
  CHECK(f.created_after == date_bound{jan1_ms + 30 * 60000, false});
  // 2024 is a leap year: Jan (31) + Feb (29) days later.
  CHECK(f.created_before == date_bound{jan1_ms + 60 * day_ms, false});
}

TEST_CASE("parse_date_bound accepts RFC 3339 and rejects the rest",
          "[config]") {
  constexpr std::int64_t jan1_ms = 1704067200000;
  CHECK(parse_date_bound("1970-01-01") == date_bound{0, true});
  CHECK(parse_date_bound("2024-01-01t00:00:00z") == date_bound{jan1_ms, false});
  CHECK(parse_date_bound("2024-01-01 00:00:00.9999Z")
        == date_bound{jan1_ms + 999, false});
  CHECK(parse_date_bound("1969-12-31T23:59:59Z") == date_bound{-1000, false});
  CHECK(parse_date_bound("2024-02-29")
        == date_bound{jan1_ms + 59 * 86400000LL, true});
  for (const char* bad :
       {"", "2024", "2024-1-02", "2024-02-30", "2023-02-29", "2024-01-02Z",
        "2024-01-02T10:11:12", "2024-01-02T24:00:00Z", "2024-01-02T10:60:00Z",
        "2024-01-02T10:11:12.Z", "2024-01-02T10:11:12+2:00",
        "2024-01-02T10:11:12+02:00x", "2024-01-02T10:11Z", " 2024-01-02"}) {
    INFO(bad);
    CHECK_FALSE(parse_date_bound(bad));
  }
}

TEST_CASE("format_date_bound prints date-only and UTC millisecond forms",
          "[config]") {
  CHECK(format_date_bound({1704153600000, true}) == "2024-01-02");
  CHECK(format_date_bound({1704183072345, false})
        == "2024-01-02T08:11:12.345Z");
  CHECK(format_date_bound({-1, false}) == "1969-12-31T23:59:59.999Z");
}

TEST_CASE("created_after later than created_before is rejected", "[config]") {
  auto r = load(minimal_toml
                + "[filters]\n"
                  "created_after = \"2024-02-01\"\n"
                  "created_before = \"2024-01-31T23:59:59Z\"\n"
                  "modified_after = \"2024-01-01\"\n"
                  "modified_before = \"2024-01-01\"\n");
  CHECK(r.errors
        == strings{"test.toml:6: filters.created_after: must not be later "
                   "than filters.created_before"});
}

TEST_CASE("site over plain http needs allow_insecure_http", "[config]") {
  auto r = load("[jira]\n"
                "site = \"http://127.0.0.1:8443\"\n"
                "email = \"bot@acme.com\"\n"
                "api_token_env = \"JIRA_API_TOKEN\"\n");
  CHECK(r.errors
        == strings{"test.toml:2: jira.site: plain http is not allowed; use "
                   "https (or set jira.allow_insecure_http = true for a "
                   "loopback host)"});
}

TEST_CASE("allow_insecure_http does not allow http to other hosts",
          "[config]") {
  for (const char* site :
       {"http://acme.atlassian.net", "http://10.0.0.1", "http://128.0.0.1",
        "http://[::2]:80", "http://localhost.evil.com"}) {
    INFO(site);
    auto r = load(std::string{"[jira]\nsite = \""} + site
                  + "\"\n"
                    "allow_insecure_http = true\n"
                    "email = \"bot@acme.com\"\n"
                    "api_token_env = \"JIRA_API_TOKEN\"\n");
    CHECK(r.errors
          == strings{"test.toml:2: jira.site: plain http is allowed only for "
                     "loopback hosts (127.0.0.0/8, ::1, localhost)"});
  }
}

TEST_CASE("allow_insecure_http allows http to loopback hosts", "[config]") {
  for (auto [site, normalized] :
       {std::pair{"http://127.0.0.1:8080/", "http://127.0.0.1:8080"},
        std::pair{"http://127.1.2.3", "http://127.1.2.3"},
        std::pair{"http://[::1]:9000", "http://[::1]:9000"},
        std::pair{"HTTP://LocalHost:1/jira/", "http://localhost:1/jira"}}) {
    INFO(site);
    auto r = load(std::string{"[jira]\nsite = \""} + site
                  + "\"\n"
                    "allow_insecure_http = true\n"
                    "auth_url = \"http://127.0.0.1:1\"\n"
                    "api_gateway = \"http://localhost:2\"\n"
                    "email = \"bot@acme.com\"\n"
                    "api_token_env = \"JIRA_API_TOKEN\"\n");
    REQUIRE(r.errors == strings{});
    CHECK(r.cfg->jira.site == normalized);
    CHECK(r.cfg->jira.auth_url == "http://127.0.0.1:1");
    CHECK(r.cfg->jira.api_gateway == "http://localhost:2");
  }
}

TEST_CASE("site must be an absolute https URL", "[config]") {
  auto site_error = [](const std::string& site) {
    auto r = load("[jira]\nsite = \"" + site
                  + "\"\n"
                    "email = \"bot@acme.com\"\n"
                    "api_token_env = \"JIRA_API_TOKEN\"\n");
    return r.errors;
  };
  const std::string prefix = "test.toml:2: jira.site: ";
  CHECK(site_error("acme.atlassian.net")
        == strings{prefix
                   + "not an absolute URL (expected e.g. "
                     "\"https://acme.atlassian.net\")"});
  CHECK(site_error("/jira")
        == strings{prefix
                   + "not an absolute URL (expected e.g. "
                     "\"https://acme.atlassian.net\")"});
  CHECK(site_error("ftp://acme.atlassian.net")
        == strings{prefix + "scheme \"ftp\" is not supported; use https"});
  CHECK(site_error("https:///path") == strings{prefix + "URL has no host"});
  CHECK(site_error("https://bot:pw@acme.atlassian.net")
        == strings{prefix + "URL must not contain user info"});
  CHECK(site_error("https://acme.atlassian.net/?x=1")
        == strings{prefix + "URL must not have a query"});
  CHECK(site_error("https://acme.atlassian.net:99999")
        == strings{prefix + "URL has an invalid port"});
  CHECK(site_error("") == strings{prefix + "must not be empty"});
}

TEST_CASE("api_token mode requires site, email and a token source",
          "[config]") {
  auto r = load("[jira]\nauth = \"api_token\"\n");
  CHECK(r.errors
        == strings{
          "test.toml:1: jira.site: required key is missing",
          "test.toml:1: jira.email: required when jira.auth = \"api_token\"",
          "test.toml:1: jira.api_token_env: required when jira.auth = "
          "\"api_token\": set jira.api_token_env or jira.api_token_file",
        });
  // Without any [jira] table the messages point at line 1.
  auto empty = load("");
  CHECK(empty.errors
        == strings{
          "test.toml:1: jira.site: required key is missing",
          "test.toml:1: jira.email: required when jira.auth = \"api_token\"",
          "test.toml:1: jira.api_token_env: required when jira.auth = "
          "\"api_token\": set jira.api_token_env or jira.api_token_file",
        });
}

TEST_CASE("oauth mode requires client_id, a client secret and redirect_uri",
          "[config]") {
  auto r = load("# oauth\n"
                "[jira]\n"
                "site = \"https://acme.atlassian.net\"\n"
                "auth = \"oauth\"\n"
                "client_id = \"\"\n");
  CHECK(r.errors
        == strings{
          "test.toml:2: jira.redirect_uri: required when jira.auth = "
          "\"oauth\"",
          "test.toml:2: jira.client_secret_env: required when jira.auth = "
          "\"oauth\": set jira.client_secret_env or jira.client_secret_file",
          "test.toml:5: jira.client_id: required when jira.auth = \"oauth\"",
        });
}

TEST_CASE("redirect_uri accepts https or loopback http only", "[config]") {
  auto with_redirect = [](const std::string& uri) {
    return load("[jira]\n"
                "site = \"https://acme.atlassian.net\"\n"
                "auth = \"oauth\"\n"
                "client_id = \"cid\"\n"
                "client_secret_env = \"CS\"\n"
                "redirect_uri = \""
                  + uri + "\"\n",
                fake_env({{"CS", "s3cr3t"}}));
  };
  auto ok = with_redirect("http://localhost:8765/callback?x=1");
  REQUIRE(ok.errors == strings{});
  CHECK(ok.cfg->jira.redirect_uri == "http://localhost:8765/callback?x=1");
  CHECK(with_redirect("http://example.com/callback").errors
        == strings{"test.toml:6: jira.redirect_uri: plain http is allowed "
                   "only for loopback hosts (127.0.0.0/8, ::1, localhost)"});
}

TEST_CASE("secrets written inline are rejected without echoing them",
          "[config]") {
  auto r = load(minimal_toml
                + "api_token = \"ATATT-inline-value\"\n"
                  "client_secret = \"cs-inline-value\"\n"
                  "password = \"pw-inline-value\"\n"
                  "[service]\n"
                  "token = \"t-inline-value\"\n");
  CHECK(r.errors
        == strings{
          "test.toml:5: jira.api_token: secrets must not be written in the "
          "config file; use api_token_env or api_token_file",
          "test.toml:6: jira.client_secret: secrets must not be written in "
          "the config file; use client_secret_env or client_secret_file",
          "test.toml:7: jira.password: secrets must not be written in the "
          "config file; use api_token_env or api_token_file",
          "test.toml:9: service.token: secrets must not be written in the "
          "config file; use api_token_env or api_token_file",
        });
}

TEST_CASE("a missing or empty env var is named, its value never shown",
          "[config]") {
  auto missing = load(minimal_toml, fake_env({{"OTHER", "other-value"}}));
  CHECK(missing.errors
        == strings{"test.toml:4: jira.api_token_env: environment variable "
                   "JIRA_API_TOKEN is not set"});
  auto empty = load(minimal_toml, fake_env({{"JIRA_API_TOKEN", ""}}));
  CHECK(empty.errors
        == strings{"test.toml:4: jira.api_token_env: environment variable "
                   "JIRA_API_TOKEN is empty"});
  // A token pasted into *_env by mistake is not echoed back.
  const std::string pasted(100, 'A');
  auto r = load("[jira]\n"
                "site = \"https://acme.atlassian.net\"\n"
                "email = \"bot@acme.com\"\n"
                "api_token_env = \""
                + pasted + "\"\n");
  CHECK(r.errors
        == strings{"test.toml:4: jira.api_token_env: not a valid environment "
                   "variable name (letters, digits and _, at most 64 "
                   "characters; the value is not shown)"});
}

TEST_CASE("a secret file others may read loads with a warning naming it",
          "[config]") {
  temp_dir dir;
  auto token = dir.write("token", "file-token-value\n");
  auto cfg_file
    = dir.write("jirasync.toml", "[jira]\n"
                                 "site = \"https://acme.atlassian.net\"\n"
                                 "email = \"bot@acme.com\"\n"
                                 "api_token_file = \"token\"\n");
  namespace fs = std::filesystem;
  fs::permissions(token, fs::perms::owner_read | fs::perms::owner_write
                           | fs::perms::group_read | fs::perms::others_read);
  auto r = load_config(cfg_file, fake_env({}));
  REQUIRE(r.errors == strings{});
  CHECK(r.cfg->jira.api_token.reveal() == "file-token-value");
  CHECK(r.warnings
        == strings{cfg_file.string() + ":4: jira.api_token_file: secret file "
                   + token.string()
                   + " may be read by group or others (mode 0644); run: "
                     "chmod 600 "
                   + token.string()});
  // The warning never carries the secret itself.
  CHECK(r.warnings.at(0).find("file-token-value") == std::string::npos);

  fs::permissions(token, fs::perms::owner_read | fs::perms::owner_write);
  CHECK(load_config(cfg_file, fake_env({})).warnings == strings{});
}

TEST_CASE("secrets are read from files relative to the config file",
          "[config]") {
  temp_dir dir;
  dir.write("secrets/token", "file-token-value\r\n\n");
  auto cfg_file
    = dir.write("jirasync.toml", "[jira]\n"
                                 "site = \"https://acme.atlassian.net\"\n"
                                 "email = \"bot@acme.com\"\n"
                                 "api_token_file = \"secrets/token\"\n");
  auto r = load_config(cfg_file, fake_env({}));
  REQUIRE(r.errors == strings{});
  CHECK(r.cfg->jira.api_token.reveal() == "file-token-value");
  CHECK(r.cfg->jira.api_token_file == dir.path() / "secrets" / "token");
  CHECK(r.cfg->source_file == cfg_file);

  dir.write("empty", "\n");
  auto empty_cfg
    = dir.write("empty.toml", "[jira]\n"
                              "site = \"https://acme.atlassian.net\"\n"
                              "email = \"bot@acme.com\"\n"
                              "api_token_file = \"empty\"\n");
  CHECK(load_config(empty_cfg, fake_env({})).errors
        == strings{empty_cfg.string() + ":4: jira.api_token_file: secret file "
                   + (dir.path() / "empty").string() + " is empty"});

  auto missing_cfg
    = dir.write("missing.toml", "[jira]\n"
                                "site = \"https://acme.atlassian.net\"\n"
                                "email = \"bot@acme.com\"\n"
                                "api_token_file = \"nope\"\n");
  CHECK(load_config(missing_cfg, fake_env({})).errors
        == strings{missing_cfg.string()
                   + ":4: jira.api_token_file: cannot read secret file "
                   + (dir.path() / "nope").string()
                   + ": No such file or directory"});
}

TEST_CASE("setting both _env and _file is rejected", "[config]") {
  auto r = load(minimal_toml
                + "api_token_file = \"/run/secrets/token\"\n"
                  "client_secret_env = \"CS\"\n"
                  "client_secret_file = \"cs.txt\"\n");
  CHECK(r.errors
        == strings{
          "test.toml:5: jira.api_token_file: set only one of "
          "jira.api_token_env and jira.api_token_file",
          "test.toml:7: jira.client_secret_file: set only one of "
          "jira.client_secret_env and jira.client_secret_file",
        });
}

TEST_CASE("all errors of one file are collected, ordered by line", "[config]") {
  auto r = load("[jira]\n"
                "site = \"http://acme.atlassian.net\"\n"
                "auth = \"api-token\"\n"
                "[sync]\n"
                "interval_minutes = 0\n"
                "[indexing]\n"
                "attachment_max_bytes = -1\n"
                "[service]\n"
                "listen = \"localhost\"\n"
                "[filters]\n"
                "project_keys = [\"ENG\", \"eng\", \"ENG\", 7]\n",
                fake_env({}));
  CHECK(r.errors
        == strings{
          "test.toml:1: jira.email: required when jira.auth = \"api_token\"",
          "test.toml:1: jira.api_token_env: required when jira.auth = "
          "\"api_token\": set jira.api_token_env or jira.api_token_file",
          "test.toml:2: jira.site: plain http is not allowed; use https (or "
          "set jira.allow_insecure_http = true for a loopback host)",
          "test.toml:3: jira.auth: invalid value \"api-token\"; allowed: "
          "\"api_token\", \"oauth\"",
          "test.toml:5: sync.interval_minutes: must be >= 1",
          "test.toml:7: indexing.attachment_max_bytes: must be >= 0",
          "test.toml:9: service.listen: expected host:port such as "
          "\"127.0.0.1:8080\" or \"[::1]:8080\"",
          "test.toml:11: filters.project_keys[3]: expected a string, got an "
          "integer",
        });
}

TEST_CASE("attachment_text_workers is read and bounded", "[config]") {
  auto ok = load(minimal_toml + "[indexing]\nattachment_text_workers = 5\n");
  REQUIRE(ok.errors.empty());
  CHECK(ok.cfg->indexing.attachment_text_workers == 5);
  for (const char* v : {"0", "65", "-1"}) {
    auto bad = load(minimal_toml + "[indexing]\nattachment_text_workers = " + v
                    + "\n");
    CHECK(bad.errors
          == strings{"test.toml:6: indexing.attachment_text_workers: must be "
                     "between 1 and 64"});
  }
}

TEST_CASE("project keys must be valid and unique", "[config]") {
  auto r = load(minimal_toml
                + "[filters]\nproject_keys = [\"ENG\", \"eng\", \"ENG\"]\n");
  CHECK(r.errors
        == strings{
          "test.toml:6: filters.project_keys[1]: invalid project key \"eng\" "
          "(an upper-case letter, then upper-case letters, digits or _)",
          "test.toml:6: filters.project_keys[2]: duplicate project key "
          "\"ENG\"",
        });
}

TEST_CASE("service.listen must be host:port", "[config]") {
  for (const char* bad :
       {"8080", "127.0.0.1:", ":8080", "127.0.0.1:65536", "::1:8080",
        "[::1]8080", "[nothost]:80", "host name:80"}) {
    INFO(bad);
    auto r = load(minimal_toml + "[service]\nlisten = \"" + bad + "\"\n");
    CHECK(r.errors
          == strings{"test.toml:6: service.listen: expected host:port such as "
                     "\"127.0.0.1:8080\" or \"[::1]:8080\""});
  }
  auto ok = load(minimal_toml
                 + "[service]\nlisten = \"0.0.0.0:65535\"\n"
                   "admin_token_env = \"JIRA_API_TOKEN\"\n");
  REQUIRE(ok.errors == strings{});
  CHECK(ok.cfg->service.listen_host == "0.0.0.0");
  CHECK(ok.cfg->service.listen_port == 65535);
  CHECK_FALSE(ok.cfg->service.listen_loopback);
  CHECK(ok.cfg->service.admin_token.reveal() == token_value);
}

TEST_CASE("a non-loopback service.listen needs an admin token", "[config]") {
  auto r = load(minimal_toml + "[service]\nlisten = \"0.0.0.0:8080\"\n");
  CHECK(r.errors
        == strings{"test.toml:6: service.admin_token_env: required when "
                   "service.listen is not a loopback address (the admin "
                   "endpoints then need a bearer token): set "
                   "service.admin_token_env or service.admin_token_file"});
  for (const char* loopback :
       {"127.0.0.1:0", "127.1.2.3:80", "[::1]:0", "LocalHost:8080"}) {
    INFO(loopback);
    auto ok = load(minimal_toml + "[service]\nlisten = \"" + loopback + "\"\n");
    REQUIRE(ok.errors == strings{});
    CHECK(ok.cfg->service.listen_loopback);
    CHECK(ok.cfg->service.admin_token.empty());
  }
}

TEST_CASE("service timeouts and retry delays are bounded", "[config]") {
  auto d = load(minimal_toml);
  REQUIRE(d.cfg);
  CHECK(d.cfg->service.shutdown_timeout_secs == 30);
  CHECK(d.cfg->service.retry_initial_secs == 60);
  CHECK(d.cfg->service.retry_max_secs == 1800);
  auto r = load(minimal_toml
                + "[service]\nshutdown_timeout_secs = 0\n"
                  "retry_initial_secs = 120\nretry_max_secs = 60\n");
  CHECK(r.errors
        == strings{"test.toml:6: service.shutdown_timeout_secs: must be in 1 "
                   "..= 3600",
                   "test.toml:8: service.retry_max_secs: must be >= "
                   "service.retry_initial_secs"});
}

TEST_CASE("ca_file must exist and is relative to the config file folder",
          "[config]") {
  temp_dir dir;
  dir.write("certs/ca.pem", "-----BEGIN CERTIFICATE-----\n");
  auto good
    = dir.write("good.toml", minimal_toml + "ca_file = \"certs/ca.pem\"\n");
  auto r = load_config(good, default_env());
  REQUIRE(r.errors == strings{});
  CHECK(r.cfg->jira.ca_file == dir.path() / "certs" / "ca.pem");

  auto bad
    = dir.write("bad.toml", minimal_toml + "ca_file = \"certs/missing.pem\"\n");
  CHECK(load_config(bad, default_env()).errors
        == strings{bad.string() + ":5: jira.ca_file: file "
                   + (dir.path() / "certs" / "missing.pem").string()
                   + " does not exist"});
  auto dir_cfg = dir.write("dir.toml", minimal_toml + "ca_file = \"certs\"\n");
  CHECK(load_config(dir_cfg, default_env()).errors
        == strings{dir_cfg.string()
                   + ":5: jira.ca_file: " + (dir.path() / "certs").string()
                   + " is not a regular file"});
}

TEST_CASE("TOML syntax errors report toml++'s line and column", "[config]") {
  // The description is toml++'s own (3.3); line and column are what we add.
  auto r = load(minimal_toml + "[sync]\ninterval_minutes = = 5\n");
  CHECK(r.errors
        == strings{"test.toml:6: syntax: Error while parsing value: could not "
                   "determine value type (column 20)"});
  auto dup = load(minimal_toml + "email = \"again@acme.com\"\n");
  CHECK(dup.errors
        == strings{"test.toml:5: syntax: Error while parsing key-value pair: "
                   "cannot redefine existing string 'email' (column 9)"});
}

TEST_CASE("an unreadable config file is reported", "[config]") {
  temp_dir dir;
  auto missing = dir.path() / "nope.toml";
  CHECK(load_config(missing).errors
        == strings{missing.string()
                   + ": cannot read file (No such file or directory)"});
  CHECK(
    load_config(dir.path()).errors
    == strings{dir.path().string() + ": cannot read file (is a directory)"});
}

TEST_CASE("native TOML dates are accepted", "[config]") {
  auto r = load(minimal_toml
                + "[filters]\n"
                  "modified_after = 2024-01-02\n"
                  "modified_before = 2024-01-02T03:00:00+01:00\n");
  REQUIRE(r.errors == strings{});
  CHECK(r.cfg->filters.modified_after == date_bound{1704153600000, true});
  CHECK(r.cfg->filters.modified_before
        == date_bound{1704153600000 + 2 * 3600000, false});
}

TEST_CASE("the example config loads when JIRA_API_TOKEN is set", "[config]") {
  // JIRASYNC_TEST_DATA_DIR is <checkout>/tests/data.
  const auto path
    = std::filesystem::path{JIRASYNC_TEST_DATA_DIR}.parent_path().parent_path()
      / "examples" / "jirasync.toml";
  auto r = load_config(path, default_env());
  REQUIRE(r.errors == strings{});
  CHECK(r.cfg->jira.site == "https://acme.atlassian.net");
  CHECK(r.cfg->jira.api_token.reveal() == token_value);
  auto bad = load_config(path, fake_env({}));
  REQUIRE(bad.errors.size() == 1);
  CHECK(bad.errors[0].find(": jira.api_token_env: environment variable "
                           "JIRA_API_TOKEN is not set")
        != std::string::npos);
}

TEST_CASE("numbers out of range are rejected", "[config]") {
  auto r = load(minimal_toml
                + "[sync]\n"
                  "interval_minutes = 525601\n"
                  "[indexing]\n"
                  "attachment_max_bytes = -52428800\n");
  CHECK(r.errors
        == strings{
          "test.toml:6: sync.interval_minutes: must be <= 525600 (one year)",
          "test.toml:8: indexing.attachment_max_bytes: must be >= 0",
        });
  auto neg = load(minimal_toml + "[sync]\ninterval_minutes = -1\n");
  CHECK(neg.errors
        == strings{"test.toml:6: sync.interval_minutes: must be >= 1"});
  auto edge = load(minimal_toml + "[sync]\ninterval_minutes = 525600\n");
  REQUIRE(edge.errors == strings{});
  CHECK(edge.cfg->sync.interval_minutes == 525600);
}

TEST_CASE("sync.max_unexplained_wait_secs: 1 to 3600 seconds", "[config]") {
  auto zero = load(minimal_toml + "[sync]\nmax_unexplained_wait_secs = 0\n");
  CHECK(
    zero.errors
    == strings{"test.toml:6: sync.max_unexplained_wait_secs: must be >= 1"});
  auto big = load(minimal_toml + "[sync]\nmax_unexplained_wait_secs = 3601\n");
  CHECK(big.errors
        == strings{"test.toml:6: sync.max_unexplained_wait_secs: must be <= "
                   "3600 (one hour)"});
  auto text
    = load(minimal_toml + "[sync]\nmax_unexplained_wait_secs = \"60s\"\n");
  CHECK(text.errors
        == strings{"test.toml:6: sync.max_unexplained_wait_secs: expected an "
                   "integer, got a string"});
  auto typo = load(minimal_toml + "[sync]\nmax_unexplained_wait_sec = 5\n");
  CHECK(typo.errors
        == strings{"test.toml:6: sync.max_unexplained_wait_sec: unknown key "
                   "(did you mean \"max_unexplained_wait_secs\"?)"});
  for (int v : {1, 90, 3600}) {
    auto ok = load(minimal_toml + "[sync]\nmax_unexplained_wait_secs = "
                   + std::to_string(v) + "\n");
    REQUIRE(ok.errors == strings{});
    CHECK(ok.cfg->sync.max_unexplained_wait_secs == v);
  }
}

TEST_CASE("sync.reconcile_range_ids: 50 to 1000000, default 5000", "[config]") {
  auto dflt = load(minimal_toml);
  REQUIRE(dflt.errors == strings{});
  CHECK(dflt.cfg->sync.reconcile_range_ids == 5000);
  auto low = load(minimal_toml + "[sync]\nreconcile_range_ids = 50\n");
  REQUIRE(low.errors == strings{});
  CHECK(low.cfg->sync.reconcile_range_ids == 50);
  auto high = load(minimal_toml + "[sync]\nreconcile_range_ids = 1000000\n");
  REQUIRE(high.errors == strings{});
  CHECK(high.cfg->sync.reconcile_range_ids == 1000000);
  CHECK(load(minimal_toml + "[sync]\nreconcile_range_ids = 49\n").errors
        == strings{"test.toml:6: sync.reconcile_range_ids: must be >= 50"});
  CHECK(
    load(minimal_toml + "[sync]\nreconcile_range_ids = 1000001\n").errors
    == strings{"test.toml:6: sync.reconcile_range_ids: must be <= 1000000"});
}

TEST_CASE("sync.download_bytes_in_flight: 1 MiB to 64 GiB, default 256 MiB",
          "[config]") {
  auto dflt = load(minimal_toml);
  REQUIRE(dflt.errors == strings{});
  CHECK(dflt.cfg->sync.download_bytes_in_flight == 268435456);
  auto low
    = load(minimal_toml + "[sync]\ndownload_bytes_in_flight = 1048576\n");
  REQUIRE(low.errors == strings{});
  CHECK(low.cfg->sync.download_bytes_in_flight == 1048576);
  auto high
    = load(minimal_toml + "[sync]\ndownload_bytes_in_flight = 68719476736\n");
  REQUIRE(high.errors == strings{});
  CHECK(high.cfg->sync.download_bytes_in_flight == 68719476736);
  auto small
    = load(minimal_toml + "[sync]\ndownload_bytes_in_flight = 1048575\n");
  CHECK(small.errors
        == strings{"test.toml:6: sync.download_bytes_in_flight: must be >= "
                   "1048576 (1 MiB)"});
  auto big
    = load(minimal_toml + "[sync]\ndownload_bytes_in_flight = 68719476737\n");
  CHECK(big.errors
        == strings{"test.toml:6: sync.download_bytes_in_flight: must be <= "
                   "68719476736 (64 GiB)"});
  auto text
    = load(minimal_toml + "[sync]\ndownload_bytes_in_flight = \"1G\"\n");
  CHECK(text.errors.size() == 1);
}

TEST_CASE("sync.overlap_minutes: 0 to 1440, default 10", "[config]") {
  auto dflt = load(minimal_toml);
  REQUIRE(dflt.errors == strings{});
  CHECK(dflt.cfg->sync.overlap_minutes == 10);
  auto zero = load(minimal_toml + "[sync]\noverlap_minutes = 0\n");
  REQUIRE(zero.errors == strings{});
  CHECK(zero.cfg->sync.overlap_minutes == 0);
  auto neg = load(minimal_toml + "[sync]\noverlap_minutes = -1\n");
  CHECK(neg.errors
        == strings{"test.toml:6: sync.overlap_minutes: must be >= 0"});
  auto big = load(minimal_toml + "[sync]\noverlap_minutes = 1441\n");
  CHECK(big.errors
        == strings{"test.toml:6: sync.overlap_minutes: must be <= 1440 (one "
                   "day)"});
}
