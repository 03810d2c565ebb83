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

TEST_CASE("wait_hint: Retry-After, and the reset for quota reasons", "[jira]") {
  // Burst: only Retry-After counts, the far reset does not.
  auto burst
    = parse_rate_limit_headers({{"Retry-After", "2"},
                                {"RateLimit-Reason", "jira-burst-based"},
                                {"X-RateLimit-Reset", "2015-10-21T08:27:30Z"}},
                               now);
  CHECK(burst.wait_hint(now) == 2'000ms);
  // Quota: everything waits until the reset (1 h after now here).
  auto quota
    = parse_rate_limit_headers({{"Retry-After", "2"},
                                {"RateLimit-Reason", "jira-quota-global-based"},
                                {"X-RateLimit-Reset", "2015-10-21T08:27:30Z"}},
                               now);
  CHECK(quota.wait_hint(now) == 3'600'000ms);
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
  // A reset already past gives 0, not a negative wait.
  auto past
    = parse_rate_limit_headers({{"RateLimit-Reason", "jira-quota-global-based"},
                                {"X-RateLimit-Reset", "2015-10-21T07:00:00Z"}},
                               now);
  CHECK(past.wait_hint(now) == 0ms);
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
