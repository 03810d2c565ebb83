#pragma once
// Whether a downloaded body is the attachment its metadata describes. A
// proxy or a failing media host can answer 200 with an error page or a
// cut-off body; stored, it would pass as the attachment (with the sha256
// of the wrong bytes). Checked for EVERY download, 0-byte attachments
// included.
//
// Thread-safety: pure functions.

#include "protocol/jira/jira_models.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace jirasync::sync {

/// Why the body does not match `a`, or nullopt when it does:
/// - its size differs from the metadata's size (whenever Jira gave one,
///   0 included): "got 10 bytes, expected 0";
/// - its Content-Type is HTML while the metadata says something else (an
///   error page instead of a PDF): "got an HTML page (text/html), expected
///   application/pdf". Other Content-Type differences are allowed: media
///   hosts label files loosely (application/octet-stream).
/// `content_type` is the response header (empty when absent).
std::optional<std::string> content_mismatch(const protocol::jira_attachment& a,
                                            std::uint64_t body_bytes,
                                            std::string_view content_type);

} // namespace jirasync::sync
