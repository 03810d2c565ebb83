// ADF -> Markdown (docs/export-format.md ("The markdown field")): the two entry
// points and the core of the tree walk (diagnostics, depth bound, output cap).
//
// The converter is split by concern (all internal, namespace adf_detail):
//   adf_nodes    node kinds and lenient JSON accessors;
//   adf_text     character classes, UTF-8 and escaping helpers;
//   adf_writer   `block_writer`: output, container prefixes, separators;
//   adf_inline   a flat run of inline segments -> one paragraph's Markdown;
//   adf_renderer the tree walk (adf_markdown/blocks/lists/tables/collect.cpp).
#include "protocol/adf/adf_markdown.hpp"

#include "common/utf8.hpp"
#include "protocol/adf/adf_renderer.hpp"
#include "protocol/adf/adf_text.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <new>

namespace jirasync::protocol {

namespace adf_detail {

namespace {

/// Renderer recursion is bounded by this even when adf_options.max_depth is
/// larger: ~1000 levels keep well inside an 8 MiB thread stack, also under
/// ASan (whose frames are several times larger).
constexpr std::size_t hard_max_depth = 1000;

/// At most this many diagnostics are kept; one more line says how many were
/// dropped.
constexpr std::size_t max_diagnostics = 50;

std::string kind_name(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null:
      return "null";
    case json::kind::bool_:
      return "boolean";
    case json::kind::string:
      return "string";
    case json::kind::array:
      return "array";
    case json::kind::object:
      return "object";
    default:
      return "number";
  }
}

} // namespace

renderer::renderer(const adf_options& opts, adf_result& res)
    : opts_(opts), res_(res), w_(res.markdown),
      max_depth_(std::min(opts.max_depth, hard_max_depth)) {
  // nop
}

void renderer::run(const json::value& root) {
  if (auto arr = root.if_array()) {
    path_.push_back("content");
    block_state st;
    render_blocks(*arr, 1, st);
    path_.pop_back();
  } else if (auto obj = root.if_object()) {
    block_state st;
    if (type_of(*obj).empty() && !content_of(*obj))
      diag("adf: input is an object without \"type\" or \"content\"; "
           "nothing rendered");
    else
      render_block(*obj, 1, st);
  } else {
    diag(std::string{"adf: input is not an ADF document (JSON "}
         + kind_name(root) + "); nothing rendered");
  }
  finish();
}

void renderer::diag(std::string msg) {
  if (res_.diagnostics.size() < max_diagnostics)
    res_.diagnostics.push_back(std::move(msg));
  else
    ++dropped_diags_;
}

std::string renderer::path_string() const {
  std::string p;
  for (auto& s : path_) {
    if (!p.empty())
      p.push_back('/');
    p.append(s.empty() ? std::string_view{"?"} : s);
  }
  return p;
}

bool renderer::enter(std::size_t depth, std::string_view type) {
  if (depth > max_depth_) {
    if (!depth_reported_) {
      depth_reported_ = true;
      auto p = path_string();
      p.push_back('/');
      p.append(type.empty() ? std::string_view{"?"} : type);
      diag("adf: nesting deeper than " + std::to_string(max_depth_)
           + " levels at " + p + "; deeper content cut");
    }
    return false;
  }
  return true;
}

void renderer::unknown_type(std::string_view type, bool has_content) {
  std::string key{type};
  if (reported_types_.size() < 64
      && std::find(reported_types_.begin(), reported_types_.end(), key)
           == reported_types_.end()) {
    reported_types_.push_back(key);
    if (type.empty())
      diag(std::string{"adf: node without a type "}
           + (has_content ? "(rendered its content)" : "(left out)"));
    else
      diag("adf: unknown node type \"" + key + "\" "
           + (has_content ? "(rendered its content)" : "(left out)"));
  }
}

const json::array* renderer::container_content(const json::object& node, kind k,
                                               std::string_view type) {
  auto c = content_of(node);
  if (k == kind::unknown)
    unknown_type(type, c != nullptr);
  return c;
}

void renderer::finish() {
  auto& md = res_.markdown;
  // Text nodes are copied as they are; a document built in memory (not
  // parsed: the JSON readers already repair invalid UTF-8) may hold invalid
  // sequences. The output is always valid UTF-8.
  std::string valid;
  valid.reserve(md.size());
  if (auto bad = common::append_valid_utf8(valid, md); bad > 0) {
    md.swap(valid);
    diag("adf: " + std::to_string(bad)
         + " invalid UTF-8 sequence(s) replaced with U+FFFD");
  }
  if (stopped_ || md.size() > opts_.max_output_bytes) {
    std::size_t cap = opts_.max_output_bytes;
    md.resize(utf8_floor(md, cap > 0 ? cap - 1 : 0));
    if (cap > 0)
      md.push_back('\n');
    diag("adf: output larger than " + std::to_string(cap)
         + " bytes; truncated");
  }
  if (dropped_diags_ > 0)
    res_.diagnostics.push_back("adf: " + std::to_string(dropped_diags_)
                               + " more diagnostics dropped");
}

} // namespace adf_detail

adf_result adf_to_markdown(const boost::json::value& doc,
                           const adf_options& opts) {
  adf_result res;
  try {
    adf_detail::renderer r{opts, res};
    r.run(doc);
  } catch (const std::bad_alloc&) {
    res.markdown.clear();
    res.diagnostics.push_back("adf: out of memory; nothing rendered");
  }
  return res;
}

adf_result adf_text_to_markdown(std::string_view json_text,
                                const adf_options& opts) {
  namespace json = boost::json;
  // A monotonic resource that is not shared makes deallocation trivial, so
  // Boost.JSON skips destroying the elements: no recursion when a deep tree
  // goes away, and parsing is faster.
  // First block sized for the whole tree (about twice the text): one
  // allocation per document instead of a growing chain.
  json::monotonic_resource mr{
    std::max<std::size_t>(4096, json_text.size() * 2)};
  json::storage_ptr sp{&mr};
  json::parse_options po;
  po.max_depth = opts.max_json_depth;
  boost::system::error_code ec;
  // Constructed in place: assigning into a value with another storage
  // would deep-copy it (and make its destruction recursive again).
  auto v = [&]() -> json::value {
    try {
      return json::parse(json_text, ec, sp, po);
    } catch (const std::bad_alloc&) {
      ec = json::error::exception;
      return json::value(sp);
    }
  }();
  if (ec == json::error::exception) {
    adf_result res;
    res.diagnostics.push_back("adf: out of memory while parsing JSON");
    return res;
  }
  if (ec) {
    adf_result res;
    if (ec == json::error::too_deep)
      res.diagnostics.push_back("adf: JSON nested deeper than "
                                + std::to_string(opts.max_json_depth)
                                + " levels; nothing rendered");
    else
      res.diagnostics.push_back("adf: invalid JSON: " + ec.message());
    return res;
  }
  return adf_to_markdown(v, opts);
}

} // namespace jirasync::protocol
