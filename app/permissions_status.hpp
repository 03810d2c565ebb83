#pragma once
// What `jirasync status` (and the service's /status) report about
// permissions: the projects the last sync degraded (narrower ACLs, see
// docs/permissions.md) and the users whose email Jira hides.
//
// Thread-safety: functions touch only their arguments.

#include "common/error.hpp"
#include "storage/store.hpp"

#include <boost/json/object.hpp>

#include <string>

namespace jirasync::app {

/// {"degraded_projects":[{"project_key","gaps":[{"part",
///  "missing_permission"|null,"reason"}]}], "hidden_email_users": N}
/// from the store (the last run's list; the stored users).
common::result<boost::json::object> permissions_status(storage::store& db);

/// The text lines of permissions_status() (each ends with a newline).
std::string permissions_status_text(const boost::json::object& status);

/// Whether a stored user is an atlassian account whose email is hidden.
bool hidden_email(const storage::user_record& u);

} // namespace jirasync::app
