// Permissions without admin rights: the real jirasync against a real
// jira-sim --no-admin over TLS (403 exactly where Jira's reference demands
// Administer Jira / Administer projects). Every exported ACL is compared
// with the sim's ground truth: zero over-shares allowed (a user granted
// what the truth denies), under-shares counted and printed; the degraded
// projects are named by the summary and by `jirasync status`. Also
// `jirasync users --hidden-email` against the truth's hidden-email users.
#include "child_process.hpp"
#include "export_data.hpp"

#include "protocol/http/http_client.hpp"
#include "test_util/temp_dir.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <cstdlib>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

namespace json = boost::json;
using jirasync::test::temp_dir;
using jirasync::testing::read_file;
using jirasync::testing::run_to_completion;
using jirasync::testing::sim_process;
using namespace jirasync::testing; // dataset, parse_jsonl, http_get

namespace {

/// Project key -> the parts of its gaps, from `status --json`.
std::map<std::string, std::set<std::string>>
degraded_parts(const json::object& status) {
  std::map<std::string, std::set<std::string>> out;
  for (auto& d : status.at("degraded_projects").as_array()) {
    auto& parts = out[std::string{d.at("project_key").as_string()}];
    for (auto& g : d.at("gaps").as_array())
      parts.insert(std::string{g.at("part").as_string()});
  }
  return out;
}

struct run_out {
  int rc = -1;
  std::string out, err;
};

struct connector {
  const sim_process& sim;
  temp_dir dir;
  std::filesystem::path cfg;

  explicit connector(const sim_process& s) : sim(s) {
    ::setenv("JIRASYNC_IT_TOKEN", sim.str("api_token").c_str(), 1);
    cfg = dir.path() / "jirasync.toml";
    std::ofstream out{cfg};
    out << "[jira]\nsite = \"" << sim.base_url() << "\"\n"
        << "email = \"" << sim.str("email") << "\"\n"
        << "api_token_env = \"JIRASYNC_IT_TOKEN\"\n"
        << "ca_file = \"" << sim.str("ca_file") << "\"\n"
        << "[storage]\npath = \"" << (dir.path() / "store").string() << "\"\n";
  }

  run_out run(std::vector<std::string> args) {
    std::vector<std::string> argv{JIRASYNC_BIN};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.emplace_back("--config");
    argv.push_back(cfg.string());
    run_out r;
    r.rc
      = run_to_completion(argv, dir.path() / "cmd.out", dir.path() / "cmd.err");
    r.out = read_file(dir.path() / "cmd.out");
    r.err = read_file(dir.path() / "cmd.err");
    return r;
  }
};

struct share_counts {
  std::size_t records = 0;
  std::size_t over = 0;          // user grants the truth denies
  std::size_t over_anyone = 0;   // anyone=true where the truth says false
  std::size_t under = 0;         // user grants the truth has and we lack
  std::size_t under_records = 0; // records with at least one
  std::size_t not_in_truth = 0;  // exported records the truth lacks
  std::vector<std::string> examples;
};

share_counts compare_acls(const dataset& truth, const dataset& got) {
  share_counts c;
  for (const auto& [key, rec] : got.records) {
    auto* acl = rec.if_contains("acl");
    if (!acl)
      continue;
    ++c.records;
    auto t = truth.records.find(key);
    if (t == truth.records.end()) {
      ++c.not_in_truth;
      continue;
    }
    const auto& ta
      = truth.acls.at(std::string{t->second.at("acl").as_string()});
    const auto& ga = got.acls.at(std::string{acl->as_string()});
    if (ga.anyone && !ta.anyone)
      ++c.over_anyone;
    std::size_t missing = 0;
    for (const auto& u : ga.users)
      if (!ta.users.count(u)) {
        ++c.over;
        if (c.examples.size() < 10)
          c.examples.push_back(key + " grants " + u);
      }
    for (const auto& u : ta.users)
      if (!ga.users.count(u))
        ++missing;
    c.under += missing;
    if (missing > 0)
      ++c.under_records;
  }
  return c;
}

const std::vector<std::string> workspace_args = {"--seed",
                                                 "11",
                                                 "--issues",
                                                 "700",
                                                 "--projects",
                                                 "5",
                                                 "--users",
                                                 "40",
                                                 "--heavy-comment-issues",
                                                 "1",
                                                 "--port",
                                                 "0",
                                                 "--large-attachments",
                                                 "0"};

std::set<std::string> hidden_in_truth(const std::string& truth_text) {
  std::set<std::string> out;
  std::istringstream in{truth_text};
  for (std::string line; std::getline(in, line);) {
    if (line.find("\"type\":\"user\"") == std::string::npos)
      continue;
    auto o = json::parse(line).as_object();
    if (o.at("account_type").as_string() == "atlassian"
        && o.at("email").is_null())
      out.insert(std::string{o.at("account_id").as_string()});
  }
  return out;
}

/// accountIds of `jirasync users` lines (accountId TAB name TAB email).
std::set<std::string> listed(const std::string& out) {
  std::set<std::string> ids;
  std::istringstream in{out};
  for (std::string line; std::getline(in, line);)
    if (!line.empty())
      ids.insert(line.substr(0, line.find('\t')));
  return ids;
}

} // namespace

TEST_CASE("without admin rights: zero over-shares, degraded projects named",
          "[integration][permissions]") {
  std::vector<std::string> args{JIRA_SIM_BIN, "--no-admin"};
  args.insert(args.end(), workspace_args.begin(), workspace_args.end());
  sim_process sim{args};
  connector c{sim};
  auto sync = c.run({"sync"});
  INFO("sync stdout:\n" << sync.out << "\nsync stderr:\n" << sync.err);
  // Degraded is not a failure of the run, but not ok either.
  REQUIRE(sync.rc == 3);
  CHECK(sync.out.find("sync partial") != std::string::npos);
  auto exported = c.run({"export"});
  REQUIRE(exported.rc == 0);
  auto truth_text
    = http_get(sim.base_url() + "/_sim/truth", sim.str("ca_file"));
  auto truth = parse_jsonl(truth_text);
  auto got = parse_jsonl(exported.out);
  auto counts = compare_acls(truth, got);
  std::cout << "no-admin sync: " << counts.records
            << " exported records with an ACL; over-shared grants "
            << counts.over << " (anyone: " << counts.over_anyone
            << "); under-shared grants " << counts.under << " on "
            << counts.under_records << " record(s)\n";
  for (const auto& e : counts.examples)
    UNSCOPED_INFO("over-share: " << e);
  REQUIRE(counts.records > 0);
  CHECK(counts.not_in_truth == 0);
  CHECK(counts.over == 0);
  CHECK(counts.over_anyone == 0);
  // Without the permission schemes the ACLs are narrower: under-shares
  // exist (the price of failing safe), and are reported above.
  CHECK(counts.under > 0);

  // The degraded projects: named in the summary and by `status`.
  auto status = c.run({"status", "--json"});
  REQUIRE(status.rc == 0);
  auto st = json::parse(status.out).as_object();
  auto& degraded = st.at("degraded_projects").as_array();
  REQUIRE(degraded.size() > 0);
  std::set<std::string> needs;
  for (auto& d : degraded) {
    auto key = std::string{d.at("project_key").as_string()};
    CHECK(sync.out.find("    " + key + ": ") != std::string::npos);
    for (auto& g : d.at("gaps").as_array())
      if (g.at("missing_permission").is_string())
        needs.insert(std::string{g.at("missing_permission").as_string()});
  }
  // Every gap here is a refusal, naming the permission Jira demands.
  CHECK(needs.count("Administer projects or Administer Jira") == 1);
  CHECK(st.at("last_sync").at("counters").at("degraded_projects").as_int64()
        == static_cast<std::int64_t>(degraded.size()));
  auto text = c.run({"status"});
  REQUIRE(text.rc == 0);
  CHECK(text.out.find("project(s) degraded") != std::string::npos);

  // Hidden-email users: counted in the summary, listed by `users`.
  auto hidden = hidden_in_truth(truth_text);
  REQUIRE(hidden.size() > 0);
  CHECK(
    sync.out.find("(" + std::to_string(hidden.size()) + " with hidden email")
    != std::string::npos);
  CHECK(st.at("hidden_email_users").to_number<std::uint64_t>()
        == hidden.size());
  auto users = c.run({"users", "--hidden-email"});
  REQUIRE(users.rc == 0);
  CHECK(listed(users.out) == hidden);
  for (std::istringstream in{users.out}; !in.eof();) {
    std::string line;
    std::getline(in, line);
    if (!line.empty())
      CHECK(line.substr(line.rfind('\t') + 1) == "hidden");
  }
  auto all = c.run({"users"});
  REQUIRE(all.rc == 0);
  CHECK(listed(all.out).size() > hidden.size());

  // Now the bot administers the projects whose scheme grants "Administer
  // projects" to the Administrators role (10002): their permission schemes
  // and roles become readable, the level members and products stay closed.
  // The next sync replaces the narrow ACLs by wider, still correct ones.
  auto bot = sim_api_user(sim);
  auto before = degraded_parts(st);
  std::size_t added = 0;
  for (const auto& [key, parts] : before)
    added
      += http_post(sim.base_url() + "/_sim/mutate", sim.str("ca_file"),
                   R"({"op":"add_role_actor","project":")" + key
                     + R"(","role_id":10002,"account_id":")" + bot + R"("})")
           .status
         == 200;
  REQUIRE(added > 0);
  auto again = c.run({"sync"});
  INFO("second sync stdout:\n" << again.out);
  CHECK((again.rc == 0 || again.rc == 3));
  auto exported2 = c.run({"export"});
  REQUIRE(exported2.rc == 0);
  auto truth2 = sim_truth(sim);
  auto counts2 = compare_acls(truth2, parse_jsonl(exported2.out));
  std::cout << "no-admin sync, bot administering its projects: "
            << counts2.records << " records; over-shared grants "
            << counts2.over << "; under-shared grants " << counts2.under
            << " on " << counts2.under_records << " record(s)\n";
  CHECK(counts2.over == 0);
  CHECK(counts2.over_anyone == 0);
  CHECK(counts2.under < counts.under);
  auto status2 = c.run({"status", "--json"});
  REQUIRE(status2.rc == 0);
  auto after = degraded_parts(json::parse(status2.out).as_object());
  std::size_t scheme_read = 0;
  for (const auto& [key, parts] : before)
    if (!after.count(key) || !after.at(key).count("permission scheme"))
      ++scheme_read;
  CHECK(scheme_read > 0);
}

TEST_CASE("without Browse users and groups: every project degraded, still no "
          "over-share",
          "[integration][permissions]") {
  sim_process sim{{JIRA_SIM_BIN, "--no-admin", "--browse-users-admins-only",
                   "--seed", "5", "--issues", "150", "--projects", "3",
                   "--users", "20", "--heavy-comment-issues", "0",
                   "--large-attachments", "0", "--port", "0"}};
  connector c{sim};
  auto sync = c.run({"sync"});
  INFO("sync stdout:\n" << sync.out << "\nsync stderr:\n" << sync.err);
  REQUIRE(sync.rc == 3);
  auto exported = c.run({"export"});
  REQUIRE(exported.rc == 0);
  auto truth = sim_truth(sim);
  auto got = parse_jsonl(exported.out);
  auto counts = compare_acls(truth, got);
  std::cout << "no-admin, no user browsing: " << counts.records
            << " records; over-shared grants " << counts.over
            << "; under-shared grants " << counts.under << "\n";
  REQUIRE(counts.records > 0);
  CHECK(counts.over == 0);
  CHECK(counts.over_anyone == 0);
  auto status = c.run({"status", "--json"});
  REQUIRE(status.rc == 0);
  auto st = json::parse(status.out).as_object();
  auto& degraded = st.at("degraded_projects").as_array();
  REQUIRE(degraded.size() > 0);
  for (auto& d : degraded) {
    std::set<std::string> parts;
    for (auto& g : d.at("gaps").as_array())
      parts.insert(std::string{g.at("part").as_string()});
    CHECK(parts.count("users") == 1);
    CHECK(parts.count("groups") == 1);
  }
}
