#include "sync/permissions_gaps.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace jirasync::sync {

namespace {

bool names_product(const std::vector<protocol::permission_holder>& hs) {
  for (const auto& h : hs)
    if (h.type == protocol::holder_type::application_role && h.parameter
        && !h.parameter->empty())
      return true;
  return false;
}

std::string str(const boost::json::object& o, std::string_view k) {
  auto* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->get_string()) : std::string{};
}

} // namespace

bool is_refusal(const common::error& e) {
  return e.code == common::errc::permission_denied;
}

access_gap gap_of(std::string part, std::string_view needs,
                  const common::error& e) {
  return access_gap{std::move(part),
                    is_refusal(e) ? std::string{needs} : std::string{},
                    e.message};
}

std::vector<access_gap> effective_gaps(const project_access& p,
                                       const identity_directory& dir) {
  auto out = p.gaps;
  bool product = names_product(p.browse_holders);
  for (const auto& [id, members] : p.level_members)
    product = product || names_product(members);
  for (const auto& g : dir.gaps) {
    if (g.part == "application roles" && !product)
      continue;
    out.push_back(g);
  }
  return out;
}

std::optional<degraded_project> assess(const project_access& p,
                                       const identity_directory& dir) {
  auto gaps = effective_gaps(p, dir);
  if (gaps.empty())
    return std::nullopt;
  return degraded_project{p.project_key, std::move(gaps)};
}

unknown_kinds unknown_holders(const project_access& p) {
  unknown_kinds out;
  auto scan = [&](const std::vector<protocol::permission_holder>& hs) {
    for (const auto& h : hs)
      if (h.type == protocol::holder_type::other && out.holders++ == 0)
        out.holder_example = h.type_raw;
  };
  scan(p.browse_holders);
  for (const auto& [id, members] : p.level_members)
    scan(members);
  return out;
}

std::string describe(const access_gap& g) {
  std::string s = g.part + " unknown";
  if (!g.missing_permission.empty())
    s += " (needs " + g.missing_permission + ")";
  if (!g.reason.empty())
    s += ": " + g.reason;
  return s;
}

std::string describe(const degraded_project& d) {
  std::string s = d.project_key + ":";
  std::vector<bool> done(d.gaps.size(), false);
  for (std::size_t i = 0; i < d.gaps.size(); ++i) {
    if (done[i])
      continue;
    const auto& g = d.gaps[i];
    std::string parts = g.part;
    for (std::size_t j = i + 1; j < d.gaps.size(); ++j)
      if (!done[j] && d.gaps[j].missing_permission == g.missing_permission
          && !g.missing_permission.empty()) {
        parts += ", " + d.gaps[j].part;
        done[j] = true;
      }
    s += i == 0 ? " " : "; ";
    s += describe(access_gap{parts, g.missing_permission, g.reason});
  }
  return s;
}

boost::json::array degraded_to_json(const std::vector<degraded_project>& ds) {
  boost::json::array out;
  for (const auto& d : ds) {
    boost::json::array gaps;
    for (const auto& g : d.gaps) {
      boost::json::object o;
      o["part"] = g.part;
      if (g.missing_permission.empty())
        o["missing_permission"] = nullptr;
      else
        o["missing_permission"] = g.missing_permission;
      o["reason"] = g.reason;
      gaps.emplace_back(std::move(o));
    }
    boost::json::object o;
    o["project_key"] = d.project_key;
    o["gaps"] = std::move(gaps);
    out.emplace_back(std::move(o));
  }
  return out;
}

void add_permission_report(storage::write_batch_spec& spec,
                           std::size_t failures, bool fatal,
                           const std::vector<degraded_project>& degraded,
                           std::uint64_t hidden_email_users) {
  if (spec.sync) {
    auto& cp = *spec.sync;
    cp.counters["degraded_projects"]
      = static_cast<std::int64_t>(degraded.size());
    cp.counters["hidden_email_users"]
      = static_cast<std::int64_t>(hidden_email_users);
    if (!fatal && !degraded.empty()) {
      std::string why;
      if (failures > 0)
        why = std::to_string(failures) + " record(s) or project(s) failed; ";
      why += std::to_string(degraded.size())
             + " project(s) degraded (permission data not readable):";
      for (const auto& d : degraded)
        why += " " + d.project_key;
      cp.error = std::move(why);
    }
  }
  if (!fatal || !degraded.empty())
    spec.meta[std::string{degraded_meta_key}]
      = boost::json::serialize(degraded_to_json(degraded));
}

std::vector<degraded_project> degraded_from_json(const boost::json::value& v) {
  std::vector<degraded_project> out;
  if (!v.is_array())
    return out;
  for (const auto& e : v.get_array()) {
    if (!e.is_object())
      continue;
    const auto& o = e.get_object();
    degraded_project d;
    d.project_key = str(o, "project_key");
    auto* gs = o.if_contains("gaps");
    if (d.project_key.empty() || !gs || !gs->is_array())
      continue;
    for (const auto& gv : gs->get_array()) {
      if (!gv.is_object())
        continue;
      const auto& go = gv.get_object();
      d.gaps.push_back(access_gap{
        str(go, "part"), str(go, "missing_permission"), str(go, "reason")});
    }
    if (!d.gaps.empty())
      out.push_back(std::move(d));
  }
  return out;
}

} // namespace jirasync::sync
