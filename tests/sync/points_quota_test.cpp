#include "sync/points_quota.hpp"

#include <catch2/catch.hpp>

using namespace jirasync::sync;
using ec = jirasync::protocol::endpoint_class;

namespace {

constexpr std::int64_t t0 = 1'700'000'000'000;

quota_observation
figures(std::optional<std::int64_t> q, std::optional<std::int64_t> r,
        std::optional<std::int64_t> reset_from_t,
        std::optional<std::int64_t> reset_header = std::nullopt) {
  quota_observation o;
  o.quota = q;
  o.window_secs = q ? std::optional<std::int64_t>{3600} : std::nullopt;
  o.remaining = r;
  o.reset_from_t_ms = reset_from_t;
  o.reset_header_ms = reset_header;
  return o;
}

/// One request of `cls` costing `cost`, answered with `obs`.
void answered(points_quota& q, ec cls, std::int64_t cost,
              std::optional<quota_observation> obs, std::int64_t now) {
  q.take(cls, cost, now);
  q.on_response(cls, cost, obs, false, true, now);
}

} // namespace

TEST_CASE("points quota: exists only once quota figures were seen",
          "[sync][governor]") {
  points_quota q{quota_options{}};
  CHECK_FALSE(q.known());
  CHECK(q.check(ec::bulkfetch, 1'000'000, t0).kind == quota_verdict::go);
  // Answers without figures (API-token traffic) never create it.
  answered(q, ec::bulkfetch, 101, std::nullopt, t0);
  CHECK_FALSE(q.known());
  CHECK_FALSE(q.pace_per_sec(t0));
  answered(q, ec::bulkfetch, 101, figures(100'100, 17'842, t0 + 2'107'000), t0);
  CHECK(q.known());
  CHECK(q.limit() == 100'100);
  CHECK(q.remaining() == 17'842);
  CHECK(q.reserve_points() == Approx(5'005));
  CHECK(q.points_spent() == 202);
}

TEST_CASE("points quota: the reserve, until the reset, then a new window",
          "[sync][governor]") {
  points_quota q{quota_options{}};
  answered(q, ec::comments, 1, figures(1'000, 100, t0 + 60'000), t0);
  // Reserve 50 of q=1000: 100 - 60 < 50 is refused until the reset.
  auto v = q.check(ec::comments, 60, t0);
  CHECK(v.kind == quota_verdict::reserve);
  CHECK(v.reset_known);
  CHECK(v.until_ms == t0 + 60'000);
  CHECK(v.text.find("r=100") != std::string::npos);
  CHECK(q.check(ec::comments, 40, t0).kind == quota_verdict::go);
  // In flight counts: after taking 40, another 40 would break the reserve.
  q.take(ec::comments, 40, t0);
  CHECK(q.check(ec::comments, 40, t0).kind == quota_verdict::reserve);
  // The reset: figures forgotten, the caller probes.
  CHECK_FALSE(q.roll(t0 + 59'999));
  CHECK(q.roll(t0 + 60'000));
  CHECK_FALSE(q.remaining());
  CHECK(q.check(ec::comments, 500, t0 + 60'000).kind == quota_verdict::go);
  // q is kept for the next figures (the policy may be missing then).
  q.on_response(ec::comments, 40, figures(std::nullopt, 0, t0 + 120'000), false,
                true, t0 + 60'050);
  CHECK(q.limit() == 1'000);
  CHECK(q.check(ec::comments, 1, t0 + 60'050).until_ms == t0 + 120'000);
}

TEST_CASE("points quota: a request estimated above a whole window goes when "
          "a window starts, not never",
          "[sync][governor]") {
  points_quota q{quota_options{}};
  // q=1,083 (65,000 an hour scaled to a minute), reserve 55: at most 1,028
  // points above it.
  answered(q, ec::bulkfetch, 1, figures(1'083, 1'083, t0 + 60'000), t0);
  CHECK(q.reserve_points() == Approx(55));
  // A 5,000-point estimate: the window is untouched, nothing in flight.
  auto v = q.check(ec::bulkfetch, 5'000, t0);
  CHECK(v.kind == quota_verdict::go);
  q.take(ec::bulkfetch, 5'000, t0);
  // It holds the whole window: the next request waits for the reset.
  CHECK(q.in_flight_cost() == Approx(1'028));
  auto next = q.check(ec::comments, 1, t0);
  CHECK(next.kind == quota_verdict::reserve);
  CHECK(next.until_ms == t0 + 60'000);
  // With part of the window spent, the big one waits for the reset.
  q.on_response(ec::bulkfetch, 5'000, figures(1'083, 900, t0 + 60'000), false,
                true, t0 + 1'000);
  CHECK(q.check(ec::bulkfetch, 5'000, t0 + 1'000).kind
        == quota_verdict::reserve);
}

TEST_CASE("points quota: which reset to trust", "[sync][governor]") {
  struct row {
    std::optional<std::int64_t> t, header;
    std::optional<std::int64_t> expected;
    const char* note;
  };
  std::int64_t now = t0;
  for (const auto& r : {
         row{now + 600'000, std::nullopt, now + 600'000, ""},
         row{std::nullopt, now + 540'000, now + 540'000, ""},
         // Within the header's minute precision: no inconsistency.
         row{now + 600'000, now + 570'000, now + 570'000, ""},
         // Disagreeing: the earlier, and say so.
         row{now + 2'107'000, now + 720'000, now + 720'000, "disagree"},
         row{now + 300'000, now + 2'000'000, now + 300'000, "disagree"},
         // In the past: ignored.
         row{now + 600'000, now - 300'000, now + 600'000, "in the past"},
         row{std::nullopt, now - 300'000, std::nullopt, "in the past"},
         row{now, std::nullopt, std::nullopt, "t=0"},
       }) {
    points_quota q{quota_options{}};
    answered(q, ec::bulkfetch, 1, figures(1'000, 500, r.t, r.header), now);
    INFO(q.reset_note());
    CHECK(q.reset_at_ms() == r.expected);
    if (*r.note)
      CHECK(q.reset_note().find(r.note) != std::string::npos);
    else
      CHECK(q.reset_note().empty());
  }
  // Figures without any reset keep the known one.
  points_quota q{quota_options{}};
  answered(q, ec::bulkfetch, 1, figures(1'000, 500, now + 600'000), now);
  answered(q, ec::bulkfetch, 1, figures(1'000, 400, std::nullopt), now);
  CHECK(q.reset_at_ms() == now + 600'000);
  CHECK(q.remaining() == 400);
  // No future reset at all: the reserve wait is flagged for the cap.
  answered(q, ec::bulkfetch, 1, figures(1'000, 0, std::nullopt, now - 1), now);
  auto v = q.check(ec::bulkfetch, 1, now);
  CHECK(v.kind == quota_verdict::reserve);
  CHECK_FALSE(v.reset_known);
}

TEST_CASE("points quota: overtaken figures and a success after 'spent'",
          "[sync][governor]") {
  points_quota q{quota_options{}};
  std::int64_t reset = t0 + 600'000;
  answered(q, ec::bulkfetch, 101, figures(10'000, 5'000, reset), t0);
  // An older answer overtaken by a newer one (same window, higher r).
  answered(q, ec::bulkfetch, 101, figures(10'000, 5'101, reset + 1'000), t0);
  CHECK(q.remaining() == 5'000);
  // A quota 429 says the window is spent.
  q.take(ec::bulkfetch, 101, t0);
  q.on_response(ec::bulkfetch, 101, std::nullopt, true, false, t0);
  CHECK(q.remaining() == 0);
  // A success without figures proves it is not: the belief goes.
  q.take(ec::bulkfetch, 101, t0);
  q.on_response(ec::bulkfetch, 101, std::nullopt, false, true, t0);
  CHECK_FALSE(q.remaining());
}

TEST_CASE("points quota: pacing spreads the points to the reset",
          "[sync][governor]") {
  quota_options o;
  o.pacing_burst_share = 0; // the even pace only
  points_quota q{o};
  // 1,000 points above the reserve (5% of 20,000), 100 s to the reset:
  // 10 points/s, a balance of 2 s (20 points).
  answered(q, ec::search_jql, 1, figures(20'000, 2'000, t0 + 100'000), t0);
  REQUIRE(q.pace_per_sec(t0));
  CHECK(*q.pace_per_sec(t0) == Approx(10).epsilon(0.01));
  // A 101-point request goes on the positive balance and leaves a debt of
  // ~81 points: the next waits ~8 s, less than the time to the reset.
  CHECK(q.check(ec::bulkfetch, 101, t0).kind == quota_verdict::go);
  q.take(ec::bulkfetch, 101, t0);
  auto v = q.check(ec::search_jql, 1, t0);
  CHECK(v.kind == quota_verdict::pacing);
  CHECK(v.reset_known);
  CHECK(v.until_ms - t0 > 7'000);
  CHECK(v.until_ms - t0 < 10'000);
  CHECK(q.check(ec::search_jql, 1, v.until_ms).kind == quota_verdict::go);
  // With the default head start (10% of the 1,000 points above the
  // reserve) the same request leaves a debt of 1 point only.
  points_quota h{quota_options{}};
  answered(h, ec::search_jql, 1, figures(20'000, 2'000, t0 + 100'000), t0);
  h.take(ec::bulkfetch, 101, t0);
  auto w = h.check(ec::search_jql, 1, t0);
  CHECK(w.kind == quota_verdict::pacing);
  CHECK(w.until_ms - t0 < 200);
}

TEST_CASE("points quota: pacing follows what the server charged, not the "
          "reservation",
          "[sync][governor]") {
  quota_options o;
  o.pacing_burst_share = 0; // the even pace only
  points_quota q{o};
  // 1,000 points above the reserve, 100 s to the reset: 10 points/s.
  answered(q, ec::search_jql, 1, figures(20'000, 2'000, t0 + 100'000), t0);
  // An ids page is reserved for a full page (here 500 ids: 501 points)...
  q.take(ec::search_jql, 501, t0);
  auto v = q.check(ec::bulkfetch, 101, t0);
  REQUIRE(v.kind == quota_verdict::pacing);
  CHECK(v.until_ms - t0 > 40'000); // ~480 points of debt at 10 points/s
  // ... and came back with 40 issues: the server's figure drops by 41. The
  // bucket gets back the 460 points it was charged beyond that: the debt
  // is what 41 points leave of a 20-point balance, the next request waits
  // ~2 s instead of ~48 s.
  q.on_response(ec::search_jql, 501, figures(20'000, 1'959, t0 + 100'000),
                false, true, t0 + 10);
  auto r = q.check(ec::bulkfetch, 101, t0 + 10);
  REQUIRE(r.kind == quota_verdict::pacing);
  CHECK(r.until_ms - t0 < 3'000);
  CHECK(q.check(ec::bulkfetch, 101, r.until_ms).kind == quota_verdict::go);
  // An answer that cost its whole reservation gives nothing back: the next
  // waits for the even pace again.
  auto t1 = r.until_ms;
  q.take(ec::bulkfetch, 101, t1);
  q.on_response(ec::bulkfetch, 101, figures(20'000, 1'858, t0 + 100'000), false,
                true, t1 + 10);
  auto w = q.check(ec::bulkfetch, 101, t1 + 10);
  REQUIRE(w.kind == quota_verdict::pacing);
  CHECK(w.until_ms - t1 > 7'000); // ~80 points of debt at 10 points/s
}
