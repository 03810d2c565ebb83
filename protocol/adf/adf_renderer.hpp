#pragma once
// The tree walk of the ADF renderer (internal to protocol/adf). One
// `renderer` per conversion; its member functions live in
//   adf_markdown.cpp  entry, diagnostics, depth bound, output cap;
//   adf_blocks.cpp    block nodes (paragraphs, headings, quotes, panels,
//                     code blocks, expands, containers);
//   adf_lists.cpp     bullet/ordered/task/decision lists;
//   adf_tables.cpp    pipe tables and HTML tables;
//   adf_collect.cpp   inline nodes gathered into segments, and paragraphs.
// Everything appends into a few buffers that are reused across nodes, so a
// conversion costs a handful of allocations, not one per node.

#include "protocol/adf/adf_inline.hpp"
#include "protocol/adf/adf_markdown.hpp"
#include "protocol/adf/adf_nodes.hpp"
#include "protocol/adf/adf_writer.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace jirasync::protocol::adf_detail {

/// Marks of a media caption.
inline constexpr mark_set em_marks{m_em, false, {}, {}};

/// Walks the ADF tree (recursion bounded by max_depth) and drives the block
/// writer and the inline renderer.
class renderer {
public:
  renderer(const adf_options& opts, adf_result& res);

  /// Renders `root` (a doc, a content array or any single node) into the
  /// result given to the constructor. Call once.
  void run(const json::value& root);

private:
  /// What render_blocks remembers between siblings.
  struct block_state {
    bool in_item = false;      // children of a list item
    kind prev = kind::unknown; // kind of the previous block written
    bool prev_wrote = false;   // whether any block was written yet
    list_family prev_family = list_family::none;
    bool prev_alt = false;        // previous list used the other marker
    std::string_view item_prefix; // "[ ] " etc. for the first paragraph
  };

  /// Adds a diagnostic; beyond max_diagnostics they are only counted.
  void diag(std::string msg);

  /// The path of the current node for diagnostics
  /// (`doc/bulletList/listItem`).
  std::string path_string() const;

  /// Enters a node: false (and a diagnostic, once) when it is too deep.
  bool enter(std::size_t depth, std::string_view type);

  /// Reports an unknown (or missing) node type, once per type.
  void unknown_type(std::string_view type, bool has_content);

  /// The content of a node rendered for its content only (containers,
  /// unknown nodes); an unknown type is reported once.
  const json::array* container_content(const json::object& node, kind k,
                                       std::string_view type);

  /// Whether the output passed max_output_bytes (the walk then stops).
  bool stopped() {
    if (!stopped_ && res_.markdown.size() > opts_.max_output_bytes)
      stopped_ = true;
    return stopped_;
  }

  /// Budget for one inline buffer (so a 50 MB text node is cut early).
  std::size_t inline_budget() const {
    auto used = res_.markdown.size();
    return used >= opts_.max_output_bytes ? 0 : opts_.max_output_bytes - used;
  }

  /// Cuts the output to max_output_bytes and counts dropped diagnostics.
  void finish();

  // --- blocks ---

  void render_blocks(const json::array& children, std::size_t depth,
                     block_state& st);

  /// Sets the separator before the next block after one was written.
  void after_block(block_state& st, kind k, std::size_t lines_before);

  /// An implicit paragraph from inline siblings [b, e).
  void render_inline_blocks(const json::array& children, std::size_t b,
                            std::size_t e, std::size_t depth, block_state& st);

  void flush_item_prefix(block_state& st);

  void render_block(const json::object& node, std::size_t depth,
                    block_state& st);

  static std::int64_t list_start(const json::object& node);

  /// Lists: each item's children are indented to its content column (the
  /// marker width); lists among the items nest under the previous item.
  void render_list(const json::object& node, kind k, std::size_t depth,
                   bool alt);

  void render_item_body(const json::object& item, kind ik, std::size_t depth,
                        block_state& st);

  void render_single_in_item(const json::object& node, std::size_t depth,
                             block_state& st);

  void render_list_item_alone(const json::object& node, kind k,
                              std::size_t depth);

  void render_code_block(const json::object& node, std::size_t depth);

  // --- tables ---

  struct cell_ref {
    const json::object* node; // the cell (or the stray node)
    bool header;
    bool is_cell; // tableCell/tableHeader (else a stray node as content)
    std::int64_t colspan, rowspan;
  };

  void table_rows(const json::object& table, std::size_t depth);

  static cell_ref make_cell(const json::object& cell);

  /// Whether a cell renders as one line: paragraphs of inline nodes (or
  /// inline nodes directly), no spans.
  static bool inline_only(const cell_ref& cell);

  void render_table(const json::object& table, std::size_t depth);

  void render_pipe_table(std::size_t cols, std::size_t depth);

  /// One cell's content on the current line: paragraphs joined by `<br>`.
  void render_cell_inline(const cell_ref& cell, std::size_t depth);

  void render_html_table(std::size_t depth);

  // --- inline collection ---

  /// Starts the segments of a new paragraph.
  void begin_segments() {
    segs_.clear();
    scratch_.clear();
  }

  /// A list item's pending "[ ] "-style prefix starts the paragraph.
  void take_item_prefix(block_state& st) {
    if (!st.item_prefix.empty()) {
      add_raw(st.item_prefix, {});
      st.item_prefix = {};
    }
  }

  void add_break(segment::type t) {
    segs_.push_back(segment{t, false, 0, 0, nullptr, {}});
  }

  void add_piece(segment::type t, std::string_view s, const mark_set& m) {
    segs_.push_back(segment{t, false, 0, s.size(), s.data(), m});
  }

  void add_text(std::string_view s, const mark_set& m) {
    if (!s.empty())
      add_piece(segment::type::text, s, m);
  }

  void add_raw(std::string_view s, const mark_set& m) {
    if (!s.empty())
      add_piece(segment::type::raw, s, m);
  }

  /// Text built here (kept in scratch_, referenced by offset).
  void add_scratch(segment::type t, std::size_t off, const mark_set& m) {
    if (scratch_.size() > off)
      segs_.push_back(segment{t, true, off, scratch_.size() - off, nullptr, m});
  }

  void collect_children_inline(const json::object& node, const mark_set& m,
                               std::size_t depth);

  /// The inline content of `node` entered as a child named `type` (a
  /// caption, a cell's paragraph) at `depth`.
  void collect_nested_inline(const json::object& node, std::string_view type,
                             const mark_set& m, std::size_t depth);

  void collect_inline(const json::value& v, const mark_set& m,
                      std::size_t depth);

  void collect_inline_node(const json::object& node, const mark_set& inherited,
                           std::size_t depth);

  void format_date(const json::object* attrs);

  /// inlineCard/blockCard/embedCard: `<url>`; with data only: its url or name.
  void add_card(const json::object* attrs, const mark_set& m);

  void add_url(std::string_view url, const mark_set& m);

  /// `[File: name or id]` (mediaGroup items, mediaInline).
  void add_file_ref(const json::object* attrs, const mark_set& m);

  /// A media node: external image, resolved attachment, or a placeholder.
  void add_media(const json::object& node, const mark_set& m);

  /// `![alt](url_prefix + url_rest)`.
  void add_image(std::string_view alt, std::string_view url_prefix,
                 std::string_view url_rest, const mark_set& m);

  void collect_media_single(const json::object& node, std::size_t depth);

  /// Renders segs_ into inline_ (stops the conversion when the budget ran
  /// out).
  void render_segments(inline_mode mode);

  /// Renders segs_ as one paragraph (nothing when it comes out empty).
  void emit_paragraph(inline_mode mode);

  const adf_options& opts_;
  adf_result& res_;
  block_writer w_;
  std::size_t max_depth_;
  std::vector<std::string_view> path_;
  std::vector<segment> segs_;
  std::string scratch_;
  std::string inline_;
  std::string code_;
  std::vector<std::pair<std::size_t, std::size_t>> rows_;
  std::vector<cell_ref> cells_;
  std::vector<std::string> reported_types_;
  std::size_t dropped_diags_ = 0;
  bool depth_reported_ = false;
  bool stopped_ = false;
};

} // namespace jirasync::protocol::adf_detail
