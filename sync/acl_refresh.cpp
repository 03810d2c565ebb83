#include "sync/acl_refresh.hpp"

namespace jirasync::sync {

namespace {

std::optional<std::string> level_of(const project_access& access,
                                    const storage::issue_record& i) {
  if (i.security_level_id)
    return i.security_level_id;
  if (!i.security_level)
    return std::nullopt;
  // Older stores kept the name only: find the id by name; a name that no
  // longer names a level hides the issue (an id with no members).
  for (const auto& [id, name] : access.level_names)
    if (name == *i.security_level)
      return id;
  return std::string{"unknown level " + *i.security_level};
}

} // namespace

std::uint64_t
refresh_issue_acls(const project_access& access, acl_resolver& resolver,
                   const storage::issue_record& issue,
                   const std::vector<storage::comment_record>& comments,
                   const std::vector<storage::attachment_record>& attachments,
                   acl_collector& acls, storage::write_batch_spec& spec) {
  std::uint64_t changed = 0;
  std::optional<std::string> reporter, assignee;
  if (issue.reporter)
    reporter = issue.reporter->account_id;
  if (issue.assignee)
    assignee = issue.assignee->account_id;
  auto issue_acl
    = resolver.issue_acl(access, reporter, assignee, level_of(access, issue));
  auto issue_acl_id = storage::make_acl(issue_acl.anyone, issue_acl.users).id;
  if (issue_acl_id != issue.acl) {
    auto copy = issue;
    copy.acl = acls.add(issue_acl);
    spec.upserts.emplace_back(std::move(copy));
    ++changed;
  }
  for (const auto& c : comments) {
    std::optional<protocol::comment_visibility> v;
    if (c.visibility)
      v = protocol::comment_visibility{
        c.visibility->type, c.visibility->identifier, c.visibility->identifier};
    auto cacl = resolver.comment_acl(access, issue_acl, v);
    auto id = storage::make_acl(cacl.anyone, cacl.users).id;
    if (id == c.acl)
      continue;
    auto copy = c;
    copy.acl = acls.add(cacl);
    spec.upserts.emplace_back(std::move(copy));
    ++changed;
  }
  for (const auto& a : attachments) {
    if (a.acl == issue_acl_id)
      continue;
    auto copy = a;
    copy.acl = acls.add(issue_acl);
    spec.upserts.emplace_back(std::move(copy));
    ++changed;
  }
  return changed;
}

} // namespace jirasync::sync
