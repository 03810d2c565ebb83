#include "sync/attempt_assessment.hpp"

#include <catch2/catch.hpp>

using namespace jirasync;
using namespace jirasync::sync;
using namespace std::chrono_literals;
using ec = protocol::endpoint_class;
using protocol::json_text_fault;

namespace {

const auto now = std::chrono::system_clock::time_point{1'700'000'000'000ms};

protocol::http_result answer(int status, std::string body,
                             protocol::header_list headers = {}) {
  protocol::http_result r;
  r.response.emplace();
  r.response->status = status;
  r.response->body = std::move(body);
  r.response->headers = std::move(headers);
  return r;
}

protocol::http_result transport(protocol::http_errc code, std::string msg) {
  protocol::http_result r;
  r.error = protocol::http_error{code, std::move(msg)};
  return r;
}

} // namespace

TEST_CASE("assess: a 2xx is a success the governor learns from", "[sync]") {
  auto a = assess_attempt(answer(200, R"({"ok":true})"), ec::users_search, 7,
                          json_text_fault::none, 42, now);
  CHECK(a.outcome.status == 200);
  CHECK_FALSE(a.outcome.transient_transport);
  CHECK(a.outcome.detail.empty());
  CHECK(a.report.cls == ec::users_search);
  CHECK(a.report.status == 200);
  CHECK(a.report.latency_ms == 42);
  CHECK(a.report.estimated_cost == 7);
}

TEST_CASE("assess: a 2xx whose body the caller could not parse is transient",
          "[sync]") {
  // The caller parsed the body once and failed; assess_attempt reads no
  // body of a 2xx itself.
  auto a = assess_attempt(answer(200, R"({"issues":[{"id":)"), ec::bulkfetch, 1,
                          json_text_fault::truncated, 1, now);
  CHECK(a.outcome.status == 0);
  CHECK(a.outcome.transient_transport);
  CHECK(a.outcome.detail == "HTTP 200 with a truncated JSON body");
  // The governor still saw a 200.
  CHECK(a.report.status == 200);
  // Not flagged (a download, or a body the caller did not need): a success.
  auto file = assess_attempt(answer(200, "binary \x01"), ec::attachment_content,
                             1, json_text_fault::none, 1, now);
  CHECK(file.outcome.status == 200);
  CHECK_FALSE(file.outcome.transient_transport);
}

TEST_CASE("assess: a 2xx too deep to parse is a success, not retried",
          "[sync][hostile]") {
  // Problem 2 of issue 11: a description 2,001+ levels deep made the
  // whole bulkfetch "HTTP 200 with an invalid JSON body", retried 6 times
  // (~32 s) and then failed the project. Now the body is usable: its
  // record fails when parsed, the request succeeds at once.
  backoff_policy p;
  std::string deep = R"({"issues":[{"id":"1","fields":{"d":)";
  deep += std::string(5000, '[') + std::string(5000, ']') + "}}]}";
  CHECK(protocol::json_fault(deep) == json_text_fault::none);
  auto d = assess_attempt(answer(200, deep), ec::bulkfetch, 1,
                          protocol::json_fault(deep), 1, now);
  CHECK(d.outcome.status == 200);
  CHECK_FALSE(d.outcome.transient_transport);
  CHECK(classify(d.outcome, 1, p, 0.5).decision == retry_decision::success);
  // Garbled on the way (a proxy page spliced in) stays transient.
  std::string garbled = R"({"a":[1,<html>oops)";
  auto bad = assess_attempt(answer(200, garbled), ec::bulkfetch, 1,
                            protocol::json_fault(garbled), 1, now);
  CHECK(bad.outcome.transient_transport);
  CHECK(bad.outcome.detail == "HTTP 200 with a malformed JSON body");
  // A 3xx the HTTP client could not follow fails as invalid input.
  attempt_outcome redirect{302, false, {}, false, {}};
  CHECK(give_up_code(redirect) == common::errc::invalid_input);
}

TEST_CASE("assess: rate-limit headers reach the policy and the governor",
          "[sync]") {
  auto a = assess_attempt(
    answer(429, R"({"errorMessages":["Rate limit exceeded."]})",
           {{"Retry-After", "7"},
            {"X-RateLimit-Limit", "100"},
            {"X-RateLimit-Remaining", "0"},
            {"RateLimit-Reason", "jira-quota-tenant-based"},
            {"Beta-RateLimit", R"("global-app-quota";r=11000;t=600)"}}),
    ec::search_jql, 3, json_text_fault::none, 5, now);
  CHECK(a.outcome.status == 429);
  // A quota reason waits for the later of Retry-After and the reset (t=).
  CHECK(a.outcome.retry_after_ms == std::optional<std::int64_t>{600'000});
  CHECK(a.outcome.quota_reason);
  CHECK(a.report.status == 429);
  CHECK(a.report.cls == ec::search_jql);
  // X-RateLimit-*: the burst bucket; the structured header: the quota.
  CHECK(a.report.headers.burst().remaining == std::optional<std::int64_t>{0});
  CHECK(a.report.headers.burst().limit == std::optional<std::int64_t>{100});
  REQUIRE(a.report.headers.quota());
  CHECK(a.report.headers.quota()->remaining
        == std::optional<std::int64_t>{11000});
  CHECK(a.report.headers.quota()->reset_secs
        == std::optional<std::int64_t>{600});
  CHECK(a.report.headers.retry_after == std::optional{7000ms});
  // The status is named once, by the retry policy, not again in the detail.
  CHECK(a.outcome.detail == "Rate limit exceeded.");
}

TEST_CASE("assess: a refusal's reason names its status once", "[sync]") {
  auto a = assess_attempt(
    answer(403, R"({"errorMessages":["You do not have permission."]})"),
    ec::search_jql, 1, json_text_fault::none, 1, now);
  auto c = classify(a.outcome, 1, backoff_policy{}, 0.5);
  CHECK(c.decision == retry_decision::give_up);
  CHECK(c.reason.find("HTTP 403: You do not have permission.")
        != std::string::npos);
  CHECK(c.reason.find("HTTP 403: HTTP 403") == std::string::npos);
}

TEST_CASE("assess: transport failures, transient or not", "[sync]") {
  auto t = assess_attempt(
    transport(protocol::http_errc::timeout, "first-byte timeout"),
    ec::users_search, 1, json_text_fault::none, 1, now);
  CHECK(t.outcome.status == 0);
  CHECK(t.outcome.transient_transport);
  CHECK(t.outcome.detail == "first-byte timeout");
  auto tls = assess_attempt(
    transport(protocol::http_errc::tls, "certificate verify failed"),
    ec::users_search, 1, json_text_fault::none, 1, now);
  CHECK_FALSE(tls.outcome.transient_transport);
  CHECK(give_up_code(tls.outcome) == common::errc::unavailable);
  auto dns = assess_attempt(
    transport(protocol::http_errc::dns, "resolve: host not found"),
    ec::users_search, 1, json_text_fault::none, 1, now);
  CHECK(dns.outcome.dns_failure);
  CHECK_FALSE(t.outcome.dns_failure);
}

TEST_CASE("error codes of HTTP statuses", "[sync]") {
  using common::errc;
  CHECK(errc_of_http_status(401) == errc::unauthenticated);
  CHECK(errc_of_http_status(403) == errc::permission_denied);
  CHECK(errc_of_http_status(404) == errc::not_found);
  CHECK(errc_of_http_status(410) == errc::not_found);
  CHECK(errc_of_http_status(400) == errc::invalid_argument);
  CHECK(errc_of_http_status(429) == errc::unavailable);
  CHECK(errc_of_http_status(409) == errc::unavailable);
  CHECK(errc_of_http_status(503) == errc::unavailable);
  CHECK(errc_of_http_status(0) == errc::unavailable);
}
