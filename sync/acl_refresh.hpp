#pragma once
// ACLs of stored records recomputed from a project's CURRENT access data,
// without asking Jira again: when groups, memberships, roles, the
// permission scheme or a security level's members change, no issue's
// `updated` moves, so an incremental listing does not return the issues
// whose visibility changed. The stored records keep everything the ACL is
// computed from (reporter, assignee, security level id, comment
// visibility); only records whose ACL changes are rewritten (one feed
// entry each). A stored issue whose level id is unknown (a store written
// before the id was kept, or a level that no longer exists) gets the
// narrowest answer: the level's members are unknown, so nobody is added.
//
// Thread-safety: pure; the acl_resolver passed in is single-threaded.

#include "storage/store.hpp"
#include "sync/page_builder.hpp"
#include "sync/permissions.hpp"

#include <cstdint>
#include <vector>

namespace jirasync::sync {

/// Appends to `spec.upserts` the issue, comments and attachments whose ACL
/// differs from the one `access` gives now (their ACLs go to `acls`).
/// Returns how many records changed.
std::uint64_t
refresh_issue_acls(const project_access& access, acl_resolver& resolver,
                   const storage::issue_record& issue,
                   const std::vector<storage::comment_record>& comments,
                   const std::vector<storage::attachment_record>& attachments,
                   acl_collector& acls, storage::write_batch_spec& spec);

} // namespace jirasync::sync
