#pragma once
// ADF (Atlassian Document Format) -> Markdown (CommonMark + GFM), per
// docs/export-format.md ("The markdown field"). Pure functions, no I/O, safe to
// call from any thread concurrently (no shared state).

#include <boost/json/value.hpp>

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace jirasync::protocol {

/// Options of one conversion.
struct adf_options {
  /// Nesting levels of ADF nodes rendered; deeper content is cut, with a
  /// diagnostic naming the path. Default: 256.
  std::size_t max_depth = 256;

  /// Size cap of the produced Markdown; the output is truncated (at a UTF-8
  /// character boundary) with a diagnostic. Default: 8 MiB.
  std::size_t max_output_bytes = std::size_t{8} << 20;

  /// Nesting bound of the JSON parser used by adf_text_to_markdown (JSON
  /// arrays/objects, not ADF nodes: one ADF level is ~2 JSON levels). Deeper
  /// input is rejected before a tree is built (a diagnostic, empty output).
  /// Default: 10000.
  std::size_t max_json_depth = 10000;

  /// Resolves a media node of type "file" to an attachment id. Called with
  /// the file name (ADF attrs.alt, may be empty) and the media id (attrs.id).
  /// Returns the attachment id, or nullopt when unknown. Default: empty (no
  /// resolution: files render as `[Image: alt or id]`).
  std::function<std::optional<std::string>(std::string_view filename,
                                           std::string_view media_id)>
    resolve_media;
};

/// The Markdown and what was lenient or cut on the way ("adf: ..." lines).
struct adf_result {
  std::string markdown;
  std::vector<std::string> diagnostics;
};

/// Renders an ADF document. Accepts a doc node, a content array (the content
/// of a doc), or any single ADF node. Never throws on content (malformed
/// nodes are rendered leniently or left out, with diagnostics).
adf_result adf_to_markdown(const boost::json::value& doc,
                           const adf_options& opts = {});

/// Parses `json_text` and renders it like adf_to_markdown. Parse errors (and
/// nesting beyond opts.max_json_depth) become diagnostics and an empty
/// Markdown string.
adf_result adf_text_to_markdown(std::string_view json_text,
                                const adf_options& opts = {});

} // namespace jirasync::protocol
