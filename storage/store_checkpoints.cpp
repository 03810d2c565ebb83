// Checkpoints as stored JSON (project checkpoints and the global sync
// checkpoint).
#include "storage/store.hpp"

#include <boost/json.hpp>

#include <cstdint>
#include <type_traits>

namespace json = boost::json;

namespace jirasync::storage {

json::object to_json(const project_checkpoint& c) {
  json::object o;
  o["project_key"] = c.project_key;
  o["project_id"] = c.project_id;
  o["last_updated_ms"] = c.last_updated_ms;
  o["last_issue_id"] = c.last_issue_id;
  o["filters_hash"] = c.filters_hash;
  o["full_sync_done"] = c.full_sync_done;
  o["synced_at_ms"] = c.synced_at_ms;
  o["access_hash"] = c.access_hash;
  return o;
}

namespace {

template<class T>
bool read_field(const json::object& o, std::string_view k, T& out) {
  auto* v = o.if_contains(k);
  if (!v)
    return false;
  if constexpr (std::is_same_v<T, std::string>) {
    if (!v->is_string())
      return false;
    out = std::string(v->get_string());
  } else if constexpr (std::is_same_v<T, bool>) {
    if (!v->is_bool())
      return false;
    out = v->get_bool();
  } else if constexpr (std::is_same_v<T, std::uint64_t>) {
    if (v->is_uint64())
      out = v->get_uint64();
    else if (v->is_int64() && v->get_int64() >= 0)
      out = static_cast<std::uint64_t>(v->get_int64());
    else
      return false;
  } else {
    if (v->is_int64())
      out = v->get_int64();
    else if (v->is_uint64()
             && v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
      out = static_cast<std::int64_t>(v->get_uint64());
    else
      return false;
  }
  return true;
}

} // namespace

std::optional<project_checkpoint>
project_checkpoint_from_json(const json::value& v) {
  if (!v.is_object())
    return std::nullopt;
  auto& o = v.get_object();
  project_checkpoint c;
  if (!read_field(o, "project_key", c.project_key)
      || !read_field(o, "project_id", c.project_id)
      || !read_field(o, "last_updated_ms", c.last_updated_ms)
      || !read_field(o, "last_issue_id", c.last_issue_id)
      || !read_field(o, "filters_hash", c.filters_hash)
      || !read_field(o, "full_sync_done", c.full_sync_done)
      || !read_field(o, "synced_at_ms", c.synced_at_ms))
    return std::nullopt;
  // Added later: optional (a missing fingerprint only costs one full pass).
  if (o.contains("access_hash") && !read_field(o, "access_hash", c.access_hash))
    return std::nullopt;
  return c;
}

json::object to_json(const sync_checkpoint& c) {
  json::object o;
  o["mode"] = c.mode;
  o["started_at_ms"] = c.started_at_ms;
  o["finished_at_ms"] = c.finished_at_ms;
  o["filters_hash"] = c.filters_hash;
  o["result"] = c.result;
  o["error"] = c.error;
  o["added"] = c.added;
  o["updated"] = c.updated;
  o["unchanged"] = c.unchanged;
  o["deleted"] = c.deleted;
  json::object counters;
  for (const auto& [k, n] : c.counters)
    counters[k] = n;
  o["counters"] = std::move(counters);
  return o;
}

std::optional<sync_checkpoint> sync_checkpoint_from_json(const json::value& v) {
  if (!v.is_object())
    return std::nullopt;
  auto& o = v.get_object();
  sync_checkpoint c;
  if (!read_field(o, "mode", c.mode)
      || !read_field(o, "started_at_ms", c.started_at_ms)
      || !read_field(o, "finished_at_ms", c.finished_at_ms)
      || !read_field(o, "filters_hash", c.filters_hash)
      || !read_field(o, "result", c.result) || !read_field(o, "error", c.error)
      || !read_field(o, "added", c.added)
      || !read_field(o, "updated", c.updated)
      || !read_field(o, "unchanged", c.unchanged)
      || !read_field(o, "deleted", c.deleted))
    return std::nullopt;
  if (auto* counters = o.if_contains("counters")) {
    if (!counters->is_object())
      return std::nullopt;
    for (const auto& kv : counters->get_object()) {
      std::int64_t n = 0;
      if (!read_field(counters->get_object(), kv.key(), n))
        return std::nullopt;
      c.counters[std::string(kv.key())] = n;
    }
  }
  return c;
}

} // namespace jirasync::storage
