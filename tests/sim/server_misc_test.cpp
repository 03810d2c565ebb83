// Fault injection, determinism, the ready line, stats and the truth stream.
#include "server_fixture.hpp"

#include "sim/faults.hpp"
#include "sim/options.hpp"

#include <catch2/catch.hpp>

#include <map>

using namespace simtest;
using namespace jirasim;

TEST_CASE("fault sequence is deterministic given seed and order", "[sim]") {
  fault_options o;
  o.rate = 0.3;
  o.seed = 42;
  fault_injector a{o}, b{o};
  std::vector<fault_kind> sa, sb;
  for (int i = 0; i < 500; ++i) {
    sa.push_back(a.next());
    sb.push_back(b.next());
  }
  CHECK(sa == sb);
  auto faults = std::count_if(sa.begin(), sa.end(), [](auto k) {
    return k != fault_kind::none;
  });
  CHECK(faults > 100);
  CHECK(faults < 200);
  o.seed = 43;
  fault_injector c{o};
  std::vector<fault_kind> sc;
  for (int i = 0; i < 500; ++i)
    sc.push_back(c.next());
  CHECK(sc != sa);
  for (auto k : all_fault_kinds())
    CHECK(fault_from_string(to_string(k)) == k);
}

TEST_CASE("the n-th request to a path gets the same fault whatever the "
          "interleaving",
          "[sim]") {
  fault_options o;
  o.rate = 0.5;
  o.seed = 5;
  fault_injector a{o}, b{o};
  std::vector<fault_kind> a_bulk, a_comment, b_bulk, b_comment;
  // a: bulkfetch and comment requests alternate; b: all comments first.
  for (int i = 0; i < 200; ++i) {
    a_bulk.push_back(a.next("/rest/api/3/issue/bulkfetch"));
    a_comment.push_back(a.next("/rest/api/3/issue/10001/comment"));
  }
  for (int i = 0; i < 200; ++i)
    b_comment.push_back(b.next("/rest/api/3/issue/10001/comment"));
  for (int i = 0; i < 200; ++i)
    b_bulk.push_back(b.next("/rest/api/3/issue/bulkfetch"));
  CHECK(a_bulk == b_bulk);
  CHECK(a_comment == b_comment);
  // Two paths do not share one sequence.
  CHECK(a_bulk != a_comment);
  auto faults = std::count_if(a_bulk.begin(), a_bulk.end(), [](auto k) {
    return k != fault_kind::none;
  });
  CHECK(faults > 60);
  CHECK(faults < 140);
}

TEST_CASE("fault rate 1.0 yields every fault kind over HTTP", "[sim]") {
  auto o = small_options(50);
  o.faults.rate = 1.0;
  o.faults.seed = 3;
  o.faults.slow_ms = 50;
  sim_fixture f{o};
  auto c = f.new_client();
  c->set_reuse(false);
  std::map<std::string, int> seen;
  for (int i = 0; i < 60; ++i) {
    auto r = c->get("/rest/api/3/users/search?maxResults=20",
                    {{"Authorization", f.auth}});
    if (!r.error.empty()) {
      seen["transport_error"]++;
      continue;
    }
    if (r.status == 500)
      seen["500"]++;
    if (r.status == 503) {
      seen["503"]++;
      CHECK(r.header("Retry-After").has_value());
    }
    if (r.status == 200) {
      boost::system::error_code ec;
      json::parse(r.body, ec);
      seen[ec ? "invalid_json" : "ok_json"]++;
    }
  }
  CHECK(seen["500"] > 0);
  CHECK(seen["503"] > 0);
  CHECK(seen["transport_error"] > 0); // resets and truncated bodies
  CHECK(seen["invalid_json"] > 0);
  CHECK(seen["ok_json"] > 0); // slow_headers still answer properly
  auto stats = f.control("GET", "/_sim/stats");
  auto& by = stats.at("faults_by_kind").as_object();
  for (auto k : all_fault_kinds()) {
    INFO(to_string(k));
    CHECK(by.contains(to_string(k)));
  }
}

TEST_CASE("same seed, same bytes", "[sim]") {
  auto target
    = "/rest/api/3/search/jql?jql=id%20%3E%200&maxResults=20&fields=*all";
  std::string a, b, c;
  {
    sim_fixture f;
    a = f.get(target).body;
  }
  {
    sim_fixture f;
    b = f.get(target).body;
  }
  {
    auto o = small_options();
    o.workspace.seed = 8;
    sim_fixture f{o};
    c = f.get(target).body;
  }
  // Self links carry the port, which differs between runs.
  auto strip = [](std::string s) {
    std::string out;
    for (std::size_t i = 0; i < s.size();) {
      auto p = s.find("127.0.0.1:", i);
      if (p == std::string::npos) {
        out += s.substr(i);
        break;
      }
      out += s.substr(i, p - i) + "127.0.0.1:PORT";
      i = p + 10;
      while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])))
        ++i;
    }
    return out;
  };
  REQUIRE(a.size() > 1000);
  CHECK(strip(a) == strip(b));
  CHECK(strip(a) != strip(c));
}

TEST_CASE("ready line has exactly the documented keys", "[sim]") {
  sim_fixture f;
  auto line = ready_line(f.srv->port(), f.srv->base_url(), f.srv->ca_file(),
                         f.email, f.token, f.app->cloud_id());
  CHECK(line.find('\n') == std::string::npos);
  auto v = simtest::parse(line).as_object();
  CHECK(v.size() == 6);
  CHECK(v.at("port").as_int64() == f.srv->port());
  CHECK(v.at("base_url").as_string()
        == "https://127.0.0.1:" + std::to_string(f.srv->port()));
  CHECK(std::filesystem::exists(std::string(v.at("ca_file").as_string())));
  CHECK(v.at("email").as_string() == f.email);
  CHECK_FALSE(v.at("api_token").as_string().empty());
  CHECK(v.at("cloud_id").as_string().size() == 36);
  // The token in the ready line works.
  CHECK(f.get_as("/rest/api/3/myself",
                 basic_auth(std::string(v.at("email").as_string()),
                            std::string(v.at("api_token").as_string())))
          .status
        == 200);
  auto plain = ready_line(1, "http://127.0.0.1:1", "", "e", "t", "c");
  CHECK(simtest::parse(plain).at("ca_file").is_null());
}

TEST_CASE("plain http mode, stats, truth stream, cert dir cleanup", "[sim]") {
  std::string ca;
  {
    sim_fixture tls;
    ca = tls.srv->ca_file();
    CHECK(std::filesystem::exists(ca));
  }
  CHECK_FALSE(std::filesystem::exists(ca));
  auto o = small_options(40);
  o.server.tls = false;
  sim_fixture f{o};
  CHECK(f.srv->ca_file().empty());
  jirasim::test_client c{f.srv->port(), ""};
  CHECK(c.get("/rest/api/3/myself", {{"Authorization", f.auth}}).status == 200);
  c.get("/rest/api/3/field", {{"Authorization", f.auth}});
  auto stats = simtest::parse(c.get("/_sim/stats").body);
  CHECK(stats.at("requests_by_endpoint")
          .at("GET /myself")
          .to_number<std::uint64_t>()
        == 1);
  CHECK(stats.at("points_spent").to_number<std::uint64_t>()
        == 3 + 1); // myself: 1 + 2 identity
  c.request("POST", "/_sim/stats/reset");
  CHECK(simtest::parse(c.get("/_sim/stats").body)
          .at("api_requests")
          .to_number<std::uint64_t>()
        == 0);
  auto truth = c.get("/_sim/truth");
  REQUIRE(truth.status == 200);
  std::size_t lines = 0, issues = 0;
  std::size_t i = 0;
  while (i < truth.body.size()) {
    auto j = truth.body.find('\n', i);
    if (j == std::string::npos)
      j = truth.body.size();
    if (j > i) {
      auto v = simtest::parse(truth.body.substr(i, j - i));
      ++lines;
      if (v.at("type").as_string() == "issue")
        ++issues;
    }
    i = j + 1;
  }
  CHECK(issues == 40);
  CHECK(lines > 40);
}
