// /search/jql pagination, token binding, caps, the removed /search (410),
// approximate-count, bulkfetch, single issue 404, index lag, JQL time zone,
// the /_sim/workload counts.
#include "server_fixture.hpp"

#include "sim/sim_time.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <map>
#include <set>

using namespace simtest;

namespace {

std::vector<std::int64_t> ids_of(const json::value& page) {
  std::vector<std::int64_t> out;
  for (auto& i : page.at("issues").as_array())
    out.push_back(std::stoll(std::string(i.at("id").as_string())));
  return out;
}

/// Walks every page of `jql` (POST); returns the ids in order.
std::vector<std::int64_t> walk(sim_fixture& f, const std::string& jql, int max,
                               int* pages = nullptr) {
  std::vector<std::int64_t> all;
  std::string token;
  int n = 0;
  for (;;) {
    json::object body;
    body["jql"] = jql;
    body["maxResults"] = max;
    if (!token.empty())
      body["nextPageToken"] = token;
    auto r = f.post("/rest/api/3/search/jql", json::serialize(body));
    REQUIRE(r.status == 200);
    auto page = simtest::parse(r.body);
    ++n;
    auto ids = ids_of(page);
    all.insert(all.end(), ids.begin(), ids.end());
    CHECK_FALSE(page.as_object().contains("total"));
    if (page.at("isLast").as_bool()) {
      CHECK_FALSE(page.as_object().contains("nextPageToken"));
      break;
    }
    token = std::string(page.at("nextPageToken").as_string());
    REQUIRE(n < 10000);
  }
  if (pages)
    *pages = n;
  return all;
}

} // namespace

TEST_CASE("search/jql walks every visible id exactly once", "[sim]") {
  sim_fixture f;
  int pages = 0;
  auto all = walk(f, "id > 0 ORDER BY id ASC", 37, &pages);
  CHECK(pages == static_cast<int>((all.size() + 36) / 37));
  std::set<std::int64_t> uniq(all.begin(), all.end());
  CHECK(uniq.size() == all.size());
  CHECK(std::is_sorted(all.begin(), all.end()));
  // The API user is an admin but security levels still hide some issues:
  // compare with the simulator's own truth for that user.
  auto vis = f.control(
    "GET", "/_sim/visible?account_id="
             + std::string(
               f.get_json("/rest/api/3/myself").at("accountId").as_string()));
  CHECK(all.size() == vis.at("issues").as_array().size());
  CHECK(all.size() > 200);
}

TEST_CASE("search/jql: id ranges page on their own and cover the listing",
          "[sim]") {
  // jirasync lists a large project in id ranges at once (`id >= a AND id <
  // b`, the last one open), one nextPageToken chain per range: the ranges
  // together must give exactly the whole listing.
  sim_fixture f;
  auto all = walk(f, "id > 0 ORDER BY id ASC", 1000);
  REQUIRE(all.size() > 200);
  auto a = all[all.size() / 3];
  auto b = all[2 * all.size() / 3];
  int pages = 0;
  auto low = walk(
    f, "id > 0 AND id < " + std::to_string(a) + " ORDER BY id ASC", 29, &pages);
  CHECK(pages > 1);
  auto mid = walk(f,
                  "id >= " + std::to_string(a) + " AND id < "
                    + std::to_string(b) + " ORDER BY id ASC",
                  29, &pages);
  CHECK(pages > 1);
  auto high = walk(f, "id >= " + std::to_string(b) + " ORDER BY id ASC", 29);
  CHECK(low.back() < a);
  CHECK(mid.front() == a);
  CHECK(mid.back() < b);
  CHECK(high.front() == b);
  std::vector<std::int64_t> joined = low;
  joined.insert(joined.end(), mid.begin(), mid.end());
  joined.insert(joined.end(), high.begin(), high.end());
  CHECK(joined == all);
}

TEST_CASE("search/jql: the refuse_id_ranges fault answers 400 to id ranges",
          "[sim]") {
  sim_fixture f;
  auto on = f.control("POST", "/_sim/faults", R"({"refuse_id_ranges":true})");
  CHECK(on.at("refuse_id_ranges").as_bool());
  auto r = f.post("/rest/api/3/search/jql",
                  R"({"jql":"id >= 10000 AND id < 10050 ORDER BY id ASC"})");
  CHECK(r.status == 400);
  CHECK(r.body.find("The operator '>=' is not supported by the 'id' field.")
        != std::string::npos);
  // Other queries are answered as usual.
  CHECK(f.post("/rest/api/3/search/jql", R"x({"jql":"id in (10000)"})x").status
        == 200);
  auto off = f.control("POST", "/_sim/faults", R"({"refuse_id_ranges":false})");
  CHECK_FALSE(off.at("refuse_id_ranges").as_bool());
  CHECK(f.post("/rest/api/3/search/jql",
               R"({"jql":"id >= 10000 AND id < 10050 ORDER BY id ASC"})")
          .status
        == 200);
}

TEST_CASE("search/jql defaults, caps and token binding", "[sim]") {
  sim_fixture f;
  SECTION("default fields are id only, default page 50") {
    auto page = f.get_json("/rest/api/3/search/jql?jql=id%20%3E%200");
    auto& issues = page.at("issues").as_array();
    CHECK(issues.size() == 50);
    CHECK(issues[0].as_object().size() == 1);
    CHECK(issues[0].as_object().contains("id"));
  }
  SECTION("id-only pages go up to 5000, pages with fields up to 100") {
    auto big
      = f.get_json("/rest/api/3/search/jql?jql=id%20%3E%200&maxResults=6000");
    auto me = std::string(
      f.get_json("/rest/api/3/myself").at("accountId").as_string());
    auto vis = f.control("GET", "/_sim/visible?account_id=" + me);
    CHECK(big.at("issues").as_array().size()
          == vis.at("issues").as_array().size());
    CHECK(big.at("issues").as_array().size() > 100);
    CHECK(big.at("isLast").as_bool());
    auto withf = f.get_json(
      "/rest/api/3/search/jql?jql=id%20%3E%200&maxResults=500&fields=summary");
    CHECK(withf.at("issues").as_array().size() == 100);
    CHECK_FALSE(withf.at("isLast").as_bool());
    CHECK(withf.at("issues").as_array()[0].at("fields").as_object().contains(
      "summary"));
  }
  SECTION("a token used with another query is rejected") {
    auto page
      = f.get_json("/rest/api/3/search/jql?jql=id%20%3E%200&maxResults=10");
    auto token = std::string(page.at("nextPageToken").as_string());
    auto ok = f.get(
      "/rest/api/3/search/jql?jql=id%20%3E%200&maxResults=10&nextPageToken="
      + token);
    CHECK(ok.status == 200);
    auto r = f.get(
      "/rest/api/3/search/jql?jql=id%20%3E%201&maxResults=10&nextPageToken="
      + token);
    CHECK(r.status == 400);
    CHECK(simtest::parse(r.body).at("errorMessages").as_array().size() == 1);
    auto r2 = f.get("/rest/api/3/search/"
                    "jql?jql=id%20%3E%200&maxResults=10&nextPageToken=garbage");
    CHECK(r2.status == 400);
  }
  SECTION("unbounded and malformed JQL are 400") {
    CHECK(f.get("/rest/api/3/search/jql?jql=").status == 400);
    CHECK(f.get("/rest/api/3/search/jql?jql=project%20%3D%20%28").status
          == 400);
  }
  SECTION("the old /search is gone: 410 with Atlassian's message") {
    auto r = f.get("/rest/api/3/search?jql=id%20%3E%200");
    CHECK(r.status == 410);
    auto msg = std::string(
      simtest::parse(r.body).at("errorMessages").as_array()[0].as_string());
    CHECK(msg.find("/rest/api/3/search/jql") != std::string::npos);
    CHECK(f.post("/rest/api/3/search", R"({"jql":"id > 0"})").status == 410);
  }
  SECTION("approximate-count") {
    auto r
      = f.post("/rest/api/3/search/approximate-count", R"({"jql":"id > 0"})");
    REQUIRE(r.status == 200);
    auto all
      = f.get_json("/rest/api/3/search/jql?jql=id%20%3E%200&maxResults=5000");
    CHECK(simtest::parse(r.body).at("count").as_int64()
          == static_cast<std::int64_t>(all.at("issues").as_array().size()));
  }
  SECTION("bulkfetch: ascending ids, errors for missing, at most 100") {
    auto page
      = f.get_json("/rest/api/3/search/jql?jql=id%20%3E%200&maxResults=5");
    auto ids = ids_of(page); // newest first
    json::array req;
    for (auto id : ids)
      req.emplace_back(std::to_string(id));
    req.emplace_back("NOPE-1");
    req.emplace_back("99999999");
    json::object body;
    body["issueIdsOrKeys"] = req;
    body["fields"] = json::array{"summary", "status"};
    auto r = f.post("/rest/api/3/issue/bulkfetch", json::serialize(body));
    REQUIRE(r.status == 200);
    auto out = simtest::parse(r.body);
    auto got = ids_of(out);
    CHECK(got.size() == 5);
    CHECK(std::is_sorted(got.begin(), got.end()));
    CHECK(out.at("issueErrors").as_array().size() == 2);
    CHECK(out.at("issues").as_array()[0].at("fields").as_object().size() == 2);
    json::array many;
    for (int i = 0; i < 101; ++i)
      many.emplace_back(std::to_string(10000 + i));
    json::object big;
    big["issueIdsOrKeys"] = many;
    CHECK(f.post("/rest/api/3/issue/bulkfetch", json::serialize(big)).status
          == 400);
  }
  SECTION("missing issue: 404 with Jira's body") {
    auto r = f.get("/rest/api/3/issue/ZZZ-999999");
    CHECK(r.status == 404);
    CHECK(simtest::parse(r.body).at("errorMessages").as_array()[0].as_string()
          == "Issue does not exist or you do not have permission to see it.");
  }
}

TEST_CASE("search/jql over HTTP sees changes only after the index lag",
          "[sim]") {
  sim_fixture f;
  f.control("POST", "/_sim/clock", R"({"index_lag_ms":60000})");
  auto page
    = f.get_json("/rest/api/3/search/"
                 "jql?jql=id%20%3E%200&maxResults=1&fields=summary,project");
  auto& issue = page.at("issues").as_array()[0];
  auto key = std::string(issue.at("key").as_string());
  auto project
    = std::string(issue.at("fields").at("project").at("key").as_string());
  auto m = f.control("POST", "/_sim/mutate",
                     R"({"op":"create_issue","project":")" + project
                       + R"(","summary":"fresh"})");
  REQUIRE(m.at("ok").as_bool());
  auto new_key = std::string(m.at("key").as_string());
  auto q = "/rest/api/3/search/jql?jql=key%20%3D%20" + new_key;
  CHECK(f.get_json(q).at("issues").as_array().empty());
  // The issue itself is readable at once; only search lags.
  CHECK(f.get("/rest/api/3/issue/" + new_key).status == 200);
  f.control("POST", "/_sim/clock", R"({"advance_ms":61000})");
  CHECK(f.get_json(q).at("issues").as_array().size() == 1);
}

TEST_CASE("search/jql reads date literals in the caller's profile time zone",
          "[sim]") {
  sim_fixture f;
  // The newest issue's `updated`, as Jira shows it in the user's zone.
  auto page = f.get_json("/rest/api/3/search/"
                         "jql?jql=id%20%3E%200%20ORDER%20BY%20updated%20DESC&"
                         "maxResults=1&fields=updated");
  auto upd = std::string(
    page.at("issues").as_array()[0].at("fields").at("updated").as_string());
  // "2025-12-30T14:05:10.123-0800" -> local minute "2025/12/30 14:05".
  REQUIRE(upd.size() >= 16);
  CHECK(upd.substr(upd.size() - 5) != "+0000"); // America/Los_Angeles
  auto local = upd.substr(0, 4) + "/" + upd.substr(5, 2) + "/"
               + upd.substr(8, 2) + "%20" + upd.substr(11, 2) + ":"
               + upd.substr(14, 2);
  auto hits = f.get_json("/rest/api/3/search/jql?jql=updated%20%3E%3D%20%22"
                         + local + "%22&fields=updated");
  // The newest issue matches when the minute is read in its zone.
  bool found = false;
  for (auto& i : hits.at("issues").as_array())
    found |= std::string(i.at("fields").at("updated").as_string()) == upd;
  CHECK(found);
  // One minute later, in the same zone, it no longer matches (proves the
  // literal is not read as UTC, which would be 8 hours off).
  auto mins = std::stoi(upd.substr(14, 2));
  auto hours = std::stoi(upd.substr(11, 2));
  mins += 1;
  if (mins == 60) {
    mins = 0;
    hours += 1;
  }
  if (hours < 24) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s/%s/%s%%20%02d:%02d",
                  upd.substr(0, 4).c_str(), upd.substr(5, 2).c_str(),
                  upd.substr(8, 2).c_str(), hours, mins);
    auto later = f.get_json(
      std::string("/rest/api/3/search/jql?jql=updated%20%3E%3D%20%22") + buf
      + "%22&fields=updated");
    for (auto& i : later.at("issues").as_array())
      CHECK(std::string(i.at("fields").at("updated").as_string()) != upd);
  }
}

TEST_CASE("/_sim/workload counts what a full sync of the caller fetches",
          "[sim]") {
  sim_fixture f;
  auto me
    = std::string(f.get_json("/rest/api/3/myself").at("accountId").as_string());
  auto w = f.control("GET", "/_sim/workload?account_id=" + me);
  auto vis = f.control("GET", "/_sim/visible?account_id=" + me);
  CHECK(w.at("embedded_comments").as_int64() == 20);
  // Walk every visible issue through the API with its comments and
  // attachments, and count the same things from Jira's answers.
  std::map<std::string, std::array<std::uint64_t, 6>> api; // key -> counts
  std::string token;
  for (int n = 0; n < 1000; ++n) {
    json::object body;
    body["jql"] = "id > 0 ORDER BY id ASC";
    body["maxResults"] = 100;
    body["fields"] = json::array{"project", "comment", "attachment"};
    if (!token.empty())
      body["nextPageToken"] = token;
    auto r = f.post("/rest/api/3/search/jql", json::serialize(body));
    REQUIRE(r.status == 200);
    auto page = simtest::parse(r.body);
    for (auto& i : page.at("issues").as_array()) {
      auto& fl = i.at("fields");
      auto& c = api[std::string(fl.at("project").at("key").as_string())];
      auto total
        = static_cast<std::uint64_t>(fl.at("comment").at("total").as_int64());
      c[0] += 1;
      c[1] += total;
      c[2] += total > 20 ? (total - 20 + 99) / 100 : 0;
      c[5] += total > 20 ? total - 20 : 0;
      c[3] += fl.at("attachment").as_array().size();
      for (auto& a : fl.at("attachment").as_array())
        c[4] += static_cast<std::uint64_t>(a.at("size").as_int64());
    }
    if (page.at("isLast").as_bool())
      break;
    token = std::string(page.at("nextPageToken").as_string());
  }
  auto& projects = w.at("projects").as_array();
  CHECK(projects.size() == vis.at("projects").as_array().size());
  std::uint64_t issues = 0, pages = 0;
  for (auto& p : projects) {
    auto key = std::string(p.at("key").as_string());
    INFO(key);
    auto& c = api[key];
    CHECK(p.at("issues").to_number<std::uint64_t>() == c[0]);
    CHECK(p.at("comments").to_number<std::uint64_t>() == c[1]);
    CHECK(p.at("comment_pages").to_number<std::uint64_t>() == c[2]);
    CHECK(p.at("attachments").to_number<std::uint64_t>() == c[3]);
    CHECK(p.at("attachment_bytes").to_number<std::uint64_t>() == c[4]);
    CHECK(p.at("comments_beyond_embedded").to_number<std::uint64_t>() == c[5]);
    issues += c[0];
    pages += c[2];
  }
  CHECK(issues == vis.at("issues").as_array().size());
  // The heavy-comment issues (45 comments) need a comment page each.
  CHECK(pages >= 1);
  CHECK(f.control("GET", "/_sim/workload?account_id=nobody").at("ok").as_bool()
        == false);
}
