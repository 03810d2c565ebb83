#pragma once
// Helpers shared by the config tests: a fake environment and temp folders.

#include "config/config.hpp"

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <unistd.h>

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

/// A unique temp folder, removed at scope exit.
class temp_dir {
public:
  temp_dir() {
    static std::atomic<int> counter{0};
    auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
    path_ = std::filesystem::temp_directory_path()
            / ("jirasync-config-test-" + std::to_string(::getpid()) + "-"
               + std::to_string(stamp) + "-" + std::to_string(counter++));
    std::filesystem::create_directories(path_);
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;

  const std::filesystem::path& path() const {
    return path_;
  }

  /// Writes `content` to path()/name and returns the full path.
  std::filesystem::path write(const std::string& name,
                              const std::string& content) const {
    auto p = path_ / name;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream out{p, std::ios::binary};
    out << content;
    return p;
  }

private:
  std::filesystem::path path_;
};

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
