#pragma once
// Helpers shared by the config tests: a fake environment and temp folders.

#include "config/config.hpp"
#include "test_util/temp_dir.hpp"

#include <map>
#include <string>

namespace jirasync::config::test {

/// An environment lookup over a fixed map (the process env is never touched).
inline env_lookup fake_env(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](
           const std::string& name) -> std::optional<std::string> {
    if (auto i = vars.find(name); i != vars.end())
      return i->second;
    return std::nullopt;
  };
}

inline const std::string token_value = "tok-SECRET-4f1c9a";

/// The environment most tests use: JIRA_API_TOKEN set.
inline env_lookup default_env() {
  return fake_env({{"JIRA_API_TOKEN", token_value}});
}

using jirasync::test::temp_dir;

/// The smallest valid api_token-mode file (4 lines).
inline const std::string minimal_toml
  = "[jira]\n"
    "site = \"https://acme.atlassian.net\"\n"
    "email = \"bot@acme.com\"\n"
    "api_token_env = \"JIRA_API_TOKEN\"\n";

/// Loads `text` as "test.toml" with default_env() unless told otherwise.
inline load_result load(const std::string& text,
                        const env_lookup& env = default_env()) {
  return load_config_from_string(text, "test.toml", env);
}

} // namespace jirasync::config::test
