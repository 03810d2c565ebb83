#pragma once
// The OAuth side of the integration tests: a jira-sim with an OAuth app, a
// free callback port, configs in OAuth mode, `jirasync auth login` driven
// with the test as the browser, and every output kept for the check that
// no secret ever appears in it.
#include "background_process.hpp"
#include "child_process.hpp"
#include "test_util/temp_dir.hpp"

#include "protocol/http/http_client.hpp"
#include "protocol/http/http_server.hpp"
#include "protocol/jira/jira_api.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <sys/stat.h>

namespace jirasync::testing::oauth {

namespace json = boost::json;
using namespace std::chrono_literals;
using jirasync::test::temp_dir;
namespace protocol = jirasync::protocol;
using jirasync::protocol::header_list;

inline constexpr const char* client_id = "jirasync-test-client";
inline constexpr const char* client_secret = "sim-client-secret-8f2c1e77";
inline constexpr const char* secret_env = "JIRASYNC_TEST_OAUTH_SECRET";

inline mode_t mode_of(const std::filesystem::path& p) {
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

/// A sim with an OAuth app, a callback port, a config, and every output
/// kept for the secret check.
struct login_fixture {
  temp_dir dir;
  std::uint16_t port;
  std::string callback;
  sim_process sim;
  std::vector<std::string> outputs;
  int runs = 0;

  /// `sim_args`: the workspace and any further jira-sim options. The app's
  /// registered callback URL is `callback` unless `registered_callback` says
  /// otherwise.
  explicit login_fixture(std::vector<std::string> sim_args = {"--issues", "10"},
                         std::string registered_callback = "")
      : port(free_loopback_port()),
        callback("http://127.0.0.1:" + std::to_string(port) + "/callback"),
        sim(sim_command(std::move(sim_args), registered_callback.empty()
                                               ? callback
                                               : registered_callback)) {
    ::setenv(secret_env, client_secret, 1);
  }

  static std::vector<std::string> sim_command(std::vector<std::string> args,
                                              const std::string& registered) {
    std::vector<std::string> cmd{JIRA_SIM_BIN};
    cmd.insert(cmd.end(), args.begin(), args.end());
    for (const auto& a :
         {std::string("--port"), std::string("0"),
          std::string("--oauth-client-id"), std::string(client_id),
          std::string("--oauth-client-secret"), std::string(client_secret),
          std::string("--oauth-callback-url"), registered})
      cmd.push_back(a);
    return cmd;
  }

  std::filesystem::path store() const {
    return dir.path() / "store";
  }
  std::filesystem::path token_file() const {
    return store() / "auth" / "oauth-tokens.json";
  }

  std::filesystem::path config(const std::string& site = "",
                               const std::string& env = secret_env) {
    auto p = dir.path() / ("jirasync-" + std::to_string(++runs) + ".toml");
    std::ofstream out{p};
    out << "[jira]\n"
        << "site = \"" << (site.empty() ? sim.base_url() : site) << "\"\n"
        << "auth = \"oauth\"\n"
        << "client_id = \"" << client_id << "\"\n"
        << "client_secret_env = \"" << env << "\"\n"
        << "redirect_uri = \"" << callback << "\"\n"
        << "auth_url = \"" << sim.base_url() << "\"\n"
        << "api_gateway = \"" << sim.base_url() << "\"\n"
        << "ca_file = \"" << sim.str("ca_file") << "\"\n"
        << "[storage]\npath = \"" << store().string() << "\"\n";
    return p;
  }

  std::unique_ptr<background_process>
  start_login(const std::filesystem::path& cfg,
              std::vector<std::string> extra = {}) {
    auto n = std::to_string(++runs);
    std::vector<std::string> args{JIRASYNC_BIN, "auth",       "login",
                                  "--config",   cfg.string(), "--no-browser"};
    for (auto& e : extra)
      args.push_back(e);
    if (extra.empty()) {
      args.push_back("--timeout");
      args.push_back("60");
    }
    return std::make_unique<background_process>(
      args, dir.path() / ("login-" + n + ".out"),
      dir.path() / ("login-" + n + ".err"));
  }

  /// Runs a command to completion; its output is kept for the secret check.
  int run(std::vector<std::string> args, std::string& out, std::string& err) {
    auto n = std::to_string(++runs);
    auto o = dir.path() / ("run-" + n + ".out");
    auto e = dir.path() / ("run-" + n + ".err");
    args.insert(args.begin(), JIRASYNC_BIN);
    int rc = run_to_completion(args, o, e);
    out = read_file(o);
    err = read_file(e);
    outputs.push_back(out);
    outputs.push_back(err);
    return rc;
  }

  int finish(background_process& p, std::string& out, std::string& err) {
    // A 700-issue sync takes ~10 s here, several times that under the
    // sanitizers on a loaded 2-core CI machine (71 s seen under load).
    auto rc = p.wait_exit(300s);
    REQUIRE(rc.has_value());
    out = p.out();
    err = p.err();
    outputs.push_back(out);
    outputs.push_back(err);
    return *rc;
  }

  /// The browser: TLS to the sim (its CA), plain http to the loopback
  /// callback.
  protocol::http_client browser() const {
    protocol::http_client_options o;
    o.threads = 1;
    o.ca_file = sim.str("ca_file");
    o.allow_insecure_http = true;
    return protocol::http_client{o};
  }

  protocol::http_result get(protocol::http_client& c, const std::string& url,
                            int redirects, header_list headers = {}) const {
    protocol::http_request r;
    r.url = url;
    r.max_redirects = redirects;
    r.headers = std::move(headers);
    r.timeouts.total = 30s;
    return c.request(std::move(r));
  }

  protocol::http_result sim_call(const std::string& method,
                                 const std::string& path,
                                 const std::string& body = {},
                                 header_list headers = {}) const {
    auto c = browser();
    protocol::http_request r;
    r.method = method;
    r.url = sim.base_url() + path;
    r.body = body;
    r.headers = std::move(headers);
    if (!body.empty())
      r.headers.emplace_back("Content-Type", "application/json");
    r.timeouts.total = 30s;
    return c.request(std::move(r));
  }

  json::object stored_tokens() const {
    return json::parse(read_file(token_file())).as_object();
  }

  /// None of `secrets` in any output of any run so far.
  void check_no_secret_in_outputs(const std::vector<std::string>& secrets) {
    for (const auto& text : outputs)
      for (const auto& s : secrets) {
        REQUIRE_FALSE(s.empty());
        CHECK(text.find(s) == std::string::npos);
      }
  }

  /// After a full run: every command that shows what the run left (`status`
  /// in text and JSON, `config check`, `auth status`, `export`, `users`)
  /// runs once more, then none of `secrets` may be in any output so far
  /// (stdout and stderr: jirasync logs to stderr) nor in any file under the
  /// test's folder - the store (RocksDB data and LOG files, blobs, the
  /// checkpoints with their error texts), the configs, the captured
  /// outputs - except the one file that must hold them, the token file.
  void check_no_secret_anywhere(const std::filesystem::path& cfg,
                                const std::vector<std::string>& secrets) {
    std::string out, err;
    for (std::vector<std::string> cmd : {std::vector<std::string>{"status"},
                                         {"status", "--json"},
                                         {"config", "check"},
                                         {"auth", "status"},
                                         {"export"},
                                         {"users"}}) {
      cmd.push_back("--config");
      cmd.push_back(cfg.string());
      int rc = run(cmd, out, err);
      INFO(cmd.front() << " exited " << rc << ": " << err);
      CHECK(rc != 2); // every command understood
    }
    check_no_secret_in_outputs(secrets);
    std::size_t files = 0;
    for (const auto& e :
         std::filesystem::recursive_directory_iterator(dir.path())) {
      if (!e.is_regular_file() || e.path() == token_file())
        continue;
      ++files;
      auto bytes = read_file(e.path());
      for (const auto& s : secrets) {
        INFO(e.path());
        CHECK(bytes.find(s) == std::string::npos);
      }
    }
    CHECK(files > 10); // the store, the configs, the outputs were read
  }
};

inline std::string param(const std::string& url, const std::string& key) {
  auto q = url.find('?');
  REQUIRE(q != std::string::npos);
  return protocol::query_param(url.substr(q + 1), key).value_or("");
}

/// The URL with query parameter `key` set to `value` (it must exist).
inline std::string with_param(const std::string& url, const std::string& key,
                              const std::string& value) {
  auto start = url.find(key + "=");
  REQUIRE(start != std::string::npos);
  start += key.size() + 1;
  auto end = url.find('&', start);
  return url.substr(0, start) + value
         + (end == std::string::npos ? "" : url.substr(end));
}

/// The sim's API user as Jira shows it (Basic auth, the ready line's token).
inline json::object api_user(login_fixture& f) {
  auto cred = f.sim.str("email") + ":" + f.sim.str("api_token");
  auto res
    = f.sim_call("GET", "/rest/api/3/myself", {},
                 {{"Authorization", "Basic " + protocol::base64_encode(cred)}});
  REQUIRE(res.ok());
  REQUIRE(res.response->status == 200);
  return json::parse(res.response->body).as_object();
}

/// Follows the printed URL like a browser (the sim consents at once and
/// redirects to the callback), returning the code it carried.
inline std::string authorize(login_fixture& f, background_process& login,
                             std::string* state_out = nullptr) {
  auto url = login.wait_for_line("https://", 30s);
  REQUIRE(url.has_value());
  if (state_out)
    *state_out = param(*url, "state");
  auto b = f.browser();
  auto landing = f.get(b, *url, 5);
  INFO(protocol::describe(landing));
  REQUIRE(landing.ok());
  CHECK(landing.response->redirects == 1);
  CHECK(landing.response->final_url.rfind(f.callback + "?", 0) == 0);
  CHECK(landing.response->status == 200);
  CHECK(landing.response->body.find("jirasync received the authorization")
        != std::string::npos);
  return param(landing.response->final_url, "code");
}

/// `jirasync auth login` with the test as the browser; returns the code.
inline std::string log_in(login_fixture& f, const std::filesystem::path& cfg) {
  auto login = f.start_login(cfg);
  auto code = authorize(f, *login);
  std::string out, err;
  INFO(err);
  REQUIRE(f.finish(*login, out, err) == 0);
  return code;
}

} // namespace jirasync::testing::oauth
