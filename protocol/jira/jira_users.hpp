#pragma once
// Jira users and groups: /users/search, /myself, /group/bulk, /group/member,
// and the users embedded in other responses (reporter, author, lead...).
// Parsing contract: json_reader.hpp.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "protocol/jira/json_reader.hpp"

namespace jirasync::protocol {

enum class account_type { atlassian, app, customer, unknown };

std::string_view to_string(account_type type);

/// A user (users/search, group/member, /myself, embedded reporter/assignee,
/// comment authors, role actors with expansion ...).
struct jira_user {
  /// Required, non-empty.
  std::string account_id;
  /// Default: unknown (absent or an unlisted value; raw kept below).
  account_type type = account_type::unknown;
  std::string account_type_raw;
  /// Absent or null when hidden by the user's profile visibility.
  std::optional<std::string> email;
  std::string display_name;
  /// Default: true when absent (Jira omits it only in abbreviated shapes).
  bool active = true;
  /// IANA zone name, e.g. "America/Los_Angeles"; absent when hidden.
  std::optional<std::string> time_zone;
  std::optional<std::string> locale;
};

struct jira_group {
  /// groupId (a UUID). May be empty in old captures that only have a name.
  std::string group_id;
  std::string name;
};

/// GET /rest/api/3/users/search -> bare array.
parsed<std::vector<jira_user>> parse_users(const boost::json::value& doc);
/// One user object; `record` names it in errors (e.g. "myself").
parsed<jira_user> parse_user(const boost::json::value& doc,
                             std::string_view record = "user");
/// GET /rest/api/3/myself.
parsed<jira_user> parse_myself(const boost::json::value& doc);
/// GET /rest/api/3/group/bulk.
parsed<jira_page<jira_group>> parse_group_page(const boost::json::value& doc);
/// GET /rest/api/3/group/member (values are users; page.next_page set).
parsed<jira_page<jira_user>>
parse_group_member_page(const boost::json::value& doc);

namespace json_reader {

/// For the other model parsers: reads a user object at path `p` of the
/// record `c`.
void read_user(ctx& c, const json::object& o, std::string_view p, jira_user& u);

/// An embedded user (reporter, author, lead...): absent/null -> nullopt;
/// an invalid user is an error of the enclosing record.
std::optional<jira_user> user_field(ctx& c, const json::object& o,
                                    std::string_view key, std::string_view p);

} // namespace json_reader

} // namespace jirasync::protocol
