// Incremental sync against a real jira-sim over TLS (index lag on, the API
// user's profile zone America/Los_Angeles): full sync, mutations of every
// kind through /_sim/mutate, incremental sync -> `jirasync export` equals
// GET /_sim/truth exactly, ACLs included; the change feed replayed from 0
// equals the snapshot; a sync filter change removes exactly what left the
// scope; SIGKILLed syncs resume without loss.
#include "background_process.hpp"
#include "child_process.hpp"
#include "export_data.hpp"

#include "protocol/jira/jira_api.hpp"
#include "test_util/temp_dir.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <thread>

namespace json = boost::json;
using jirasync::test::temp_dir;
using namespace jirasync::testing;

namespace {

/// One jira-sim plus a jirasync config and store pointing at it.
class site {
public:
  explicit site(std::vector<std::string> sim_args)
      : sim_(with_bin(std::move(sim_args))) {
    ::setenv("JIRASYNC_IT_TOKEN", sim_.str("api_token").c_str(), 1);
    write_config("");
  }

  /// Rewrites the config; `filters` is the body of a [filters] table,
  /// `store` the store's folder in the site's temp dir, `sync` the body of
  /// a [sync] table.
  void write_config(const std::string& filters,
                    const std::string& store = "store",
                    const std::string& sync = "") {
    std::ofstream out{config()};
    out << "[jira]\nsite = \"" << sim_.base_url() << "\"\n"
        << "email = \"" << sim_.str("email") << "\"\n"
        << "api_token_env = \"JIRASYNC_IT_TOKEN\"\n"
        << "ca_file = \"" << sim_.str("ca_file") << "\"\n"
        << "[storage]\npath = \"" << (dir_.path() / store).string() << "\"\n";
    if (!sync.empty())
      out << "[sync]\n" << sync;
    if (!filters.empty())
      out << "[filters]\n" << filters;
  }

  std::filesystem::path config() const {
    return dir_.path() / "jirasync.toml";
  }
  const temp_dir& dir() const {
    return dir_;
  }
  const sim_process& sim() const {
    return sim_;
  }

  struct run {
    int rc = -1;
    std::string out;
    std::string err;
    std::int64_t requests = -1;
  };

  run jirasync(std::vector<std::string> args) const {
    std::vector<std::string> argv{JIRASYNC_BIN};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back("--config");
    argv.push_back(config().string());
    run r;
    r.rc = run_to_completion(argv, dir_.path() / "cmd.out",
                             dir_.path() / "cmd.err");
    r.out = read_file(dir_.path() / "cmd.out");
    r.err = read_file(dir_.path() / "cmd.err");
    // The summary's "  requests N (...)" line. Plain string search: GCC 12
    // warns (-Wmaybe-uninitialized, an error here) inside libstdc++'s
    // <regex> when built with ASan at -O1.
    static constexpr std::string_view tag = "\n  requests ";
    if (auto at = r.out.find(tag); at != std::string::npos)
      r.requests = std::stoll(r.out.substr(at + tag.size()));
    return r;
  }

  run sync(bool full = false) const {
    return full ? jirasync({"sync", "--full"}) : jirasync({"sync"});
  }

  json::value mutate(json::object op) const {
    auto r = json::parse(http_post(sim_.base_url() + "/_sim/mutate",
                                   sim_.str("ca_file"), json::serialize(op))
                           .body);
    INFO("mutation " << json::serialize(op) << " -> " << json::serialize(r));
    REQUIRE(r.as_object().at("ok").as_bool());
    return r;
  }

  /// GET on the site's REST API as the API user; null unless a 200.
  json::value api_get(const std::string& path) const {
    auto r = http_call(
      "GET", sim_.base_url() + "/rest/api/3" + path, sim_.str("ca_file"), {},
      {{"Authorization",
        "Basic "
          + jirasync::protocol::base64_encode(sim_.str("email") + ":"
                                              + sim_.str("api_token"))}});
    return r.status == 200 ? json::parse(r.body) : json::value{};
  }

  dataset truth() const {
    std::size_t hidden = 0;
    return visible_truth(sim_, hidden);
  }

  dataset exported() const {
    auto r = jirasync({"export"});
    REQUIRE(r.rc == 0);
    return parse_jsonl(r.out);
  }

private:
  static std::vector<std::string> with_bin(std::vector<std::string> args) {
    args.insert(args.begin(), JIRA_SIM_BIN);
    return args;
  }

  temp_dir dir_;
  sim_process sim_;
};

void check_equal(const dataset& truth, const dataset& got) {
  auto diffs = compare(truth, got);
  for (std::size_t i = 0; i < diffs.size() && i < 25; ++i)
    UNSCOPED_INFO(diffs[i]);
  CHECK(diffs.empty());
}

/// The live set the change feed gives when replayed from 0: "type:id" ->
/// the record's line.
std::map<std::string, std::string> replay_feed(const std::string& feed,
                                               std::size_t& duplicates) {
  std::map<std::string, std::string> live;
  duplicates = 0;
  for (auto& o : json_lines(feed)) {
    auto& rec = o.at("record").as_object();
    std::string key = std::string{rec.at("type").as_string()} + ":"
                      + std::string{rec.at("id").as_string()};
    if (o.at("op").as_string() == "delete") {
      live.erase(key);
      continue;
    }
    auto text = json::serialize(rec);
    auto it = live.find(key);
    if (it != live.end() && it->second == text)
      ++duplicates; // an upsert that changed nothing: must not be emitted
    live[key] = text;
  }
  return live;
}

/// The snapshot export as "type:id" -> the record's line.
std::map<std::string, std::string> snapshot_of(const std::string& text) {
  std::map<std::string, std::string> out;
  for (auto& o : json_lines(text))
    out[std::string{o.at("type").as_string()} + ":"
        + std::string{o.at("id").as_string()}]
      = json::serialize(o);
  return out;
}

/// `got` has exactly the lines of `want` ("type:id" -> line).
void check_same_lines(const std::map<std::string, std::string>& want,
                      const std::map<std::string, std::string>& got,
                      const std::string& what) {
  CHECK(got.size() == want.size());
  std::size_t differ = 0;
  for (const auto& [k, v] : want) {
    auto it = got.find(k);
    if ((it == got.end() || it->second != v) && ++differ <= 10)
      UNSCOPED_INFO(what << " differs at " << k);
  }
  CHECK(differ == 0);
}

void check_feed_replays_snapshot(const site& s) {
  auto snap = s.jirasync({"export"});
  auto feed = s.jirasync({"export", "--since", "0"});
  REQUIRE(snap.rc == 0);
  REQUIRE(feed.rc == 0);
  std::size_t dups = 0;
  auto replayed = replay_feed(feed.out, dups);
  auto expected = snapshot_of(snap.out);
  CHECK(dups == 0);
  check_same_lines(expected, replayed, "feed replay");
}

/// Records of the truth by type, in id order.
std::vector<const json::object*> of_type(const dataset& d,
                                         const std::string& type) {
  std::vector<const json::object*> out;
  for (const auto& [k, r] : d.records)
    if (r.at("type").as_string() == type)
      out.push_back(&r);
  return out;
}

std::string str(const json::object& o, const char* k) {
  return std::string{o.at(k).as_string()};
}

/// Each project's issue ids in `d` (every project, also those without
/// issues), in numeric order, and the project with the most.
struct project_ids {
  std::map<std::string, std::vector<std::int64_t>> ids;
  std::string largest;
};

project_ids issue_ids_by_project(const dataset& d) {
  project_ids out;
  for (auto* p : of_type(d, "project"))
    out.ids[str(*p, "key")];
  for (auto* i : of_type(d, "issue"))
    out.ids[str(*i, "project_key")].push_back(std::stoll(str(*i, "id")));
  for (auto& [key, ids] : out.ids) {
    std::sort(ids.begin(), ids.end());
    if (out.largest.empty() || ids.size() > out.ids[out.largest].size())
      out.largest = key;
  }
  return out;
}

std::size_t acl_size(const dataset& d, const json::object& r) {
  auto a = d.acls.find(str(r, "acl"));
  return a == d.acls.end() ? 0 : a->second.users.size();
}

const std::vector<std::string> small_site = {"--seed",
                                             "11",
                                             "--issues",
                                             "400",
                                             "--projects",
                                             "5",
                                             "--users",
                                             "40",
                                             "--heavy-comment-issues",
                                             "1",
                                             "--heavy-comment-count",
                                             "130",
                                             "--large-attachments",
                                             "0",
                                             "--index-lag-ms",
                                             "1500",
                                             "--port",
                                             "0"};

void wait_for_index() {
  // --index-lag-ms 1500: after this, search sees every change made before.
  std::this_thread::sleep_for(std::chrono::milliseconds(1800));
}

} // namespace

TEST_CASE("incremental sync after mutations equals the truth - ACLs narrow",
          "[integration]") {
  site s{small_site};
  auto full = s.sync();
  INFO("full sync:\n" << full.out << full.err);
  REQUIRE(full.rc == 0);
  CHECK(full.out.find("mode full (first run") != std::string::npos);
  check_equal(s.truth(), s.exported());

  // Nothing changed: an incremental run costs the fixed reads only.
  auto idle = s.sync();
  INFO("idle incremental:\n" << idle.out << idle.err);
  REQUIRE(idle.rc == 0);
  CHECK(idle.out.find("mode incremental") != std::string::npos);
  CHECK(idle.out.find("added 0, updated 0") != std::string::npos);
  REQUIRE(idle.requests > 0);
  REQUIRE(full.requests > 0);
  CHECK(idle.requests * 2 < full.requests);

  auto before = s.truth();
  auto issues = of_type(before, "issue");
  REQUIRE(issues.size() > 40);
  std::set<std::string> projects;
  for (auto* i : issues)
    projects.insert(str(*i, "project_key"));
  REQUIRE(projects.size() >= 2);
  auto p1 = *projects.begin();
  auto p2 = *std::next(projects.begin());
  // Issues with no children: deleting or moving one touches no other
  // issue.
  std::set<std::string> parents;
  for (auto* i : issues)
    if (!i->at("parent_key").is_null())
      parents.insert(std::string{i->at("parent_key").as_string()});
  auto in = [&](const std::string& key) {
    std::vector<const json::object*> out;
    for (auto* i : issues)
      if (str(*i, "project_key") == key && !parents.count(str(*i, "key")))
        out.push_back(i);
    return out;
  };
  auto i1 = in(p1);
  auto i2 = in(p2);
  REQUIRE(i1.size() > 12);
  REQUIRE(i2.size() > 2);
  int mutations = 0;
  auto mutate = [&](json::object op) {
    ++mutations;
    return s.mutate(std::move(op));
  };
  // Updates, creates, deletes, a move (new project, new key).
  for (int k = 0; k < 3; ++k)
    mutate({{"op", "update_issue"},
            {"issue", str(*i1[k], "id")},
            {"summary", "changed " + std::to_string(k)}});
  mutate({{"op", "create_issue"}, {"project", p1}, {"summary", "new one"}});
  mutate({{"op", "create_issue"}, {"project", p2}, {"summary", "new two"}});
  mutate({{"op", "delete_issue"}, {"issue", str(*i1[3], "id")}});
  mutate({{"op", "delete_issue"}, {"issue", str(*i2[0], "id")}});
  auto moved_id = str(*i1[4], "id");
  auto moved_key = str(*i1[4], "key");
  mutate({{"op", "move_issue"}, {"issue", moved_id}, {"project", p2}});
  // Comments and attachments added and deleted.
  mutate({{"op", "add_comment"}, {"issue", str(*i1[5], "id")}});
  auto comments = of_type(before, "comment");
  REQUIRE(!comments.empty());
  auto gone_comment = str(*comments.front(), "id");
  mutate({{"op", "delete_comment"}, {"id", gone_comment}});
  mutate({{"op", "add_attachment"},
          {"issue", str(*i1[6], "id")},
          {"filename", "notes.txt"},
          {"mime_type", "text/plain"},
          {"size", 300}});
  auto attachments = of_type(before, "attachment");
  REQUIRE(!attachments.empty());
  auto gone_attachment = str(*attachments.front(), "id");
  mutate({{"op", "delete_attachment"}, {"id", gone_attachment}});
  // A security level on a widely visible issue: who-can-see must narrow.
  std::string narrowed_key;
  std::size_t wide = 0;
  for (const auto& key : projects) {
    auto scheme = s.api_get("/project/" + key + "/issuesecuritylevelscheme");
    if (!scheme.is_object() || !scheme.as_object().contains("levels"))
      continue;
    for (auto* i : in(key)) {
      if (!i->at("security_level").is_null() || acl_size(before, *i) < 5)
        continue;
      for (auto& l : scheme.as_object().at("levels").as_array()) {
        std::string level{l.as_object().at("id").as_string()};
        mutate({{"op", "update_issue"},
                {"issue", str(*i, "id")},
                {"security_level_id", std::stoll(level)}});
        auto now = s.truth();
        auto it = now.records.find("issue:" + str(*i, "id"));
        if (it != now.records.end() && acl_size(now, it->second) > 0
            && acl_size(now, it->second) < acl_size(before, *i)) {
          narrowed_key = str(*i, "key");
          wide = acl_size(before, *i);
          break;
        }
      }
      break;
    }
    if (!narrowed_key.empty())
      break;
  }
  REQUIRE_FALSE(narrowed_key.empty());
  // Identity changes that move no issue's `updated`: a group member and a
  // role actor removed (the ACLs of unchanged issues must follow).
  auto groups = of_type(before, "group");
  const json::object* g = nullptr;
  for (auto* x : groups)
    if (x->at("members").as_array().size() > 2)
      g = x;
  REQUIRE(g);
  mutate(
    {{"op", "remove_group_member"},
     {"group", str(*g, "id")},
     {"account_id", std::string{g->at("members").as_array()[0].as_string()}}});

  wait_for_index();
  auto inc = s.sync();
  INFO("incremental:\n" << inc.out << inc.err);
  REQUIRE(inc.rc == 0);
  CHECK(inc.out.find("mode incremental") != std::string::npos);
  auto after = s.truth();
  auto got = s.exported();
  check_equal(after, got);
  // One record for the moved issue, under its new key.
  auto moved = got.records.find("issue:" + moved_id);
  REQUIRE(moved != got.records.end());
  CHECK(str(moved->second, "key") != moved_key);
  CHECK(str(moved->second, "project_key") == p2);
  CHECK_FALSE(got.records.count("comment:" + gone_comment));
  CHECK_FALSE(got.records.count("attachment:" + gone_attachment));
  // Requests: the idle run's fixed reads plus a few per mutation (a share
  // of a bulkfetch, a comment page or a download, a confirmation).
  INFO("idle " << idle.requests << ", incremental " << inc.requests
               << ", mutations " << mutations);
  CHECK(inc.requests <= idle.requests + 4 * mutations);

  // who-can-see follows the narrower ACL.
  auto who = s.jirasync({"who-can-see", "issue:" + narrowed_key});
  REQUIRE(who.rc == 0);
  auto lines = static_cast<std::size_t>(
    std::count(who.out.begin(), who.out.end(), '\n'));
  std::size_t expected_users = 0;
  for (const auto& [k, r] : after.records)
    if (r.at("type").as_string() == "issue" && str(r, "key") == narrowed_key)
      expected_users = acl_size(after, r);
  CHECK(lines == expected_users);
  CHECK(lines < wide);

  // Changes made inside the index-lag window: the next run but one sees
  // them; a listed issue that is already deleted is not a failure.
  auto late = str(*i1[7], "id");
  s.mutate({{"op", "update_issue"}, {"issue", late}, {"summary", "late"}});
  s.mutate({{"op", "delete_issue"}, {"issue", str(*i1[8], "id")}});
  s.mutate({{"op", "create_issue"}, {"project", p1}, {"summary", "late new"}});
  auto lagged = s.sync();
  INFO("within the lag window:\n" << lagged.out << lagged.err);
  CHECK(lagged.rc == 0);
  wait_for_index();
  auto caught = s.sync();
  INFO("after the lag:\n" << caught.out << caught.err);
  REQUIRE(caught.rc == 0);
  auto final_got = s.exported();
  check_equal(s.truth(), final_got);
  CHECK(str(final_got.records.at("issue:" + late), "summary") == "late");

  check_feed_replays_snapshot(s);

  auto status = s.jirasync({"status"});
  REQUIRE(status.rc == 0);
  CHECK(status.out.find("next sync: incremental") != std::string::npos);
}

TEST_CASE("attachments already stored are not downloaded again",
          "[integration]") {
  site s{small_site};
  auto full = s.sync();
  INFO("full sync:\n" << full.out << full.err);
  REQUIRE(full.rc == 0);
  // The issue with the most attachments gets a new summary: the next run
  // fetches it again, with the same attachments (Jira never changes an
  // attachment's content).
  auto before = s.truth();
  auto attachments = of_type(before, "attachment");
  std::map<std::string, std::size_t> per_issue;
  for (auto* a : attachments)
    ++per_issue[str(*a, "issue_id")];
  REQUIRE(!per_issue.empty());
  auto most = std::max_element(per_issue.begin(), per_issue.end(),
                               [](const auto& a, const auto& b) {
                                 return a.second < b.second;
                               });
  auto issue = most->first;
  auto held = most->second;
  REQUIRE(held > 1);
  // One of its attachments, with content no other attachment has, is
  // deleted: its blob file must leave the store.
  std::map<std::string, int> sha_uses;
  for (auto* a : attachments)
    ++sha_uses[str(*a, "sha256")];
  std::string gone_id, gone_sha;
  for (auto* a : attachments)
    if (str(*a, "issue_id") == issue && sha_uses[str(*a, "sha256")] == 1) {
      gone_id = str(*a, "id");
      gone_sha = str(*a, "sha256");
    }
  REQUIRE(!gone_id.empty());
  auto blob = [&](const std::string& sha) {
    return s.dir().path() / "store" / "blobs" / sha.substr(0, 2) / sha;
  };
  REQUIRE(std::filesystem::exists(blob(gone_sha)));
  s.mutate({{"op", "delete_attachment"}, {"id", gone_id}});
  s.mutate({{"op", "update_issue"}, {"issue", issue}, {"summary", "again"}});
  // And one new attachment on it, which must be downloaded.
  s.mutate({{"op", "add_attachment"},
            {"issue", issue},
            {"filename", "new.txt"},
            {"mime_type", "text/plain"},
            {"size", 120}});
  wait_for_index();
  auto ca = s.sim().str("ca_file");
  REQUIRE(http_post(s.sim().base_url() + "/_sim/stats/reset", ca, "").status
          == 200);
  auto inc = s.sync();
  INFO("incremental:\n" << inc.out << inc.err);
  REQUIRE(inc.rc == 0);
  // The issue's attachments, and those of issues re-read in the overlap,
  // count as reused; the sim's own count below is the proof.
  CHECK(inc.out.find(" already stored, not downloaded again)")
        != std::string::npos);
  auto stats = json::parse(http_get(s.sim().base_url() + "/_sim/stats", ca));
  std::int64_t content = 0;
  for (const auto& [endpoint, n] : stats.at("requests_by_endpoint").as_object())
    if (std::string_view{endpoint}.find("attachment/content")
        != std::string_view::npos)
      content += n.to_number<std::int64_t>();
  INFO(json::serialize(stats));
  CHECK(content == 1); // the new attachment only
  auto got = s.exported();
  check_equal(s.truth(), got);
  auto fresh = got.records.find("issue:" + issue);
  REQUIRE(fresh != got.records.end());
  CHECK(str(fresh->second, "summary") == "again");
  CHECK_FALSE(got.records.count("attachment:" + gone_id));
  CHECK_FALSE(std::filesystem::exists(blob(gone_sha)));
  CHECK(inc.out.find(", attachment files 1;") != std::string::npos);
  for (const auto& [k, r] : got.records)
    if (r.at("type").as_string() == "attachment")
      CHECK(std::filesystem::exists(blob(str(r, "sha256"))));
}

TEST_CASE("a sync filter change removes exactly what left the scope",
          "[integration]") {
  site s{small_site};
  auto all = s.sync();
  REQUIRE(all.rc == 0);
  auto truth = s.truth();
  std::set<std::string> keys;
  for (auto* i : of_type(truth, "issue"))
    keys.insert(str(*i, "project_key"));
  REQUIRE(keys.size() >= 2);
  auto dropped = *keys.begin();
  s.write_config("project_keys = [\"" + dropped
                 + "\"]\nproject_keys_op = \"not_in\"\n");
  auto status = s.jirasync({"status"});
  CHECK(status.out.find("next sync: full (the sync filters changed")
        != std::string::npos);
  auto r = s.sync();
  INFO(r.out << r.err);
  REQUIRE(r.rc == 0);
  CHECK(r.out.find("mode full (the sync filters changed") != std::string::npos);
  // The truth without the dropped project's project, issues, comments and
  // attachments (ACL and identity records stay).
  dataset expected = truth;
  std::set<std::string> dropped_issues;
  for (auto it = expected.records.begin(); it != expected.records.end();) {
    const auto& rec = it->second;
    auto type = str(rec, "type");
    bool out = (type == "project" && str(rec, "key") == dropped)
               || (type == "issue" && str(rec, "project_key") == dropped);
    if (type == "issue" && out)
      dropped_issues.insert(str(rec, "id"));
    if (out)
      it = expected.records.erase(it);
    else
      ++it;
  }
  REQUIRE(!dropped_issues.empty());
  for (auto it = expected.records.begin(); it != expected.records.end();) {
    auto type = str(it->second, "type");
    if ((type == "comment" || type == "attachment")
        && dropped_issues.count(str(it->second, "issue_id")))
      it = expected.records.erase(it);
    else
      ++it;
  }
  check_equal(expected, s.exported());
  // The feed says so: replaying it gives the snapshot.
  check_feed_replays_snapshot(s);
  // Back to everything: the project comes back, nothing else changes.
  s.write_config("");
  REQUIRE(s.sync().rc == 0);
  check_equal(s.truth(), s.exported());
}

TEST_CASE("SIGKILLed syncs resume without loss", "[integration]") {
  site s{{"--seed", "11", "--issues", "2500", "--projects", "5", "--users",
          "40", "--heavy-comment-issues", "1", "--heavy-comment-count", "120",
          "--large-attachments", "0", "--index-lag-ms", "500", "--port", "0"}};
  std::mt19937 rng{20261206};
  std::uniform_int_distribution<int> delay_ms{200, 6000};
  auto truth0 = s.truth();
  auto issues = of_type(truth0, "issue");
  REQUIRE(issues.size() > 100);
  int kills = 0;
  for (int round = 0; round < 10; ++round) {
    std::vector<std::string> argv{JIRASYNC_BIN, "sync", "--config",
                                  s.config().string()};
    background_process p{argv, s.dir().path() / "bg.out",
                         s.dir().path() / "bg.err"};
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));
    auto rc = p.kill_and_wait(SIGKILL);
    REQUIRE(rc);
    if (*rc == 128 + SIGKILL)
      ++kills;
    else
      UNSCOPED_INFO("round " << round << " ended by itself with " << *rc);
    // Jira moves on between the runs.
    const auto& victim = *issues[static_cast<std::size_t>(round) * 7];
    s.mutate({{"op", "update_issue"},
              {"issue", str(victim, "id")},
              {"summary", "round " + std::to_string(round)}});
    if (round % 3 == 0)
      s.mutate(
        {{"op", "delete_issue"},
         {"issue",
          str(*issues[issues.size() - 1 - static_cast<std::size_t>(round)],
              "id")}});
  }
  CHECK(kills >= 5);
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  auto last = s.sync();
  INFO("final run:\n" << last.out << last.err);
  REQUIRE(last.rc == 0);
  check_equal(s.truth(), s.exported());
  check_feed_replays_snapshot(s);
  // Exactly what an uninterrupted sync of the same site exports, line for
  // line (capped attachment texts included).
  auto resumed = s.jirasync({"export"});
  REQUIRE(resumed.rc == 0);
  s.write_config("", "clean-store");
  auto clean = s.sync();
  INFO("clean run:\n" << clean.out << clean.err);
  REQUIRE(clean.rc == 0);
  auto clean_export = s.jirasync({"export"});
  REQUIRE(clean_export.rc == 0);
  check_same_lines(snapshot_of(clean_export.out), snapshot_of(resumed.out),
                   "resumed export");
}

TEST_CASE("a project listed in id ranges detects deletions exactly",
          "[integration]") {
  // reconcile_range_ids = 50: a project of ~180 issues is listed in 4 id
  // ranges at once (`id < b1`, `id >= b1 AND id < b2`, ..., `id >= b3`).
  site s{{"--seed", "23", "--issues", "400", "--projects", "2", "--users", "30",
          "--large-attachments", "0", "--index-lag-ms", "1500", "--port", "0"}};
  constexpr std::size_t per_range = 50;
  s.write_config("", "store", "reconcile_range_ids = 50\n");
  auto full = s.sync();
  INFO("full sync:\n" << full.out << full.err);
  REQUIRE(full.rc == 0);
  auto before = s.exported();
  check_equal(s.truth(), before);
  // Each synced project's stored issue ids, in numeric order.
  const auto by_project = issue_ids_by_project(before);
  const auto& stored = by_project.ids;
  const std::string big = by_project.largest;
  const auto& ids = stored.at(big);
  INFO("project " << big << ": " << ids.size() << " issues");
  REQUIRE(ids.size() > 3 * per_range + 10);
  // Deleted: inside the first range, the last id below the first boundary,
  // the boundary itself (the first id of `id >= b1`), inside the third
  // range and the highest id (the open last range); one issue created
  // (a new, higher id: the last range lists it).
  std::vector<std::int64_t> victims{ids[10], ids[per_range - 1], ids[per_range],
                                    ids[2 * per_range + 7], ids.back()};
  for (auto id : victims)
    s.mutate({{"op", "delete_issue"}, {"issue", std::to_string(id)}});
  s.mutate({{"op", "create_issue"},
            {"project", big},
            {"summary", "after the ranges"}});
  wait_for_index();
  auto ca = s.sim().str("ca_file");
  REQUIRE(http_post(s.sim().base_url() + "/_sim/stats/reset", ca, "").status
          == 200);
  auto inc = s.jirasync({"sync", "--log-level", "info"});
  INFO("incremental:\n" << inc.out << inc.err);
  REQUIRE(inc.rc == 0);
  CHECK(inc.out.find("mode incremental") != std::string::npos);

  // The export is exactly the site: every victim gone, nothing else.
  auto after = s.exported();
  check_equal(s.truth(), after);
  for (auto id : victims)
    CHECK_FALSE(after.records.count("issue:" + std::to_string(id)));
  std::size_t kept = 0;
  for (auto* i : of_type(after, "issue"))
    if (str(*i, "project_key") == big)
      ++kept;
  // The victims may have had sub-tasks the site deleted with them: the
  // truth decides, and at least the victims are gone, the new one is in.
  CHECK(kept <= ids.size() - victims.size() + 1);
  bool found_new = false;
  for (auto* i : of_type(after, "issue"))
    found_new = found_new || str(*i, "summary") == "after the ranges";
  CHECK(found_new);

  // The listing went in ranges: the log says so, and the site counted one
  // search per range (plus each project's changes listing). The stored
  // ids when the reconciliation starts include the new issue.
  std::int64_t expected_searches = 0;
  std::size_t big_ranges = 0;
  for (const auto& [key, list] : stored) {
    auto n = list.size() + (key == big ? 1 : 0);
    std::size_t ranges = n <= per_range ? 1 : (n - 1) / per_range + 1;
    expected_searches += 1 + static_cast<std::int64_t>(ranges);
    if (key == big)
      big_ranges = ranges;
    if (ranges > 1)
      CHECK(inc.err.find("project " + key + ": listing its ids in "
                         + std::to_string(ranges) + " id ranges at once")
            != std::string::npos);
  }
  CHECK(big_ranges >= 4);
  auto stats = json::parse(http_get(s.sim().base_url() + "/_sim/stats", ca));
  INFO(json::serialize(stats));
  std::int64_t searches = 0;
  for (const auto& [endpoint, n] : stats.at("requests_by_endpoint").as_object())
    if (std::string_view{endpoint}.find("/search/jql")
        != std::string_view::npos)
      searches += n.to_number<std::int64_t>();
  CHECK(searches == expected_searches);
  CHECK(inc.err.find("refused the id-range listing") == std::string::npos);

  // Nothing changed since: the next run lists the same ranges and removes
  // nothing.
  auto idle = s.sync();
  INFO("idle:\n" << idle.out << idle.err);
  REQUIRE(idle.rc == 0);
  check_equal(s.truth(), s.exported());
  check_feed_replays_snapshot(s);
}

TEST_CASE("a site that refuses id ranges gets the single listing",
          "[integration]") {
  // jira-sim's refuse_id_ranges fault (not Jira Cloud's behaviour) answers
  // 400 to every `id >= / <` query: the project is listed in one chain
  // instead, said once in the log, and the run neither fails nor misses a
  // deletion.
  site s{{"--seed", "29", "--issues", "240", "--projects", "2", "--users", "30",
          "--large-attachments", "0", "--index-lag-ms", "1500", "--port", "0"}};
  s.write_config("", "store", "reconcile_range_ids = 50\n");
  auto full = s.sync();
  INFO("full sync:\n" << full.out << full.err);
  REQUIRE(full.rc == 0);
  auto before = s.exported();
  const auto by_project = issue_ids_by_project(before);
  const std::string big = by_project.largest;
  const auto& ids = by_project.ids.at(big);
  REQUIRE(ids.size() > 60);
  auto ca = s.sim().str("ca_file");
  REQUIRE(http_post(s.sim().base_url() + "/_sim/faults", ca,
                    R"({"refuse_id_ranges":true})")
            .status
          == 200);
  std::vector<std::int64_t> victims{ids[3], ids[55], ids.back()};
  for (auto id : victims)
    s.mutate({{"op", "delete_issue"}, {"issue", std::to_string(id)}});
  wait_for_index();
  auto inc = s.jirasync({"sync", "--log-level", "info"});
  INFO("incremental:\n" << inc.out << inc.err);
  REQUIRE(inc.rc == 0);
  auto warning = "project " + big + ": the site refused the id-range listing";
  auto at = inc.err.find(warning);
  CHECK(at != std::string::npos);
  if (at != std::string::npos)
    CHECK(inc.err.find(warning, at + 1) == std::string::npos); // once
  CHECK(inc.err.find("is not supported by the 'id' field")
        != std::string::npos);
  auto after = s.exported();
  check_equal(s.truth(), after);
  for (auto id : victims)
    CHECK_FALSE(after.records.count("issue:" + std::to_string(id)));
}
