#pragma once
// Helpers for the tests of `jirasync serve` and of interrupted syncs: a
// config file for a jira-sim, the admin endpoint over plain HTTP on
// 127.0.0.1, calls to the sim's control API, bounded polling.

#include "background_process.hpp"
#include "child_process.hpp"

#include "protocol/http/http_client.hpp"

#include <boost/json.hpp>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <string>
#include <thread>

namespace jirasync::testing {

struct serve_config {
  std::string strategy = "manual";
  int interval_minutes = 60;
  std::string listen_host = "127.0.0.1";
  std::uint16_t port = 0;
  /// The Jira API token; written to a file (jira.api_token_file).
  std::string api_token;
  /// Env var holding the admin token; "" = none.
  std::string admin_token_env;
  int retry_initial_secs = 1;
  int shutdown_timeout_secs = 30;
};

/// Writes DIR/jirasync.toml (store in DIR/store, token in DIR/token).
inline std::filesystem::path
write_serve_config(const sim_process& sim, const std::filesystem::path& dir,
                   const serve_config& c) {
  {
    std::ofstream tok{dir / "token"};
    tok << c.api_token << "\n";
  }
  // As a careful operator keeps it (a wider file gets a config warning).
  std::filesystem::permissions(dir / "token",
                               std::filesystem::perms::owner_read
                                 | std::filesystem::perms::owner_write);
  auto path = dir / "jirasync.toml";
  std::ofstream out{path};
  out << "[jira]\nsite = \"" << sim.base_url() << "\"\n"
      << "email = \"" << sim.str("email") << "\"\n"
      << "api_token_file = \"" << (dir / "token").string() << "\"\n"
      << "ca_file = \"" << sim.str("ca_file") << "\"\n"
      << "[sync]\nstrategy = \"" << c.strategy << "\"\n"
      << "interval_minutes = " << c.interval_minutes << "\n"
      << "[storage]\npath = \"" << (dir / "store").string() << "\"\n"
      << "[service]\nlisten = \"" << c.listen_host << ":" << c.port << "\"\n"
      << "retry_initial_secs = " << c.retry_initial_secs << "\n"
      << "shutdown_timeout_secs = " << c.shutdown_timeout_secs << "\n";
  if (!c.admin_token_env.empty())
    out << "admin_token_env = \"" << c.admin_token_env << "\"\n";
  return path;
}

/// Plain HTTP to the admin endpoint on 127.0.0.1:port.
class admin_client {
public:
  explicit admin_client(std::uint16_t port)
      : base_("http://127.0.0.1:" + std::to_string(port)), client_(options()) {
    // nop
  }

  protocol::http_result call(const std::string& method,
                             const std::string& target,
                             const std::string& bearer = {}) {
    protocol::http_request req;
    req.method = method;
    req.url = base_ + target;
    if (!bearer.empty())
      req.headers.push_back({"Authorization", "Bearer " + bearer});
    req.max_body_bytes = 1ull << 32;
    return client_.request(req);
  }

  /// The status (0 when the connection failed) and body.
  std::pair<int, std::string> get(const std::string& target,
                                  const std::string& bearer = {}) {
    auto r = call("GET", target, bearer);
    if (!r.response)
      return {0, ""};
    return {r.response->status, r.response->body};
  }

  std::pair<int, std::string> post(const std::string& target,
                                   const std::string& bearer = {}) {
    auto r = call("POST", target, bearer);
    if (!r.response)
      return {0, ""};
    return {r.response->status, r.response->body};
  }

  boost::json::object status(const std::string& bearer = {}) {
    auto [code, body] = get("/status", bearer);
    if (code != 200)
      return {};
    return boost::json::parse(body).as_object();
  }

  protocol::http_client& client() {
    return client_;
  }
  const std::string& base() const {
    return base_;
  }

private:
  static protocol::http_client_options options() {
    protocol::http_client_options o;
    o.threads = 1;
    o.allow_insecure_http = true;
    return o;
  }

  std::string base_;
  protocol::http_client client_;
};

/// A call to the sim's control API; the body parsed as JSON.
inline boost::json::value sim_call(const sim_process& sim,
                                   const std::string& method,
                                   const std::string& path,
                                   const std::string& body = {}) {
  protocol::http_client_options o;
  o.ca_file = sim.str("ca_file");
  o.threads = 1;
  protocol::http_client client{o};
  protocol::http_request req;
  req.method = method;
  req.url = sim.base_url() + path;
  req.body = body;
  if (!body.empty())
    req.headers.push_back({"Content-Type", "application/json"});
  auto r = client.request(req);
  if (!r.response)
    throw std::runtime_error(method + " " + path + " failed");
  return boost::json::parse(r.response->body);
}

/// Polls `pred` every 50 ms until it holds or `limit` passes.
inline bool eventually(const std::function<bool()>& pred,
                       std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    if (pred())
      return true;
    if (std::chrono::steady_clock::now() >= deadline)
      return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

/// A JSON integer as int64 (whatever its stored kind).
inline std::int64_t as_int(const boost::json::value& v) {
  return v.to_number<std::int64_t>();
}

/// The value of a Prometheus sample line "NAME VALUE"; -1 when absent.
inline double metric(const std::string& text, const std::string& name) {
  auto pos = text.find("\n" + name + " ");
  if (pos == std::string::npos)
    return -1;
  pos += name.size() + 2;
  return std::stod(text.substr(pos, text.find('\n', pos) - pos));
}

/// The sum of every sample whose line starts with `prefix` (e.g.
/// "NAME{" for all label values of NAME); 0 when there is none.
inline double metric_sum(const std::string& text, const std::string& prefix) {
  double sum = 0;
  std::size_t pos = 0;
  while ((pos = text.find("\n" + prefix, pos)) != std::string::npos) {
    auto end = text.find('\n', pos + 1);
    auto line = text.substr(pos + 1, end - pos - 1);
    sum += std::stod(line.substr(line.rfind(' ') + 1));
    pos = end;
  }
  return sum;
}

} // namespace jirasync::testing
