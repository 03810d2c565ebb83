#pragma once
// Jira issue search: POST/GET /search/jql pages, the approximate count and
// /issue/bulkfetch. Parsing contract: json_reader.hpp.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "protocol/jira/jira_issues.hpp"
#include "protocol/jira/json_reader.hpp"

namespace jirasync::protocol {

/// POST/GET /rest/api/3/search/jql.
struct search_page {
  std::vector<jira_issue> issues;
  /// Default when absent: true unless a nextPageToken is present.
  bool is_last = true;
  /// Absent on the last page; an empty string is normalised to nullopt.
  std::optional<std::string> next_page_token;
};
parsed<search_page> parse_search_page(const boost::json::value& doc);

/// POST /rest/api/3/search/approximate-count -> {count}.
parsed<std::int64_t> parse_approximate_count(const boost::json::value& doc);

struct bulk_issue_error {
  /// The id or key that failed, when Jira says.
  std::optional<std::string> id;
  /// HTTP-like status, when Jira says.
  std::optional<int> status;
  /// errorMessages[] and errorMessage, concatenated in order.
  std::vector<std::string> messages;
};

/// POST /rest/api/3/issue/bulkfetch.
struct bulkfetch_result {
  std::vector<jira_issue> issues;
  std::vector<bulk_issue_error> issue_errors;
};
parsed<bulkfetch_result> parse_bulkfetch(const boost::json::value& doc);

} // namespace jirasync::protocol
