// jirasync against a real jira-sim over TLS: `jirasync sync` then
// `jirasync export`, compared record by record with GET /_sim/truth.
#include "child_process.hpp"
#include "export_data.hpp"

#include "protocol/http/http_client.hpp"
#include "test_util/temp_dir.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>

namespace json = boost::json;
using jirasync::test::temp_dir;
using jirasync::testing::read_file;
using jirasync::testing::run_to_completion;
using jirasync::testing::sim_process;
using namespace jirasync::testing; // export_data.hpp

namespace {

struct sync_run {
  int sync_rc = -1;
  int export_rc = -1;
  std::string sync_out;
  std::string sync_err;
  std::string exported;
};

sync_run sync_and_export(const sim_process& sim, const temp_dir& dir) {
  auto cfg = write_site_config(sim, dir.path());
  sync_run r;
  r.sync_rc
    = run_to_completion({JIRASYNC_BIN, "sync", "--config", cfg.string()},
                        dir.path() / "sync.out", dir.path() / "sync.err");
  r.sync_out = read_file(dir.path() / "sync.out");
  r.sync_err = read_file(dir.path() / "sync.err");
  r.export_rc
    = run_to_completion({JIRASYNC_BIN, "export", "--config", cfg.string()},
                        dir.path() / "export.jsonl", dir.path() / "export.err");
  r.exported = read_file(dir.path() / "export.jsonl");
  return r;
}

/// Max comments on one issue in the truth (the 200+ comment issues).
std::size_t max_comments_per_issue(const std::string& truth_text) {
  std::map<std::string, std::size_t> n;
  auto d = parse_jsonl(truth_text);
  std::size_t best = 0;
  for (const auto& [k, r] : d.records)
    if (r.at("type").as_string() == "comment")
      best = std::max(best, ++n[std::string{r.at("issue_id").as_string()}]);
  return best;
}

/// jira-sim with the full-sync workspace on a free port.
std::vector<std::string> sim_command() {
  std::vector<std::string> args{JIRA_SIM_BIN};
  for (auto& a : full_sync_workspace())
    args.push_back(a);
  args.push_back("--port");
  args.push_back("0");
  return args;
}

} // namespace

TEST_CASE("compare: blank truth text asks for no Markdown, other text does",
          "[integration][compare]") {
  // The truth of a comment whose ADF is a paragraph of
  // placeholder, text " ", placeholder (jira-sim's generator; the L bench
  // site has eight): the text nodes are [" "]; Jira shows nothing and
  // jirasync exports empty Markdown.
  auto truth = parse_jsonl(
    R"({"type":"comment","id":"1","issue_id":"9","text":[" "]})"
    "\n"
    R"({"type":"comment","id":"2","issue_id":"9","text":["\t","a"]})"
    "\n");
  auto got
    = parse_jsonl(R"({"type":"comment","id":"1","issue_id":"9","markdown":""})"
                  "\n"
                  R"({"type":"comment","id":"2","issue_id":"9","markdown":""})"
                  "\n");
  CHECK(compare(truth, got)
        == std::vector<std::string>{"comment:2: markdown presence differs"});
  CHECK_FALSE(truth_has_text(json::array{" ", "\t\r\n", ""}));
  CHECK_FALSE(truth_has_text(json::array{"\u00a0\u3000 \u2003"}));
  CHECK(truth_has_text(json::array{" ", "x"}));
  CHECK(truth_has_text(json::array{"\u00a0a"}));
  CHECK(truth_has_text(json::array{"\u00e9"})); // a letter, not a space
}

TEST_CASE("sync + export equal the sim's ground truth", "[integration]") {
  auto args = sim_command();
  sim_process sim{args};
  temp_dir dir;
  auto r = sync_and_export(sim, dir);
  check_exact(sim, r.sync_rc, r.export_rc, r.exported,
              "sync stdout:\n" + r.sync_out + "\nsync stderr:\n" + r.sync_err);
  auto truth_text
    = http_get(sim.base_url() + "/_sim/truth", sim.str("ca_file"));
  CHECK(max_comments_per_issue(truth_text) >= 230);
  CHECK(r.sync_out.find("sync ok") != std::string::npos);
}

TEST_CASE("faults and burst limits give the same exact result",
          "[integration]") {
  auto args = sim_command();
  // Burst buckets at a quarter of Jira's rates, stated in X-RateLimit-* as
  // Jira does; 5% faults, the 503s with a Retry-After of 2 s (a wait the
  // log must explain); the first 5 media URLs expired before their
  // download (each must go back to attachment content for a fresh one).
  for (const char* a :
       {"--fault-rate", "0.05", "--fault-seed", "3", "--burst-scale", "0.25",
        "--fault-retry-after-secs", "2", "--media-expired-first", "5"})
    args.emplace_back(a);
  sim_process sim{args};
  temp_dir dir;
  auto r = sync_and_export(sim, dir);
  check_exact(sim, r.sync_rc, r.export_rc, r.exported,
              "sync stdout:\n" + r.sync_out + "\nsync stderr:\n" + r.sync_err);
  auto stats
    = json::parse(http_get(sim.base_url() + "/_sim/stats", sim.str("ca_file")))
        .as_object();
  INFO("sim stats: " << json::serialize(stats));
  INFO("sync stdout:\n" << r.sync_out << "\nsync stderr:\n" << r.sync_err);
  // Faults really happened ...
  CHECK(stats.at("faults_by_kind").as_object().size() > 0);
  // ... and no request arrived while a Retry-After was pending (beyond the
  // sim's 250 ms allowance for requests already sent). Not under ASan+UBSan:
  // both processes run several times slower there, and a request sent
  // before the 503 reached jirasync (a TLS handshake of one of ~60
  // downloads in flight) was handled by the sim 1-2 s later (11 at a 1 s
  // allowance, 6 at 2 s, 2-core machine under load): timing, not the
  // governor, which the normal build checks here.
#if !defined(__SANITIZE_ADDRESS__)
  CHECK(stats.at("arrived_during_retry_after").to_number<std::int64_t>() == 0);
#endif
  // API-token traffic has no points quota: whatever 429s there were came
  // from a burst bucket (X-RateLimit-* are burst figures, never an hourly
  // budget), and the governor saw each of them.
  auto limited = stats.at("rate_limited").to_number<std::int64_t>();
  for (const auto& [reason, n] :
       stats.at("rate_limited_by_reason").as_object()) {
    INFO("429 reason " << reason);
    CHECK(reason == "jira-burst-based");
  }
  CHECK(r.sync_out.find("429 responses " + std::to_string(limited) + ")")
        != std::string::npos);
  // The longest wait is named in the summary and was logged, with its
  // reason and end time, when it started.
  auto at = r.sync_out.find("  longest wait: ");
  REQUIRE(at != std::string::npos);
  auto line = r.sync_out.substr(at, r.sync_out.find('\n', at) - at);
  INFO(line);
  auto comma = line.find(", ");
  auto paren = line.find(" (", comma);
  REQUIRE(comma != std::string::npos);
  REQUIRE(paren != std::string::npos);
  auto seconds = std::stod(line.substr(16, comma - 16));
  auto what = line.substr(comma + 2, paren - comma - 2);
  // A 503 fault pauses everything for its Retry-After (2 s).
  CHECK(seconds >= 2.0);
  // A warning of the run's log (sync's default level): "<time> warning
  // [run <id>] rate limit: waiting for ...".
  CHECK(r.sync_err.find("] rate limit: waiting for " + what + " until ")
        != std::string::npos);
}

TEST_CASE("hostile content fails exactly the spoiled records, named",
          "[integration][hostile]") {
  // jira-sim's hostile fault kinds (docs/jira-sim.md): every bulkfetch
  // that draws deep_json gets one issue with a custom field 2,001 levels
  // deep, every comment page that draws malformed_comment one comment with
  // a bad timestamp, every attachment download that draws html_attachment
  // an HTML error page (retried, then failed). Each spoiled record must
  // fail alone and be named; everything else is stored exactly as the
  // truth says; export and who-can-see keep working; exit code 3. Faults
  // are drawn per path: with seed 9 the 1st and 3rd bulkfetch of the run
  // draw deep_json, whatever the order of the other requests.
  std::vector<std::string> args{JIRA_SIM_BIN};
  for (const char* a : {"--seed",
                        "11",
                        "--issues",
                        "250",
                        "--projects",
                        "2",
                        "--users",
                        "20",
                        "--heavy-comment-issues",
                        "1",
                        "--heavy-comment-count",
                        "230",
                        "--port",
                        "0",
                        "--fault-rate",
                        "1",
                        "--fault-seed",
                        "9",
                        "--fault-kinds",
                        "deep_json,malformed_comment,html_attachment"})
    args.emplace_back(a);
  sim_process sim{args};
  temp_dir dir;
  auto r = sync_and_export(sim, dir);
  INFO("sync stdout:\n" << r.sync_out << "\nsync stderr:\n" << r.sync_err);
  CHECK(r.sync_rc == 3);
  REQUIRE(r.export_rc == 0);
  auto stats
    = json::parse(http_get(sim.base_url() + "/_sim/stats", sim.str("ca_file")))
        .as_object();
  INFO("sim stats: " << json::serialize(stats));
  const auto& by_kind = stats.at("faults_by_kind").as_object();
  auto applied = [&](const char* k) -> std::int64_t {
    auto* v = by_kind.if_contains(k);
    return v ? v->to_number<std::int64_t>() : 0;
  };
  REQUIRE(applied("deep_json") > 0);
  REQUIRE(applied("malformed_comment") > 0);
  REQUIRE(applied("html_attachment") > 0);
  // One named failure per too-deep issue.
  std::size_t deep_lines = 0;
  for (std::size_t p = 0;
       (p = r.sync_out.find("nested deeper than 2000 levels", p))
       != std::string::npos;
       ++p)
    ++deep_lines;
  CHECK(deep_lines == static_cast<std::size_t>(applied("deep_json")));
  CHECK(r.sync_out.find("comment page: comment[0]") != std::string::npos);

  // Compare with what the API user may see: only records named in the
  // summary (or belonging to a named issue) may be missing; nothing else
  // differs, and no HTML page passes as an attachment.
  std::size_t hidden = 0;
  auto truth = visible_truth(sim, hidden);
  auto got = parse_jsonl(r.exported);
  auto named = [&](const std::string& s) {
    return r.sync_out.find(s) != std::string::npos;
  };
  auto issue_failed = [&](const std::string& issue_id) {
    auto it = truth.records.find("issue:" + issue_id);
    if (it == truth.records.end())
      return false;
    std::string key{it->second.at("key").as_string()};
    return named("(key " + key + ")") || named("issue " + key + ":");
  };
  std::size_t missing = 0;
  for (const auto& d : compare(truth, got)) {
    INFO(d);
    REQUIRE(d.rfind("missing ", 0) == 0); // no extra or different record
    ++missing;
    auto key = d.substr(8);
    auto colon = key.find(':');
    auto type = key.substr(0, colon);
    auto id = key.substr(colon + 1);
    const auto& rec = truth.records.at(key);
    if (type == "issue")
      CHECK(issue_failed(id));
    else if (type == "comment")
      CHECK((named("(id " + id + ")")
             || issue_failed(std::string{rec.at("issue_id").as_string()})));
    else if (type == "attachment")
      CHECK((named("attachment " + id + " ")
             || issue_failed(std::string{rec.at("issue_id").as_string()})));
    else
      FAIL("unexpected missing record " << key);
  }
  CHECK(missing > 0);
  CHECK(got.per_type["issue"] > 0);
  CHECK(got.per_type["attachment"] > 0);

  // who-can-see and status keep working on the store.
  auto cfg = dir.path() / "jirasync.toml";
  std::string some_issue;
  for (const auto& [k, rec] : got.records)
    if (k.rfind("issue:", 0) == 0) {
      some_issue = std::string{rec.at("key").as_string()};
      break;
    }
  CHECK(run_to_completion({JIRASYNC_BIN, "who-can-see", "--config",
                           cfg.string(), "issue:" + some_issue},
                          dir.path() / "wcs.out", dir.path() / "wcs.err")
        == 0);
  CHECK(run_to_completion({JIRASYNC_BIN, "status", "--config", cfg.string()},
                          dir.path() / "status.out", dir.path() / "status.err")
        != 1);

  // Permissions of everything the store holds, after a real sync.
  auto store = dir.path() / "store";
  CHECK((std::filesystem::status(store).permissions()
         & std::filesystem::perms::mask)
        == std::filesystem::perms::owner_all);
  for (const auto& e : std::filesystem::recursive_directory_iterator(store)) {
    INFO(e.path());
    auto p = e.symlink_status().permissions() & std::filesystem::perms::mask;
    if (e.is_directory())
      CHECK(p == std::filesystem::perms::owner_all);
    else if (e.is_regular_file())
      CHECK(p
            == (std::filesystem::perms::owner_read
                | std::filesystem::perms::owner_write));
  }
}
