#include "sync/run_plan.hpp"

#include "common/sha256.hpp"
#include "common/time_format.hpp"

#include <algorithm>
#include <utility>

namespace jirasync::sync {

std::string_view to_string(sync_mode m) {
  return m == sync_mode::incremental ? "incremental" : "full";
}

project_plan plan_project(const std::optional<storage::project_checkpoint>& cp,
                          const std::string& filters_hash,
                          const std::string& access_hash, bool forced_full) {
  project_plan p;
  if (!cp) {
    p.reason = "no checkpoint yet";
    return p;
  }
  if (cp->filters_hash != filters_hash) {
    p.reason = "the sync filters changed";
    return p;
  }
  if (!cp->full_sync_done && !access_hash.empty()
      && cp->access_hash != access_hash) {
    // What the interrupted pass committed has ACLs of other permissions.
    p.reason = "restarting an interrupted full sync: its permissions changed";
    return p;
  }
  if (!cp->full_sync_done) {
    // An interrupted (or failed) full pass of the same filters: go on where
    // its committed prefix ended, with the high-water mark it began with.
    p.reason = cp->last_issue_id.empty()
                 ? "resuming an interrupted full sync"
                 : "resuming an interrupted full sync after issue "
                     + cp->last_issue_id;
    p.resume_after_id = cp->last_issue_id;
    p.pass_started_updated_ms = cp->last_updated_ms;
    return p;
  }
  if (forced_full) {
    p.reason = "--full";
    return p;
  }
  p.mode = sync_mode::incremental;
  p.since_ms = cp->last_updated_ms;
  p.reason = "changes since " + common::format_rfc3339_ms(cp->last_updated_ms);
  if (!access_hash.empty() && cp->access_hash != access_hash) {
    p.refresh_acls = true;
    p.reason += "; its permissions changed (groups, roles, permission scheme "
                "or security levels): every stored ACL is recomputed";
  }
  return p;
}

run_plan plan_run(bool forced_full,
                  const std::optional<storage::sync_checkpoint>& last,
                  const std::vector<storage::project_checkpoint>& cps,
                  const std::string& filters_hash) {
  run_plan r;
  r.forced_full = forced_full;
  for (const auto& c : cps)
    r.checkpoints.emplace(c.project_key, c);
  bool filters_changed = (last && last->filters_hash != filters_hash);
  bool unfinished = false;
  for (const auto& c : cps) {
    if (c.filters_hash != filters_hash)
      filters_changed = true;
    if (!c.full_sync_done)
      unfinished = true;
  }
  if (forced_full) {
    r.reason = "--full was given";
  } else if (!last && cps.empty()) {
    r.reason = "first run (no checkpoint in the store)";
  } else if (filters_changed) {
    r.reason = "the sync filters changed since the last run";
  } else if (cps.empty()) {
    r.reason = "no project was synced yet";
  } else {
    r.mode = sync_mode::incremental;
    r.reason = unfinished ? "checkpoints found; an interrupted full sync of "
                            "some project(s) is resumed"
                          : "checkpoints of " + std::to_string(cps.size())
                              + " project(s)";
  }
  return r;
}

namespace {

void add(common::sha256_hasher& h, std::string_view tag, std::string_view v) {
  // Length-prefixed: no two different inputs give the same byte stream.
  h.update(tag);
  h.update(std::to_string(v.size()));
  h.update(":");
  h.update(v);
}

void add_opt(common::sha256_hasher& h, std::string_view tag,
             const std::optional<std::string>& v) {
  add(h, tag, v ? "1" + *v : std::string{"0"});
}

void add_holders(common::sha256_hasher& h,
                 const std::vector<protocol::permission_holder>& hs) {
  add(h, "holders", std::to_string(hs.size()));
  for (const auto& x : hs) {
    add(h, "t", x.type_raw);
    add_opt(h, "p", x.parameter);
    add_opt(h, "v", x.value);
    add_opt(h, "g", x.group_id());
    add_opt(h, "r", x.project_role_id);
    add_opt(h, "u", x.user ? std::optional{x.user->account_id} : std::nullopt);
  }
}

template<class Map>
std::vector<typename Map::const_pointer> sorted_entries(const Map& m) {
  std::vector<typename Map::const_pointer> out;
  for (const auto& e : m)
    out.push_back(&e);
  std::sort(out.begin(), out.end(), [](auto a, auto b) {
    return a->first < b->first;
  });
  return out;
}

} // namespace

std::string directory_fingerprint(const identity_directory& dir) {
  common::sha256_hasher h;
  add(h, "universe", std::to_string(dir.universe.size()));
  for (const auto& u : dir.universe)
    add(h, "u", u);
  for (const auto* e : sorted_entries(dir.group_members)) {
    add(h, "group", e->first);
    auto members = e->second;
    std::sort(members.begin(), members.end());
    for (const auto& m : members)
      add(h, "m", m);
  }
  for (const auto* e : sorted_entries(dir.group_id_by_name)) {
    add(h, "name", e->first);
    add(h, "id", e->second);
  }
  for (const auto* e : sorted_entries(dir.app_role_groups)) {
    add(h, "app", e->first);
    auto groups = e->second;
    std::sort(groups.begin(), groups.end());
    for (const auto& g : groups)
      add(h, "g", g);
  }
  return h.final_hex();
}

std::string access_fingerprint(const std::string& dir_hash,
                               const project_access& a) {
  common::sha256_hasher h;
  add(h, "dir", dir_hash);
  add(h, "project", a.project_id);
  add_opt(h, "lead", a.lead_account_id);
  add_holders(h, a.browse_holders);
  for (const auto& [id, role] : a.roles) {
    add(h, "role", id);
    add(h, "name", role.name);
    for (const auto& act : role.actors) {
      add(h, "t", act.type_raw);
      add_opt(h, "g", act.group_id);
      add_opt(h, "n", act.group_name);
      add_opt(h, "a", act.account_id);
    }
  }
  for (const auto& [id, members] : a.level_members) {
    add(h, "level", id);
    add_holders(h, members);
  }
  for (const auto& [id, name] : a.level_names) {
    add(h, "level_name", id);
    add(h, "n", name);
  }
  return h.final_hex();
}

scope_map
make_scope(const std::vector<protocol::jira_project>& projects,
           const std::vector<std::shared_ptr<const project_access>>& access,
           const identity_directory& dir) {
  scope_map out;
  auto dir_hash = directory_fingerprint(dir);
  for (std::size_t i = 0; i < projects.size() && i < access.size(); ++i) {
    if (!access[i])
      continue;
    out.emplace(projects[i].key,
                scoped_project{projects[i], access[i],
                               access_fingerprint(dir_hash, *access[i])});
  }
  return out;
}

out_of_scope
projects_out_of_scope(const std::vector<protocol::jira_project>& projects,
                      const run_plan* plan) {
  out_of_scope out;
  if (!plan)
    return out;
  std::vector<std::string> ids, keys;
  for (const auto& p : projects) {
    ids.push_back(p.id);
    keys.push_back(p.key);
  }
  out.project_ids = missing_ids(plan->stored_project_ids, ids);
  std::vector<std::string> stored_keys;
  for (const auto& [k, cp] : plan->checkpoints)
    stored_keys.push_back(k);
  out.checkpoint_keys = missing_ids(stored_keys, keys);
  return out;
}

bool id_less(std::string_view a, std::string_view b) {
  if (a.size() != b.size())
    return a.size() < b.size();
  return a < b;
}

listing_diff diff_listing_page(const std::vector<std::string>& stored,
                               std::size_t& pos, std::vector<std::string> page,
                               bool last_page) {
  listing_diff d;
  std::sort(page.begin(), page.end(), [](const auto& a, const auto& b) {
    return id_less(a, b);
  });
  std::size_t i = 0;
  while (pos < stored.size()) {
    const auto& s = stored[pos];
    if (!last_page && (page.empty() || id_less(page.back(), s)))
      break; // beyond this page: the next page decides
    while (i < page.size() && id_less(page[i], s))
      d.missing.push_back(page[i++]);
    if (i < page.size() && page[i] == s)
      ++i;
    else
      d.gone.push_back(s);
    ++pos;
  }
  for (; i < page.size(); ++i)
    d.missing.push_back(page[i]);
  return d;
}

std::vector<std::string> missing_ids(std::vector<std::string> stored,
                                     std::vector<std::string> seen) {
  std::sort(stored.begin(), stored.end());
  stored.erase(std::unique(stored.begin(), stored.end()), stored.end());
  std::sort(seen.begin(), seen.end());
  std::vector<std::string> out;
  std::set_difference(stored.begin(), stored.end(), seen.begin(), seen.end(),
                      std::back_inserter(out));
  return out;
}

} // namespace jirasync::sync
