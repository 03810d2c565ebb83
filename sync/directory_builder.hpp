#pragma once
// Builds the site-wide identity directory the ACL resolver expands holders
// with (steps 1 and 2 of a sync): the ACL universe from the user pages, the
// members of every group, and the groups behind each product (application
// role). Also turns a page of users into its store batch.
//
// Thread-safety: pure functions over their arguments.

#include "protocol/jira/application_role.hpp"
#include "protocol/jira/jira_models.hpp"
#include "storage/store.hpp"
#include "sync/permissions.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace jirasync::sync {

/// One page of GET /users/search, ready for the store and the universe.
struct user_page_batch {
  /// One user record per user of the page.
  storage::write_batch_spec spec;
  /// accountIds of the page's ACTIVE "atlassian" accounts (app and customer
  /// accounts never see anything).
  std::vector<std::string> universe;
  /// "atlassian" accounts of the page whose email Jira hides (profile
  /// visibility): downstream matching by email cannot map them.
  std::uint64_t hidden_email = 0;
};

user_page_batch build_user_page(const std::vector<protocol::jira_user>& users);

/// Sorts and deduplicates the universe collected over all pages (pages can
/// overlap when the directory changes during the listing).
void finish_universe(std::vector<std::string>& universe);

/// Records the name -> groupId mapping of a page of groups.
void add_group_names(identity_directory& dir,
                     const std::vector<protocol::jira_group>& groups);

/// Records a group's members (all their pages) and returns its store record.
storage::group_record add_group_members(identity_directory& dir,
                                        const protocol::jira_group& group,
                                        std::vector<std::string> members);

/// The groups granting each product, from GET /applicationrole: the
/// groupIds of `groupDetails` when present, else the `groups` names
/// resolved through dir.group_id_by_name (an unknown name grants nobody).
void add_application_roles(
  identity_directory& dir,
  const std::vector<protocol::application_role>& roles);

/// Without GET /applicationrole (no admin right, or an unusable answer):
/// which groups grant a product is unknown, so a product grants nothing
/// (no group name is guessed) and the gap is recorded for the report.
void application_roles_unknown(identity_directory& dir, access_gap gap);

/// Without group members (no "Browse users and groups"): groups grant
/// nothing; the gap is recorded.
void groups_unknown(identity_directory& dir, access_gap gap);

/// Without users/search (no "Browse users and groups"): the universe is
/// the API user alone (GET /myself) when it is an active atlassian
/// account, else empty; every ACL then holds at most the API user.
std::vector<std::string> universe_of_api_user(const protocol::jira_user& me);

} // namespace jirasync::sync
