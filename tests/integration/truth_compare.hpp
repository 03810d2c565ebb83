#pragma once
// Comparing a jirasync export with jira-sim's ground truth (GET /_sim/truth)
// record by record, ACL user lists included, and talking to the sim's
// control API. Shared by the integration tests.
#include "child_process.hpp"

#include "protocol/http/http_client.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace jirasync::testing {

namespace json = boost::json;

struct acl_entry {
  bool anyone = false;
  std::set<std::string> users;
};

struct dataset {
  std::map<std::string, acl_entry> acls;
  /// "type:id" -> record
  std::map<std::string, json::object> records;
  std::map<std::string, std::size_t> per_type;
};

inline std::string record_id(const json::object& o) {
  for (const char* k : {"id", "account_id"})
    if (auto* v = o.if_contains(k); v && v->is_string())
      return std::string{v->as_string()};
  return {};
}

inline dataset parse_jsonl(const std::string& text) {
  dataset d;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto end = text.find('\n', pos);
    if (end == std::string::npos)
      end = text.size();
    auto line = text.substr(pos, end - pos);
    pos = end + 1;
    if (line.empty())
      continue;
    auto o = json::parse(line).as_object();
    std::string type{o.at("type").as_string()};
    if (type == "acl") {
      acl_entry a;
      a.anyone = o.at("anyone").as_bool();
      for (auto& u : o.at("users").as_array())
        a.users.insert(std::string{u.as_string()});
      d.acls[std::string{o.at("id").as_string()}] = std::move(a);
      continue;
    }
    ++d.per_type[type];
    d.records[type + ":" + record_id(o)] = std::move(o);
  }
  return d;
}

inline bool same(const json::value& a, const json::value& b) {
  if (a.is_number() && b.is_number()) {
    if (a.is_double() || b.is_double())
      return a.to_number<double>() == b.to_number<double>();
    if (a.is_int64() && b.is_int64())
      return a.as_int64() == b.as_int64();
    if (a.is_uint64() && b.is_uint64())
      return a.as_uint64() == b.as_uint64();
    auto s = a.is_int64() ? a.as_int64() : b.as_int64();
    auto u = a.is_uint64() ? a.as_uint64() : b.as_uint64();
    return s >= 0 && static_cast<std::uint64_t>(s) == u;
  }
  if (a.kind() != b.kind())
    return false;
  if (a.is_array()) {
    const auto &x = a.as_array(), &y = b.as_array();
    if (x.size() != y.size())
      return false;
    for (std::size_t i = 0; i < x.size(); ++i)
      if (!same(x[i], y[i]))
        return false;
    return true;
  }
  if (a.is_object()) {
    const auto &x = a.as_object(), &y = b.as_object();
    if (x.size() != y.size())
      return false;
    for (auto& [k, v] : x) {
      auto* w = y.if_contains(k);
      if (!w || !same(v, *w))
        return false;
    }
    return true;
  }
  return a == b;
}

/// The truth as the API user can see it: Jira (and the sim) hide issues
/// outside the caller's security levels, comments outside its visibility
/// group/role, and projects it cannot browse. A connector can only sync
/// what its API user sees, so those records are expected to be absent.
inline dataset visible_to(const dataset& truth, const std::string& account_id,
                          std::size_t& hidden) {
  dataset out;
  out.acls = truth.acls;
  hidden = 0;
  for (const auto& [key, r] : truth.records) {
    if (auto* acl = r.if_contains("acl")) {
      auto a = truth.acls.find(std::string{acl->as_string()});
      if (a == truth.acls.end() || !a->second.users.count(account_id)) {
        ++hidden;
        continue;
      }
    }
    out.records.emplace(key, r);
    ++out.per_type[std::string{r.at("type").as_string()}];
  }
  return out;
}

/// Every mismatch as a line; empty = identical.
inline std::vector<std::string> compare(const dataset& truth,
                                        const dataset& got) {
  std::vector<std::string> diffs;
  for (const auto& [key, t] : truth.records) {
    auto g = got.records.find(key);
    if (g == got.records.end()) {
      diffs.push_back("missing " + key);
      continue;
    }
    const auto& e = g->second;
    std::string type{t.at("type").as_string()};
    for (const auto& [k, v] : t) {
      if (k == "acl")
        continue;
      if (k == "text" && (type == "issue" || type == "comment")) {
        // The sim gives the text nodes; we give Markdown.
        bool has_text = false;
        for (auto& s : v.as_array())
          if (!s.as_string().empty())
            has_text = true;
        auto* md = e.if_contains("markdown");
        bool has_md = md && md->is_string() && !md->as_string().empty();
        // Media-only bodies have no text nodes but do render ("[File: x]").
        if (!md || (has_text && !has_md))
          diffs.push_back(key + ": markdown presence differs");
        continue;
      }
      auto* w = e.if_contains(k);
      if (!w || !same(v, *w))
        diffs.push_back(key + ": field " + std::string{k} + ": truth "
                        + json::serialize(v) + " export "
                        + (w ? json::serialize(*w) : std::string{"absent"}));
    }
    if (auto* ta = t.if_contains("acl")) {
      auto* ea = e.if_contains("acl");
      auto ti = truth.acls.find(std::string{ta->as_string()});
      auto ei
        = ea ? got.acls.find(std::string{ea->as_string()}) : got.acls.end();
      if (ti == truth.acls.end() || ei == got.acls.end()) {
        diffs.push_back(key + ": acl line missing");
      } else if (ti->second.anyone != ei->second.anyone
                 || ti->second.users != ei->second.users) {
        diffs.push_back(key + ": acl differs (truth "
                        + std::to_string(ti->second.users.size())
                        + " users, anyone=" + (ti->second.anyone ? "1" : "0")
                        + "; export " + std::to_string(ei->second.users.size())
                        + " users, anyone=" + (ei->second.anyone ? "1" : "0")
                        + ")");
      }
    }
  }
  for (const auto& [key, e] : got.records)
    if (!truth.records.count(key))
      diffs.push_back("extra " + key);
  return diffs;
}

inline std::string http_get(const std::string& url,
                            const std::string& ca_file) {
  jirasync::protocol::http_client_options o;
  o.ca_file = ca_file;
  o.threads = 1;
  jirasync::protocol::http_client client{o};
  jirasync::protocol::http_request req;
  req.url = url;
  req.max_body_bytes = 1ull << 32;
  auto r = client.request(req);
  if (!r.response || r.response->status != 200)
    throw std::runtime_error("GET " + url + " failed");
  return r.response->body;
}

/// POST `body` (JSON) to the sim's control API; the parsed answer.
inline json::value http_post(const std::string& url, const std::string& ca_file,
                             const json::value& body) {
  jirasync::protocol::http_client_options o;
  o.ca_file = ca_file;
  o.threads = 1;
  jirasync::protocol::http_client client{o};
  jirasync::protocol::http_request req;
  req.method = "POST";
  req.url = url;
  req.headers.push_back({"Content-Type", "application/json"});
  req.body = json::serialize(body);
  auto r = client.request(req);
  if (!r.response)
    throw std::runtime_error("POST " + url + " failed");
  return json::parse(r.response->body);
}

/// The truth as the sim's API user sees it, and that user's accountId.
inline dataset visible_truth(const sim_process& sim, std::size_t& hidden) {
  auto full
    = parse_jsonl(http_get(sim.base_url() + "/_sim/truth", sim.str("ca_file")));
  std::string api_user;
  auto users
    = json::parse(http_get(sim.base_url() + "/_sim/users", sim.str("ca_file")));
  for (auto& u : users.as_array())
    if (u.as_object().at("api_user").as_bool())
      api_user = std::string{u.as_object().at("account_id").as_string()};
  if (api_user.empty())
    throw std::runtime_error("the sim names no API user");
  return visible_to(full, api_user, hidden);
}

} // namespace jirasync::testing
