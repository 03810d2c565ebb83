// Block nodes of the ADF tree walk: paragraphs, headings, code blocks,
// quotes, panels, rules, media, expands, extensions and containers.
#include "protocol/adf/adf_renderer.hpp"

#include "protocol/adf/adf_text.hpp"

#include <algorithm>

namespace jirasync::protocol::adf_detail {

namespace {

std::string_view panel_alert(std::string_view panel_type) {
  if (panel_type == "tip" || panel_type == "success")
    return "[!TIP]";
  if (panel_type == "warning")
    return "[!WARNING]";
  if (panel_type == "error")
    return "[!CAUTION]";
  return "[!NOTE]";
}

/// The end of the run of inline siblings (inline nodes or bare strings)
/// starting at `i`.
std::size_t inline_run_end(const json::array& children, std::size_t i) {
  while (i < children.size()
         && (children[i].is_string()
             || (children[i].is_object()
                 && is_inline(kind_of(children[i].get_object())))))
    ++i;
  return i;
}

} // namespace

void renderer::render_blocks(const json::array& children, std::size_t depth,
                             block_state& st) {
  std::size_t i = 0;
  while (i < children.size() && !stopped()) {
    auto node = children[i].if_object();
    if (!node && !children[i].is_string()) {
      ++i;
      continue;
    }
    // Inline nodes, and bare strings (lenient: they are text), make an
    // implicit paragraph with the inline siblings that follow.
    if (!node || is_inline(kind_of(*node))) {
      auto j = inline_run_end(children, i + 1);
      render_inline_blocks(children, i, j, depth, st);
      i = j;
      continue;
    }
    render_block(*node, depth, st);
    ++i;
  }
}

void renderer::after_block(block_state& st, kind k, std::size_t lines_before) {
  if (w_.line_count() == lines_before)
    return;
  st.prev = k;
  st.prev_wrote = true;
  if (family_of(k) == list_family::none)
    st.prev_family = list_family::none;
  w_.set_sep(block_writer::sep::blank);
}

void renderer::render_inline_blocks(const json::array& children, std::size_t b,
                                    std::size_t e, std::size_t depth,
                                    block_state& st) {
  auto before = w_.line_count();
  begin_segments();
  take_item_prefix(st);
  for (std::size_t i = b; i < e; ++i)
    collect_inline(children[i], {}, depth);
  emit_paragraph(inline_mode::normal);
  after_block(st, kind::paragraph, before);
}

void renderer::flush_item_prefix(block_state& st) {
  if (st.item_prefix.empty())
    return;
  auto before = w_.line_count();
  begin_segments();
  take_item_prefix(st);
  emit_paragraph(inline_mode::normal);
  after_block(st, kind::paragraph, before);
}

void renderer::render_block(const json::object& node, std::size_t depth,
                            block_state& st) {
  auto type = type_of(node);
  if (!enter(depth, type))
    return;
  path_.push_back(type);
  auto k = kind_of(type);
  auto before = w_.line_count();
  if (k != kind::paragraph)
    flush_item_prefix(st);
  auto fam = family_of(k);
  if (fam != list_family::none) {
    // A list right after a paragraph of the same list item continues the
    // item without a blank line, except an ordered list not starting at 1
    // (it could not interrupt the paragraph).
    if (st.in_item && st.prev_wrote && st.prev == kind::paragraph
        && w_.pending_sep() == block_writer::sep::blank) {
      bool tight = true;
      if (k == kind::ordered_list)
        tight = list_start(node) == 1;
      if (tight)
        w_.set_sep(block_writer::sep::tight);
    }
    bool alt = st.prev_wrote && st.prev_family == fam && !st.prev_alt;
    render_list(node, k, depth, alt);
    if (w_.line_count() != before) {
      st.prev_family = fam;
      st.prev_alt = alt;
    }
    after_block(st, k, before);
    path_.pop_back();
    return;
  }
  switch (k) {
    case kind::paragraph: {
      begin_segments();
      take_item_prefix(st);
      collect_children_inline(node, {}, depth);
      emit_paragraph(inline_mode::normal);
      break;
    }
    case kind::heading: {
      auto level = attr_int(attrs_of(node), "level").value_or(1);
      level = std::clamp<std::int64_t>(level, 1, 6);
      begin_segments();
      collect_children_inline(node, {}, depth);
      render_segments(inline_mode::heading);
      // A trailing run of `#` would be read as the closing sequence.
      if (!inline_.empty() && inline_.back() == '#') {
        auto p = inline_.find_last_not_of('#');
        inline_.insert(p == std::string::npos ? 0 : p + 1, 1, '\\');
      }
      if (inline_.empty())
        break; // like an empty paragraph: left out
      w_.begin_line();
      w_.out().append(static_cast<std::size_t>(level), '#');
      w_.out().push_back(' ');
      w_.out().append(inline_);
      w_.end_line();
      break;
    }
    case kind::code_block:
      render_code_block(node, depth);
      break;
    case kind::blockquote: {
      w_.push_quote();
      block_state inner;
      if (auto c = content_of(node))
        render_blocks(*c, depth + 1, inner);
      w_.pop_quote();
      break;
    }
    case kind::panel: {
      w_.push_quote();
      w_.line(panel_alert(attr_str(attrs_of(node), "panelType")));
      // A first paragraph follows the alert line directly (GitHub's form);
      // other blocks after a blank line (an ordered list not starting at
      // 1 could not interrupt the "[!NOTE]" paragraph).
      auto c = content_of(node);
      bool para_first = false;
      if (c && !c->empty()) {
        auto first = (*c)[0].if_object();
        auto fk = first ? kind_of(*first) : kind::text;
        para_first = fk == kind::paragraph || is_inline(fk);
      }
      w_.set_sep(para_first ? block_writer::sep::none
                            : block_writer::sep::blank);
      block_state inner;
      if (c)
        render_blocks(*c, depth + 1, inner);
      w_.pop_quote();
      break;
    }
    case kind::rule:
      w_.line(w_.pending_marker_char('-') ? "***" : "---");
      break;
    case kind::media_single:
    case kind::media:
    case kind::block_card:
    case kind::embed_card:
    case kind::caption: {
      begin_segments();
      if (k == kind::media_single)
        collect_media_single(node, depth);
      else if (k == kind::media)
        add_media(node, {});
      else if (k == kind::caption)
        collect_children_inline(node, em_marks, depth);
      else
        add_card(attrs_of(node), {});
      emit_paragraph(inline_mode::normal);
      break;
    }
    case kind::media_group: {
      begin_segments();
      if (auto c = content_of(node)) {
        bool first = true;
        for (auto& child : *c) {
          auto m = child.if_object();
          if (!m)
            continue;
          if (!first)
            add_break(segment::type::soft_break);
          first = false;
          add_file_ref(attrs_of(*m), {});
        }
      }
      emit_paragraph(inline_mode::normal);
      break;
    }
    case kind::table:
      render_table(node, depth);
      break;
    case kind::expand:
    case kind::nested_expand: {
      auto& out = w_.out();
      w_.begin_line();
      out.append("<details><summary>");
      html_escape(out, attr_str(attrs_of(node), "title"));
      out.append("</summary>");
      w_.end_line();
      w_.set_sep(block_writer::sep::blank);
      block_state inner;
      if (auto c = content_of(node))
        render_blocks(*c, depth + 1, inner);
      w_.set_sep(block_writer::sep::blank);
      w_.line("</details>");
      break;
    }
    case kind::extension:
    case kind::inline_extension: {
      auto text = attr_str(attrs_of(node), "text");
      if (!text.empty()) {
        begin_segments();
        add_text(text, {});
        emit_paragraph(inline_mode::normal);
      }
      break;
    }
    case kind::placeholder:
      break;
    case kind::task_item:
    case kind::block_task_item:
    case kind::decision_item:
    case kind::list_item: {
      // An item outside a list: render it as a one-item list.
      render_list_item_alone(node, k, depth);
      break;
    }
    default: {
      // doc, layouts, bodied extensions, sync blocks, table parts out of
      // place, unknown nodes: their content, or nothing.
      auto c = container_content(node, k, type);
      if (c) {
        block_state inner;
        inner.in_item = st.in_item;
        render_blocks(*c, depth + 1, inner);
        if (w_.line_count() != before) {
          path_.pop_back();
          // The container's last block decides what follows.
          st.prev = inner.prev;
          st.prev_wrote = true;
          st.prev_family = inner.prev_family;
          st.prev_alt = inner.prev_alt;
          w_.set_sep(block_writer::sep::blank);
          return;
        }
      }
      break;
    }
  }
  after_block(st, k, before);
  path_.pop_back();
}

std::int64_t renderer::list_start(const json::object& node) {
  auto v = attr_int(attrs_of(node), "order").value_or(1);
  return std::clamp<std::int64_t>(v, 0, 999999999);
}

void renderer::render_code_block(const json::object& node, std::size_t depth) {
  code_.clear();
  if (auto c = content_of(node)) {
    for (auto& child : *c) {
      auto t = child.if_object();
      if (!t)
        continue;
      auto ck = kind_of(*t);
      if (ck == kind::hard_break)
        code_.push_back('\n');
      else if (depth + 1 <= max_depth_)
        code_.append(str_of(t->if_contains("text")));
      if (code_.size() > opts_.max_output_bytes) {
        code_.resize(utf8_floor(code_, opts_.max_output_bytes + 1));
        stopped_ = true;
        break;
      }
    }
  }
  std::size_t fence = std::max<std::size_t>(3, longest_run(code_, '`') + 1);
  auto& out = w_.out();
  w_.begin_line();
  out.append(fence, '`');
  for (char ch : attr_str(attrs_of(node), "language"))
    if (ch != '`' && ch != '\n' && ch != '\r')
      out.push_back(ch);
  w_.end_line();
  if (!code_.empty()) {
    std::string_view body = code_;
    if (body.back() == '\n')
      body.remove_suffix(1);
    std::size_t pos = 0;
    while (pos <= body.size()) {
      auto nl = body.find('\n', pos);
      if (nl == std::string_view::npos)
        nl = body.size();
      w_.begin_line();
      out.append(body.substr(pos, nl - pos));
      w_.end_line();
      pos = nl + 1;
    }
  }
  w_.begin_line();
  out.append(fence, '`');
  w_.end_line();
}

} // namespace jirasync::protocol::adf_detail
