#pragma once
// Typed models of the Jira Cloud REST v3 responses the connector uses, and
// their Boost.JSON parsers: one header per domain, all included here. Pure
// functions: no I/O, no actors, no HTTP. The parse result, the error model
// and the JSON depth policy are in json_reader.hpp.

#include "protocol/jira/jira_audit.hpp"
#include "protocol/jira/jira_errors.hpp"
#include "protocol/jira/jira_issues.hpp"
#include "protocol/jira/jira_oauth.hpp"
#include "protocol/jira/jira_projects.hpp"
#include "protocol/jira/jira_search.hpp"
#include "protocol/jira/jira_users.hpp"
#include "protocol/jira/json_reader.hpp"
