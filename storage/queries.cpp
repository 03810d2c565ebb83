#include "storage/queries.hpp"

#include "common/time_format.hpp"

#include <boost/json.hpp>

#include <chrono>
#include <map>
#include <sstream>
#include <thread>

namespace json = boost::json;

namespace jirasync::storage {

common::result<std::unique_ptr<store>>
open_for_reading(const std::filesystem::path& path) {
  open_options o;
  o.create_if_missing = false;
  o.read_only = true;
  auto r = store::open(path, o);
  // A read-only open races with a running writer (a flush or compaction can
  // remove a file the open is reading): retry a few times before giving up.
  for (int attempt = 0; attempt < 3 && !r
                        && (r.error().code == common::errc::io_error
                            || r.error().code == common::errc::corruption);
       ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    r = store::open(path, o);
  }
  if (!r && r.error().code == common::errc::not_found)
    return common::make_error(common::errc::not_found,
                              "no store at " + path.string()
                                + ": run jirasync sync first");
  return r;
}

std::optional<record_ref> parse_record_ref(std::string_view text) {
  auto colon = text.find(':');
  if (colon == std::string_view::npos || colon + 1 == text.size())
    return std::nullopt;
  auto type = parse_record_type(text.substr(0, colon));
  if (!type
      || (*type != record_type::issue && *type != record_type::comment
          && *type != record_type::attachment))
    return std::nullopt;
  return record_ref{*type, std::string(text.substr(colon + 1))};
}

common::result<std::optional<acl_record>> acl_of_record(store& db,
                                                        const record_ref& ref) {
  std::optional<std::string> acl;
  switch (ref.type) {
    case record_type::issue: {
      auto i = db.get_issue(ref.id_or_key);
      if (!i)
        return i.error();
      if (!*i) {
        i = db.get_issue_by_key(ref.id_or_key);
        if (!i)
          return i.error();
      }
      if (*i)
        acl = (*i)->acl;
      break;
    }
    case record_type::comment: {
      auto c = db.get_comment(ref.id_or_key);
      if (!c)
        return c.error();
      if (*c)
        acl = (*c)->acl;
      break;
    }
    case record_type::attachment: {
      auto a = db.get_attachment(ref.id_or_key);
      if (!a)
        return a.error();
      if (*a)
        acl = (*a)->acl;
      break;
    }
    default:
      break;
  }
  if (!acl)
    return std::optional<acl_record>{};
  auto a = db.get_acl(*acl);
  if (!a)
    return a.error();
  if (!*a)
    return common::make_error(common::errc::corruption,
                              std::string(to_string(ref.type)) + " "
                                + ref.id_or_key + " names missing ACL " + *acl);
  return a;
}

common::result<json::object> status_json(store& db) {
  json::object o;
  o["path"] = db.path().string();
  o["schema_version"] = schema_version;
  auto seq = db.last_seq();
  if (!seq)
    return seq.error();
  o["last_seq"] = *seq;
  auto counts = db.counts();
  if (!counts)
    return counts.error();
  json::object c;
  for (std::size_t i = 0; i < record_type_count; ++i)
    c[to_string(static_cast<record_type>(i))] = counts->by_type[i];
  o["counts"] = std::move(c);
  auto sync = db.get_sync_checkpoint();
  if (!sync)
    return sync.error();
  if (*sync)
    o["last_sync"] = to_json(**sync);
  else
    o["last_sync"] = nullptr;
  auto cps = db.checkpoints();
  if (!cps)
    return cps.error();
  json::array projects;
  for (const auto& cp : *cps)
    projects.emplace_back(to_json(cp));
  o["projects"] = std::move(projects);
  return o;
}

namespace {

std::string time_or_never(const json::value* v) {
  if (!v || !v->is_int64() || v->get_int64() == 0)
    return "never";
  return common::format_rfc3339_ms(v->get_int64());
}

std::string str(const json::object& o, std::string_view k) {
  auto* v = o.if_contains(k);
  if (v && v->is_string())
    return std::string(v->get_string());
  if (v && (v->is_int64() || v->is_uint64()))
    return json::serialize(*v);
  return "";
}

} // namespace

std::string status_text(const json::object& s) {
  std::ostringstream out;
  out << "store: " << str(s, "path") << " (schema " << str(s, "schema_version")
      << ", change feed at seq " << str(s, "last_seq") << ")\n";
  out << "records:";
  if (auto* c = s.if_contains("counts"); c && c->is_object()) {
    bool first = true;
    for (const auto& kv : c->get_object()) {
      out << (first ? " " : ", ") << kv.key() << " "
          << json::serialize(kv.value());
      first = false;
    }
  }
  out << "\n";
  auto* ls = s.if_contains("last_sync");
  if (!ls || !ls->is_object()) {
    out << "last sync: none\n";
  } else {
    auto& l = ls->get_object();
    out << "last sync: " << str(l, "result") << " (" << str(l, "mode")
        << "), started " << time_or_never(l.if_contains("started_at_ms"))
        << ", finished " << time_or_never(l.if_contains("finished_at_ms"))
        << "\n  added " << str(l, "added") << ", updated " << str(l, "updated")
        << ", unchanged " << str(l, "unchanged") << ", deleted "
        << str(l, "deleted") << "\n";
    if (auto e = str(l, "error"); !e.empty())
      out << "  error: " << e << "\n";
    if (auto* ctr = l.if_contains("counters");
        ctr && ctr->is_object() && !ctr->get_object().empty()) {
      // One line for the plain counters, one per group ("waited_ms.x",
      // "peak_in_flight.y": the part before the dot names the group).
      std::map<std::string, std::string> lines;
      for (const auto& kv : ctr->get_object()) {
        std::string key{kv.key()};
        auto dot = key.find('.');
        auto group = dot == std::string::npos ? "" : key.substr(0, dot);
        auto name = dot == std::string::npos ? key : key.substr(dot + 1);
        lines[group] += " " + name + "=" + json::serialize(kv.value());
      }
      for (const auto& [group, line] : lines)
        out << "  " << (group.empty() ? "counters" : group) << ":" << line
            << "\n";
    }
  }
  if (auto* ns = s.if_contains("next_sync"); ns && ns->is_object())
    out << "next sync: " << str(ns->get_object(), "mode") << " ("
        << str(ns->get_object(), "reason") << ")\n";
  auto* ps = s.if_contains("projects");
  if (!ps || !ps->is_array() || ps->get_array().empty()) {
    out << "projects: none synced yet\n";
  } else {
    out << "projects:\n";
    for (const auto& pv : ps->get_array()) {
      if (!pv.is_object())
        continue;
      auto& p = pv.get_object();
      auto* full = p.if_contains("full_sync_done");
      bool done = full && full->is_bool() && full->get_bool();
      out << "  " << str(p, "project_key") << " (id " << str(p, "project_id")
          << "): " << (done ? "full sync done" : "full sync pending")
          << ", issues updated up to "
          << time_or_never(p.if_contains("last_updated_ms")) << ", synced at "
          << time_or_never(p.if_contains("synced_at_ms")) << "\n";
    }
  }
  return out.str();
}

} // namespace jirasync::storage
