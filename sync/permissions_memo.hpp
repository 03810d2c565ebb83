#pragma once
// Memoised ACLs: the content-addressed ACL record (storage::make_acl: users
// sorted, SHA-256 id) of an issue or comment is computed once per distinct
// input, not once per record. In a project anyone may browse, every issue
// would otherwise copy, sort and hash the whole user list.
//
// Keys: an issue ACL depends on (project, security level, reporter when
// the scheme or the level grants the reporter, assignee likewise); the
// scheme state is fixed for the resolver's lifetime (one run). A comment
// ACL depends on (its issue's ACL id, visibility type, value, identifier).
// Equal sets share ONE record (by id), so memory grows with the distinct
// sets, plus a short key per distinct input.
//
// Thread-safety: single-threaded, like the acl_resolver it wraps.

#include "storage/records.hpp"
#include "sync/permissions.hpp"

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

namespace jirasync::sync {

using acl_ref = std::shared_ptr<const storage::acl_record>;

class acl_memo {
public:
  /// `resolver` must outlive the memo.
  explicit acl_memo(acl_resolver& resolver);

  /// acl_resolver::issue_acl as a stored record.
  acl_ref issue(const project_access& p,
                const std::optional<std::string>& reporter,
                const std::optional<std::string>& assignee,
                const std::optional<std::string>& level_id);

  /// acl_resolver::comment_acl of an issue ACL made by issue().
  acl_ref
  comment(const project_access& p, const acl_ref& issue,
          const std::optional<protocol::comment_visibility>& visibility);

  /// acl_resolver::project_acl as a stored record.
  acl_ref project(const project_access& p);

  /// Distinct ACL records held.
  std::size_t distinct() const {
    return by_id_.size();
  }

  acl_resolver& resolver() {
    return resolver_;
  }

private:
  acl_ref intern(const acl_set& set);

  acl_resolver& resolver_;
  std::unordered_map<std::string, acl_ref> by_id_;
  std::unordered_map<std::string, acl_ref> issue_memo_;
  std::unordered_map<std::string, acl_ref> comment_memo_;
};

} // namespace jirasync::sync
