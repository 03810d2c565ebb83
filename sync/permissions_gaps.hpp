#pragma once
// Degraded projects: those whose permission data could not be read in full
// (the API user lacks "Administer Jira", "Administer projects" or "Browse
// users and groups"). Their records carry narrower ACLs (permissions.hpp,
// fail safe); the run reports them, exits 3, and stores the list where
// `jirasync status` and the service read it (meta key degraded_meta_key).
//
// Thread-safety: pure functions.

#include "common/error.hpp"
#include "storage/store.hpp"
#include "sync/permissions.hpp"

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace jirasync::sync {

/// A project synced with narrower ACLs than Jira's, and why.
struct degraded_project {
  std::string project_key;
  /// One entry per unreadable part; never empty.
  std::vector<access_gap> gaps;

  friend bool operator==(const degraded_project&, const degraded_project&)
    = default;
};

/// The store meta key (write_batch_spec::meta) holding the last run's
/// degraded projects as degraded_to_json().
inline constexpr std::string_view degraded_meta_key = "permissions.degraded";

/// Jira's names of the permissions its REST reference demands.
inline constexpr std::string_view administer_jira = "Administer Jira";
inline constexpr std::string_view administer_projects
  = "Administer projects or Administer Jira";
inline constexpr std::string_view browse_users
  = "Browse users and groups or Administer Jira";

/// Whether a failed read of permission data is a refusal (HTTP 403): the
/// part is then read as unknown and the project degraded, fail safe. Any
/// other error (transient, unusable answer) fails the project instead, so
/// that its stored records keep their last good ACLs.
bool is_refusal(const common::error& e);

/// The gap of `part` that `e` left; `needs` names the permission Jira
/// demands for it (kept only when `e` is a refusal).
access_gap gap_of(std::string part, std::string_view needs,
                  const common::error& e);

/// The gaps that make `p`'s ACLs narrower than Jira's: its own, plus the
/// site-wide ones of `dir` that matter to it (users and groups: always;
/// application roles: when a grant or level names a product).
std::vector<access_gap> effective_gaps(const project_access& p,
                                       const identity_directory& dir);

/// The degraded entry of `p`, nullopt when its data is complete.
std::optional<degraded_project> assess(const project_access& p,
                                       const identity_directory& dir);

/// Grants and security-level members of a holder type this code does not
/// know (they grant nothing): count and the first type string.
unknown_kinds unknown_holders(const project_access& p);

/// "permission scheme unknown (needs Administer projects): <reason>".
std::string describe(const access_gap& g);

/// One line: gaps needing the same permission are joined, with the first
/// one's reason: "ABC: permission scheme, project roles unknown (needs
/// Administer projects or Administer Jira): <reason>; ...".
std::string describe(const degraded_project& d);

/// [{"project_key","gaps":[{"part","missing_permission"|null,"reason"}]}]
boost::json::array degraded_to_json(const std::vector<degraded_project>& ds);

/// Adds the run's permission report to the batch holding its checkpoint
/// (`spec.sync` already made with failures + degraded counted): counters
/// "degraded_projects" and "hidden_email_users", the reason line naming
/// the degraded projects, and the list under degraded_meta_key (left as it
/// was when the run failed before reading permissions: `fatal` and none
/// degraded).
void add_permission_report(storage::write_batch_spec& spec,
                           std::size_t failures, bool fatal,
                           const std::vector<degraded_project>& degraded,
                           std::uint64_t hidden_email_users);

/// Inverse of degraded_to_json; entries of the wrong shape are skipped.
std::vector<degraded_project> degraded_from_json(const boost::json::value& v);

} // namespace jirasync::sync
