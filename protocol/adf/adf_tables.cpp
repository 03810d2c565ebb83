// Tables of the ADF tree walk: a GFM pipe table when every cell is one line
// of inline content without spans, an HTML table otherwise.
#include "protocol/adf/adf_renderer.hpp"

#include <algorithm>

namespace jirasync::protocol::adf_detail {

void renderer::table_rows(const json::object& table, std::size_t depth) {
  rows_.clear();
  cells_.clear();
  auto c = content_of(table);
  if (!c || depth + 1 > max_depth_)
    return;
  for (auto& r : *c) {
    auto row = r.if_object();
    if (!row)
      continue;
    std::size_t begin = cells_.size();
    auto rk = kind_of(*row);
    if (rk == kind::table_row) {
      if (auto rc = content_of(*row))
        for (auto& cv : *rc)
          if (auto cell = cv.if_object())
            cells_.push_back(make_cell(*cell));
    } else {
      cells_.push_back(make_cell(*row));
    }
    rows_.emplace_back(begin, cells_.size());
  }
}

renderer::cell_ref renderer::make_cell(const json::object& cell) {
  auto ck = kind_of(cell);
  bool is_cell = ck == kind::table_cell || ck == kind::table_header;
  auto attrs = attrs_of(cell);
  return cell_ref{&cell, ck == kind::table_header, is_cell,
                  is_cell ? attr_int(attrs, "colspan").value_or(1) : 1,
                  is_cell ? attr_int(attrs, "rowspan").value_or(1) : 1};
}

bool renderer::inline_only(const cell_ref& cell) {
  if (cell.colspan > 1 || cell.rowspan > 1)
    return false;
  if (!cell.is_cell)
    return is_inline(kind_of(*cell.node))
           || kind_of(*cell.node) == kind::paragraph;
  auto c = content_of(*cell.node);
  if (!c)
    return true;
  for (auto& v : *c) {
    auto n = v.if_object();
    if (!n)
      continue;
    auto k = kind_of(*n);
    if (k == kind::paragraph) {
      if (auto pc = content_of(*n))
        for (auto& iv : *pc)
          if (auto in = iv.if_object(); in && !is_inline(kind_of(*in)))
            return false;
    } else if (!is_inline(k)) {
      return false;
    }
  }
  return true;
}

void renderer::render_table(const json::object& table, std::size_t depth) {
  table_rows(table, depth);
  if (rows_.empty())
    return;
  bool pipe = true;
  std::size_t cols = 0;
  for (auto& [b, e] : rows_) {
    cols = std::max(cols, e - b);
    for (auto i = b; i < e && pipe; ++i)
      pipe = inline_only(cells_[i]);
  }
  if (cols == 0)
    return;
  if (pipe)
    render_pipe_table(cols, depth);
  else
    render_html_table(depth);
}

void renderer::render_pipe_table(std::size_t cols, std::size_t depth) {
  // Copy: rendering a cell reuses segs_/scratch_, not rows_/cells_ (a
  // pipe table holds no nested tables), but keep it obviously safe.
  auto rows = rows_;
  auto cells = cells_;
  auto& out = w_.out();
  bool first_is_header = true;
  {
    auto [b, e] = rows.front();
    for (auto i = b; i < e; ++i)
      first_is_header = first_is_header && cells[i].header;
    first_is_header = first_is_header && e > b;
  }
  auto delimiter_row = [&] {
    w_.begin_line();
    out.push_back('|');
    for (std::size_t k = 0; k < cols; ++k)
      out.append(" --- |");
    w_.end_line();
  };
  if (!first_is_header) {
    w_.begin_line();
    out.push_back('|');
    for (std::size_t k = 0; k < cols; ++k)
      out.append("  |");
    w_.end_line();
    delimiter_row();
  }
  bool first = true;
  for (auto& [b, e] : rows) {
    if (stopped())
      return;
    w_.begin_line();
    out.push_back('|');
    for (std::size_t k = 0; k < cols; ++k) {
      out.push_back(' ');
      if (b + k < e)
        render_cell_inline(cells[b + k], depth + 2);
      out.append(" |");
    }
    w_.end_line();
    if (first && first_is_header)
      delimiter_row();
    first = false;
  }
}

void renderer::render_cell_inline(const cell_ref& cell, std::size_t depth) {
  begin_segments();
  if (!cell.is_cell) {
    if (kind_of(*cell.node) == kind::paragraph)
      collect_children_inline(*cell.node, {}, depth);
    else
      collect_inline_node(*cell.node, {}, depth);
  } else if (auto c = content_of(*cell.node)) {
    bool first_par = true;
    for (auto& v : *c) {
      auto n = v.if_object();
      if (!n)
        continue;
      if (kind_of(*n) == kind::paragraph) {
        if (!first_par)
          add_break(segment::type::hard_break);
        first_par = false;
        collect_nested_inline(*n, "paragraph", {}, depth + 1);
      } else {
        collect_inline_node(*n, {}, depth + 1);
      }
    }
  }
  render_segments(inline_mode::cell);
  // "<br>" at the edges of a cell adds nothing but noise.
  std::string_view v = inline_;
  while (v.substr(0, 4) == "<br>")
    v.remove_prefix(4);
  while (v.size() >= 4 && v.substr(v.size() - 4) == "<br>")
    v.remove_suffix(4);
  w_.out().append(v);
}

void renderer::render_html_table(std::size_t depth) {
  auto rows = rows_;
  auto cells = cells_;
  auto& out = w_.out();
  w_.line("<table>");
  for (auto& [b, e] : rows) {
    if (stopped())
      return;
    w_.line("<tr>");
    for (auto i = b; i < e; ++i) {
      auto& cell = cells[i];
      auto tag = cell.header ? std::string_view{"th"} : "td";
      w_.begin_line();
      out.push_back('<');
      out.append(tag);
      if (cell.colspan > 1)
        out.append(" colspan=\"" + std::to_string(cell.colspan) + "\"");
      if (cell.rowspan > 1)
        out.append(" rowspan=\"" + std::to_string(cell.rowspan) + "\"");
      out.push_back('>');
      auto lines_before = w_.line_count();
      w_.end_line();
      w_.set_sep(block_writer::sep::blank);
      block_state inner;
      path_.push_back(cell.header ? "tableHeader" : "tableCell");
      if (!cell.is_cell) {
        render_single_in_item(*cell.node, depth + 2, inner);
      } else if (enter(depth + 2, path_.back())) {
        if (auto c = content_of(*cell.node))
          render_blocks(*c, depth + 3, inner);
      }
      path_.pop_back();
      if (w_.line_count() == lines_before + 1) {
        // Nothing inside: close on the same line.
        out.pop_back();
        w_.set_sep(block_writer::sep::none);
        out.append("</");
        out.append(tag);
        out.append(">\n");
        continue;
      }
      w_.set_sep(block_writer::sep::blank);
      w_.begin_line();
      out.append("</");
      out.append(tag);
      out.push_back('>');
      w_.end_line();
    }
    w_.line("</tr>");
  }
  w_.line("</table>");
}

} // namespace jirasync::protocol::adf_detail
