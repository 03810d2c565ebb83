// Lists of the ADF tree walk: bullet, ordered, task and decision lists,
// nested lists, and items found outside a list.
#include "protocol/adf/adf_renderer.hpp"

namespace jirasync::protocol::adf_detail {

void renderer::render_list(const json::object& node, kind k, std::size_t depth,
                           bool alt) {
  auto c = content_of(node);
  if (!c)
    return;
  std::int64_t number = k == kind::ordered_list ? list_start(node) : 0;
  char bullet = alt ? '*' : '-';
  char delim = alt ? ')' : '.';
  std::string marker;
  std::size_t i = 0;
  bool first_item = true;
  while (i < c->size() && !stopped()) {
    auto item = (*c)[i].if_object();
    if (!item) {
      ++i;
      continue;
    }
    auto ik = kind_of(*item);
    if (!enter(depth + 1, type_of(*item)))
      break; // too deep: not even an empty marker
    marker.clear();
    if (k == kind::ordered_list) {
      marker = std::to_string(number++);
      marker.push_back(delim);
      marker.push_back(' ');
    } else {
      marker.push_back(bullet);
      marker.push_back(' ');
    }
    if (!first_item)
      w_.set_sep(block_writer::sep::none);
    first_item = false;
    w_.push_item(marker);
    block_state st;
    st.in_item = true;
    if (family_of(ik) != list_family::none) {
      // A nested list before any item: under an empty item.
      render_block(*item, depth + 1, st);
    } else {
      render_item_body(*item, ik, depth + 1, st);
    }
    ++i;
    // Nested lists given as siblings of the items belong to this item.
    while (i < c->size()) {
      auto next = (*c)[i].if_object();
      if (!next || family_of(kind_of(*next)) == list_family::none)
        break;
      render_block(*next, depth + 1, st);
      ++i;
    }
    flush_item_prefix(st);
    w_.pop_item();
  }
}

void renderer::render_item_body(const json::object& item, kind ik,
                                std::size_t depth, block_state& st) {
  auto type = type_of(item);
  if (!enter(depth, type))
    return;
  path_.push_back(type);
  auto attrs = attrs_of(item);
  auto state = attr_str(attrs, "state");
  switch (ik) {
    case kind::task_item:
    case kind::block_task_item:
      st.item_prefix = state == "DONE" ? "[x] " : "[ ] ";
      break;
    case kind::decision_item:
      st.item_prefix = state == "DECIDED" ? "\xE2\x9C\x93 " : "? ";
      break;
    default:
      break;
  }
  if (ik == kind::list_item || ik == kind::task_item
      || ik == kind::block_task_item || ik == kind::decision_item) {
    if (auto c = content_of(item))
      render_blocks(*c, depth + 1, st);
  } else {
    // Something else directly in a list: an item holding it.
    path_.pop_back();
    render_single_in_item(item, depth, st);
    return;
  }
  path_.pop_back();
}

void renderer::render_single_in_item(const json::object& node,
                                     std::size_t depth, block_state& st) {
  auto k = kind_of(node);
  if (is_inline(k)) {
    auto before = w_.line_count();
    begin_segments();
    collect_inline_node(node, {}, depth);
    emit_paragraph(inline_mode::normal);
    after_block(st, kind::paragraph, before);
  } else {
    render_block(node, depth, st);
  }
}

void renderer::render_list_item_alone(const json::object& node, kind k,
                                      std::size_t depth) {
  w_.push_item("- ");
  block_state st;
  st.in_item = true;
  path_.pop_back();
  render_item_body(node, k, depth, st);
  path_.push_back(type_of(node));
  flush_item_prefix(st);
  w_.pop_item();
}

} // namespace jirasync::protocol::adf_detail
