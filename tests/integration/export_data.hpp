#pragma once
// Reading an export (or the sim's ground truth, same format) for the
// integration tests: ACLs by id and records by "type:id"; fetching a URL of
// the sim's control API over its TLS certificate.

#include "protocol/http/http_client.hpp"

#include <boost/json.hpp>

#include <map>
#include <set>
#include <stdexcept>
#include <string>

namespace jirasync::testing {

struct acl_entry {
  bool anyone = false;
  std::set<std::string> users;
};

/// An export or the truth.
struct dataset {
  std::map<std::string, acl_entry> acls;
  /// "type:id" -> record
  std::map<std::string, boost::json::object> records;
  std::map<std::string, std::size_t> per_type;
};

/// A record's id: "id", or "account_id" for users.
inline std::string record_id(const boost::json::object& o) {
  for (const char* k : {"id", "account_id"})
    if (auto* v = o.if_contains(k); v && v->is_string())
      return std::string{v->as_string()};
  return {};
}

/// Parses JSON Lines (throws on a line that is not a JSON object).
inline dataset parse_jsonl(const std::string& text) {
  namespace json = boost::json;
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

/// GET `url` (trusting `ca_file`); the body of a 200, else throws.
inline std::string http_get(const std::string& url,
                            const std::string& ca_file) {
  protocol::http_client_options o;
  o.ca_file = ca_file;
  o.threads = 1;
  protocol::http_client client{o};
  protocol::http_request req;
  req.url = url;
  req.max_body_bytes = 1ull << 32;
  auto r = client.request(req);
  if (!r.response || r.response->status != 200)
    throw std::runtime_error("GET " + url + " failed");
  return r.response->body;
}

} // namespace jirasync::testing
