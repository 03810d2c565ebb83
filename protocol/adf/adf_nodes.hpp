#pragma once
// Reading ADF (internal to protocol/adf): node kinds and lenient accessors
// of the JSON tree. Wrong JSON types read as "absent"; nothing here throws
// on content.

#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string_view>

namespace jirasync::protocol::adf_detail {

namespace json = boost::json;

enum class kind : std::uint8_t {
  unknown,
  doc,
  paragraph,
  text,
  heading,
  bullet_list,
  ordered_list,
  list_item,
  code_block,
  blockquote,
  panel,
  rule,
  hard_break,
  mention,
  emoji,
  date,
  status,
  inline_card,
  block_card,
  embed_card,
  media_single,
  media,
  media_group,
  media_inline,
  caption,
  table,
  table_row,
  table_cell,
  table_header,
  expand,
  nested_expand,
  task_list,
  task_item,
  block_task_item,
  decision_list,
  decision_item,
  layout_section,
  layout_column,
  placeholder,
  extension,
  inline_extension,
  bodied_extension,
  multi_bodied_extension,
  extension_frame,
  bodied_sync_block,
};

/// Node type name -> kind; kind::unknown for anything unlisted.
kind kind_of(std::string_view type);

/// Inline nodes: gathered into (implicit) paragraphs wherever they appear.
inline bool is_inline(kind k) {
  switch (k) {
    case kind::text:
    case kind::hard_break:
    case kind::mention:
    case kind::emoji:
    case kind::date:
    case kind::status:
    case kind::inline_card:
    case kind::media_inline:
    case kind::inline_extension:
    case kind::placeholder:
      return true;
    default:
      return false;
  }
}

/// List-like blocks; adjacent ones of one family would merge into one list
/// in CommonMark, so the second one gets the alternative marker.
enum class list_family : std::uint8_t { none, bullet, ordered };

inline list_family family_of(kind k) {
  switch (k) {
    case kind::bullet_list:
    case kind::task_list:
    case kind::decision_list:
      return list_family::bullet;
    case kind::ordered_list:
      return list_family::ordered;
    default:
      return list_family::none;
  }
}

inline const json::object* obj_of(const json::value* v) {
  return v ? v->if_object() : nullptr;
}

inline std::string_view str_of(const json::value* v) {
  if (!v)
    return {};
  if (auto s = v->if_string())
    return *s;
  return {};
}

inline const json::object* attrs_of(const json::object& node) {
  return obj_of(node.if_contains("attrs"));
}

inline std::string_view attr_str(const json::object* attrs,
                                 std::string_view key) {
  return attrs ? str_of(attrs->if_contains(key)) : std::string_view{};
}

/// Reads an integer attribute given as a JSON number or a numeric string.
std::optional<std::int64_t> attr_int(const json::object* attrs,
                                     std::string_view key);

inline const json::array* content_of(const json::object& node) {
  auto c = node.if_contains("content");
  return c ? c->if_array() : nullptr;
}

inline std::string_view type_of(const json::object& node) {
  return str_of(node.if_contains("type"));
}

/// The kind of a node object (by its "type").
inline kind kind_of(const json::object& node) {
  return kind_of(type_of(node));
}

} // namespace jirasync::protocol::adf_detail
