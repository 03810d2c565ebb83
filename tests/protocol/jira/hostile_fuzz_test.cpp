// Seeded, bounded fuzzing of the JSON models (issue 11): real captures of
// tests/fixtures/jira-cloud mutated (bytes flipped, cut, nested deep,
// strings turned into numbers, invalid UTF-8, duplicated spans) go through
// every parse_* function. Passes when nothing crashes, throws or trips a
// sanitizer, and each result keeps the error model (an error names what
// failed; a fatal result has an error). Deterministic: a fixed seed and a
// fixed number of cases, so a failure reproduces.
#include "jira_test_util.hpp"

#include "protocol/jira/application_role.hpp"
#include "protocol/jira/jira_models.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <random>

using namespace jirasync::protocol;
using jirasync::protocol::test::read_fixture;

namespace {

template<class T>
std::function<void(std::string_view)>
check(parsed<T> (*fn)(const boost::json::value&)) {
  return [fn](std::string_view text) {
    auto r = parse_text(text, fn);
    if (r.fatal)
      REQUIRE_FALSE(r.errors.empty());
    for (const auto& e : r.errors)
      REQUIRE_FALSE(e.to_string().empty());
  };
}

std::string mutate(std::string s, std::mt19937& rng) {
  auto pick = [&](std::size_t n) {
    return n == 0 ? std::size_t{0}
                  : std::uniform_int_distribution<std::size_t>(0, n - 1)(rng);
  };
  int kinds = 8;
  int rounds = 1 + static_cast<int>(pick(3));
  for (int k = 0; k < rounds && !s.empty(); ++k) {
    auto at = pick(s.size());
    switch (pick(kinds)) {
      case 0: // flip a byte
        s[at] = static_cast<char>(pick(256));
        break;
      case 1: // cut off
        s.resize(at);
        break;
      case 2: { // a deep value where a value starts
        auto colon = s.find(':', at);
        if (colon == std::string::npos)
          break;
        std::size_t depth
          = std::vector<std::size_t>{33, 300, 2001, 20000}[pick(4)];
        s.insert(colon + 1, std::string(depth, '[') + "1"
                              + std::string(depth, ']') + ",\"x\":");
        break;
      }
      case 3: { // a string becomes a number
        auto q = s.find(":\"", at);
        if (q == std::string::npos)
          break;
        auto end = s.find('"', q + 2);
        if (end == std::string::npos)
          break;
        s.replace(q + 1, end - q, "12345");
        break;
      }
      case 4: // invalid UTF-8 inside a string
        if (auto q = s.find('"', at); q != std::string::npos)
          s.insert(q + 1, "\xC3\x28\xFF");
        break;
      case 5: { // duplicate a span (duplicated ids, members, records)
        auto len = pick(std::min<std::size_t>(200, s.size() - at));
        s.insert(at, s.substr(at, len));
        break;
      }
      case 6: // null where anything was
        if (auto q = s.find(':', at); q != std::string::npos)
          s.insert(q + 1, "null,\"y\":");
        break;
      default: // a long string
        if (auto q = s.find(":\"", at); q != std::string::npos)
          s.insert(q + 2, std::string(100000, 'z'));
        break;
    }
  }
  return s;
}

} // namespace

TEST_CASE("fuzz: mutated real captures never break the JSON models",
          "[jira][hostile][fuzz]") {
  std::vector<std::function<void(std::string_view)>> parsers{
    check(parse_audit_page),
    check(parse_fields),
    check(parse_comment_page),
    check(parse_attachment),
    check(parse_issue),
    check(parse_oauth_token),
    check(parse_project_role),
    check(parse_search_page),
    check(parse_approximate_count),
    check(parse_bulkfetch),
    check(parse_users),
    check(parse_myself),
    check(parse_group_page),
    check(parse_group_member_page),
    check(parse_project_page),
    check(parse_permission_scheme_ref),
    check(parse_permission_scheme),
    check(parse_permission_schemes),
    check(parse_project_role_map),
    check(parse_project_roles),
    check(parse_security_level_scheme),
    check(parse_security_schemes),
    check(parse_security_member_page),
    check(parse_application_roles),
  };
  std::vector<std::string> fixtures;
  for (const auto& e : std::filesystem::directory_iterator(
         std::filesystem::path(JIRASYNC_FIXTURES_DIR) / "jira-cloud"))
    if (e.path().extension() == ".json" && e.file_size() < 200'000)
      fixtures.push_back(read_fixture(e.path().filename().string()));
  std::sort(fixtures.begin(), fixtures.end());
  REQUIRE(fixtures.size() > 20);
  std::mt19937 rng(20261206);
  constexpr int cases = 400;
  for (int i = 0; i < cases; ++i) {
    const auto& base = fixtures[static_cast<std::size_t>(i) % fixtures.size()];
    auto text = mutate(base, rng);
    for (const auto& p : parsers)
      p(text);
  }
}
