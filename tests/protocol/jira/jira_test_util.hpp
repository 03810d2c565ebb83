#pragma once
// Shared helpers of the [jira] tests: read a fixture of
// tests/fixtures/jira-cloud/ (third-party captures, read in place).

#include <fstream>
#include <sstream>
#include <string>

#include <catch2/catch.hpp>

#include "protocol/jira/jira_models.hpp"

namespace jirasync::protocol::test {

inline std::string read_fixture(const std::string& name) {
  std::string path = std::string(JIRASYNC_FIXTURES_DIR) + "/jira-cloud/" + name;
  std::ifstream in(path, std::ios::binary);
  INFO("fixture " << path);
  REQUIRE(in.good());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline boost::json::value load_fixture(const std::string& name) {
  auto doc = parse_json(read_fixture(name));
  INFO("fixture " << name);
  REQUIRE(doc.ok());
  return std::move(doc.value);
}

/// All error messages joined by newlines (for INFO and Contains checks).
inline std::string all_errors(const std::vector<parse_error>& errors) {
  std::string out;
  for (const auto& e : errors)
    out += e.to_string() + "\n";
  return out;
}

} // namespace jirasync::protocol::test
