#include "sim/mutations.hpp"

#include <algorithm>
#include <charconv>

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

const std::string crowd_dir = "com.atlassian.crowd.directory."
                              "IdentityPlatformRemoteDirectory";

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

audit_item user_item(const user& u) {
  return {u.account_id, u.account_id, "USER", "10000", "IDP Directory"};
}

std::string holder_type_label(const holder& h) {
  if (h.type == "group")
    return "Group";
  if (h.type == "projectRole")
    return "Project Role";
  if (h.type == "user")
    return "Single user";
  if (h.type == "applicationRole")
    return "Application access";
  if (h.type == "anyone")
    return "Anyone";
  if (h.type == "projectLead")
    return "Project lead";
  if (h.type == "reporter")
    return "Reporter";
  if (h.type == "assignee")
    return "Current assignee";
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

// The audit record head shared by the grant add/remove mutations.
audit_record scheme_updated_audit(const permission_scheme& s) {
  audit_record r;
  r.summary = "Permission scheme updated";
  r.category = "permissions";
  r.object_item = {std::to_string(s.id), s.name, "SCHEME", "", ""};
  return r;
}

// The audit record head shared by the level member add/remove mutations.
audit_record level_updated_audit(const security_level& l) {
  audit_record r;
  r.summary = "Issue security level updated";
  r.category = "permissions";
  r.object_item = {std::to_string(l.id), l.name, "SECURITY_LEVEL", "", ""};
  return r;
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

// --- groups
// ------------------------------------------------------------------------------

mutation_result add_group_member(workspace& ws, std::string_view g_id_or_name,
                                 std::string_view account_id) {
  auto* g = group_by_id_or_name(ws, g_id_or_name);
  if (!g)
    return fail("Specified group does not exist.");
  auto u = find_user_ix(ws, account_id);
  if (!u)
    return fail("User '" + std::string{account_id} + "' does not exist.");
  auto it = std::lower_bound(g->members.begin(), g->members.end(), *u);
  if (it != g->members.end() && *it == *u)
    return fail("Cannot add user. User is already a member of '" + g->name
                + "'");
  g->members.insert(it, *u);
  ++ws.acl_epoch;
  audit_record r;
  r.summary = "User added to group";
  r.category = "group management";
  r.object_item = {"", g->name, "GROUP", "10000", crowd_dir};
  r.associated_items.push_back(user_item(ws.users[*u]));
  return done(append_audit(ws, std::move(r)));
}

mutation_result remove_group_member(workspace& ws,
                                    std::string_view g_id_or_name,
                                    std::string_view account_id) {
  auto* g = group_by_id_or_name(ws, g_id_or_name);
  if (!g)
    return fail("Specified group does not exist.");
  auto u = find_user_ix(ws, account_id);
  if (!u)
    return fail("User '" + std::string{account_id} + "' does not exist.");
  auto it = std::lower_bound(g->members.begin(), g->members.end(), *u);
  if (it == g->members.end() || *it != *u)
    return fail("User is not a member of '" + g->name + "'");
  g->members.erase(it);
  ++ws.acl_epoch;
  audit_record r;
  r.summary = "User removed from group";
  r.category = "group management";
  r.object_item = {"", g->name, "GROUP", "10000", crowd_dir};
  r.associated_items.push_back(user_item(ws.users[*u]));
  return done(append_audit(ws, std::move(r)));
}

// --- permission schemes
// ----------------------------------------------------------------

mutation_result add_permission_grant(workspace& ws, int64_t scheme_id,
                                     std::string_view permission,
                                     const holder& h) {
  auto* sc = find_permission_scheme(ws, scheme_id);
  if (!sc)
    return fail("Permission scheme " + std::to_string(scheme_id)
                + " does not exist.");
  auto& s = const_cast<permission_scheme&>(*sc);
  permission_grant g{ws.next_grant_id++, std::string{permission}, h};
  auto gid = g.id;
  s.grants.push_back(std::move(g));
  ++ws.acl_epoch;
  auto r = scheme_updated_audit(s);
  r.changed_values = {{"Permission", std::string{}, std::string{permission}},
                      {"Type", std::string{}, holder_type_label(h)},
                      {"Value", std::string{}, h.parameter}};
  append_audit(ws, std::move(r));
  return done(gid);
}

mutation_result remove_permission_grant(workspace& ws, int64_t scheme_id,
                                        int64_t grant_id) {
  auto* sc = find_permission_scheme(ws, scheme_id);
  if (!sc)
    return fail("Permission scheme " + std::to_string(scheme_id)
                + " does not exist.");
  auto& s = const_cast<permission_scheme&>(*sc);
  auto it = std::find_if(s.grants.begin(), s.grants.end(),
                         [&](const permission_grant& g) {
                           return g.id == grant_id;
                         });
  if (it == s.grants.end())
    return fail("Permission grant " + std::to_string(grant_id)
                + " does not exist in scheme " + std::to_string(scheme_id));
  auto r = scheme_updated_audit(s);
  r.changed_values = {{"Permission", it->permission, std::string{}},
                      {"Type", holder_type_label(it->holder), std::string{}},
                      {"Value", it->holder.parameter, std::string{}}};
  s.grants.erase(it);
  ++ws.acl_epoch;
  append_audit(ws, std::move(r));
  return done(grant_id);
}

// --- issue security
// ------------------------------------------------------------------------

mutation_result add_security_level_member(workspace& ws, int64_t level_id,
                                          const holder& h) {
  auto* lc = find_security_level(ws, level_id);
  if (!lc)
    return fail("Security level " + std::to_string(level_id)
                + " does not exist.");
  auto& l = const_cast<security_level&>(*lc);
  security_level_member m{ws.next_level_member_id++, h};
  auto mid = m.id;
  l.members.push_back(std::move(m));
  ++ws.acl_epoch;
  auto r = level_updated_audit(l);
  r.changed_values = {{"Type", std::string{}, holder_type_label(h)},
                      {"Value", std::string{}, h.parameter}};
  append_audit(ws, std::move(r));
  return done(mid);
}

mutation_result remove_security_level_member(workspace& ws, int64_t level_id,
                                             int64_t member_id) {
  auto* lc = find_security_level(ws, level_id);
  if (!lc)
    return fail("Security level " + std::to_string(level_id)
                + " does not exist.");
  auto& l = const_cast<security_level&>(*lc);
  auto it = std::find_if(l.members.begin(), l.members.end(),
                         [&](const security_level_member& m) {
                           return m.id == member_id;
                         });
  if (it == l.members.end())
    return fail("Security level member " + std::to_string(member_id)
                + " does not exist.");
  auto r = level_updated_audit(l);
  r.changed_values = {{"Type", holder_type_label(it->holder), std::string{}},
                      {"Value", it->holder.parameter, std::string{}}};
  l.members.erase(it);
  ++ws.acl_epoch;
  append_audit(ws, std::move(r));
  return done(member_id);
}

// --- project roles
// ------------------------------------------------------------------------

namespace {

mutation_result change_role_actor(workspace& ws, std::string_view project_key,
                                  int64_t role_id, std::string_view account_id,
                                  std::string_view group_id, bool add) {
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
  role_actors* ra = nullptr;
  for (auto& x : p.roles)
    if (x.role_id == role_id)
      ra = &x;
  if (!ra) {
    p.roles.push_back(role_actors{role_id, {}, {}});
    ra = &p.roles.back();
  }
  auto& list = account_id.empty() ? ra->group_ids : ra->user_account_ids;
  std::string item{account_id.empty() ? group_id : account_id};
  auto before = join(list);
  auto it = std::find(list.begin(), list.end(), item);
  if (add) {
    if (it != list.end())
      return fail("The actor is already in the role.");
    list.push_back(item);
    std::sort(list.begin(), list.end());
  } else {
    if (it == list.end())
      return fail("The actor is not in the role.");
    list.erase(it);
  }
  ++ws.acl_epoch;
  audit_record r;
  r.summary = "Project roles changed";
  r.category = "projects";
  r.object_item
    = {std::to_string(role->id), role->name, "PROJECT_ROLE", "", ""};
  r.changed_values
    = {{account_id.empty() ? "Groups" : "Users", before, join(list)}};
  r.associated_items.push_back(
    {std::to_string(p.id), p.name, "PROJECT", "", ""});
  return done(append_audit(ws, std::move(r)));
}

} // namespace

mutation_result add_role_actor(workspace& ws, std::string_view project_key,
                               int64_t role_id, std::string_view account_id,
                               std::string_view group_id) {
  return change_role_actor(ws, project_key, role_id, account_id, group_id,
                           true);
}

mutation_result remove_role_actor(workspace& ws, std::string_view project_key,
                                  int64_t role_id, std::string_view account_id,
                                  std::string_view group_id) {
  return change_role_actor(ws, project_key, role_id, account_id, group_id,
                           false);
}

// --- users
// ----------------------------------------------------------------------------------

mutation_result set_email_hidden(workspace& ws, std::string_view account_id,
                                 bool hidden) {
  auto u = find_user_ix(ws, account_id);
  if (!u)
    return fail("User '" + std::string{account_id} + "' does not exist.");
  auto& usr = ws.users[*u];
  if (usr.email_hidden == hidden)
    return fail("Email visibility is already set.");
  usr.email_hidden = hidden;
  audit_record r;
  r.summary = "User updated";
  r.category = "user management";
  r.object_item = user_item(usr);
  r.changed_values = {{"Email visibility", hidden ? "Anyone" : "Only you",
                       hidden ? "Only you" : "Anyone"}};
  r.associated_items.push_back(user_item(usr));
  return done(append_audit(ws, std::move(r)));
}

mutation_result set_user_active(workspace& ws, std::string_view account_id,
                                bool active) {
  auto u = find_user_ix(ws, account_id);
  if (!u)
    return fail("User '" + std::string{account_id} + "' does not exist.");
  auto& usr = ws.users[*u];
  if (usr.active == active)
    return fail(active ? "User is already active."
                       : "User is already inactive.");
  usr.active = active;
  ++ws.acl_epoch;
  audit_record r;
  r.summary = active ? "User activated" : "User deactivated";
  r.category = "user management";
  r.object_item = user_item(usr);
  r.changed_values = {{"Active / Inactive", active ? "Inactive" : "Active",
                       active ? "Active" : "Inactive"}};
  r.associated_items.push_back(user_item(usr));
  return done(append_audit(ws, std::move(r)));
}

} // namespace jirasim
