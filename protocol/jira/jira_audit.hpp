#pragma once
// The Jira audit log: GET /auditing/record pages. Parsing contract:
// json_reader.hpp.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "protocol/jira/json_reader.hpp"

namespace jirasync::protocol {

struct audit_item {
  std::optional<std::string> id;
  std::string name;
  std::string type_name;
  std::optional<std::string> parent_id;
  std::optional<std::string> parent_name;
};

struct audit_changed_value {
  std::string field_name;
  std::optional<std::string> changed_from;
  std::optional<std::string> changed_to;
};

struct audit_record {
  std::string id; // required
  std::string summary;
  /// UTC milliseconds; required.
  std::int64_t created_ms = 0;
  std::string category;
  std::string event_source;
  std::optional<std::string> author_account_id;
  std::optional<audit_item> object_item;
  std::vector<audit_changed_value> changed_values;
  std::vector<audit_item> associated_items;
};

struct audit_page {
  std::int64_t offset = 0;
  std::int64_t limit = 0;
  std::int64_t total = 0;
  std::vector<audit_record> records;
};

/// GET /rest/api/3/auditing/record.
parsed<audit_page> parse_audit_page(const boost::json::value& doc);

} // namespace jirasync::protocol
