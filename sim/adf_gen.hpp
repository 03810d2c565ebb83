#pragma once

// Deterministic ADF documents for the simulator, exercising the whole node
// and mark set of docs/export-format.md ("The markdown field") at a realistic
// rate (mostly plain paragraphs; lists, code, tables, panels, media... mixed
// in).

#include <cstdint>
#include <string>
#include <vector>

#include <boost/json/value.hpp>

namespace jirasim {

struct adf_attachment_ref {
  std::string filename;
  /// Media file id (NOT the attachment id).
  std::string media_id;
};

struct adf_mention_ref {
  std::string account_id;
  std::string display_name;
};

struct adf_context {
  uint64_t seed = 0;
  /// Identifies the body: mix of owner kind, owner id and revision.
  uint64_t salt = 0;
  /// Attachments of the same issue, for media nodes (may be empty).
  std::vector<adf_attachment_ref> attachments;
  /// Users for mentions (non-empty for mentions to appear).
  std::vector<adf_mention_ref> mentions;
  /// Site for inline/block cards. Default: "https://acme-sim.atlassian.net".
  std::string site_url = "https://acme-sim.atlassian.net";
  /// Probability that a block is "rich" (not a plain paragraph).
  /// Default: 0.25.
  double richness = 0.25;
  /// Upper bound of top-level blocks. Default: 6.
  unsigned max_blocks = 6;
};

/// A document {"type":"doc","version":1,"content":[...]}.
boost::json::value generate_adf(const adf_context& ctx);

/// Every `text` node's string, in document order (the truth for "text is
/// preserved" by a renderer).
std::vector<std::string> text_nodes(const boost::json::value& doc);

} // namespace jirasim
