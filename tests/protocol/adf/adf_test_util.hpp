#pragma once
// Helpers shared by the adf_*.cpp tests: run the converter, parse its output
// with GitHub's CommonMark (cmark-gfm + table/strikethrough) and summarise
// what came out (plain text, lists, tables, code blocks, headings), and
// summarise an ADF tree the same way, independently of the converter.

#include "protocol/adf/adf_markdown.hpp"

#include <boost/json.hpp>

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace jirasync::protocol::test {

/// Markdown of a JSON text (diagnostics ignored).
inline std::string md(std::string_view json_text,
                      const adf_options& opts = {}) {
  return adf_text_to_markdown(json_text, opts).markdown;
}

/// Markdown of `{"type":"doc","version":1,"content":[<content>]}`.
inline std::string doc(std::string_view content, const adf_options& opts = {}) {
  std::string text = R"({"type":"doc","version":1,"content":[)";
  text.append(content);
  text.append("]}");
  return md(text, opts);
}

/// What cmark-gfm saw in a Markdown text.
struct md_summary {
  std::string text; // all visible text, no white space
  std::size_t list_items = 0;
  std::size_t max_list_depth = 0;
  std::size_t tables = 0;               // pipe tables + <table> HTML blocks
  std::size_t table_rows = 0;           // pipe rows (no added empty header)
                                        // + <tr> in HTML
  std::vector<std::string> code_blocks; // literal, trailing '\n' dropped
  std::vector<int> heading_levels;
  std::size_t html_inline = 0;
};

/// Appends `s` without white space (ASCII, and the no-break space, which
/// the converter treats as white space when it moves it off mark edges).
inline void strip_ws_into(std::string& out, std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f')
      continue;
    if (c == '\xC2' && i + 1 < s.size() && s[i + 1] == '\xA0') {
      ++i;
      continue;
    }
    out.push_back(c);
  }
}

inline std::string strip_ws(std::string_view s) {
  std::string out;
  strip_ws_into(out, s);
  return out;
}

inline std::size_t count_substr(std::string_view hay, std::string_view needle) {
  std::size_t n = 0;
  for (auto p = hay.find(needle); p != std::string_view::npos;
       p = hay.find(needle, p + 1))
    ++n;
  return n;
}

inline md_summary summarize_markdown(std::string_view markdown) {
  cmark_gfm_core_extensions_ensure_registered();
  cmark_parser* parser = cmark_parser_new(CMARK_OPT_DEFAULT);
  for (auto name : {"table", "strikethrough"})
    if (auto ext = cmark_find_syntax_extension(name))
      cmark_parser_attach_syntax_extension(parser, ext);
  cmark_parser_feed(parser, markdown.data(), markdown.size());
  cmark_node* root = cmark_parser_finish(parser);
  md_summary s;
  std::size_t list_depth = 0;
  cmark_iter* it = cmark_iter_new(root);
  cmark_event_type ev;
  while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
    cmark_node* n = cmark_iter_get_node(it);
    std::string_view type = cmark_node_get_type_string(n);
    bool enter = ev == CMARK_EVENT_ENTER;
    if (type == "list") {
      if (enter)
        s.max_list_depth = std::max(s.max_list_depth, ++list_depth);
      else
        --list_depth;
    } else if (type == "item" && enter) {
      ++s.list_items;
    } else if (type == "table" && enter) {
      ++s.tables;
    } else if ((type == "table_row" || type == "table_header") && enter) {
      // An all-empty header row is the one the converter adds.
      bool empty = true;
      if (cmark_gfm_extensions_get_table_row_is_header(n))
        for (auto c = cmark_node_first_child(n); c; c = cmark_node_next(c))
          empty = empty && cmark_node_first_child(c) == nullptr;
      else
        empty = false;
      if (!empty)
        ++s.table_rows;
    } else if (type == "text" || type == "code") {
      strip_ws_into(s.text, cmark_node_get_literal(n));
    } else if (type == "code_block") {
      std::string lit = cmark_node_get_literal(n);
      strip_ws_into(s.text, lit);
      if (!lit.empty() && lit.back() == '\n')
        lit.pop_back();
      s.code_blocks.push_back(std::move(lit));
    } else if (type == "heading" && enter) {
      s.heading_levels.push_back(cmark_node_get_heading_level(n));
    } else if (type == "html_block") {
      std::string_view lit = cmark_node_get_literal(n);
      s.tables += count_substr(lit, "<table>");
      s.table_rows += count_substr(lit, "<tr>");
    } else if (type == "html_inline") {
      ++s.html_inline;
    }
  }
  cmark_iter_free(it);
  cmark_node_free(root);
  cmark_parser_free(parser);
  return s;
}

/// The same figures taken from an ADF tree (text = every text node).
struct adf_summary {
  std::vector<std::string> texts; // each text node's text
  std::size_t list_items = 0;
  std::size_t max_list_depth = 0;
  std::size_t tables = 0;
  std::size_t table_rows = 0;
  std::vector<std::string> code_blocks;
  std::vector<int> heading_levels;
};

/// Whether `v` holds no text node at all.
inline bool no_text(const boost::json::value& v) {
  if (auto arr = v.if_array())
    return std::all_of(arr->begin(), arr->end(), [](auto& c) {
      return no_text(c);
    });
  auto o = v.if_object();
  if (!o)
    return true;
  if (auto t = o->if_contains("type"); t && t->is_string()
                                       && t->get_string() != "paragraph"
                                       && t->get_string() != "tableHeader")
    return false; // text, or any other node: counts as content
  auto c = o->if_contains("content");
  return !c || no_text(*c);
}

/// A header row of empty cells reads like the one the converter adds for
/// tables without a header, so the Markdown side does not count it either.
inline bool empty_header_row(const boost::json::object& row) {
  auto c = row.if_contains("content");
  if (!c || !c->is_array())
    return false;
  for (auto& cell : c->get_array()) {
    auto co = cell.if_object();
    auto t = co ? co->if_contains("type") : nullptr;
    if (!t || !t->is_string() || t->get_string() != "tableHeader"
        || !no_text(cell))
      return false;
  }
  return true;
}

inline void summarize_adf_into(const boost::json::value& v, adf_summary& s,
                               std::size_t list_depth) {
  if (auto arr = v.if_array()) {
    for (auto& c : *arr)
      summarize_adf_into(c, s, list_depth);
    return;
  }
  auto o = v.if_object();
  if (!o)
    return;
  std::string_view type;
  if (auto t = o->if_contains("type"); t && t->is_string())
    type = t->get_string();
  if (type == "text") {
    if (auto t = o->if_contains("text"); t && t->is_string())
      s.texts.emplace_back(t->get_string());
    return;
  }
  if (type == "codeBlock") {
    std::string code;
    if (auto c = o->if_contains("content"); c && c->is_array())
      for (auto& t : c->get_array())
        if (auto to = t.if_object())
          if (auto tt = to->if_contains("text"); tt && tt->is_string())
            code.append(tt->get_string());
    if (!code.empty() && code.back() == '\n')
      code.pop_back();
    s.texts.push_back(code);
    s.code_blocks.push_back(std::move(code));
    return;
  }
  if (type == "bulletList" || type == "orderedList" || type == "taskList"
      || type == "decisionList") {
    // A task list nested directly in a task list is one level deeper.
    s.max_list_depth = std::max(s.max_list_depth, ++list_depth);
  }
  if (type == "listItem" || type == "taskItem" || type == "decisionItem"
      || type == "blockTaskItem")
    ++s.list_items;
  if (type == "table")
    ++s.tables;
  if (type == "tableRow" && !empty_header_row(*o))
    ++s.table_rows;
  if (type == "heading") {
    int level = 1;
    if (auto a = o->if_contains("attrs"); a && a->is_object())
      if (auto l = a->get_object().if_contains("level"); l && l->is_int64())
        level = static_cast<int>(l->get_int64());
    s.heading_levels.push_back(level);
  }
  if (auto c = o->if_contains("content"))
    summarize_adf_into(*c, s, list_depth);
}

inline adf_summary summarize_adf(const boost::json::value& v) {
  adf_summary s;
  summarize_adf_into(v, s, 0);
  return s;
}

} // namespace jirasync::protocol::test
