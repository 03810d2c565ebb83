#include "sync/permissions_memo.hpp"

namespace jirasync::sync {

namespace {

/// Keys join their parts with a separator no Jira id contains.
constexpr char sep = '\x1f';

} // namespace

acl_memo::acl_memo(acl_resolver& resolver) : resolver_(resolver) {
  // nop
}

acl_ref acl_memo::intern(const acl_set& set) {
  auto rec = storage::make_acl(set.anyone, set.users);
  auto i = by_id_.find(rec.id);
  if (i != by_id_.end())
    return i->second;
  auto id = rec.id;
  auto ref = std::make_shared<const storage::acl_record>(std::move(rec));
  by_id_.emplace(std::move(id), ref);
  return ref;
}

acl_ref acl_memo::issue(const project_access& p,
                        const std::optional<std::string>& reporter,
                        const std::optional<std::string>& assignee,
                        const std::optional<std::string>& level_id) {
  std::string key = p.project_id;
  key += sep;
  if (level_id)
    key += *level_id;
  key += sep;
  if (reporter && resolver_.uses_reporter(p, level_id))
    key += *reporter;
  key += sep;
  if (assignee && resolver_.uses_assignee(p, level_id))
    key += *assignee;
  auto i = issue_memo_.find(key);
  if (i != issue_memo_.end())
    return i->second;
  auto ref = intern(resolver_.issue_acl(p, reporter, assignee, level_id));
  issue_memo_.emplace(std::move(key), ref);
  return ref;
}

acl_ref acl_memo::comment(
  const project_access& p, const acl_ref& issue,
  const std::optional<protocol::comment_visibility>& visibility) {
  if (!visibility)
    return issue;
  std::string key = p.project_id;
  key += sep;
  key += issue->id;
  key += sep;
  key += visibility->type;
  key += sep;
  key += visibility->value;
  key += sep;
  key += visibility->identifier.value_or("");
  auto i = comment_memo_.find(key);
  if (i != comment_memo_.end())
    return i->second;
  acl_set issue_set{issue->anyone, issue->users};
  auto ref = intern(resolver_.comment_acl(p, issue_set, visibility));
  comment_memo_.emplace(std::move(key), ref);
  return ref;
}

acl_ref acl_memo::project(const project_access& p) {
  return intern(resolver_.project_acl(p));
}

} // namespace jirasync::sync
