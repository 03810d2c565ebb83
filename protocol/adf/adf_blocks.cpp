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

} // namespace

void renderer::render_blocks(const json::array& children, std::size_t depth,
                             block_state& st) {
  std::size_t i = 0;
  while (i < children.size() && !stopped()) {
    auto node = children[i].if_object();
    if (!node) {
      // A bare string in a content array: lenient, it is text.
      if (children[i].is_string()) {
        std::size_t j = i;
        while (
          j < children.size()
          && (children[j].is_string()
              || (children[j].is_object()
                  && is_inline(kind_of(type_of(children[j].get_object()))))))
          ++j;
        render_inline_blocks(children, i, j, depth, st);
        i = j;
      } else {
        ++i;
      }
      continue;
    }
    auto k = kind_of(type_of(*node));
    if (is_inline(k)) {
      std::size_t j = i + 1;
      while (j < children.size()
             && (children[j].is_string()
                 || (children[j].is_object()
                     && is_inline(kind_of(type_of(children[j].get_object()))))))
        ++j;
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
  segs_.clear();
  scratch_.clear();
  if (!st.item_prefix.empty()) {
    add_raw(st.item_prefix, {});
    st.item_prefix = {};
  }
  for (std::size_t i = b; i < e; ++i)
    collect_inline(children[i], {}, depth);
  emit_paragraph(inline_mode::normal);
  after_block(st, kind::paragraph, before);
}

void renderer::flush_item_prefix(block_state& st) {
  if (st.item_prefix.empty())
    return;
  auto before = w_.line_count();
  segs_.clear();
  scratch_.clear();
  add_raw(st.item_prefix, {});
  st.item_prefix = {};
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
      segs_.clear();
      scratch_.clear();
      if (!st.item_prefix.empty()) {
        add_raw(st.item_prefix, {});
        st.item_prefix = {};
      }
      collect_children_inline(node, {}, depth);
      emit_paragraph(inline_mode::normal);
      break;
    }
    case kind::heading: {
      auto level = attr_int(attrs_of(node), "level").value_or(1);
      level = std::clamp<std::int64_t>(level, 1, 6);
      segs_.clear();
      scratch_.clear();
      collect_children_inline(node, {}, depth);
      inline_.clear();
      if (!render_inline(inline_, scratch_, inline_mode::heading,
                         inline_budget(), segs_))
        stopped_ = true;
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
        auto fk = first ? kind_of(type_of(*first)) : kind::text;
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
      segs_.clear();
      scratch_.clear();
      if (k == kind::media_single)
        collect_media_single(node, depth);
      else if (k == kind::media)
        add_media(node, {});
      else if (k == kind::caption)
        collect_children_inline(node, mark_set{m_em, false, {}, {}}, depth);
      else
        add_card(attrs_of(node), {});
      emit_paragraph(inline_mode::normal);
      break;
    }
    case kind::media_group: {
      segs_.clear();
      scratch_.clear();
      if (auto c = content_of(node)) {
        bool first = true;
        for (auto& child : *c) {
          auto m = child.if_object();
          if (!m)
            continue;
          if (!first)
            segs_.push_back(
              segment{segment::type::soft_break, false, 0, 0, nullptr, {}});
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
        segs_.clear();
        scratch_.clear();
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
      auto c = content_of(node);
      if (k == kind::unknown)
        unknown_type(type, c != nullptr);
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
      auto ck = kind_of(type_of(*t));
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
  std::size_t longest = 0, cur = 0;
  for (char ch : code_) {
    cur = ch == '`' ? cur + 1 : 0;
    longest = std::max(longest, cur);
  }
  std::size_t fence = std::max<std::size_t>(3, longest + 1);
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
