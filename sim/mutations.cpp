#include "sim/mutations.hpp"

#include <algorithm>
#include <charconv>
#include <concepts>
#include <functional>

#include <boost/json.hpp>

#include "sim/generator_rng.hpp"

namespace jirasim {

namespace {

mutation_result fail(std::string msg) {
  mutation_result r;
  r.error = std::move(msg);
  return r;
}

mutation_result done(int64_t id = 0, std::string key = {}) {
  mutation_result r;
  r.ok = true;
  r.id = id;
  r.key = std::move(key);
  return r;
}

// Captures the index entry JQL currently sees, then marks the issue as
// changed now (visible to JQL after the lag).
void touch(workspace& ws, issue& i, bool bump_updated = true) {
  if (i.indexed_at_ms <= ws.now_ms)
    i.previous_index
      = index_entry{true, i.project_id, i.key, i.created_ms, i.updated_ms};
  if (bump_updated)
    i.updated_ms = std::max(i.updated_ms, ws.now_ms);
  i.indexed_at_ms = ws.now_ms + ws.index_lag_ms;
  ++ws.data_epoch;
}

// Lazily generated bodies depend on the issue's attachments: pin them as
// explicit documents before the attachment list changes, so the text of
// unchanged bodies stays the same.
void pin_bodies(workspace& ws, issue& i) {
  if (!i.description.explicit_doc && !i.description.null)
    i.description.explicit_doc
      = std::make_shared<const boost::json::value>(issue_description(ws, i));
  for (auto& c : i.comments)
    if (!c.body.explicit_doc)
      c.body.explicit_doc
        = std::make_shared<const boost::json::value>(comment_body(ws, i, c));
}

std::optional<user_ix> user_or_api(const workspace& ws,
                                   std::string_view account_id) {
  if (account_id.empty())
    return ws.api_user;
  return find_user_ix(ws, account_id);
}

group* group_by_id_or_name(workspace& ws, std::string_view s) {
  for (auto& g : ws.groups)
    if (g.group_id == s || g.name == s)
      return &g;
  return nullptr;
}

// How the audit log names a holder type (Jira's permission screen labels).
std::string holder_type_label(const holder& h) {
  static constexpr std::pair<std::string_view, std::string_view> labels[] = {
    {"group", "Group"},       {"projectRole", "Project Role"},
    {"user", "Single user"},  {"applicationRole", "Application access"},
    {"anyone", "Anyone"},     {"projectLead", "Project lead"},
    {"reporter", "Reporter"}, {"assignee", "Current assignee"},
  };
  for (auto [type, label] : labels)
    if (h.type == type)
      return std::string{label};
  return h.type;
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (auto& x : v) {
    if (!s.empty())
      s += ", ";
    s += x;
  }
  return s;
}

} // namespace

int64_t append_audit(workspace& ws, audit_record r) {
  r.id = ws.next_audit_id++;
  r.created_ms = ws.now_ms;
  if (r.author_account_id.empty() && ws.api_user < ws.users.size())
    r.author_account_id = ws.users[ws.api_user].account_id;
  if (r.remote_address.empty())
    r.remote_address = "203.0.113.7";
  ws.audit.push_back(std::move(r));
  ++ws.data_epoch;
  return ws.audit.back().id;
}

// --- issues
// ------------------------------------------------------------------------

mutation_result update_issue(workspace& ws, int64_t issue_id,
                             const issue_update& u) {
  auto* i = find_issue(ws, issue_id);
  if (!i)
    return fail(
      "Issue does not exist or you do not have permission to see it.");
  // Validate everything first: a failed update changes nothing.
  std::optional<user_ix> assignee, reporter;
  if (u.assignee_account_id && !u.assignee_account_id->empty()) {
    assignee = find_user_ix(ws, *u.assignee_account_id);
    if (!assignee)
      return fail("User '" + *u.assignee_account_id + "' does not exist.");
  }
  if (u.reporter_account_id) {
    reporter = find_user_ix(ws, *u.reporter_account_id);
    if (!reporter)
      return fail("User '" + *u.reporter_account_id + "' does not exist.");
  }
  if (u.status_id && !find_status(ws, *u.status_id))
    return fail("Unknown status " + std::to_string(*u.status_id));
  if (u.security_level_id && *u.security_level_id != 0) {
    auto* p = find_project(ws, i->project_id);
    auto* s
      = p ? find_security_scheme(ws, p->issue_security_scheme_id) : nullptr;
    bool found = false;
    if (s)
      for (auto& l : s->levels)
        found = found || l.id == *u.security_level_id;
    if (!found)
      return fail("Security level " + std::to_string(*u.security_level_id)
                  + " is not in the project's issue security scheme.");
  }
  if (u.description && !u.description->is_null() && !u.description->is_object())
    return fail("description must be an ADF document or null");
  touch(ws, *i);
  bool acl = false;
  if (u.summary)
    i->summary = *u.summary;
  if (u.description) {
    ++i->description.revision;
    if (u.description->is_null()) {
      i->description.null = true;
      i->description.explicit_doc.reset();
    } else {
      i->description.null = false;
      i->description.explicit_doc
        = std::make_shared<const boost::json::value>(*u.description);
    }
  }
  if (u.labels)
    i->labels = *u.labels;
  if (u.assignee_account_id) {
    i->assignee = assignee ? *assignee : no_user;
    acl = true;
  }
  if (reporter) {
    i->reporter = *reporter;
    acl = true;
  }
  if (u.status_id)
    i->status_id = *u.status_id;
  if (u.security_level_id) {
    i->security_level_id = *u.security_level_id;
    acl = true;
  }
  if (acl)
    ++ws.acl_epoch;
  return done(i->id, i->key);
}

mutation_result create_issue(workspace& ws, const new_issue& n) {
  auto* pc = find_project_by_id_or_key(ws, n.project);
  if (!pc)
    return fail("Project '" + n.project + "' does not exist.");
  auto& p = const_cast<project&>(*pc);
  auto reporter = user_or_api(ws, n.reporter_account_id);
  if (!reporter)
    return fail("User '" + n.reporter_account_id + "' does not exist.");
  std::optional<user_ix> assignee;
  if (!n.assignee_account_id.empty()) {
    assignee = find_user_ix(ws, n.assignee_account_id);
    if (!assignee)
      return fail("User '" + n.assignee_account_id + "' does not exist.");
  }
  auto type_id = n.issue_type_id == 0 ? int64_t{10002} : n.issue_type_id;
  if (!find_issue_type(ws, type_id))
    return fail("Unknown issue type " + std::to_string(type_id));
  if (n.parent_id != 0 && !find_issue(ws, n.parent_id))
    return fail("Parent issue " + std::to_string(n.parent_id)
                + " does not exist.");
  if (n.security_level_id != 0) {
    auto* s = find_security_scheme(ws, p.issue_security_scheme_id);
    bool found = false;
    if (s)
      for (auto& l : s->levels)
        found = found || l.id == n.security_level_id;
    if (!found)
      return fail("Security level is not in the project's scheme.");
  }
  if (n.description && !n.description->is_null() && !n.description->is_object())
    return fail("description must be an ADF document or null");
  issue i;
  i.id = ws.next_issue_id++;
  i.project_id = p.id;
  i.key = p.key + "-" + std::to_string(p.next_issue_number++);
  i.summary = n.summary;
  if (n.description) {
    if (n.description->is_null())
      i.description.null = true;
    else
      i.description.explicit_doc
        = std::make_shared<const boost::json::value>(*n.description);
  }
  i.status_id = 10000;
  i.priority_id = 3;
  i.issue_type_id = type_id;
  i.labels = n.labels;
  i.parent_id = n.parent_id;
  i.reporter = i.creator = *reporter;
  i.assignee = assignee ? *assignee : no_user;
  i.created_ms = i.updated_ms = ws.now_ms;
  i.security_level_id = n.security_level_id;
  i.previous_index = index_entry{}; // not in the index until indexed
  i.indexed_at_ms = ws.now_ms + ws.index_lag_ms;
  ws.issue_id_by_key[i.key] = i.id;
  auto id = i.id;
  auto key = i.key;
  // Ids ascend, so appending keeps the vector sorted.
  ws.issues.push_back(std::move(i));
  ++ws.data_epoch;
  ++ws.acl_epoch;
  return done(id, key);
}

mutation_result delete_issue(workspace& ws, int64_t issue_id) {
  if (!find_issue(ws, issue_id))
    return fail(
      "Issue does not exist or you do not have permission to see it.");
  // Subtasks go with their parent (Jira's deleteSubtasks=true); other
  // children just lose the link.
  std::vector<int64_t> doomed{issue_id};
  for (auto& x : ws.issues)
    if (x.parent_id == issue_id) {
      auto* t = find_issue_type(ws, x.issue_type_id);
      if (t && t->subtask)
        doomed.push_back(x.id);
    }
  for (auto& x : ws.issues)
    if (x.parent_id != 0
        && std::find(doomed.begin(), doomed.end(), x.parent_id) != doomed.end()
        && std::find(doomed.begin(), doomed.end(), x.id) == doomed.end()) {
      touch(ws, x);
      x.parent_id = 0;
    }
  for (auto id : doomed) {
    auto* i = find_issue(ws, id);
    if (!i)
      continue;
    for (auto& c : i->comments)
      ws.comment_issue.erase(c.id);
    for (auto& a : i->attachments)
      ws.attachment_issue.erase(a.id);
    ws.issue_id_by_key.erase(i->key);
    for (auto it = ws.moved_keys.begin(); it != ws.moved_keys.end();)
      it = it->second == id ? ws.moved_keys.erase(it) : std::next(it);
    auto pos = ws.issues.begin() + (i - ws.issues.data());
    ws.issues.erase(pos);
  }
  ++ws.data_epoch;
  ++ws.acl_epoch;
  return done(issue_id);
}

mutation_result move_issue(workspace& ws, int64_t issue_id,
                           std::string_view target_project_key) {
  auto* i = find_issue(ws, issue_id);
  if (!i)
    return fail(
      "Issue does not exist or you do not have permission to see it.");
  auto* tc = find_project_by_key(ws, target_project_key);
  if (!tc)
    return fail("Project '" + std::string{target_project_key}
                + "' does not exist.");
  auto& target = const_cast<project&>(*tc);
  if (target.id == i->project_id)
    return fail("The issue is already in project "
                + std::string{target_project_key});
  auto* source = find_project(ws, i->project_id);
  touch(ws, *i);
  if (!source
      || source->issue_security_scheme_id != target.issue_security_scheme_id)
    i->security_level_id = 0;
  ws.moved_keys[i->key] = i->id;
  ws.issue_id_by_key.erase(i->key);
  i->key = target.key + "-" + std::to_string(target.next_issue_number++);
  i->project_id = target.id;
  ws.issue_id_by_key[i->key] = i->id;
  ws.moved_keys.erase(i->key);
  ++ws.acl_epoch;
  return done(i->id, i->key);
}

// --- comments
// ------------------------------------------------------------------------

mutation_result add_comment(workspace& ws, int64_t issue_id,
                            std::string_view author_account_id,
                            std::optional<boost::json::value> body,
                            const comment_visibility& visibility) {
  auto* i = find_issue(ws, issue_id);
  if (!i)
    return fail(
      "Issue does not exist or you do not have permission to see it.");
  auto author = user_or_api(ws, author_account_id);
  if (!author)
    return fail("User '" + std::string{author_account_id}
                + "' does not exist.");
  if (body && !body->is_object())
    return fail("body must be an ADF document");
  comment c;
  c.id = ws.next_comment_id++;
  c.author = c.update_author = *author;
  c.created_ms = c.updated_ms = ws.now_ms;
  if (body)
    c.body.explicit_doc = std::make_shared<const boost::json::value>(*body);
  c.visibility = visibility;
  touch(ws, *i);
  ws.comment_issue[c.id] = i->id;
  auto id = c.id;
  i->comments.push_back(std::move(c));
  if (visibility.type != visibility_type::none)
    ++ws.acl_epoch;
  return done(id);
}

mutation_result update_comment(workspace& ws, int64_t comment_id,
                               std::optional<boost::json::value> body,
                               std::optional<comment_visibility> visibility) {
  const comment* cc = nullptr;
  auto* ic = find_comment(ws, comment_id, &cc);
  if (!ic)
    return fail(
      "Can not find a comment for the id: " + std::to_string(comment_id) + ".");
  if (body && !body->is_object())
    return fail("body must be an ADF document");
  auto& i = const_cast<issue&>(*ic);
  auto& c = const_cast<comment&>(*cc);
  touch(ws, i);
  ++c.body.revision;
  if (body)
    c.body.explicit_doc = std::make_shared<const boost::json::value>(*body);
  else
    c.body.explicit_doc.reset(); // regenerate: a new revision
  if (visibility) {
    c.visibility = *visibility;
    ++ws.acl_epoch;
  }
  c.updated_ms = std::max(c.updated_ms, ws.now_ms);
  c.update_author = ws.api_user;
  return done(comment_id);
}

mutation_result delete_comment(workspace& ws, int64_t comment_id) {
  const comment* cc = nullptr;
  auto* ic = find_comment(ws, comment_id, &cc);
  if (!ic)
    return fail(
      "Can not find a comment for the id: " + std::to_string(comment_id) + ".");
  auto& i = const_cast<issue&>(*ic);
  touch(ws, i);
  i.comments.erase(i.comments.begin() + (cc - i.comments.data()));
  ws.comment_issue.erase(comment_id);
  return done(comment_id);
}

std::optional<comment_visibility> group_visibility(const workspace& ws,
                                                   std::string_view name) {
  auto* g = find_group_by_name(ws, name);
  if (!g)
    g = find_group_by_id(ws, name);
  if (!g)
    return std::nullopt;
  return comment_visibility{visibility_type::group, g->name, g->group_id};
}

std::optional<comment_visibility> role_visibility(const workspace& ws,
                                                  int64_t role_id) {
  auto* r = find_role(ws, role_id);
  if (!r)
    return std::nullopt;
  return comment_visibility{visibility_type::role, r->name,
                            std::to_string(r->id)};
}

// --- attachments
// ----------------------------------------------------------------------

mutation_result add_attachment(workspace& ws, int64_t issue_id,
                               std::string_view filename,
                               std::string_view mime_type, uint64_t size_bytes,
                               std::string_view author_account_id) {
  auto* i = find_issue(ws, issue_id);
  if (!i)
    return fail(
      "Issue does not exist or you do not have permission to see it.");
  auto author = user_or_api(ws, author_account_id);
  if (!author)
    return fail("User '" + std::string{author_account_id}
                + "' does not exist.");
  if (filename.empty())
    return fail("filename is required");
  pin_bodies(ws, *i);
  attachment a;
  a.id = ws.next_attachment_id++;
  a.filename = filename;
  a.mime_type = mime_type.empty() ? "application/octet-stream" : mime_type;
  a.size_bytes = size_bytes;
  a.created_ms = ws.now_ms;
  a.author = *author;
  detail::rng r{detail::salt(ws.params.seed, detail::k_attachments,
                             static_cast<uint64_t>(a.id))};
  a.media_id = r.uuid();
  touch(ws, *i);
  ws.attachment_issue[a.id] = i->id;
  auto id = a.id;
  i->attachments.push_back(std::move(a));
  return done(id);
}

mutation_result delete_attachment(workspace& ws, int64_t attachment_id) {
  const attachment* ac = nullptr;
  auto* ic = find_attachment(ws, attachment_id, &ac);
  if (!ic)
    return fail("The attachment with id '" + std::to_string(attachment_id)
                + "' does not exist");
  auto& i = const_cast<issue&>(*ic);
  auto pos = ac - i.attachments.data();
  pin_bodies(ws, i);
  touch(ws, i);
  i.attachments.erase(i.attachments.begin() + pos);
  ws.attachment_issue.erase(attachment_id);
  return done(attachment_id);
}

// --- permission-relevant lists
// ----------------------------------------------------------

namespace {

enum class edit { add, remove };

/// The one shape of every edit of a list that decides visibility (group
/// members, permission grants, security level members, role actors): the
/// entry `same` as `entry` must be absent to add it / present to remove it
/// (else the mutation fails with `already` / `missing`, changing nothing);
/// the list changes (kept sorted when its entries are ordered); the
/// visibility epoch moves; and Jira's audit record for the change
/// (`audit(concerned entry, list before, list after)`) is appended.
/// Returns `result_id`, or the audit record's id when none is given.
template<class T, class Same, class Audit>
mutation_result
edit_acl_list(workspace& ws, std::vector<T>& list, edit e, const T& entry,
              Same same, std::string_view already, std::string_view missing,
              Audit audit, std::optional<int64_t> result_id = {}) {
  auto it = std::find_if(list.begin(), list.end(), [&](const T& x) {
    return same(x, entry);
  });
  if (e == edit::add && it != list.end())
    return fail(std::string{already});
  if (e == edit::remove && it == list.end())
    return fail(std::string{missing});
  const T concerned = e == edit::add ? entry : *it;
  const auto before = list;
  if (e == edit::add) {
    list.push_back(entry);
    if constexpr (std::totally_ordered<T>)
      std::sort(list.begin(), list.end());
  } else {
    list.erase(it);
  }
  ++ws.acl_epoch;
  auto audit_id = append_audit(ws, audit(concerned, before, list));
  return done(result_id.value_or(audit_id));
}

mutation_result change_group_member(workspace& ws, std::string_view group,
                                    std::string_view account_id, edit e) {
  auto* g = group_by_id_or_name(ws, group);
  if (!g)
    return fail("Specified group does not exist.");
  auto u = find_user_ix(ws, account_id);
  if (!u)
    return fail("User '" + std::string{account_id} + "' does not exist.");
  return edit_acl_list(
    ws, g->members, e, *u, std::equal_to<>{},
    "Cannot add user. User is already a member of '" + g->name + "'",
    "User is not a member of '" + g->name + "'", [&](user_ix m, auto&, auto&) {
      auto r = audit_event(e == edit::add ? "User added to group"
                                          : "User removed from group",
                           "group management", group_audit_item(*g));
      r.associated_items.push_back(user_audit_item(ws.users[m]));
      return r;
    });
}

/// The changed values of an audit record for a holder granted (add) or
/// taken away (remove), optionally naming the permission.
std::vector<audit_changed_value> holder_change(edit e, const holder& h,
                                               const std::string* permission) {
  auto change = [&](std::string field, std::string value) {
    return e == edit::add
             ? audit_changed_value{std::move(field), std::string{}, value}
             : audit_changed_value{std::move(field), value, std::string{}};
  };
  std::vector<audit_changed_value> v;
  if (permission)
    v.push_back(change("Permission", *permission));
  v.push_back(change("Type", holder_type_label(h)));
  v.push_back(change("Value", h.parameter));
  return v;
}

/// Permission grants and security level members are both {id, holder}
/// entries; Jira audits a change as "<owner> updated" naming the holder
/// (and, for grants, the permission).
template<class Entry>
mutation_result
change_holder_entry(workspace& ws, std::vector<Entry>& list, edit e,
                    const Entry& entry, const std::string& missing,
                    const char* summary, const audit_item& owner) {
  return edit_acl_list(
    ws, list, e, entry,
    [](const Entry& a, const Entry& b) {
      return a.id == b.id;
    },
    "", missing,
    [&](const Entry& x, auto&, auto&) {
      auto r = audit_event(summary, "permissions", owner);
      const std::string* permission = nullptr;
      if constexpr (requires { x.permission; })
        permission = &x.permission;
      r.changed_values = holder_change(e, x.holder, permission);
      return r;
    },
    entry.id);
}

mutation_result change_grant(workspace& ws, int64_t scheme_id, edit e,
                             const permission_grant& g) {
  auto* sc = find_permission_scheme(ws, scheme_id);
  if (!sc)
    return fail("Permission scheme " + std::to_string(scheme_id)
                + " does not exist.");
  auto& s = const_cast<permission_scheme&>(*sc);
  return change_holder_entry(ws, s.grants, e, g,
                             "Permission grant " + std::to_string(g.id)
                               + " does not exist in scheme "
                               + std::to_string(scheme_id),
                             "Permission scheme updated", scheme_audit_item(s));
}

mutation_result change_level_member(workspace& ws, int64_t level_id, edit e,
                                    const security_level_member& m) {
  auto* lc = find_security_level(ws, level_id);
  if (!lc)
    return fail("Security level " + std::to_string(level_id)
                + " does not exist.");
  auto& l = const_cast<security_level&>(*lc);
  return change_holder_entry(
    ws, l.members, e, m,
    "Security level member " + std::to_string(m.id) + " does not exist.",
    "Issue security level updated", security_level_audit_item(l));
}

mutation_result change_role_actor(workspace& ws, std::string_view project_key,
                                  int64_t role_id, std::string_view account_id,
                                  std::string_view group_id, edit e) {
  auto* pc = find_project_by_id_or_key(ws, project_key);
  if (!pc)
    return fail("No project could be found with key '"
                + std::string{project_key} + "'.");
  auto* role = find_role(ws, role_id);
  if (!role)
    return fail("Project role " + std::to_string(role_id) + " does not exist.");
  if (account_id.empty() == group_id.empty())
    return fail("exactly one of accountId / groupId is required");
  if (!account_id.empty() && !find_user(ws, account_id))
    return fail("User '" + std::string{account_id} + "' does not exist.");
  if (!group_id.empty() && !find_group_by_id(ws, group_id))
    return fail("Group '" + std::string{group_id} + "' does not exist.");
  auto& p = const_cast<project&>(*pc);
  auto ra = std::find_if(p.roles.begin(), p.roles.end(), [&](auto& x) {
    return x.role_id == role_id;
  });
  if (ra == p.roles.end()) {
    p.roles.push_back(role_actors{role_id, {}, {}});
    ra = p.roles.end() - 1;
  }
  bool users = !account_id.empty();
  auto& list = users ? ra->user_account_ids : ra->group_ids;
  return edit_acl_list(
    ws, list, e, std::string{users ? account_id : group_id}, std::equal_to<>{},
    "The actor is already in the role.", "The actor is not in the role.",
    [&](auto&, const std::vector<std::string>& before,
        const std::vector<std::string>& after) {
      auto r = audit_event("Project roles changed", "projects",
                           role_audit_item(*role));
      r.changed_values
        = {{users ? "Users" : "Groups", join(before), join(after)}};
      r.associated_items.push_back(project_audit_item(p));
      return r;
    });
}

} // namespace

mutation_result add_group_member(workspace& ws, std::string_view group,
                                 std::string_view account_id) {
  return change_group_member(ws, group, account_id, edit::add);
}

mutation_result remove_group_member(workspace& ws, std::string_view group,
                                    std::string_view account_id) {
  return change_group_member(ws, group, account_id, edit::remove);
}

mutation_result add_permission_grant(workspace& ws, int64_t scheme_id,
                                     std::string_view permission,
                                     const holder& h) {
  if (!find_permission_scheme(ws, scheme_id))
    return fail("Permission scheme " + std::to_string(scheme_id)
                + " does not exist.");
  return change_grant(
    ws, scheme_id, edit::add,
    permission_grant{ws.next_grant_id++, std::string{permission}, h});
}

mutation_result remove_permission_grant(workspace& ws, int64_t scheme_id,
                                        int64_t grant_id) {
  return change_grant(ws, scheme_id, edit::remove,
                      permission_grant{grant_id, {}, {}});
}

mutation_result add_security_level_member(workspace& ws, int64_t level_id,
                                          const holder& h) {
  if (!find_security_level(ws, level_id))
    return fail("Security level " + std::to_string(level_id)
                + " does not exist.");
  return change_level_member(
    ws, level_id, edit::add,
    security_level_member{ws.next_level_member_id++, h});
}

mutation_result remove_security_level_member(workspace& ws, int64_t level_id,
                                             int64_t member_id) {
  return change_level_member(ws, level_id, edit::remove,
                             security_level_member{member_id, {}});
}

mutation_result add_role_actor(workspace& ws, std::string_view project_key,
                               int64_t role_id, std::string_view account_id,
                               std::string_view group_id) {
  return change_role_actor(ws, project_key, role_id, account_id, group_id,
                           edit::add);
}

mutation_result remove_role_actor(workspace& ws, std::string_view project_key,
                                  int64_t role_id, std::string_view account_id,
                                  std::string_view group_id) {
  return change_role_actor(ws, project_key, role_id, account_id, group_id,
                           edit::remove);
}

// --- users
// ----------------------------------------------------------------------------------

namespace {

/// A profile flag (email visibility, active) as one edit: the user must
/// exist and the flag must change; Jira audits it as a user-management
/// event naming the flag's old and new label (`labels` = {false, true}).
mutation_result change_user_flag(workspace& ws, std::string_view account_id,
                                 bool user::*flag, bool value,
                                 std::string_view already, std::string summary,
                                 std::string field,
                                 std::pair<const char*, const char*> labels,
                                 bool changes_visibility) {
  auto u = find_user_ix(ws, account_id);
  if (!u)
    return fail("User '" + std::string{account_id} + "' does not exist.");
  auto& usr = ws.users[*u];
  if (usr.*flag == value)
    return fail(std::string{already});
  usr.*flag = value;
  if (changes_visibility)
    ++ws.acl_epoch;
  auto label = [&](bool v) {
    return std::string{v ? labels.second : labels.first};
  };
  auto r
    = audit_event(std::move(summary), "user management", user_audit_item(usr));
  r.changed_values = {{std::move(field), label(!value), label(value)}};
  r.associated_items.push_back(user_audit_item(usr));
  return done(append_audit(ws, std::move(r)));
}

} // namespace

mutation_result set_email_hidden(workspace& ws, std::string_view account_id,
                                 bool hidden) {
  return change_user_flag(ws, account_id, &user::email_hidden, hidden,
                          "Email visibility is already set.", "User updated",
                          "Email visibility", {"Anyone", "Only you"}, false);
}

mutation_result set_user_active(workspace& ws, std::string_view account_id,
                                bool active) {
  return change_user_flag(ws, account_id, &user::active, active,
                          active ? "User is already active."
                                 : "User is already inactive.",
                          active ? "User activated" : "User deactivated",
                          "Active / Inactive", {"Inactive", "Active"}, true);
}

} // namespace jirasim
