#include "sync/retry_policy.hpp"

#include <catch2/catch.hpp>

using namespace jirasync::sync;

TEST_CASE("backoff doubles, is capped and jittered", "[jira][retry]") {
  backoff_policy p;
  p.base_ms = 2000;
  p.max_ms = 30000;
  // jitter_unit 0.5 -> factor 1.0
  CHECK(backoff_delay_ms(p, 1, 0.5) == 2000);
  CHECK(backoff_delay_ms(p, 2, 0.5) == 4000);
  CHECK(backoff_delay_ms(p, 4, 0.5) == 16000);
  CHECK(backoff_delay_ms(p, 5, 0.5) == 30000);
  CHECK(backoff_delay_ms(p, 12, 0.5) == 30000);
  CHECK(backoff_delay_ms(p, 1, 0.0) == 1400);
  CHECK(backoff_delay_ms(p, 1, 1.0) == 2600);
}

TEST_CASE("classify sorts statuses into success, retry, give up",
          "[jira][retry]") {
  backoff_policy p;
  p.base_ms = 1000;
  p.max_attempts = 3;
  attempt_outcome ok{200, false, {}, false, {}};
  CHECK(classify(ok, 1, p, 0.5).decision == retry_decision::success);
  // Redirects are followed by the HTTP client: a 3xx that reaches the
  // policy had no followable Location and is not a success.
  for (int s : {301, 302, 303, 307, 308}) {
    attempt_outcome redirect{s, false, {}, false, {}};
    auto c = classify(redirect, 1, p, 0.5);
    CHECK(c.decision == retry_decision::give_up);
    CHECK(c.reason
          == "HTTP " + std::to_string(s)
               + " without a followable Location after 1 attempt(s)");
  }

  SECTION("429 honours Retry-After and tells burst from quota") {
    attempt_outcome burst{429, false, 7000, false, {}};
    auto c = classify(burst, 1, p, 0.5);
    CHECK(c.decision == retry_decision::retry);
    CHECK(c.delay_ms == 7000);
    CHECK(c.cause == retry_cause::rate_limited_burst);
    attempt_outcome quota{429, false, 60000, true, {}};
    auto q = classify(quota, 1, p, 0.5);
    CHECK(q.cause == retry_cause::rate_limited_quota);
    CHECK(q.delay_ms == 60000);
    attempt_outcome bare{429, false, {}, false, {}};
    CHECK(classify(bare, 2, p, 0.5).delay_ms == 2000);
  }
  SECTION("5xx and transient transport errors retry with backoff") {
    for (int s : {500, 502, 503, 504}) {
      attempt_outcome o{s, false, {}, false, {}};
      auto c = classify(o, 1, p, 0.5);
      CHECK(c.decision == retry_decision::retry);
      CHECK(c.delay_ms == 1000);
    }
    attempt_outcome reset{0, true, {}, false, "connection reset"};
    CHECK(classify(reset, 2, p, 0.5).decision == retry_decision::retry);
    attempt_outcome tls{0, false, {}, false, "certificate verify failed"};
    auto t = classify(tls, 1, p, 0.5);
    CHECK(t.decision == retry_decision::give_up);
    CHECK(t.reason.find("certificate verify failed") != std::string::npos);
  }
  SECTION("4xx give up at once with a clear reason") {
    for (int s : {400, 401, 403, 404, 410}) {
      attempt_outcome o{s, false, {}, false, {}};
      auto c = classify(o, 1, p, 0.5);
      CHECK(c.decision == retry_decision::give_up);
      CHECK(c.reason.rfind("HTTP " + std::to_string(s), 0) == 0);
    }
  }
  SECTION("retries end after max_attempts") {
    attempt_outcome o{503, false, {}, false, {}};
    CHECK(classify(o, 2, p, 0.5).decision == retry_decision::retry);
    auto c = classify(o, 3, p, 0.5);
    CHECK(c.decision == retry_decision::give_up);
    CHECK(c.reason.find("retries exhausted") != std::string::npos);
  }
  SECTION("a Retry-After beyond the limit gives up") {
    attempt_outcome o{429, false, 7'200'000, true, {}};
    CHECK(classify(o, 1, p, 0.5).decision == retry_decision::give_up);
  }
}

TEST_CASE("classify: DNS failures fail fast", "[jira][retry][hostile]") {
  backoff_policy p; // 6 attempts, 1 s base: 34 s of retries for others
  attempt_outcome dns;
  dns.transient_transport = true;
  dns.dns_failure = true;
  dns.detail = "resolve jira.invalid: host not found";
  auto first = classify(dns, 1, p, 0.5);
  CHECK(first.decision == retry_decision::retry);
  CHECK(first.delay_ms == 1000);
  auto second = classify(dns, 2, p, 0.5);
  CHECK(second.decision == retry_decision::give_up);
  CHECK(second.reason
        == "transport error: resolve jira.invalid: host not found after 2 "
           "attempt(s) (host name does not resolve: check the site URL and "
           "DNS)");
  // Other transport failures keep the full backoff.
  attempt_outcome reset{0, true, {}, false, "connection reset"};
  CHECK(classify(reset, 2, p, 0.5).decision == retry_decision::retry);
}
