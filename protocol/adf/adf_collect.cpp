// Inline collection of the ADF tree walk: inline nodes (text, mentions,
// emoji, dates, statuses, cards, media) become segments, then a paragraph.
#include "protocol/adf/adf_renderer.hpp"

#include "protocol/adf/adf_text.hpp"

#include <chrono>
#include <optional>

namespace jirasync::protocol::adf_detail {

namespace {

mark_set parse_marks(const json::object& node, mark_set m) {
  auto marks = node.if_contains("marks");
  auto arr = marks ? marks->if_array() : nullptr;
  if (!arr)
    return m;
  for (auto& mv : *arr) {
    auto mo = mv.if_object();
    if (!mo)
      continue;
    auto t = type_of(*mo);
    if (t == "strong")
      m.bits |= m_strong;
    else if (t == "em")
      m.bits |= m_em;
    else if (t == "strike")
      m.bits |= m_strike;
    else if (t == "underline")
      m.bits |= m_underline;
    else if (t == "code")
      m.bits |= m_code;
    else if (t == "subsup")
      m.bits |= attr_str(attrs_of(*mo), "type") == "sup" ? m_sup : m_sub;
    else if (t == "link" && !m.link) {
      auto a = attrs_of(*mo);
      auto href = attr_str(a, "href");
      if (!href.empty() || a) {
        m.link = true;
        m.href = href;
        m.title = attr_str(a, "title");
      }
    }
  }
  return m;
}

/// Whether a paragraph would be read as a link reference definition
/// (`[label]: dest`): a leading `[` (link, status, file) whose first
/// unescaped `]` is followed by `:`, e.g. inside a code span. Such a
/// paragraph gets an empty inline `<span></span>` in front.
bool looks_like_link_definition(std::string_view s) {
  if (s.empty() || s[0] != '[')
    return false;
  for (std::size_t i = 1; i < s.size() && i < 1002; ++i) {
    if (s[i] == '\\') {
      ++i;
      continue;
    }
    if (s[i] == '[')
      return false;
    if (s[i] == ']')
      return i + 1 < s.size() && s[i + 1] == ':';
  }
  return false;
}

} // namespace

void renderer::collect_children_inline(const json::object& node,
                                       const mark_set& m, std::size_t depth) {
  auto c = content_of(node);
  if (!c)
    return;
  for (auto& child : *c) {
    if (stopped_)
      return;
    collect_inline(child, m, depth + 1);
  }
}

void renderer::collect_nested_inline(const json::object& node,
                                     std::string_view type, const mark_set& m,
                                     std::size_t depth) {
  if (!enter(depth, type))
    return;
  path_.push_back(type);
  collect_children_inline(node, m, depth);
  path_.pop_back();
}

void renderer::collect_inline(const json::value& v, const mark_set& m,
                              std::size_t depth) {
  if (auto s = v.if_string()) {
    add_text(*s, m);
    return;
  }
  if (auto o = v.if_object())
    collect_inline_node(*o, m, depth);
}

void renderer::collect_inline_node(const json::object& node,
                                   const mark_set& inherited,
                                   std::size_t depth) {
  auto type = type_of(node);
  if (!enter(depth, type))
    return;
  auto k = kind_of(type);
  auto m = parse_marks(node, inherited);
  auto attrs = attrs_of(node);
  switch (k) {
    case kind::text:
      add_text(str_of(node.if_contains("text")), m);
      return;
    case kind::hard_break:
      add_break(segment::type::hard_break);
      return;
    case kind::mention: {
      auto text = attr_str(attrs, "text");
      while (!text.empty() && text.front() == '@')
        text.remove_prefix(1);
      if (text.empty())
        text = attr_str(attrs, "id");
      auto off = scratch_.size();
      scratch_.push_back('@');
      scratch_.append(text);
      add_scratch(segment::type::text, off, m);
      return;
    }
    case kind::emoji: {
      auto text = attr_str(attrs, "text");
      if (!text.empty()) {
        add_text(text, m);
        return;
      }
      auto sn = attr_str(attrs, "shortName");
      if (sn.empty())
        return;
      if (sn.front() == ':') {
        add_text(sn, m);
      } else {
        auto off = scratch_.size();
        scratch_.push_back(':');
        scratch_.append(sn);
        scratch_.push_back(':');
        add_scratch(segment::type::text, off, m);
      }
      return;
    }
    case kind::date: {
      auto off = scratch_.size();
      format_date(attrs);
      add_scratch(segment::type::text, off, m);
      return;
    }
    case kind::status: {
      auto text = attr_str(attrs, "text");
      add_raw("[", m);
      add_text(text, m);
      add_raw("]", m);
      return;
    }
    case kind::inline_card:
      add_card(attrs, m);
      return;
    case kind::media_inline:
      add_file_ref(attrs, m);
      return;
    case kind::media:
      add_media(node, m);
      return;
    case kind::inline_extension:
    case kind::extension:
      add_text(attr_str(attrs, "text"), m);
      return;
    case kind::placeholder:
      return;
    default: {
      auto c = container_content(node, k, type);
      if (c) {
        path_.push_back(type);
        // Blocks inside inline content (schema breaks): keep their words
        // apart.
        if (!is_inline(k) && !segs_.empty())
          add_raw(" ", {});
        collect_children_inline(node, m, depth);
        path_.pop_back();
      }
      return;
    }
  }
}

void renderer::format_date(const json::object* attrs) {
  auto ts = attr_int(attrs, "timestamp");
  // Years 0..9999 only: a plain YYYY-MM-DD.
  constexpr std::int64_t min_ms = -62167219200000LL; // 0000-01-01
  constexpr std::int64_t max_ms = 253402300799999LL; // 9999-12-31
  if (!ts || *ts < min_ms || *ts > max_ms) {
    auto raw = attr_str(attrs, "timestamp");
    if (!raw.empty()) {
      scratch_.append(raw);
    } else if (ts) {
      scratch_.append(std::to_string(*ts));
    }
    diag("adf: date without a usable timestamp at " + path_string());
    return;
  }
  using namespace std::chrono;
  std::int64_t ms = *ts;
  std::int64_t day = ms >= 0 ? ms / 86400000 : -((-ms + 86399999) / 86400000);
  year_month_day ymd{sys_days{days{day}}};
  char buf[16];
  int y = static_cast<int>(ymd.year());
  unsigned mo = static_cast<unsigned>(ymd.month());
  unsigned d = static_cast<unsigned>(ymd.day());
  buf[0] = static_cast<char>('0' + y / 1000);
  buf[1] = static_cast<char>('0' + y / 100 % 10);
  buf[2] = static_cast<char>('0' + y / 10 % 10);
  buf[3] = static_cast<char>('0' + y % 10);
  buf[4] = '-';
  buf[5] = static_cast<char>('0' + mo / 10);
  buf[6] = static_cast<char>('0' + mo % 10);
  buf[7] = '-';
  buf[8] = static_cast<char>('0' + d / 10);
  buf[9] = static_cast<char>('0' + d % 10);
  scratch_.append(buf, 10);
}

void renderer::add_card(const json::object* attrs, const mark_set& m) {
  auto url = attr_str(attrs, "url");
  if (url.empty() && attrs) {
    auto data = obj_of(attrs->if_contains("data"));
    if (data) {
      url = str_of(data->if_contains("url"));
      if (url.empty()) {
        add_text(str_of(data->if_contains("name")), m);
        return;
      }
    }
  }
  add_url(url, m);
}

void renderer::add_url(std::string_view url, const mark_set& m) {
  if (url.empty())
    return;
  if (autolinkable(url)) {
    auto off = scratch_.size();
    scratch_.push_back('<');
    scratch_.append(url);
    scratch_.push_back('>');
    add_scratch(segment::type::raw, off, m);
  } else {
    add_text(url, m);
  }
}

void renderer::add_file_ref(const json::object* attrs, const mark_set& m) {
  auto name = attr_str(attrs, "alt");
  if (name.empty())
    name = attr_str(attrs, "id");
  if (name.empty())
    name = attr_str(attrs, "url");
  add_raw("[", m);
  auto off = scratch_.size();
  scratch_.append(name.empty() ? "File" : "File: ");
  scratch_.append(name);
  add_scratch(segment::type::text, off, m);
  add_raw("]", m);
}

void renderer::add_media(const json::object& node, const mark_set& m) {
  auto attrs = attrs_of(node);
  auto alt = attr_str(attrs, "alt");
  auto id = attr_str(attrs, "id");
  if (attr_str(attrs, "type") == "external") {
    auto url = attr_str(attrs, "url");
    if (!url.empty()) {
      add_image(alt, url, {}, m);
      return;
    }
  }
  if (opts_.resolve_media && (!alt.empty() || !id.empty())) {
    std::optional<std::string> att;
    try {
      att = opts_.resolve_media(alt, id);
    } catch (...) {
      att.reset(); // a throwing resolver is treated as "unknown"
    }
    if (att && !att->empty()) {
      add_image(alt, "attachment:", *att, m);
      return;
    }
  }
  add_raw("[", m);
  auto off = scratch_.size();
  auto name = !alt.empty() ? alt : id;
  scratch_.append(name.empty() ? "Image" : "Image: ");
  scratch_.append(name);
  add_scratch(segment::type::text, off, m);
  add_raw("]", m);
}

void renderer::add_image(std::string_view alt, std::string_view url_prefix,
                         std::string_view url_rest, const mark_set& m) {
  add_raw("![", m);
  add_text(alt, m);
  // The destination is built in scratch_ with the same rules as links.
  std::string url{url_prefix};
  url.append(url_rest);
  auto off = scratch_.size();
  scratch_.append("](");
  append_link_destination(scratch_, url, false);
  scratch_.push_back(')');
  add_scratch(segment::type::raw, off, m);
}

void renderer::collect_media_single(const json::object& node,
                                    std::size_t depth) {
  auto c = content_of(node);
  if (!c)
    return;
  bool first = true;
  for (auto& v : *c) {
    auto n = v.if_object();
    if (!n)
      continue;
    auto k = kind_of(*n);
    if (!first)
      add_break(segment::type::soft_break);
    auto size_before = segs_.size();
    if (k == kind::media) {
      add_media(*n, {});
    } else if (k == kind::caption) {
      collect_nested_inline(*n, "caption", em_marks, depth + 1);
    } else {
      collect_inline_node(*n, {}, depth + 1);
    }
    if (segs_.size() == size_before && !first)
      segs_.pop_back(); // nothing added: drop the break
    else
      first = false;
  }
}

void renderer::render_segments(inline_mode mode) {
  inline_.clear();
  if (!render_inline(inline_, scratch_, mode, inline_budget(), segs_))
    stopped_ = true;
}

void renderer::emit_paragraph(inline_mode mode) {
  if (segs_.empty())
    return;
  render_segments(mode);
  if (inline_.empty())
    return;
  if (mode == inline_mode::normal && looks_like_link_definition(inline_))
    inline_.insert(0, "<span></span>");
  w_.lines(inline_);
}

} // namespace jirasync::protocol::adf_detail
