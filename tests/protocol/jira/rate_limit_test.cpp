#include <catch2/catch.hpp>

#include "protocol/jira/jira_cost.hpp"
#include "protocol/jira/rate_limit.hpp"

using namespace jirasync::protocol;
using namespace std::chrono_literals;
using headers = std::vector<std::pair<std::string, std::string>>;
using clock_tp = std::chrono::system_clock::time_point;

namespace {

// 2015-10-21T07:28:00Z (Python email.utils) minus 30 s.
const clock_tp now{std::chrono::seconds{1445412480 - 30}};

} // namespace

TEST_CASE("Retry-After: delta seconds and HTTP-dates", "[jira]") {
  CHECK(parse_retry_after("120", now) == 120'000ms);
  CHECK(parse_retry_after(" 0 ", now) == 0ms);
  CHECK(parse_retry_after("1.5", now) == 1'500ms);
  // IMF-fixdate, RFC 850 and asctime: 30 s after `now`.
  CHECK(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now) == 30'000ms);
  CHECK(parse_retry_after("Wednesday, 21-Oct-15 07:28:00 GMT", now)
        == 30'000ms);
  CHECK(parse_retry_after("Wed Oct 21 07:28:00 2015", now) == 30'000ms);
  // In the past: no wait, not negative.
  CHECK(parse_retry_after("Tue, 20 Oct 2015 07:28:00 GMT", now) == 0ms);
  for (const char* bad :
       {"", "soon", "-5", "12abc", "1.", "Wed, 32 Oct 2015 07:28:00 GMT",
        "Wed, 21 Foo 2015 07:28:00 GMT", "Wed, 21 Oct 2015 07:28:00 CET",
        "Wed, 21 Oct 2015 25:28:00 GMT", "99999999999999999999"}) {
    INFO(bad);
    CHECK_FALSE(parse_retry_after(bad, now));
  }
}

TEST_CASE("rate-limit headers: every header", "[jira]") {
  headers h = {
    {"retry-after", "7"},
    {"Beta-Retry-After", "9"},
    {"X-RateLimit-Limit", "100"},
    {"x-ratelimit-remaining", "0"},
    {"X-RateLimit-Reset", "2024-01-02T10:00:00Z"},
    {"X-RateLimit-NearLimit", "TRUE"},
    {"RateLimit-Reason", "jira-quota-tenant-based"},
    {"Beta-RateLimit-Policy",
     R"("global-app-quota";q=65000;w=3600, "tenant-quota";q=500000;w=3600)"},
    {"Beta-RateLimit", R"("global-app-quota";r=11000;t=600)"},
    {"RateLimit-Policy", R"("burst";q=100;w=1)"},
    {"Content-Type", "application/json"},
  };
  auto s = parse_rate_limit_headers(h, now);
  CHECK(s.any());
  CHECK(s.retry_after == 7'000ms);
  CHECK(s.beta_retry_after == 9'000ms);
  CHECK(s.limit == 100);
  CHECK(s.remaining == 0);
  REQUIRE(s.reset_at);
  CHECK(std::chrono::duration_cast<std::chrono::seconds>(
          s.reset_at->time_since_epoch())
          .count()
        == 1704189600);
  CHECK(s.near_limit == true);
  CHECK(s.reason == rate_limit_reason::quota_tenant);
  CHECK(s.reason_raw == "jira-quota-tenant-based");
  CHECK(s.is_quota_reason());
  REQUIRE(s.policies.size() == 3);
  CHECK(s.policies[0].name == "global-app-quota");
  CHECK(s.policies[0].quota == 65000);
  CHECK(s.policies[0].window_secs == 3600);
  CHECK(s.policies[0].beta);
  CHECK(s.policies[1].name == "tenant-quota");
  CHECK(s.policies[1].quota == 500000);
  CHECK(s.policies[2].name == "burst");
  CHECK_FALSE(s.policies[2].beta);
  REQUIRE(s.states.size() == 1);
  CHECK(s.states[0].name == "global-app-quota");
  CHECK(s.states[0].remaining == 11000);
  CHECK(s.states[0].reset_secs == 600);
  CHECK(s.states[0].beta);
}

TEST_CASE("rate-limit reasons", "[jira]") {
  struct row {
    const char* raw;
    rate_limit_reason reason;
    bool quota;
  };
  for (const auto& r :
       {row{"jira-quota-global-based", rate_limit_reason::quota_global, true},
        row{"jira-quota-tenant-based", rate_limit_reason::quota_tenant, true},
        row{"jira-burst-based", rate_limit_reason::burst, false},
        row{"jira-per-issue-on-write", rate_limit_reason::per_issue_on_write,
            false},
        row{"jira-cost-based", rate_limit_reason::cost_based, false},
        row{"something-new", rate_limit_reason::unknown, false}}) {
    auto s = parse_rate_limit_headers({{"RateLimit-Reason", r.raw}}, now);
    INFO(r.raw);
    CHECK(s.reason == r.reason);
    CHECK(s.reason_raw == r.raw);
    CHECK(s.is_quota_reason() == r.quota);
    if (r.reason != rate_limit_reason::unknown)
      CHECK(to_string(s.reason) == r.raw);
  }
  auto none = parse_rate_limit_headers({}, now);
  CHECK(none.reason == rate_limit_reason::none);
  CHECK_FALSE(none.any());
  CHECK_FALSE(none.wait_hint(now));
}

TEST_CASE("rate-limit headers: garbage ignored field by field", "[jira]") {
  headers h = {
    {"Retry-After", "later"},
    {"X-RateLimit-Limit", "-3"},
    {"X-RateLimit-Remaining", "12"},
    {"X-RateLimit-Reset", "tomorrow"},
    {"X-RateLimit-NearLimit", "yes"},
    {"Beta-RateLimit-Policy", R"("a";q=abc;w=60, ;;, "b";q=5)"},
    {"Beta-RateLimit", R"(garbage)"},
    {"RateLimit", ""},
  };
  auto s = parse_rate_limit_headers(h, now);
  CHECK_FALSE(s.retry_after);
  CHECK_FALSE(s.limit);
  CHECK(s.remaining == 12);
  CHECK_FALSE(s.reset_at);
  CHECK_FALSE(s.near_limit);
  REQUIRE(s.policies.size() == 2);
  CHECK(s.policies[0].name == "a");
  CHECK_FALSE(s.policies[0].quota);
  CHECK(s.policies[0].window_secs == 60);
  CHECK(s.policies[1].name == "b");
  CHECK(s.policies[1].quota == 5);
  REQUIRE(s.states.size() == 1);
  CHECK(s.states[0].name == "garbage");
  CHECK_FALSE(s.states[0].remaining);
  // First Retry-After wins; a later duplicate does not override it.
  auto dup = parse_rate_limit_headers(
    {{"Retry-After", "5"}, {"Retry-After", "50"}}, now);
  CHECK(dup.retry_after == 5'000ms);
  // Epoch-seconds reset tolerated.
  auto epoch
    = parse_rate_limit_headers({{"X-RateLimit-Reset", "1704189600"}}, now);
  REQUIRE(epoch.reset_at);
  CHECK(epoch.reset_at->time_since_epoch() == std::chrono::seconds{1704189600});
}

TEST_CASE("wait_hint: Retry-After, and the quota reset for quota reasons",
          "[jira]") {
  // Burst: only Retry-After counts, the far reset does not.
  auto burst
    = parse_rate_limit_headers({{"Retry-After", "2"},
                                {"RateLimit-Reason", "jira-burst-based"},
                                {"X-RateLimit-Reset", "2015-10-21T08:27:30Z"}},
                               now);
  CHECK(burst.wait_hint(now) == 2'000ms);
  // Burst without Retry-After: the bucket's own reset (X-RateLimit-Reset).
  auto burst_reset
    = parse_rate_limit_headers({{"RateLimit-Reason", "jira-burst-based"},
                                {"X-RateLimit-Reset", "2015-10-21T07:27:33Z"}},
                               now);
  CHECK(burst_reset.wait_hint(now) == 3'000ms);
  // Quota: X-RateLimit-Reset is the BURST bucket's and says nothing about
  // the window (it used to be taken as the quota reset: an hour here).
  auto quota
    = parse_rate_limit_headers({{"Retry-After", "2"},
                                {"RateLimit-Reason", "jira-quota-global-based"},
                                {"X-RateLimit-Reset", "2015-10-21T08:27:30Z"}},
                               now);
  CHECK(quota.wait_hint(now) == 2'000ms);
  // The quota window's reset as X-Beta-RateLimit-Reset: one hour.
  auto quota_beta = parse_rate_limit_headers(
    {{"Retry-After", "2"},
     {"RateLimit-Reason", "jira-quota-global-based"},
     {"X-Beta-RateLimit-Reset", "2015-10-21T08:27:30Z"}},
    now);
  CHECK(quota_beta.wait_hint(now) == 3'600'000ms);
  // Quota with only the structured header: t seconds.
  auto beta
    = parse_rate_limit_headers({{"RateLimit-Reason", "jira-quota-tenant-based"},
                                {"Beta-RateLimit", R"("tenant";r=0;t=900)"}},
                               now);
  CHECK(beta.wait_hint(now) == 900'000ms);
  // Beta-Retry-After larger than Retry-After.
  auto both = parse_rate_limit_headers(
    {{"Retry-After", "3"}, {"Beta-Retry-After", "4"}}, now);
  CHECK(both.wait_hint(now) == 4'000ms);
  CHECK(both.retry_after_max() == 4'000ms);
  // A reset already past states no wait at all (not 0, not negative).
  auto past = parse_rate_limit_headers(
    {{"RateLimit-Reason", "jira-quota-global-based"},
     {"X-Beta-RateLimit-Reset", "2015-10-21T07:00:00Z"}},
    now);
  CHECK_FALSE(past.wait_hint(now));
  // 503 + Retry-After: the same handling as a rate limit.
  auto unavailable = parse_rate_limit_headers({{"Retry-After", "12"}}, now);
  CHECK(unavailable.wait_hint(now) == 12'000ms);
}

TEST_CASE("real 2026 headers: burst bucket and hourly quota kept apart",
          "[jira]") {
  // The values of a real OAuth-app response (Atlassian's rate-limiting guide;
  // tests/fixtures/jira-cloud).
  auto s = parse_rate_limit_headers(
    {{"X-RateLimit-Limit", "350"},
     {"X-RateLimit-Remaining", "349"},
     {"Beta-RateLimit-Policy", R"("tenant-app-quota";q=100100;w=3600)"},
     {"Beta-RateLimit", R"("tenant-app-quota";r=17842;t=2107)"}},
    now);
  auto b = s.burst();
  CHECK(b.limit == 350);
  CHECK(b.remaining == 349);
  CHECK_FALSE(b.reset_at);
  auto q = s.quota();
  REQUIRE(q);
  CHECK(q->name == "tenant-app-quota");
  CHECK(q->quota == 100100);
  CHECK(q->window_secs == 3600);
  CHECK(q->remaining == 17842);
  CHECK(q->reset_secs == 2107);
  CHECK_FALSE(q->reset_at);
  CHECK(s.effective_reason() == rate_limit_reason::none);
  CHECK_FALSE(s.is_quota_reason());
  CHECK_FALSE(s.wait_hint(now)); // a success states no wait
  // API-token traffic: the burst headers only, and NO quota.
  auto token = parse_rate_limit_headers(
    {{"X-RateLimit-Limit", "350"}, {"X-RateLimit-Remaining", "349"}}, now);
  CHECK(token.burst().remaining == 349);
  CHECK_FALSE(token.quota());
  CHECK(token.any());
}

TEST_CASE("quota headers as seen in the wild", "[jira]") {
  // The policy header disappears once r=0.
  auto spent = parse_rate_limit_headers(
    {{"X-RateLimit-Limit", "350"},
     {"X-RateLimit-Remaining", "300"},
     {"Beta-RateLimit", R"("tenant-app-quota";r=0;t=1200)"}},
    now);
  auto q = spent.quota();
  REQUIRE(q);
  CHECK(q->remaining == 0);
  CHECK(q->reset_secs == 1200);
  CHECK_FALSE(q->quota);
  CHECK_FALSE(q->window_secs);
  // t= disagreeing with X-Beta-RateLimit-Reset: both reported as sent.
  auto disagree = parse_rate_limit_headers(
    {{"Beta-RateLimit", R"("tenant-app-quota";r=5;t=2107)"},
     {"X-Beta-RateLimit-Reset", "2015-10-21T07:40:00Z"},
     {"X-Beta-RateLimit-NearLimit", "true"},
     {"X-Beta-RateLimit-Reason", "jira-quota-tenant-based"}},
    now);
  auto d = disagree.quota();
  REQUIRE(d);
  CHECK(d->reset_secs == 2107);
  REQUIRE(d->reset_at);
  CHECK(*d->reset_at - now == 750s);
  CHECK(d->near_limit == true);
  // The Beta reason alone names the quota.
  CHECK(disagree.reason == rate_limit_reason::none);
  CHECK(disagree.beta_reason == rate_limit_reason::quota_tenant);
  CHECK(disagree.beta_reason_raw == "jira-quota-tenant-based");
  CHECK(disagree.is_quota_reason());
  CHECK(disagree.wait_hint(now) == 2'107'000ms); // t= first
  // A reset in the past is still reported; it states no wait.
  auto past = parse_rate_limit_headers(
    {{"Beta-RateLimit", R"("tenant-app-quota";r=0)"},
     {"X-Beta-RateLimit-Reset", "2015-10-21T07:00:00Z"},
     {"RateLimit-Reason", "jira-quota-tenant-based"}},
    now);
  REQUIRE(past.quota());
  REQUIRE(past.quota()->reset_at);
  CHECK(*past.quota()->reset_at < now);
  CHECK_FALSE(past.quota()->reset_secs);
  CHECK_FALSE(past.wait_hint(now));
}

TEST_CASE("quota headers: several entries, un-prefixed names", "[jira]") {
  // The tightest state wins, with the policy of the same name.
  auto s = parse_rate_limit_headers(
    {{"Beta-RateLimit-Policy",
      R"("global-app-quota";q=65000;w=3600, "tenant-app-quota";q=500000;w=3600)"},
     {"Beta-RateLimit",
      R"("tenant-app-quota";r=400000;t=100, "global-app-quota";r=500;t=90)"}},
    now);
  auto q = s.quota();
  REQUIRE(q);
  CHECK(q->name == "global-app-quota");
  CHECK(q->quota == 65000);
  CHECK(q->remaining == 500);
  CHECK(q->reset_secs == 90);
  // RateLimit-Policy / RateLimit may replace the Beta- ones.
  auto plain = parse_rate_limit_headers(
    {{"RateLimit-Policy", R"("tenant-app-quota";q=1000;w=60)"},
     {"RateLimit", R"("tenant-app-quota";r=10;t=30)"}},
    now);
  auto p = plain.quota();
  REQUIRE(p);
  CHECK(p->quota == 1000);
  CHECK(p->window_secs == 60);
  CHECK(p->remaining == 10);
  CHECK(p->reset_secs == 30);
  // A policy alone (no state yet): q and w, nothing remaining.
  auto policy_only = parse_rate_limit_headers(
    {{"Beta-RateLimit-Policy", R"("tenant-app-quota";q=100100;w=3600)"}}, now);
  REQUIRE(policy_only.quota());
  CHECK(policy_only.quota()->quota == 100100);
  CHECK_FALSE(policy_only.quota()->remaining);
}

TEST_CASE("endpoint costs: points model", "[jira]") {
  // 1 + 1 per core object, 1 + 2 per identity object.
  CHECK(points_cost(endpoint_class::search_jql, 100) == 101);
  CHECK(points_cost(endpoint_class::bulkfetch, 100) == 101);
  CHECK(points_cost(endpoint_class::issue_get, 1) == 2);
  CHECK(points_cost(endpoint_class::project_search, 50) == 51);
  CHECK(points_cost(endpoint_class::attachment_content, 1) == 2);
  CHECK(points_cost(endpoint_class::users_search, 1000) == 2001);
  CHECK(points_cost(endpoint_class::group_member, 50) == 101);
  CHECK(points_cost(endpoint_class::group_bulk, 10) == 21);
  CHECK(points_cost(endpoint_class::permission_scheme, 66) == 133);
  CHECK(points_cost(endpoint_class::project_role, 1) == 3);
  CHECK(points_cost(endpoint_class::approximate_count, 5) == 1);
  CHECK(points_cost(endpoint_class::search_jql, 0) == 1);
  CHECK(points_cost(endpoint_class::search_jql, -4) == 1);
  CHECK(points_cost(endpoint_class::oauth_token, 1) == 0);
  CHECK(points_cost(endpoint_class::accessible_resources, 3) == 0);
  CHECK(estimated_points(endpoint_class::bulkfetch, 100)
        == points_cost(endpoint_class::bulkfetch, 100));
  CHECK(estimated_points(endpoint_class::users_search, 100) == 201);
}

TEST_CASE("endpoint table: the documented rates decide", "[jira]") {
  using ec = endpoint_class;
  // GET 100/s default; overrides GET issue 150, attachment content 300,
  // project role 200 (the single role; the role list is another endpoint).
  CHECK(info(ec::issue_get).burst_per_sec == 150);
  CHECK(info(ec::comments).burst_per_sec == 100);
  CHECK(info(ec::project_role).burst_per_sec == 200);
  CHECK(info(ec::project_roles).burst_per_sec == 100);
  CHECK(info(ec::application_roles).burst_per_sec == 100);
  // The media host after the 303 is no Jira API request: no bucket, no
  // points.
  CHECK(info(ec::media_download).burst_per_sec == 0);
  CHECK_FALSE(has_burst_bucket(ec::media_download));
  CHECK_FALSE(info(ec::media_download).counts_points);
  CHECK(points_cost(ec::media_download, 1) == 0);
  CHECK(has_burst_bucket(ec::attachment_content));
  // Names round-trip; anything else is unknown.
  for (int i = 0; i < endpoint_class_count; ++i) {
    auto cls = static_cast<ec>(i);
    CHECK(endpoint_class_from_name(to_string(cls)) == cls);
  }
  CHECK(endpoint_class_from_name("get") == ec::unknown);
  CHECK(endpoint_class_from_name("") == ec::unknown);
}

TEST_CASE("endpoint costs: burst buckets and names", "[jira]") {
  CHECK(info(endpoint_class::issue_get).burst_per_sec == 150);
  CHECK(info(endpoint_class::attachment_content).burst_per_sec == 300);
  CHECK(info(endpoint_class::project_role).burst_per_sec == 200);
  CHECK(info(endpoint_class::users_search).burst_per_sec == 100);
  CHECK(info(endpoint_class::search_jql).burst_per_sec == 100);
  CHECK(info(endpoint_class::bulkfetch).method == "POST");
  CHECK(info(endpoint_class::comments).method == "GET");
  for (int i = 0; i < endpoint_class_count; ++i) {
    auto cls = static_cast<endpoint_class>(i);
    CHECK(info(cls).cls == cls);
    CHECK_FALSE(to_string(cls).empty());
  }
  CHECK(to_string(endpoint_class::search_jql) == "search_jql");
}

TEST_CASE("classify_path", "[jira]") {
  struct row {
    const char* method;
    const char* path;
    endpoint_class cls;
  };
  using ec = endpoint_class;
  for (const auto& r : {
         row{"GET", "/rest/api/3/users/search?startAt=0&maxResults=1000",
             ec::users_search},
         row{"GET", "/rest/api/3/group/bulk", ec::group_bulk},
         row{"GET", "/rest/api/3/group/member?groupId=x", ec::group_member},
         row{"GET", "/rest/api/3/applicationrole", ec::application_roles},
         row{"GET", "/rest/api/3/project/search?expand=lead",
             ec::project_search},
         row{"GET", "/rest/api/3/project/ABC/permissionscheme",
             ec::permission_scheme},
         row{"GET", "/rest/api/3/permissionscheme/10000?expand=permissions",
             ec::permission_scheme},
         row{"GET", "/rest/api/3/project/ABC/role", ec::project_roles},
         row{"GET", "/rest/api/3/project/ABC/role/10002", ec::project_role},
         row{"GET", "/rest/api/3/project/ABC/issuesecuritylevelscheme",
             ec::security_levels},
         row{"GET", "/rest/api/3/issuesecurityschemes/10000/members",
             ec::security_members},
         row{"GET", "/rest/api/3/issuesecurityschemes/level/member?schemeId=1",
             ec::security_members},
         row{"GET", "/rest/api/3/issuesecurityschemes", ec::security_levels},
         row{"GET", "/rest/api/3/myself", ec::myself},
         row{"GET", "/rest/api/3/field", ec::fields},
         row{"POST", "/rest/api/3/search/jql", ec::search_jql},
         row{"GET", "/rest/api/3/search/jql?jql=x", ec::search_jql},
         row{"POST", "/rest/api/3/search/approximate-count",
             ec::approximate_count},
         row{"POST", "/rest/api/3/issue/bulkfetch", ec::bulkfetch},
         row{"GET", "/rest/api/3/issue/bulkfetch", ec::unknown},
         row{"GET", "/rest/api/3/issue/ABC-12?fields=summary", ec::issue_get},
         row{"DELETE", "/rest/api/3/issue/ABC-12", ec::unknown},
         row{"GET", "/rest/api/3/issue/10001/comment?startAt=20", ec::comments},
         row{"GET", "/rest/api/3/attachment/content/10000?redirect=false",
             ec::attachment_content},
         row{"GET", "/rest/api/3/attachment/meta", ec::attachment_meta},
         row{"GET", "/rest/api/3/attachment/10000", ec::attachment_meta},
         row{"GET", "/rest/api/3/auditing/record?offset=0", ec::audit_records},
         row{"post", "/oauth/token", ec::oauth_token},
         row{"GET", "/oauth/token/accessible-resources",
             ec::accessible_resources},
         row{"GET",
             "https://api.atlassian.com/ex/jira/1324a887/rest/api/3/myself",
             ec::myself},
         row{"GET", "https://acme.atlassian.net/rest/api/2/field", ec::fields},
         row{"GET", "/rest/api/3/dashboard", ec::unknown},
         row{"GET", "", ec::unknown},
         row{"GET", "/rest/api/3", ec::unknown},
       }) {
    INFO(r.method << " " << r.path);
    CHECK(classify_path(r.method, r.path) == r.cls);
  }
}

TEST_CASE("rate limits and costs: absurd numbers do not overflow", "[jira]") {
  auto s = parse_rate_limit_headers(
    {{"RateLimit-Reason", "jira-quota-global-based"},
     {"X-RateLimit-Reset", "9999-12-31T23:59:59Z"},
     {"Retry-After", "Fri, 31 Dec 9999 23:59:59 GMT"},
     {"Beta-RateLimit", R"("q";r=999999999999999999;t=999999999999999999)"}},
    now);
  CHECK_FALSE(s.reset_at);    // beyond 2200: ignored
  CHECK_FALSE(s.retry_after); // likewise
  REQUIRE(s.states.size() == 1);
  CHECK(s.wait_hint(now) == std::chrono::milliseconds{10LL * 24 * 3600 * 1000});
  CHECK(points_cost(endpoint_class::users_search, INT64_MAX)
        == 1 + 2 * 1'000'000'000'000);
}
