#pragma once
// The one reader and comparer of exports for the integration tests: an
// export (or the sim's ground truth, same format) read as ACLs by id and
// records by "type:id"; the truth as the API user sees it; the export
// compared with it record by record, ACL user lists included (API-token and
// OAuth mode alike: check_exact); the sim's control API (GET and POST over
// its TLS certificate).
#include "child_process.hpp"

#include "protocol/http/http_client.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

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

/// Each non-empty line of JSON Lines `text` as an object (throws on a line
/// that is not a JSON object).
inline std::vector<boost::json::object> json_lines(const std::string& text) {
  std::vector<boost::json::object> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto end = text.find('\n', pos);
    if (end == std::string::npos)
      end = text.size();
    auto line = text.substr(pos, end - pos);
    pos = end + 1;
    if (!line.empty())
      out.push_back(boost::json::parse(line).as_object());
  }
  return out;
}

/// Parses an export or the truth (JSON Lines; throws on a line that is
/// not a JSON object).
inline dataset parse_jsonl(const std::string& text) {
  dataset d;
  for (auto& o : json_lines(text)) {
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

/// An answer of the sim.
struct http_answer {
  int status = 0;
  std::string body;
};

/// `method` `url` (trusting `ca_file`) with `headers` and a JSON `body`
/// when not empty; throws when no answer came.
inline http_answer http_call(const std::string& method, const std::string& url,
                             const std::string& ca_file,
                             const std::string& body = {},
                             protocol::header_list headers = {}) {
  protocol::http_client_options o;
  o.ca_file = ca_file;
  o.threads = 1;
  protocol::http_client client{o};
  protocol::http_request req;
  req.method = method;
  req.url = url;
  req.headers = std::move(headers);
  req.max_body_bytes = 1ull << 32;
  if (!body.empty()) {
    req.headers.emplace_back("Content-Type", "application/json");
    req.body = body;
  }
  auto r = client.request(req);
  if (!r.response)
    throw std::runtime_error(method + " " + url + " failed");
  return {r.response->status, r.response->body};
}

/// GET `url` (trusting `ca_file`); the body of a 200, else throws.
inline std::string http_get(const std::string& url,
                            const std::string& ca_file) {
  auto r = http_call("GET", url, ca_file);
  if (r.status != 200)
    throw std::runtime_error("GET " + url + " failed: HTTP "
                             + std::to_string(r.status));
  return r.body;
}

/// JSON equality, numbers compared by value (int64 vs uint64 vs double).
inline bool same(const boost::json::value& a, const boost::json::value& b) {
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

/// indexing.attachment_text_max_bytes by default: longer attachment texts
/// are exported cut at a character boundary.
constexpr std::size_t text_cap = 1u << 20;

/// The first of `wanted` (strings) that `text` does not contain after the
/// previous one; nullopt when all are there in order.
inline std::optional<std::string>
first_missing_in_order(std::string_view text,
                       const boost::json::array& wanted) {
  std::size_t at = 0;
  for (const auto& s : wanted) {
    auto pos = text.find(std::string_view{s.as_string()}, at);
    if (pos == std::string_view::npos)
      return std::string{s.as_string()};
    at = pos + s.as_string().size();
  }
  return std::nullopt;
}

/// Whether `s` is only white space as jirasync's Markdown converter (and
/// cmark) reads it: ASCII space, tab, line breaks, form feed, and Unicode
/// Zs (no-break space, U+1680, U+2000..U+200A, U+202F, U+205F, U+3000).
inline bool is_blank_text(std::string_view s) {
  static constexpr std::string_view zs[]
    = {"\u00a0", "\u1680", "\u2000", "\u2001", "\u2002", "\u2003",
       "\u2004", "\u2005", "\u2006", "\u2007", "\u2008", "\u2009",
       "\u200a", "\u202f", "\u205f", "\u3000"};
  std::size_t i = 0;
  while (i < s.size()) {
    if (std::string_view{" \t\n\r\f"}.find(s[i]) != std::string_view::npos) {
      ++i;
      continue;
    }
    std::size_t n = 0;
    for (auto z : zs)
      if (s.substr(i).starts_with(z))
        n = z.size();
    if (n == 0)
      return false;
    i += n;
  }
  return true;
}

/// Whether the truth's text nodes of an issue or comment hold visible text.
/// A body whose only text is blank (e.g. a " " between two placeholder
/// nodes, which Jira's renderer leaves out) shows nothing, and its Markdown
/// is empty: a line of spaces and tabs is a blank line in CommonMark (spec
/// 0.31.2, 4.9), and the converter drops a paragraph of white space only.
inline bool truth_has_text(const boost::json::array& texts) {
  for (auto& s : texts)
    if (s.is_string() && !is_blank_text(s.as_string()))
      return true;
  return false;
}

/// Every mismatch as a line; empty = identical. Markdown is compared by
/// presence (the truth has ADF text nodes; `truth_has_text`); an attachment
/// text longer than `text_cap` must be exported as its prefix cut at most 4
/// bytes short; a real document's `text_contains` (issue 16) must all be in the
/// exported text, in order.
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
        bool has_text = truth_has_text(v.as_array());
        auto* md = e.if_contains("markdown");
        bool has_md = md && md->is_string() && !md->as_string().empty();
        // Media-only bodies have no text nodes but do render ("[File: x]").
        if (!md || (has_text && !has_md))
          diffs.push_back(key + ": markdown presence differs");
        continue;
      }
      auto* w = e.if_contains(k);
      if (k == "text_contains") {
        std::string_view text;
        if (w = e.if_contains("text"); w && w->is_string())
          text = w->as_string();
        if (auto missing = first_missing_in_order(text, v.as_array()))
          diffs.push_back(key + ": text lacks \"" + *missing + "\" (in order)");
        continue;
      }
      if (k == "text" && type == "attachment" && w && v.is_string()
          && w->is_string() && v.as_string().size() > text_cap
          && w->as_string().size() <= text_cap
          && std::string_view(v.as_string())
               .starts_with(std::string_view(w->as_string()))
          && w->as_string().size() + 4 > text_cap)
        continue; // the text is capped (indexing.attachment_text_max_bytes)
      if (!w || !same(v, *w))
        diffs.push_back(
          key + ": field " + std::string{k} + ": truth "
          + boost::json::serialize(v) + " export "
          + (w ? boost::json::serialize(*w) : std::string{"absent"}));
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

/// POST `body` (JSON text) to `url`; the answer whatever its status (400 =
/// refused, e.g. "The actor is already in the role."). Throws when none came.
inline http_answer http_post(const std::string& url, const std::string& ca_file,
                             const std::string& body) {
  return http_call("POST", url, ca_file, body);
}

/// The sim's API user's accountId (GET /_sim/users); throws if none.
/// Writes `folder`/jirasync.toml for an API-token sync of `sim` into
/// `folder`/store (the token through JIRASYNC_IT_TOKEN, set here), then
/// `extra` (more TOML tables) verbatim. Returns its path.
inline std::filesystem::path
write_site_config(const sim_process& sim, const std::filesystem::path& folder,
                  const std::string& extra = "") {
  ::setenv("JIRASYNC_IT_TOKEN", sim.str("api_token").c_str(), 1);
  auto cfg = folder / "jirasync.toml";
  std::ofstream out{cfg};
  out << "[jira]\nsite = \"" << sim.base_url() << "\"\n"
      << "email = \"" << sim.str("email") << "\"\n"
      << "api_token_env = \"JIRASYNC_IT_TOKEN\"\n"
      << "ca_file = \"" << sim.str("ca_file") << "\"\n"
      << "[storage]\npath = \"" << (folder / "store").string() << "\"\n"
      << extra;
  return cfg;
}

inline std::string sim_api_user(const sim_process& sim) {
  auto users = boost::json::parse(
    http_get(sim.base_url() + "/_sim/users", sim.str("ca_file")));
  for (auto& u : users.as_array())
    if (u.as_object().at("api_user").as_bool())
      return std::string{u.as_object().at("account_id").as_string()};
  throw std::runtime_error("the sim names no API user");
}

/// The sim's whole truth (GET /_sim/truth).
inline dataset sim_truth(const sim_process& sim) {
  return parse_jsonl(
    http_get(sim.base_url() + "/_sim/truth", sim.str("ca_file")));
}

/// The truth as the sim's API user sees it; `hidden` counts the rest.
inline dataset visible_truth(const sim_process& sim, std::size_t& hidden) {
  return visible_to(sim_truth(sim), sim_api_user(sim), hidden);
}

/// jira-sim's workspace for the full-sync comparisons (API-token and OAuth
/// mode): 700 issues in 5 projects, 40 users, two issues with 230 comments
/// (several comment pages), one large attachment (over the text cap).
inline std::vector<std::string> full_sync_workspace() {
  return {"--seed",
          "11",
          "--issues",
          "700",
          "--projects",
          "5",
          "--users",
          "40",
          "--heavy-comment-issues",
          "2",
          "--heavy-comment-count",
          "230",
          "--large-attachments",
          "1"};
}

/// The checks of every full-sync integration test: the sync and the export
/// succeeded, and the export equals the truth as the API user sees it,
/// record by record, ACLs included. `context`: what to show on failure.
inline void check_exact(const sim_process& sim, int sync_rc, int export_rc,
                        const std::string& exported,
                        const std::string& context) {
  INFO(context);
  REQUIRE(sync_rc == 0);
  REQUIRE(export_rc == 0);
  std::size_t hidden = 0;
  auto truth = visible_truth(sim, hidden);
  INFO("records hidden from the API user by Jira's own rules: " << hidden);
  auto got = parse_jsonl(exported);
  // The workspace has every feature the comparison relies on.
  REQUIRE(truth.per_type["issue"] > 0);
  REQUIRE(truth.per_type["comment"] > 0);
  REQUIRE(truth.per_type["attachment"] > 0);
  REQUIRE(truth.per_type["user"] > 0);
  REQUIRE(truth.per_type["group"] > 0);
  REQUIRE(truth.per_type["project"] > 0);
  auto diffs = compare(truth, got);
  for (std::size_t i = 0; i < diffs.size() && i < 25; ++i)
    UNSCOPED_INFO(diffs[i]);
  CHECK(diffs.size() == 0);
  for (const auto& [type, n] : truth.per_type) {
    INFO("type " << type);
    CHECK(got.per_type[type] == n);
  }
}

} // namespace jirasync::testing
