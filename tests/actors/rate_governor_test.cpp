// The rate_governor actor on CAF's deterministic scheduler: permits parked
// and granted on the test clock, answers reported with real Jira header
// sets, waits logged with their reason and end time.
#include "actors/rate_governor.hpp"
#include "actors/supervision.hpp"
#include "deterministic_fixture.hpp"
#include "protocol/jira/rate_limit.hpp"

#include <caf/all.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

using namespace jirasync;
using namespace jirasync::actors;
using namespace std::chrono_literals;
using ec = protocol::endpoint_class;
using headers = std::vector<std::pair<std::string, std::string>>;

namespace {

/// What reached the test's actor since the last call.
struct permit_answers {
  int granted = 0;
  int refused = 0;
  std::vector<std::string> errors;
};

permit_answers collect(caf::scoped_actor& self) {
  permit_answers out;
  for (bool more = true; more;)
    self->receive(
      [&](permit_atom) {
        ++out.granted;
      },
      [&](caf::error& err) {
        ++out.refused;
        out.errors.push_back(describe(err));
        CHECK(err == caf::sec::request_timeout);
      },
      caf::after(0s) >>
        [&] {
          more = false;
        });
  return out;
}

struct governor_fixture {
  testing::deterministic_fixture fx;
  std::vector<std::string> log;
  rate_governor_actor gov;

  explicit governor_fixture(sync::governor_options g = {},
                            std::chrono::milliseconds max_wait = 90min) {
    rate_governor_options o;
    o.governor = std::move(g);
    o.max_wait = max_wait;
    o.now = [this] {
      return fx.now_ms();
    };
    o.log = [this](const std::string& line) {
      log.push_back(line);
    };
    gov = spawn_rate_governor(fx.sys(), std::move(o));
  }

  ~governor_fixture() {
    fx.self()->send_exit(gov, caf::exit_reason::user_shutdown);
    fx.run();
  }

  void ask(ec cls, std::int64_t cost = 1) {
    fx.self()->send(gov, permit_atom_v, permit_request{cls, cost});
    fx.run();
  }

  /// Reports an answer of `cls` with `h`, as api_client does.
  void answer(ec cls, int status, const headers& h = {}) {
    sync::response_report r;
    r.cls = cls;
    r.status = status;
    r.latency_ms = 50;
    r.headers = protocol::parse_rate_limit_headers(
      h, std::chrono::system_clock::time_point{
           std::chrono::milliseconds{fx.now_ms()}});
    fx.self()->send(gov, done_atom_v, r);
    fx.run();
  }

  int granted() {
    return collect(fx.self()).granted;
  }

  /// Asks for a permit of `cls` and answers it 200 (probes included).
  void round_trip(ec cls, const headers& h = {}) {
    ask(cls);
    REQUIRE(granted() == 1);
    answer(cls, 200, h);
  }

  governor_report report() {
    governor_report out;
    fx.self()->send(gov, stats_atom_v);
    fx.run();
    fx.self()->receive(
      [&](governor_report& r) {
        out = std::move(r);
      },
      caf::after(0s) >>
        [] {
          FAIL("no governor report");
        });
    return out;
  }
};

constexpr auto burst_429 = sync::wait_reason::burst_429;

const headers real_burst
  = {{"X-RateLimit-Limit", "350"}, {"X-RateLimit-Remaining", "349"}};

const headers real_quota
  = {{"X-RateLimit-Limit", "350"},
     {"X-RateLimit-Remaining", "349"},
     {"Beta-RateLimit-Policy", R"("tenant-app-quota";q=100100;w=3600)"},
     {"Beta-RateLimit", R"("tenant-app-quota";r=17842;t=2107)"}};

std::size_t idx(sync::wait_reason r) {
  return static_cast<std::size_t>(r);
}

} // namespace

TEST_CASE("rate_governor parks permits until the bucket refills", "[actors]") {
  sync::governor_options g;
  g.buckets = {{"comments", 10, 2}}; // 10/s, our bucket holds 2
  g.burst_rate_margin = 1.0;
  // Little's law would allow one in flight (10/s x 50 ms): lift it, this
  // test is about the bucket.
  g.concurrency_headroom = 100;
  governor_fixture f{g};
  // The run's (and the class's) first request goes alone, as a probe.
  f.ask(ec::comments);
  f.ask(ec::comments);
  CHECK(f.granted() == 1);
  f.answer(ec::comments, 200);
  // Its answer lets the second through with the bucket's last token...
  CHECK(f.granted() == 1);
  for (int i = 0; i < 3; ++i)
    f.ask(ec::comments);
  CHECK(f.granted() == 0);
  // ... and the others one per 100 ms of the test clock.
  f.fx.advance(99ms);
  CHECK(f.granted() == 0);
  f.fx.advance(1ms);
  CHECK(f.granted() == 1);
  f.fx.advance(99ms);
  CHECK(f.granted() == 0);
  f.fx.advance(1ms);
  CHECK(f.granted() == 1);
  f.fx.advance(100ms);
  CHECK(f.granted() == 1);
  auto r = f.report();
  CHECK(r.stats.granted == 5);
  CHECK(r.stats.classes[static_cast<std::size_t>(ec::comments)].requests == 5);
  // Held from the first refusal to each grant: 3 x 100 ms of pacing, and
  // the probe's wait for its answer.
  CHECK(r.stats.waited_ms[idx(sync::wait_reason::burst_pacing)] == 300);
  CHECK(r.stats.waits[idx(sync::wait_reason::burst_pacing)] >= 1);
  CHECK(r.stats.classes[static_cast<std::size_t>(ec::comments)].peak_in_flight
        == 4);
  // Pacing waits are short: nothing logged.
  CHECK(f.log.empty());
}

TEST_CASE("rate_governor refuses a permit parked longer than max_wait",
          "[actors]") {
  sync::governor_options g;
  g.class_max_concurrency = 1; // one request at a time
  governor_fixture f{g, 1000ms};
  f.round_trip(ec::comments); // the probe
  f.ask(ec::comments);
  f.ask(ec::comments);
  auto first = collect(f.fx.self());
  CHECK(first.granted == 1);
  CHECK(first.refused == 0);
  // The second waits for an answer that never comes...
  f.fx.advance(999ms);
  CHECK(collect(f.fx.self()).refused == 0);
  // ... until max_wait: refused with a timeout, not left waiting forever.
  f.fx.advance(1ms);
  auto later = collect(f.fx.self());
  CHECK(later.granted == 0);
  REQUIRE(later.refused == 1);
  CHECK(later.errors[0] == "no rate-limit permit within 1 s");
  // An answer afterwards grants nothing more (nothing is parked).
  f.answer(ec::comments, 200);
  CHECK(f.granted() == 0);
}

TEST_CASE("rate_governor: a jira-burst-based 429 slows only its class",
          "[actors]") {
  governor_fixture f;
  f.round_trip(ec::comments, real_burst);
  f.round_trip(ec::bulkfetch, real_burst);
  f.ask(ec::comments);
  REQUIRE(f.granted() == 1);
  f.answer(ec::comments, 429,
           {{"X-RateLimit-Limit", "350"},
            {"X-RateLimit-Remaining", "0"},
            {"RateLimit-Reason", "jira-burst-based"},
            {"Retry-After", "2"}});
  // The retry of comments waits for Retry-After; bulkfetch goes on.
  f.ask(ec::comments);
  CHECK(f.granted() == 0);
  for (int i = 0; i < 3; ++i) {
    f.ask(ec::bulkfetch);
    CHECK(f.granted() == 1);
    f.answer(ec::bulkfetch, 200, real_burst);
  }
  auto r = f.report();
  CHECK(r.current.reason == burst_429);
  REQUIRE(r.current.cls);
  CHECK(*r.current.cls == ec::comments);
  CHECK(r.current.until_ms == testing::deterministic_fixture::start_ms + 2'000);
  f.fx.advance(1'999ms);
  CHECK(f.granted() == 0);
  f.fx.advance(1ms);
  CHECK(f.granted() == 1);
  // Logged once, with reason, class and end time (start + 2 s).
  REQUIRE(f.log.size() == 1);
  CHECK(f.log[0].rfind("rate limit: waiting for burst_429 of comments until "
                       "22:13:22 UTC (jira-burst-based 429: ",
                       0)
        == 0);
  auto s = f.report().stats;
  CHECK(s.responses_429_by_reason[static_cast<std::size_t>(
          protocol::rate_limit_reason::burst)]
        == 1);
  CHECK(s.classes[static_cast<std::size_t>(ec::comments)].responses_429 == 1);
  CHECK(s.classes[static_cast<std::size_t>(ec::bulkfetch)].responses_429 == 0);
  CHECK(s.waited_ms[idx(burst_429)] == 2'000);
}

TEST_CASE("rate_governor: a quota reason pauses everything until the reset",
          "[actors]") {
  governor_fixture f;
  f.round_trip(ec::bulkfetch, real_quota);
  f.ask(ec::comments, 11);
  REQUIRE(f.granted() == 1);
  f.answer(ec::comments, 429,
           {{"RateLimit-Reason", "jira-quota-tenant-based"},
            {"Beta-RateLimit", R"("tenant-app-quota";r=0;t=120)"},
            {"Retry-After", "120"}});
  f.ask(ec::comments);
  f.ask(ec::bulkfetch);
  f.ask(ec::attachment_content);
  f.ask(ec::users_search);
  CHECK(f.granted() == 0);
  auto r = f.report();
  CHECK(r.current.reason == sync::wait_reason::quota_429);
  CHECK_FALSE(r.current.cls);
  CHECK(sync::describe_wait(r.current)
        == "waiting for quota_429 until 22:15:20 UTC");
  f.fx.advance(119'999ms);
  CHECK(f.granted() == 0);
  // At the reset one request probes; the rest follow its answer.
  f.fx.advance(1ms);
  CHECK(f.granted() == 1);
  f.answer(ec::comments, 200,
           {{"Beta-RateLimit", R"("tenant-app-quota";r=100000;t=3599)"}});
  CHECK(f.granted() == 3);
  REQUIRE(f.log.size() == 1);
  CHECK(f.log[0].rfind("rate limit: waiting for quota_429 until 22:15:20 UTC "
                       "(jira-quota-tenant-based 429: every request waits",
                       0)
        == 0);
  auto s = f.report().stats;
  CHECK(s.longest_wait_ms == 120'000);
  CHECK(s.longest_wait.reason == sync::wait_reason::quota_429);
}

TEST_CASE("rate_governor: the longest wait of each header pattern",
          "[actors]") {
  // Each 429/503 pattern seen from Jira, and how long the request that
  // follows is held (the cap for unexplained waits: 60 s).
  struct pattern {
    const char* name;
    int status;
    headers h;
    std::int64_t wait_ms;
    bool logged;
  };
  // X-Beta-RateLimit-Reset at the start of the window: in the past.
  const std::string past = "2023-11-14T22:00Z";
  const std::vector<pattern> patterns = {
    {"burst, Retry-After 2",
     429,
     {{"RateLimit-Reason", "jira-burst-based"}, {"Retry-After", "2"}},
     2'000,
     true},
    {"burst, no Retry-After, a reset in the past",
     429,
     {{"RateLimit-Reason", "jira-burst-based"},
      {"X-RateLimit-Reset", "2023-11-14T22:00:00Z"}},
     1'000,
     false},
    {"quota, Retry-After and t= agree",
     429,
     {{"RateLimit-Reason", "jira-quota-tenant-based"},
      {"Beta-RateLimit", R"("tenant-app-quota";r=0;t=300)"},
      {"Retry-After", "300"}},
     300'000,
     true},
    {"quota, policy header missing at r=0, only t=",
     429,
     {{"X-Beta-RateLimit-Reason", "jira-quota-tenant-based"},
      {"Beta-RateLimit", R"("tenant-app-quota";r=0;t=300)"}},
     300'000,
     true},
    {"quota, no figure at all: capped, then a probe",
     429,
     {{"RateLimit-Reason", "jira-quota-global-based"}},
     60'000,
     true},
    {"quota, only a reset in the past: capped, then a probe",
     429,
     {{"RateLimit-Reason", "jira-quota-tenant-based"},
      {"X-Beta-RateLimit-Reset", past}},
     60'000,
     true},
    {"503 with Retry-After 5", 503, {{"Retry-After", "5"}}, 5'000, true},
  };
  for (const auto& p : patterns) {
    INFO(p.name);
    governor_fixture f;
    f.round_trip(ec::comments, real_burst);
    f.ask(ec::comments);
    REQUIRE(f.granted() == 1);
    f.answer(ec::comments, p.status, p.h);
    f.ask(ec::comments);
    CHECK(f.granted() == 0);
    auto r = f.report();
    CHECK(r.current.until_ms
          == testing::deterministic_fixture::start_ms + p.wait_ms);
    f.fx.advance(std::chrono::milliseconds(p.wait_ms - 1));
    CHECK(f.granted() == 0);
    f.fx.advance(1ms);
    CHECK(f.granted() == 1);
    CHECK(f.log.size() == (p.logged ? 1u : 0u));
    CHECK(f.report().stats.longest_wait_ms == p.wait_ms);
  }
}
