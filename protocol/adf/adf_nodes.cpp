#include "protocol/adf/adf_nodes.hpp"

#include <charconv>

namespace jirasync::protocol::adf_detail {

/// Node type name -> kind (a switch on the length, then compares: this
/// runs once per node, so it is kept cheaper than a hash lookup).
kind kind_of(std::string_view type) {
  switch (type.size()) {
    case 3:
      if (type == "doc")
        return kind::doc;
      break;
    case 4:
      if (type == "text")
        return kind::text;
      if (type == "rule")
        return kind::rule;
      if (type == "date")
        return kind::date;
      break;
    case 5:
      if (type == "panel")
        return kind::panel;
      if (type == "emoji")
        return kind::emoji;
      if (type == "media")
        return kind::media;
      if (type == "table")
        return kind::table;
      break;
    case 6:
      if (type == "status")
        return kind::status;
      if (type == "expand")
        return kind::expand;
      break;
    case 7:
      if (type == "heading")
        return kind::heading;
      if (type == "mention")
        return kind::mention;
      if (type == "caption")
        return kind::caption;
      break;
    case 8:
      if (type == "listItem")
        return kind::list_item;
      if (type == "tableRow")
        return kind::table_row;
      if (type == "taskList")
        return kind::task_list;
      if (type == "taskItem")
        return kind::task_item;
      break;
    case 9:
      if (type == "paragraph")
        return kind::paragraph;
      if (type == "codeBlock")
        return kind::code_block;
      if (type == "hardBreak")
        return kind::hard_break;
      if (type == "blockCard")
        return kind::block_card;
      if (type == "embedCard")
        return kind::embed_card;
      if (type == "tableCell")
        return kind::table_cell;
      if (type == "extension")
        return kind::extension;
      break;
    case 10:
      if (type == "bulletList")
        return kind::bullet_list;
      if (type == "blockquote")
        return kind::blockquote;
      if (type == "inlineCard")
        return kind::inline_card;
      if (type == "mediaGroup")
        return kind::media_group;
      break;
    case 11:
      if (type == "orderedList")
        return kind::ordered_list;
      if (type == "mediaSingle")
        return kind::media_single;
      if (type == "mediaInline")
        return kind::media_inline;
      if (type == "tableHeader")
        return kind::table_header;
      if (type == "placeholder")
        return kind::placeholder;
      break;
    case 12:
      if (type == "nestedExpand")
        return kind::nested_expand;
      if (type == "decisionList")
        return kind::decision_list;
      if (type == "decisionItem")
        return kind::decision_item;
      if (type == "layoutColumn")
        return kind::layout_column;
      break;
    case 13:
      if (type == "blockTaskItem")
        return kind::block_task_item;
      if (type == "layoutSection")
        return kind::layout_section;
      break;
    case 14:
      if (type == "extensionFrame")
        return kind::extension_frame;
      break;
    case 15:
      if (type == "inlineExtension")
        return kind::inline_extension;
      if (type == "bodiedExtension")
        return kind::bodied_extension;
      if (type == "bodiedSyncBlock")
        return kind::bodied_sync_block;
      break;
    case 20:
      if (type == "multiBodiedExtension")
        return kind::multi_bodied_extension;
      break;
    default:
      break;
  }
  return kind::unknown;
}

std::optional<std::int64_t> attr_int(const json::object* attrs,
                                     std::string_view key) {
  if (!attrs)
    return std::nullopt;
  auto v = attrs->if_contains(key);
  if (!v)
    return std::nullopt;
  if (auto i = v->if_int64())
    return *i;
  if (auto u = v->if_uint64())
    return *u > static_cast<std::uint64_t>(INT64_MAX)
             ? INT64_MAX
             : static_cast<std::int64_t>(*u);
  if (auto d = v->if_double()) {
    if (*d != *d || *d > 9.2e18 || *d < -9.2e18)
      return std::nullopt;
    return static_cast<std::int64_t>(*d);
  }
  if (auto s = v->if_string()) {
    std::int64_t x = 0;
    auto b = s->data(), e = s->data() + s->size();
    while (b != e && (*b == ' ' || *b == '\t'))
      ++b;
    auto [p, ec] = std::from_chars(b, e, x);
    if (ec == std::errc{} && p != b)
      return x;
  }
  return std::nullopt;
}

} // namespace jirasync::protocol::adf_detail
