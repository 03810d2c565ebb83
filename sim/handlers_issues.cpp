// Issue endpoints: /search/jql (GET, POST), the removed /search (410),
// /search/approximate-count, /issue/bulkfetch, /issue/{idOrKey},
// /issue/{idOrKey}/comment.
#include "sim/jql.hpp"
#include "sim/server_handlers.hpp"
#include "sim/server_http.hpp"
#include "sim/server_internals.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>

namespace jirasim {

namespace {

constexpr std::string_view not_found_issue
  = "Issue does not exist or you do not have permission to see it.";

std::uint64_t fnv1a(std::string_view s,
                    std::uint64_t h = 1469598103934665603ull) {
  for (unsigned char ch : s) {
    h ^= ch;
    h *= 1099511628211ull;
  }
  return h;
}

/// The token binds the page offset to (query, fields, caller).
std::string make_token(std::int64_t offset, std::uint64_t binding) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "v1|%lld|%016llx",
                static_cast<long long>(offset),
                static_cast<unsigned long long>(binding));
  return base64_encode(buf, base64_url);
}

std::optional<std::int64_t> read_token(std::string_view token,
                                       std::uint64_t binding) {
  auto raw = base64_decode(token, base64_url);
  if (!raw)
    return std::nullopt;
  long long off = 0;
  unsigned long long h = 0;
  if (std::sscanf(raw->c_str(), "v1|%lld|%llx", &off, &h) != 2)
    return std::nullopt;
  if (h != binding || off < 0)
    return std::nullopt;
  return off;
}

struct search_params {
  std::string jql;
  std::optional<std::string> token;
  std::optional<std::int64_t> max_results;
  std::vector<std::string> fields;
  bool bad = false;
};

search_params read_search(api_call& c) {
  search_params p;
  if (c.req.method == "GET") {
    p.jql = std::string(c.req.param("jql").value_or(""));
    if (auto t = c.req.param("nextPageToken"))
      p.token = std::string(*t);
    if (c.req.param("maxResults")) {
      auto m = int_param(c.req, "maxResults", 50);
      if (!m)
        p.bad = true;
      p.max_results = m;
    }
    p.fields = list_param(c.req, "fields");
    return p;
  }
  boost::system::error_code ec;
  auto v = parse_body(c.req.body, ec);
  if (ec || !v.is_object()) {
    p.bad = true;
    return p;
  }
  auto& o = v.as_object();
  if (auto* j = o.if_contains("jql"); j && j->is_string())
    p.jql = j->as_string();
  if (auto* t = o.if_contains("nextPageToken"); t && t->is_string())
    p.token = std::string(t->as_string());
  if (auto* m = o.if_contains("maxResults")) {
    if (m->is_int64())
      p.max_results = m->as_int64();
    else if (!m->is_null())
      p.bad = true;
  }
  if (auto* f = o.if_contains("fields"); f && f->is_array())
    for (auto& e : f->as_array())
      if (e.is_string())
        p.fields.emplace_back(e.as_string());
  return p;
}

/// The visible issues matching `jql`, in order; or an error response.
std::variant<std::vector<const issue*>, api_result>
visible_matches(api_call& c, std::string_view jql) {
  auto& in = c.app.in();
  std::string key
    = std::string(jql) + '\x1f' + c.me().account_id + '\x1f' + c.tz;
  std::shared_ptr<const std::vector<std::int64_t>> ids;
  {
    std::lock_guard lock{in.search_mu};
    auto it = in.search_cache.find(key);
    if (it != in.search_cache.end() && it->second.data_epoch == c.ws.data_epoch
        && c.now_ms < it->second.valid_until_ms) {
      it->second.last_used = ++in.search_tick;
      ids = it->second.ids;
    }
  }
  if (!ids) {
    auto compiled = compile_jql(c.ws, jql, c.tz);
    if (auto* e = std::get_if<jql_error>(&compiled))
      return error_result(400, e->message);
    auto all = run_jql(c.ws, std::get<jql_compiled>(compiled), c.now_ms);
    auto vis = std::make_shared<std::vector<std::int64_t>>();
    vis->reserve(all.size());
    for (auto id : all) {
      auto* i = find_issue(c.ws, id);
      if (i && c.vis->can_see_issue(c.ws, c.caller, *i))
        vis->push_back(id);
    }
    // The result changes when a pending index update becomes visible.
    std::int64_t valid_until = INT64_MAX;
    for (auto& i : c.ws.issues)
      if (i.indexed_at_ms > c.now_ms)
        valid_until = std::min(valid_until, i.indexed_at_ms);
    ids = vis;
    std::lock_guard lock{in.search_mu};
    if (in.search_cache.size() >= 64) {
      auto oldest = in.search_cache.begin();
      for (auto it = in.search_cache.begin(); it != in.search_cache.end(); ++it)
        if (it->second.last_used < oldest->second.last_used)
          oldest = it;
      in.search_cache.erase(oldest);
    }
    in.search_cache[key]
      = {c.ws.data_epoch, valid_until, ++in.search_tick, ids};
  }
  std::vector<const issue*> out;
  out.reserve(ids->size());
  for (auto id : *ids)
    if (auto* i = find_issue(c.ws, id))
      out.push_back(i);
  return out;
}

const issue* visible_issue(api_call& c, std::string_view id_or_key) {
  auto* i = find_issue_by_id_or_key(c.ws, id_or_key);
  if (!i || !c.vis->can_see_issue(c.ws, c.caller, *i))
    return nullptr;
  return i;
}

} // namespace

api_result search_jql(api_call& c) {
  auto p = read_search(c);
  if (p.bad)
    return error_result(400, "Invalid request payload. Refer to the REST API "
                             "documentation and try again.");
  if (c.app.refuse_id_ranges()) {
    // The fault of /_sim/faults refuse_id_ranges (not Jira Cloud's
    // behaviour): Jira's wording for an operator a field does not take.
    auto parsed = parse_jql(p.jql);
    if (auto* q = std::get_if<jql_query>(&parsed))
      if (auto op = id_range_op(*q))
        return error_result(400, "The operator '" + std::string(to_string(*op))
                                   + "' is not supported by the 'id' field.");
  }
  auto sel = parse_fields(p.fields, false);
  std::int64_t cap = sel.id_only() ? 5000 : 100;
  auto max = p.max_results.value_or(50);
  if (max < 0)
    return error_result(400, "The value of maxResults must not be negative.");
  max = std::clamp<std::int64_t>(max, 1, cap);
  std::string field_key;
  for (auto& f : p.fields)
    field_key += f + ",";
  auto binding = fnv1a(p.jql + '\x1f' + field_key + '\x1f' + c.me().account_id);
  std::int64_t offset = 0;
  if (p.token) {
    auto off = read_token(*p.token, binding);
    if (!off)
      return error_result(400, "The provided next page token is invalid or "
                               "does not match the query.");
    offset = *off;
  }
  auto matches = visible_matches(c, p.jql);
  if (auto* err = std::get_if<api_result>(&matches))
    return std::move(*err);
  auto& list = std::get<std::vector<const issue*>>(matches);
  auto total = static_cast<std::int64_t>(list.size());
  json::array issues;
  std::size_t objects = 0;
  for (auto i = offset;
       i < total && static_cast<std::int64_t>(issues.size()) < max; ++i) {
    auto& is = *list[static_cast<std::size_t>(i)];
    if (sel.id_only()) {
      json::object o;
      o["id"] = std::to_string(is.id);
      issues.push_back(std::move(o));
    } else {
      issues.push_back(issue_json(c, is, sel, objects));
    }
  }
  auto n = static_cast<std::int64_t>(issues.size());
  json::object o;
  bool last = offset + n >= total;
  o["issues"] = std::move(issues);
  if (!last)
    o["nextPageToken"] = make_token(offset + n, binding);
  o["isLast"] = last;
  return json_result(200, o, static_cast<std::size_t>(n) + objects, 0);
}

api_result search_removed(api_call&) {
  return error_result(410,
                      "The requested API has been removed. Please migrate "
                      "to the /rest/api/3/search/jql API. A full migration "
                      "guideline is available at "
                      "https://developer.atlassian.com/changelog/#CHANGE-2046");
}

api_result approximate_count(api_call& c) {
  boost::system::error_code ec;
  auto v = parse_body(c.req.body, ec);
  if (ec || !v.is_object() || !v.as_object().contains("jql")
      || !v.as_object().at("jql").is_string())
    return error_result(400, "Invalid request payload. Refer to the REST API "
                             "documentation and try again.");
  auto matches = visible_matches(c, v.as_object().at("jql").as_string());
  if (auto* err = std::get_if<api_result>(&matches))
    return std::move(*err);
  json::object o;
  o["count"] = std::get<std::vector<const issue*>>(matches).size();
  return json_result(200, o);
}

api_result bulkfetch(api_call& c) {
  boost::system::error_code ec;
  auto v = parse_body(c.req.body, ec);
  if (ec || !v.is_object())
    return error_result(400, "Invalid request payload. Refer to the REST API "
                             "documentation and try again.");
  auto& o = v.as_object();
  auto* ids = o.if_contains("issueIdsOrKeys");
  if (!ids || !ids->is_array() || ids->as_array().empty())
    return error_result(400, "issueIdsOrKeys must not be empty.");
  if (ids->as_array().size() > 100)
    return error_result(400,
                        "The number of issueIdsOrKeys must not exceed 100.");
  std::vector<std::string> raw_fields;
  if (auto* f = o.if_contains("fields"); f && f->is_array())
    for (auto& e : f->as_array())
      if (e.is_string())
        raw_fields.emplace_back(e.as_string());
  auto sel = parse_fields(raw_fields, true);
  std::vector<const issue*> found;
  json::array errors;
  for (auto& e : ids->as_array()) {
    std::string key = e.is_string()  ? std::string(e.as_string())
                      : e.is_int64() ? std::to_string(e.as_int64())
                                     : std::string{};
    auto* i = find_issue_by_id_or_key(c.ws, key);
    if (!i || !c.vis->can_see_issue(c.ws, c.caller, *i)) {
      json::object err;
      err["id"] = key;
      err["errorMessage"] = not_found_issue;
      errors.push_back(std::move(err));
      continue;
    }
    found.push_back(i);
  }
  std::sort(found.begin(), found.end(), [](auto* a, auto* b) {
    return a->id < b->id;
  });
  found.erase(std::unique(found.begin(), found.end()), found.end());
  json::array issues;
  std::size_t objects = 0;
  for (auto* i : found)
    issues.push_back(issue_json(c, *i, sel, objects));
  json::object out;
  out["expand"] = "schema,names";
  out["issues"] = std::move(issues);
  out["issueErrors"] = std::move(errors);
  return json_result(200, out, found.size() + objects, 0);
}

api_result get_issue(api_call& c) {
  auto* i = visible_issue(c, c.args[0]);
  if (!i)
    return error_result(404, not_found_issue);
  auto sel = parse_fields(list_param(c.req, "fields"), true);
  std::size_t objects = 0;
  auto o = issue_json(c, *i, sel, objects);
  return json_result(200, o, 1 + objects, 0);
}

api_result issue_comments(api_call& c) {
  auto* i = visible_issue(c, c.args[0]);
  if (!i)
    return error_result(404, not_found_issue);
  auto pg = read_page(c.req, 100, 100);
  if (pg.error)
    return *pg.error;
  auto order = c.req.param("orderBy").value_or("created");
  std::vector<const comment*> vis;
  for (auto& k : i->comments)
    if (can_see_comment(c.ws, c.caller, *i, k))
      vis.push_back(&k);
  if (order == "-created")
    std::reverse(vis.begin(), vis.end());
  auto list = pg.values(vis.size(), [&](std::size_t x) {
    return comment_json(c, *i, *vis[x]);
  });
  json::object o;
  o["startAt"] = pg.start;
  o["maxResults"] = pg.max;
  o["total"] = vis.size();
  auto count = list.size();
  o["comments"] = std::move(list);
  return json_result(200, o, count, 0);
}

} // namespace jirasim
