// ADF -> Markdown renderer (docs/adf-markdown.md).
//
// Layout of this file, top to bottom:
//   1. node kinds and small JSON accessors (lenient: wrong types read as
//      "absent");
//   2. character classes used by escaping and by CommonMark's delimiter
//      flanking rules;
//   3. `block_writer`: owns the output, the container prefixes ("> ", list
//      indentation, pending list markers) and the blank-line separators;
//   4. `inline_renderer`: turns a flat run of inline segments (text + marks)
//      into one paragraph's Markdown;
//   5. `renderer`: walks the ADF tree (recursion bounded by max_depth) and
//      drives both.
//
// Everything appends into a few buffers that are reused across nodes, so a
// conversion costs a handful of allocations, not one per node.
#include "protocol/adf/adf_markdown.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <new>

namespace jirasync::protocol {

namespace {

namespace json = boost::json;

/// Renderer recursion is bounded by this even when adf_options.max_depth is
/// larger: ~1000 levels keep well inside an 8 MiB thread stack, also under
/// ASan (whose frames are several times larger).
constexpr std::size_t hard_max_depth = 1000;

/// At most this many diagnostics are kept; one more line says how many were
/// dropped.
constexpr std::size_t max_diagnostics = 50;

// --- 1. node kinds and JSON accessors ---------------------------------------

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

/// Inline nodes: gathered into (implicit) paragraphs wherever they appear.
bool is_inline(kind k) {
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

list_family family_of(kind k) {
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

const json::object* obj_of(const json::value* v) {
  return v ? v->if_object() : nullptr;
}

std::string_view str_of(const json::value* v) {
  if (!v)
    return {};
  if (auto s = v->if_string())
    return *s;
  return {};
}

const json::object* attrs_of(const json::object& node) {
  return obj_of(node.if_contains("attrs"));
}

std::string_view attr_str(const json::object* attrs, std::string_view key) {
  return attrs ? str_of(attrs->if_contains(key)) : std::string_view{};
}

/// Reads an integer attribute given as a JSON number or a numeric string.
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

const json::array* content_of(const json::object& node) {
  auto c = node.if_contains("content");
  return c ? c->if_array() : nullptr;
}

std::string_view type_of(const json::object& node) {
  return str_of(node.if_contains("type"));
}

// --- 2. character classes ----------------------------------------------------

/// Characters escaped with a backslash anywhere in text (`|` only in table
/// cells, `&` only before what could be an entity).
constexpr std::array<bool, 256> make_always_escaped() {
  std::array<bool, 256> t{};
  for (unsigned char c : std::string_view{"\\`*_[]<>~"})
    t[c] = true;
  return t;
}
constexpr auto always_escaped = make_always_escaped();

/// Bytes the text escaper has to look at (everything else is copied in
/// bulk).
constexpr std::array<bool, 256> make_special() {
  auto t = make_always_escaped();
  for (unsigned char c : std::string_view{"|&\n\r(:"})
    t[c] = true;
  return t;
}
constexpr auto special = make_special();

bool is_ascii_punct(unsigned char c) {
  return (c >= 0x21 && c <= 0x2f) || (c >= 0x3a && c <= 0x40)
         || (c >= 0x5b && c <= 0x60) || (c >= 0x7b && c <= 0x7e);
}

bool is_alnum(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')
         || (c >= 'A' && c <= 'Z');
}

/// Classes of CommonMark's flanking rules. `unknown` = a non-ASCII character
/// that is not white space: it may be punctuation or a letter, so the
/// renderer assumes the worse case.
enum class cls : std::uint8_t { ws, punct, other, unknown };

/// Decodes one UTF-8 code point at s[i] (returns its length, at least 1).
std::size_t decode_utf8(std::string_view s, std::size_t i, char32_t& cp) {
  auto b = static_cast<unsigned char>(s[i]);
  std::size_t n = b < 0x80 ? 1 : b < 0xe0 ? 2 : b < 0xf0 ? 3 : 4;
  if (b < 0x80 || i + n > s.size()) {
    cp = b;
    return 1;
  }
  cp = b & (0x7f >> n);
  for (std::size_t k = 1; k < n; ++k)
    cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3f);
  return n;
}

/// Unicode white space as cmark sees it (Zs plus the ASCII ones).
bool is_unicode_space(char32_t cp) {
  return cp == 0xa0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a)
         || cp == 0x202f || cp == 0x205f || cp == 0x3000;
}

cls classify(char32_t cp) {
  if (cp < 0x80) {
    auto c = static_cast<unsigned char>(cp);
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f')
      return cls::ws;
    return is_ascii_punct(c) ? cls::punct : cls::other;
  }
  return is_unicode_space(cp) ? cls::ws : cls::unknown;
}

/// Length of the white space (ASCII or Unicode Zs) starting at s[i], 0 if
/// none.
std::size_t ws_len_at(std::string_view s, std::size_t i) {
  auto c = static_cast<unsigned char>(s[i]);
  if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f')
    return 1;
  if (c < 0x80)
    return 0;
  char32_t cp;
  auto n = decode_utf8(s, i, cp);
  return is_unicode_space(cp) ? n : 0;
}

/// Length of the white space ending at s[end-1], 0 if none.
std::size_t ws_len_before(std::string_view s, std::size_t end) {
  auto c = static_cast<unsigned char>(s[end - 1]);
  if (c < 0x80)
    return (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') ? 1
                                                                          : 0;
  std::size_t start = end - 1;
  while (start > 0 && (static_cast<unsigned char>(s[start]) & 0xc0) == 0x80)
    --start;
  char32_t cp;
  decode_utf8(s, start, cp);
  return is_unicode_space(cp) ? end - start : 0;
}

/// Class of the last character of `s` (ws at a line start or when empty).
/// Trailing `~` are skipped: with the strike-through extension, cmark-gfm
/// looks through them to find a delimiter run's neighbour (`**a.**~~b~~`
/// is not bold there, `**~~a~~**0` is).
cls class_of_last(std::string_view s) {
  while (!s.empty() && s.back() == '~')
    s.remove_suffix(1);
  if (s.empty() || s.back() == '\n')
    return cls::ws;
  std::size_t start = s.size() - 1;
  while (start > 0 && (static_cast<unsigned char>(s[start]) & 0xc0) == 0x80)
    --start;
  char32_t cp;
  decode_utf8(s, start, cp);
  return classify(cp);
}

/// UTF-8 safe cut: the largest length <= n that does not split a character.
std::size_t utf8_floor(std::string_view s, std::size_t n) {
  if (n >= s.size())
    return s.size();
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xc0) == 0x80)
    --n;
  return n;
}

// --- 3. block writer
// ----------------------------------------------------------

/// Writes lines with their container prefixes and the separators between
/// blocks. Lines are written whole: begin_line() emits the prefix (and any
/// list markers still pending), the caller appends the content, end_line()
/// ends it (trimming the prefix's trailing spaces on an empty line).
/// Whether the `&` at `amp` could start an entity (`&name;` / `&#..;`).
bool entity_like(std::string_view s, std::size_t amp) {
  return amp + 1 < s.size()
         && (is_alnum(static_cast<unsigned char>(s[amp + 1]))
             || s[amp + 1] == '#');
}

/// Appends a link/image destination: the `<dest>` form when the href has
/// spaces, parentheses or controls; backslashes, entity-like `&` (and `|`
/// inside table cells) escaped; line breaks dropped.
void append_link_destination(std::string& out, std::string_view href,
                             bool escape_pipes) {
  bool angle = href.empty();
  for (unsigned char c : href)
    if (c <= 0x20 || c == '(' || c == ')' || c == '<' || c == '>' || c == 0x7f)
      angle = true;
  if (angle)
    out.push_back('<');
  for (std::size_t i = 0; i < href.size(); ++i) {
    char c = href[i];
    if (c == '\n' || c == '\r')
      continue;
    if (c == '\\' || (angle && (c == '<' || c == '>'))
        || (c == '&' && entity_like(href, i)))
      out.push_back('\\');
    if (c == '|' && escape_pipes)
      out.push_back('\\');
    out.push_back(c);
  }
  if (angle)
    out.push_back('>');
}

class block_writer {
public:
  enum class sep : std::uint8_t {
    none,  // next line follows directly
    tight, // directly, unless it is an empty list item (which could not
           // interrupt the paragraph before it): then a blank line
    blank, // one blank line
  };

  explicit block_writer(std::string& out) : out_(out) {
    // nop
  }

  void push_quote() {
    levels_.push_back(level{{}, 2, true, false});
  }

  void push_item(std::string_view marker) {
    levels_.push_back(level{std::string{marker}, marker.size(), false, true});
  }

  /// Pops a list item; an item that wrote nothing still gets its marker.
  void pop_item() {
    if (levels_.back().marker_pending) {
      flush_sep(true);
      begin_line_prefix();
      end_line();
    }
    levels_.pop_back();
  }

  void pop_quote() {
    levels_.pop_back();
  }

  void set_sep(sep s) {
    sep_ = s;
    sep_depth_ = levels_.size();
  }

  sep pending_sep() const {
    return sep_;
  }

  /// Whether the next line starts with a pending bullet marker `c`.
  bool pending_marker_char(char c) const {
    for (auto& l : levels_)
      if (l.marker_pending && !l.marker.empty() && l.marker[0] == c)
        return true;
    return false;
  }

  void begin_line() {
    // A line starting with an empty item (more markers due than one) can
    // not interrupt a paragraph either.
    flush_sep(pending_markers() > 1);
    begin_line_prefix();
  }

  void end_line() {
    if (out_.size() == content_start_)
      while (!out_.empty() && out_.back() == ' ')
        out_.pop_back();
    out_.push_back('\n');
    ++lines_;
  }

  /// One line of content (no '\n' inside).
  void line(std::string_view content) {
    begin_line();
    out_.append(content);
    end_line();
  }

  /// Several lines separated by '\n' (a trailing '\n' adds no empty line).
  void lines(std::string_view text) {
    std::size_t pos = 0;
    while (pos < text.size()) {
      auto nl = text.find('\n', pos);
      if (nl == std::string_view::npos)
        nl = text.size();
      line(text.substr(pos, nl - pos));
      pos = nl + 1;
    }
  }

  std::string& out() {
    return out_;
  }

  /// Lines written so far (to see whether a block wrote anything).
  std::size_t line_count() const {
    return lines_;
  }

private:
  struct level {
    std::string marker; // list item marker ("- ", "10. "); empty for quotes
    std::size_t width;  // continuation indent (marker width)
    bool quote;
    bool marker_pending;
  };

  std::size_t pending_markers() const {
    std::size_t n = 0;
    for (auto& l : levels_)
      n += l.marker_pending ? 1 : 0;
    return n;
  }

  void flush_sep(bool empty_item_line) {
    if (sep_ == sep::blank || (sep_ == sep::tight && empty_item_line)) {
      std::size_t n = std::min(sep_depth_, levels_.size());
      for (std::size_t i = 0; i < n; ++i) {
        if (levels_[i].quote)
          out_.append("> ");
        else
          out_.append(levels_[i].width, ' ');
      }
      while (!out_.empty() && out_.back() == ' ')
        out_.pop_back();
      out_.push_back('\n');
    }
    sep_ = sep::none;
  }

  void begin_line_prefix() {
    // Several markers due on one line ("- - -" would be a thematic break):
    // all but the innermost end their line alone (an item may start with
    // an empty line).
    for (auto pending = pending_markers(); pending > 1; --pending) {
      for (auto& l : levels_) {
        if (l.quote) {
          out_.append("> ");
        } else if (l.marker_pending) {
          out_.append(l.marker);
          l.marker_pending = false;
          break;
        } else {
          out_.append(l.width, ' ');
        }
      }
      while (!out_.empty() && out_.back() == ' ')
        out_.pop_back();
      out_.push_back('\n');
      ++lines_;
    }
    for (auto& l : levels_) {
      if (l.quote) {
        out_.append("> ");
      } else if (l.marker_pending) {
        out_.append(l.marker);
        l.marker_pending = false;
      } else {
        out_.append(l.width, ' ');
      }
    }
    content_start_ = out_.size();
  }

  std::string& out_;
  std::vector<level> levels_;
  sep sep_ = sep::none;
  std::size_t sep_depth_ = 0;
  std::size_t content_start_ = 0;
  std::size_t lines_ = 0;
};

// --- 4. inline rendering
// -------------------------------------------------------

enum mark_bit : std::uint16_t {
  m_strong = 1,
  m_em = 2,
  m_strike = 4,
  m_underline = 8,
  m_sub = 16,
  m_sup = 32,
  m_code = 64,
};

/// The marks of one inline segment. Link is kept apart: it is compared by
/// href and title, and it is always the outermost mark.
struct mark_set {
  std::uint16_t bits = 0;
  bool link = false;
  std::string_view href;
  std::string_view title;

  bool same_link(const mark_set& o) const {
    return link == o.link && (!link || (href == o.href && title == o.title));
  }
  bool operator==(const mark_set& o) const {
    return bits == o.bits && same_link(o);
  }
};

/// One piece of inline content. Text is escaped on output, raw is Markdown
/// already (brackets of `[STATUS]`, autolinks, image syntax).
struct segment {
  enum class type : std::uint8_t { text, raw, hard_break, soft_break };
  type t;
  bool scratch; // s points into the renderer's scratch buffer (by offset)
  std::size_t off;
  std::size_t len;
  const char* ptr;
  mark_set marks;
};

/// Where inline Markdown goes: a normal paragraph, a heading (one line) or a
/// pipe-table cell (one line, `|` escaped everywhere, breaks as `<br>`).
enum class inline_mode : std::uint8_t { normal, heading, cell };

/// Writes a list of segments as Markdown into `buf` (one paragraph).
class inline_renderer {
public:
  inline_renderer(std::string& buf, const std::string& scratch,
                  inline_mode mode, std::size_t budget)
      : buf_(buf), scratch_(scratch), mode_(mode), budget_(budget) {
    // nop
  }

  /// Returns false when the byte budget ran out (output is cut).
  bool render(const std::vector<segment>& segs) {
    std::size_t i = 0;
    while (i < segs.size() && !over_) {
      auto& s = segs[i];
      if (s.t == segment::type::hard_break
          || s.t == segment::type::soft_break) {
        close_all(cls::ws);
        pending_ws_.clear();
        if (s.t == segment::type::soft_break) {
          newline();
        } else if (mode_ == inline_mode::cell) {
          buf_.append("<br>");
        } else if (mode_ == inline_mode::heading) {
          pending_ws_ = " ";
        } else if (!buf_.empty()) {
          ++pending_breaks_;
        }
        ++i;
        continue;
      }
      std::size_t j = i + 1;
      while (
        j < segs.size()
        && (segs[j].t == segment::type::text || segs[j].t == segment::type::raw)
        && segs[j].marks == s.marks)
        ++j;
      emit_run(segs, i, j);
      i = j;
    }
    close_all(cls::ws);
    // A paragraph never ends in white space or a break (a trailing `\` would
    // be a literal backslash).
    while (
      !buf_.empty()
      && (buf_.back() == ' ' || buf_.back() == '\n' || buf_.back() == '\t'))
      buf_.pop_back();
    return !over_;
  }

private:
  struct open_mark {
    std::uint16_t bit; // 0 = link
    std::size_t pos;   // where its opener starts in buf_
    bool html;         // opened as an HTML tag
    std::string_view href;
    std::string_view title;
  };

  std::string_view view(const segment& s) const {
    return s.scratch ? std::string_view{scratch_.data() + s.off, s.len}
                     : std::string_view{s.ptr, s.len};
  }

  bool at_line_start() const {
    return buf_.empty() || buf_.back() == '\n';
  }

  /// The pieces of a run between [begin, end) with edge white space
  /// trimmed off; `lead`/`trail` get the trimmed parts.
  struct core_range {
    std::size_t first, first_off; // first piece and offset into it
    std::size_t last, last_end;   // last piece (inclusive) and end offset
    bool empty;
  };

  void emit_run(const std::vector<segment>& segs, std::size_t b,
                std::size_t e) {
    const mark_set& marks = segs[b].marks;
    bool code = (marks.bits & m_code) != 0;
    lead_.clear();
    core_range r{b, 0, e - 1, view(segs[e - 1]).size(), false};
    if (!code) {
      // Leading white space moves before the opening delimiters.
      while (true) {
        if (segs[r.first].t != segment::type::text)
          break;
        auto v = view(segs[r.first]);
        while (r.first_off < v.size()) {
          auto n = ws_len_at(v, r.first_off);
          if (n == 0)
            break;
          lead_.append(v.substr(r.first_off, n));
          r.first_off += n;
        }
        if (r.first_off < v.size())
          break;
        if (r.first + 1 == e) {
          r.empty = true;
          break;
        }
        ++r.first;
        r.first_off = 0;
      }
      if (r.empty) {
        pending_ws_.append(lead_);
        return;
      }
      // Trailing white space moves after the closing delimiters.
      trail_.clear();
      while (segs[r.last].t == segment::type::text) {
        auto v = view(segs[r.last]);
        std::size_t lo = r.last == r.first ? r.first_off : 0;
        while (r.last_end > lo) {
          auto n = ws_len_before(v, r.last_end);
          if (n == 0)
            break;
          r.last_end -= n;
        }
        trail_.insert(0, v.substr(r.last_end, v.size() - r.last_end));
        if (r.last_end > lo || r.last == r.first)
          break;
        --r.last;
        r.last_end = view(segs[r.last]).size();
      }
    }
    // Which open marks stay open: a prefix of the stack. A link must be the
    // bottom of the stack (outermost), so a new link closes everything.
    std::size_t keep = 0;
    if (!(marks.link
          && (stack_.empty() || stack_[0].bit != 0
              || stack_[0].href != marks.href
              || stack_[0].title != marks.title))) {
      while (keep < stack_.size()) {
        auto& m = stack_[keep];
        bool in = m.bit == 0 ? marks.link && m.href == marks.href
                                 && m.title == marks.title
                             : (marks.bits & m.bit) != 0;
        if (!in)
          break;
        ++keep;
      }
    }
    bool opens = marks.link && (keep == 0 || stack_[0].bit != 0);
    for (auto bit : opener_order)
      if ((marks.bits & bit) && !has_open(bit, keep))
        opens = true;
    cls next;
    if (!pending_ws_.empty() || !lead_.empty())
      next = cls::ws;
    else if (opens)
      next = first_opener_class(marks, keep);
    else if (code)
      next = cls::punct;
    else
      next = first_out_class(segs, r);
    close_to(keep, next);
    emit_ws(pending_ws_);
    pending_ws_.clear();
    emit_ws(lead_);
    // Open the missing marks, outermost first.
    if (marks.link && (stack_.empty() || stack_[0].bit != 0)) {
      flush_breaks();
      escape_bang_before_bracket();
      stack_.push_back(
        open_mark{0, buf_.size(), false, marks.href, marks.title});
      buf_.push_back('[');
      last_opener_end_ = buf_.size();
    }
    std::size_t n_open = 0;
    for (auto bit : opener_order)
      if ((marks.bits & bit) && !has_open(bit, stack_.size()))
        ++n_open;
    for (auto bit : opener_order) {
      if (!(marks.bits & bit) || has_open(bit, stack_.size()))
        continue;
      --n_open;
      cls after = (n_open > 0 || code) ? cls::punct : first_out_class(segs, r);
      open(bit, after);
    }
    if (code)
      emit_code(segs, b, e);
    else
      emit_core(segs, r);
    if (!code)
      pending_ws_.append(trail_);
  }

  static constexpr std::array<std::uint16_t, 6> opener_order{
    m_strong, m_em, m_strike, m_underline, m_sub, m_sup};

  bool has_open(std::uint16_t bit, std::size_t n) const {
    for (std::size_t i = 0; i < n; ++i)
      if (stack_[i].bit == bit)
        return true;
    return false;
  }

  /// Class of the first character the core of run `r` will produce.
  cls first_out_class(const std::vector<segment>& segs, const core_range& r) {
    auto& s = segs[r.first];
    auto v = view(s);
    if (r.first_off >= v.size())
      return cls::ws;
    auto c = static_cast<unsigned char>(v[r.first_off]);
    if (s.t == segment::type::raw)
      return classify(c);
    if (always_escaped[c] || (c == '|' && mode_ == inline_mode::cell))
      return cls::punct;
    char32_t cp;
    decode_utf8(v, r.first_off, cp);
    return classify(cp);
  }

  /// Class of the first character of `m`'s closer. cmark-gfm looks through
  /// a `~~` to what follows it, unknown here: assume the worse.
  static cls closer_class(const open_mark& m) {
    return !m.html && m.bit == m_strike ? cls::unknown : cls::punct;
  }

  /// Class of the first character of the first opener `marks` needs.
  cls first_opener_class(const mark_set& marks, std::size_t keep) const {
    if (marks.link && (keep == 0 || stack_[0].bit != 0))
      return cls::punct; // '['
    for (auto bit : opener_order)
      if ((marks.bits & bit) && !has_open(bit, keep))
        return bit == m_strike ? cls::unknown : cls::punct;
    return cls::punct;
  }

  static char delim_char(std::uint16_t bit) {
    return bit == m_strong || bit == m_em ? '*' : bit == m_strike ? '~' : 0;
  }

  static std::string_view md_open(std::uint16_t bit) {
    switch (bit) {
      case m_strong:
        return "**";
      case m_em:
        return "*";
      case m_strike:
        return "~~";
      default:
        return {};
    }
  }

  static std::string_view html_open(std::uint16_t bit) {
    switch (bit) {
      case m_strong:
        return "<strong>";
      case m_em:
        return "<em>";
      case m_strike:
        return "<del>";
      case m_underline:
        return "<u>";
      case m_sub:
        return "<sub>";
      default:
        return "<sup>";
    }
  }

  static std::string_view html_close(std::uint16_t bit) {
    switch (bit) {
      case m_strong:
        return "</strong>";
      case m_em:
        return "</em>";
      case m_strike:
        return "</del>";
      case m_underline:
        return "</u>";
      case m_sub:
        return "</sub>";
      default:
        return "</sup>";
    }
  }

  void open(std::uint16_t bit, cls next) {
    flush_breaks();
    open_mark m{bit, buf_.size(), true, {}, {}};
    char d = delim_char(bit);
    if (d != 0) {
      // A delimiter run can open when it is left-flanking: not followed by
      // white space, and followed by an alphanumeric or preceded by white
      // space / punctuation. Unknown (non-ASCII) neighbours count as the
      // worse case. Touching an earlier closer of the same character would
      // merge the two runs, so that case uses HTML too.
      cls prev = class_of_last(buf_);
      bool ok
        = next != cls::ws
          && (next == cls::other || prev == cls::ws || prev == cls::punct);
      if (ok && !buf_.empty() && buf_.back() == d
          && last_opener_end_ != buf_.size())
        ok = false;
      // An opener that could also close (right-flanking) would close an
      // open `*` run before it instead.
      if (ok && d == '*' && open_md_star()) {
        bool cannot_close
          = prev == cls::ws || (prev == cls::punct && next == cls::other);
        ok = cannot_close;
      }
      m.html = !ok;
    }
    buf_.append(m.html ? html_open(bit) : md_open(bit));
    last_opener_end_ = buf_.size();
    stack_.push_back(m);
  }

  bool open_md_star() const {
    for (auto& m : stack_)
      if (!m.html && (m.bit == m_strong || m.bit == m_em))
        return true;
    return false;
  }

  /// Closes stack_[keep..] (innermost first); `next` is the class of what
  /// follows the outermost of them.
  void close_to(std::size_t keep, cls next) {
    while (stack_.size() > keep) {
      auto m = stack_.back();
      stack_.pop_back();
      // What follows an inner closer is the next closer.
      cls after = stack_.size() > keep ? closer_class(stack_.back()) : next;
      if (m.bit == 0) {
        buf_.append("](");
        append_dest(m.href);
        if (!m.title.empty()) {
          buf_.append(" \"");
          for (char c : m.title) {
            if (c == '"' || c == '\\')
              buf_.push_back('\\');
            buf_.push_back(c);
          }
          buf_.push_back('"');
        }
        buf_.push_back(')');
        continue;
      }
      if (!m.html) {
        // Right-flanking: not preceded by white space, and preceded by an
        // alphanumeric or followed by white space / punctuation.
        cls prev = class_of_last(buf_);
        bool ok
          = prev != cls::ws
            && (prev == cls::other || after == cls::ws || after == cls::punct);
        if (!ok) {
          buf_.replace(m.pos, md_open(m.bit).size(), html_open(m.bit));
          m.html = true;
        }
      }
      buf_.append(m.html ? html_close(m.bit) : md_open(m.bit));
    }
  }

  void close_all(cls next) {
    close_to(0, next);
  }

  /// `<dest>` form when the href has spaces, parentheses or controls.
  void append_dest(std::string_view href) {
    append_link_destination(buf_, href, mode_ == inline_mode::cell);
  }

  /// Emits the pending hard breaks before new content.
  void flush_breaks() {
    while (pending_breaks_ > 0) {
      --pending_breaks_;
      buf_.append("\\\n");
    }
  }

  /// `!` right before a `[` would make an image.
  void escape_bang_before_bracket() {
    if (!buf_.empty() && buf_.back() == '!')
      buf_.insert(buf_.size() - 1, 1, '\\');
  }

  void newline() {
    if (mode_ == inline_mode::heading) {
      if (!buf_.empty() && buf_.back() != ' ')
        buf_.push_back(' ');
      return;
    }
    if (mode_ == inline_mode::cell) {
      buf_.append("<br>");
      return;
    }
    flush_breaks();
    // Two trailing spaces would turn the soft break into a hard one.
    while (!buf_.empty() && (buf_.back() == ' ' || buf_.back() == '\t'))
      buf_.pop_back();
    if (!buf_.empty() && buf_.back() != '\n')
      buf_.push_back('\n');
    after_bracket_ = false;
  }

  void emit_ws(std::string_view ws) {
    for (std::size_t i = 0; i < ws.size(); ++i) {
      char c = ws[i];
      if (c == '\n' || c == '\r') {
        if (c == '\r' && i + 1 < ws.size() && ws[i + 1] == '\n')
          continue;
        newline();
        continue;
      }
      if ((c == ' ' || c == '\t') && at_line_start())
        continue;
      if (mode_ != inline_mode::normal && c == '\t')
        c = ' ';
      buf_.push_back(c);
      after_bracket_ = false;
    }
  }

  bool over_budget() {
    if (buf_.size() > budget_) {
      over_ = true;
      return true;
    }
    return false;
  }

  /// Adjacent text pieces are escaped as one string: "1" + ". x" must be
  /// seen as "1. x" at a line start, "&" + "amp;" as a possible entity.
  void emit_core(const std::vector<segment>& segs, const core_range& r) {
    merged_.clear();
    bool merging = false;
    for (std::size_t k = r.first; k <= r.last && !over_budget(); ++k) {
      auto v = view(segs[k]);
      std::size_t from = k == r.first ? r.first_off : 0;
      std::size_t to = k == r.last ? r.last_end : v.size();
      if (from >= to)
        continue;
      auto part = v.substr(from, to - from);
      flush_breaks();
      if (segs[k].t == segment::type::raw) {
        if (merging) {
          escape(merged_);
          merged_.clear();
          merging = false;
        }
        emit_raw(part);
      } else if (k < r.last && segs[k + 1].t == segment::type::text) {
        merged_.append(part);
        merging = true;
      } else if (merging) {
        merged_.append(part);
        escape(merged_);
        merged_.clear();
        merging = false;
      } else {
        escape(part);
      }
    }
    if (merging)
      escape(merged_);
  }

  void emit_raw(std::string_view s) {
    if (s.front() == '[')
      escape_bang_before_bracket();
    if (mode_ == inline_mode::cell) {
      for (char c : s) {
        if (c == '|')
          buf_.push_back('\\');
        buf_.push_back(c);
      }
    } else {
      buf_.append(s);
    }
    after_bracket_ = s.back() == ']';
  }

  /// Escapes text. Runs of ordinary bytes are appended in bulk.
  void escape(std::string_view s) {
    std::size_t budget_left = budget_ > buf_.size() ? budget_ - buf_.size() : 0;
    if (s.size() > budget_left) {
      s = s.substr(0, utf8_floor(s, budget_left + 1));
      over_ = true;
    }
    std::size_t i = 0;
    const std::size_t n = s.size();
    while (i < n) {
      if (at_line_start()) {
        while (i < n && (s[i] == ' ' || s[i] == '\t'))
          ++i;
        if (i >= n)
          break;
        i = escape_line_start(s, i);
        if (i >= n)
          break;
      }
      std::size_t run = i;
      while (run < n && !special[static_cast<unsigned char>(s[run])])
        ++run;
      if (run > i) {
        buf_.append(s.data() + i, run - i);
        after_bracket_ = false;
        i = run;
        if (i >= n)
          break;
      }
      auto c = static_cast<unsigned char>(s[i]);
      if (c == '\n' || c == '\r') {
        if (!(c == '\r' && i + 1 < n && s[i + 1] == '\n'))
          newline();
        ++i;
        continue;
      }
      if (always_escaped[c] || (c == '|' && mode_ == inline_mode::cell)
          || (c == '&' && entity_like(s, i))
          || ((c == '(' || c == ':') && after_bracket_))
        buf_.push_back('\\');
      buf_.push_back(static_cast<char>(c));
      after_bracket_ = false;
      ++i;
    }
  }

  /// Escapes what would start a block at the start of a line; returns the
  /// index after what it wrote.
  std::size_t escape_line_start(std::string_view s, std::size_t i) {
    if (mode_ != inline_mode::normal)
      return i;
    char c = s[i];
    switch (c) {
      case '#':
      case '-':
      case '+':
      case '=':
      case '|':
        buf_.push_back('\\');
        buf_.push_back(c);
        after_bracket_ = false;
        return i + 1;
      case ':':
        if (i + 1 < s.size() && s[i + 1] == '-') {
          buf_.append("\\:");
          after_bracket_ = false;
          return i + 1;
        }
        return i;
      default:
        break;
    }
    if (c >= '0' && c <= '9') {
      std::size_t j = i;
      while (j < s.size() && j - i < 10 && s[j] >= '0' && s[j] <= '9')
        ++j;
      if (j < s.size() && j - i <= 9 && (s[j] == '.' || s[j] == ')')) {
        buf_.append(s.data() + i, j - i);
        buf_.push_back('\\');
        buf_.push_back(s[j]);
        after_bracket_ = false;
        return j + 1;
      }
    }
    return i;
  }

  /// A code span over the whole run: backticks one longer than the longest
  /// run inside, padded when the content starts/ends with a backtick (or
  /// with a space on both ends, which CommonMark would strip).
  void emit_code(const std::vector<segment>& segs, std::size_t b,
                 std::size_t e) {
    code_.clear();
    for (std::size_t k = b; k < e; ++k)
      code_.append(view(segs[k]));
    std::size_t budget_left = budget_ > buf_.size() ? budget_ - buf_.size() : 0;
    if (code_.size() > budget_left) {
      code_.resize(utf8_floor(code_, budget_left + 1));
      over_ = true;
    }
    for (auto& c : code_)
      if (c == '\n' || c == '\r')
        c = ' ';
    if (code_.empty())
      return;
    std::size_t longest = 0, cur = 0;
    for (char c : code_) {
      cur = c == '`' ? cur + 1 : 0;
      longest = std::max(longest, cur);
    }
    bool all_space = code_.find_first_not_of(' ') == std::string::npos;
    bool pad = code_.front() == '`' || code_.back() == '`'
               || (!all_space && code_.front() == ' ' && code_.back() == ' ');
    flush_breaks();
    buf_.append(longest + 1, '`');
    if (pad)
      buf_.push_back(' ');
    if (mode_ == inline_mode::cell) {
      for (char c : code_) {
        if (c == '|')
          buf_.push_back('\\');
        buf_.push_back(c);
      }
    } else {
      buf_.append(code_);
    }
    if (pad)
      buf_.push_back(' ');
    buf_.append(longest + 1, '`');
    after_bracket_ = false;
  }

  std::string& buf_;
  const std::string& scratch_;
  inline_mode mode_;
  std::size_t budget_;
  /// At most 7 marks are open at once (link + 6 kinds): no heap.
  struct mark_stack {
    std::array<open_mark, 8> a{};
    std::size_t n = 0;
    void push_back(const open_mark& m) {
      a[n++] = m;
    }
    void pop_back() {
      --n;
    }
    open_mark& back() {
      return a[n - 1];
    }
    open_mark& operator[](std::size_t i) {
      return a[i];
    }
    const open_mark& operator[](std::size_t i) const {
      return a[i];
    }
    std::size_t size() const {
      return n;
    }
    bool empty() const {
      return n == 0;
    }
    const open_mark* begin() const {
      return a.data();
    }
    const open_mark* end() const {
      return a.data() + n;
    }
  };
  mark_stack stack_;
  std::string pending_ws_;
  std::string lead_;
  std::string trail_;
  std::string code_;
  std::string merged_;
  std::size_t pending_breaks_ = 0;
  std::size_t last_opener_end_ = static_cast<std::size_t>(-1);
  bool after_bracket_ = false;
  bool over_ = false;
};

// --- 5. the tree walk
// -----------------------------------------------------------

std::string_view panel_alert(std::string_view panel_type) {
  if (panel_type == "tip" || panel_type == "success")
    return "[!TIP]";
  if (panel_type == "warning")
    return "[!WARNING]";
  if (panel_type == "error")
    return "[!CAUTION]";
  return "[!NOTE]";
}

/// `<url>` is an autolink only for an absolute URI without spaces/controls.
bool autolinkable(std::string_view url) {
  auto colon = url.find(':');
  if (colon == std::string_view::npos || colon < 2 || colon > 32)
    return false;
  auto c0 = static_cast<unsigned char>(url[0]);
  if (!((c0 | 0x20) >= 'a' && (c0 | 0x20) <= 'z'))
    return false;
  for (std::size_t i = 1; i < colon; ++i) {
    auto c = static_cast<unsigned char>(url[i]);
    if (!is_alnum(c) && c != '+' && c != '.' && c != '-')
      return false;
  }
  for (unsigned char c : url)
    if (c <= 0x20 || c == '<' || c == '>' || c == 0x7f)
      return false;
  return true;
}

void html_escape(std::string& out, std::string_view s) {
  for (char c : s) {
    switch (c) {
      case '&':
        out.append("&amp;");
        break;
      case '<':
        out.append("&lt;");
        break;
      case '>':
        out.append("&gt;");
        break;
      case '"':
        out.append("&quot;");
        break;
      case '\n':
      case '\r':
        out.push_back(' ');
        break;
      default:
        out.push_back(c);
    }
  }
}

class renderer {
public:
  renderer(const adf_options& opts, adf_result& res)
      : opts_(opts), res_(res), w_(res.markdown),
        max_depth_(std::min(opts.max_depth, hard_max_depth)) {
    // nop
  }

  void run(const json::value& root) {
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

  static std::string kind_name(const json::value& v) {
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

  void diag(std::string msg) {
    if (res_.diagnostics.size() < max_diagnostics)
      res_.diagnostics.push_back(std::move(msg));
    else
      ++dropped_diags_;
  }

  std::string path_string() const {
    std::string p;
    for (auto& s : path_) {
      if (!p.empty())
        p.push_back('/');
      p.append(s.empty() ? std::string_view{"?"} : s);
    }
    return p;
  }

  /// Enters a node: false (and a diagnostic, once) when it is too deep.
  bool enter(std::size_t depth, std::string_view type) {
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

  void unknown_type(std::string_view type, bool has_content) {
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

  void finish() {
    auto& md = res_.markdown;
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

  // --- blocks ---

  void render_blocks(const json::array& children, std::size_t depth,
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
        while (
          j < children.size()
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

  /// Sets the separator before the next block after one was written.
  void after_block(block_state& st, kind k, std::size_t lines_before) {
    if (w_.line_count() == lines_before)
      return;
    st.prev = k;
    st.prev_wrote = true;
    if (family_of(k) == list_family::none)
      st.prev_family = list_family::none;
    w_.set_sep(block_writer::sep::blank);
  }

  /// An implicit paragraph from inline siblings [b, e).
  void render_inline_blocks(const json::array& children, std::size_t b,
                            std::size_t e, std::size_t depth, block_state& st) {
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

  void flush_item_prefix(block_state& st) {
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

  void render_block(const json::object& node, std::size_t depth,
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
        inline_renderer ir{inline_, scratch_, inline_mode::heading,
                           inline_budget()};
        if (!ir.render(segs_))
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

  static std::int64_t list_start(const json::object& node) {
    auto v = attr_int(attrs_of(node), "order").value_or(1);
    return std::clamp<std::int64_t>(v, 0, 999999999);
  }

  /// Lists: each item's children are indented to its content column (the
  /// marker width); lists among the items nest under the previous item.
  void render_list(const json::object& node, kind k, std::size_t depth,
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
      auto ik = kind_of(type_of(*item));
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
        if (!next || family_of(kind_of(type_of(*next))) == list_family::none)
          break;
        render_block(*next, depth + 1, st);
        ++i;
      }
      flush_item_prefix(st);
      w_.pop_item();
    }
  }

  void render_item_body(const json::object& item, kind ik, std::size_t depth,
                        block_state& st) {
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

  void render_single_in_item(const json::object& node, std::size_t depth,
                             block_state& st) {
    auto k = kind_of(type_of(node));
    if (is_inline(k)) {
      auto before = w_.line_count();
      segs_.clear();
      scratch_.clear();
      collect_inline_node(node, {}, depth);
      emit_paragraph(inline_mode::normal);
      after_block(st, kind::paragraph, before);
    } else {
      render_block(node, depth, st);
    }
  }

  void render_list_item_alone(const json::object& node, kind k,
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

  void render_code_block(const json::object& node, std::size_t depth) {
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

  // --- tables ---

  struct cell_ref {
    const json::object* node; // the cell (or the stray node)
    bool header;
    bool is_cell; // tableCell/tableHeader (else a stray node as content)
    std::int64_t colspan, rowspan;
  };

  void table_rows(const json::object& table, std::size_t depth) {
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
      auto rk = kind_of(type_of(*row));
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

  static cell_ref make_cell(const json::object& cell) {
    auto ck = kind_of(type_of(cell));
    bool is_cell = ck == kind::table_cell || ck == kind::table_header;
    auto attrs = attrs_of(cell);
    return cell_ref{&cell, ck == kind::table_header, is_cell,
                    is_cell ? attr_int(attrs, "colspan").value_or(1) : 1,
                    is_cell ? attr_int(attrs, "rowspan").value_or(1) : 1};
  }

  /// Whether a cell renders as one line: paragraphs of inline nodes (or
  /// inline nodes directly), no spans.
  static bool inline_only(const cell_ref& cell) {
    if (cell.colspan > 1 || cell.rowspan > 1)
      return false;
    if (!cell.is_cell)
      return is_inline(kind_of(type_of(*cell.node)))
             || kind_of(type_of(*cell.node)) == kind::paragraph;
    auto c = content_of(*cell.node);
    if (!c)
      return true;
    for (auto& v : *c) {
      auto n = v.if_object();
      if (!n)
        continue;
      auto k = kind_of(type_of(*n));
      if (k == kind::paragraph) {
        if (auto pc = content_of(*n))
          for (auto& iv : *pc)
            if (auto in = iv.if_object();
                in && !is_inline(kind_of(type_of(*in))))
              return false;
      } else if (!is_inline(k)) {
        return false;
      }
    }
    return true;
  }

  void render_table(const json::object& table, std::size_t depth) {
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

  void render_pipe_table(std::size_t cols, std::size_t depth) {
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

  /// One cell's content on the current line: paragraphs joined by `<br>`.
  void render_cell_inline(const cell_ref& cell, std::size_t depth) {
    segs_.clear();
    scratch_.clear();
    if (!cell.is_cell) {
      if (kind_of(type_of(*cell.node)) == kind::paragraph)
        collect_children_inline(*cell.node, {}, depth);
      else
        collect_inline_node(*cell.node, {}, depth);
    } else if (auto c = content_of(*cell.node)) {
      bool first_par = true;
      for (auto& v : *c) {
        auto n = v.if_object();
        if (!n)
          continue;
        if (kind_of(type_of(*n)) == kind::paragraph) {
          if (!first_par)
            segs_.push_back(
              segment{segment::type::hard_break, false, 0, 0, nullptr, {}});
          first_par = false;
          if (enter(depth + 1, "paragraph")) {
            path_.push_back("paragraph");
            collect_children_inline(*n, {}, depth + 1);
            path_.pop_back();
          }
        } else {
          collect_inline_node(*n, {}, depth + 1);
        }
      }
    }
    inline_.clear();
    inline_renderer ir{inline_, scratch_, inline_mode::cell, inline_budget()};
    if (!ir.render(segs_))
      stopped_ = true;
    // "<br>" at the edges of a cell adds nothing but noise.
    std::string_view v = inline_;
    while (v.substr(0, 4) == "<br>")
      v.remove_prefix(4);
    while (v.size() >= 4 && v.substr(v.size() - 4) == "<br>")
      v.remove_suffix(4);
    w_.out().append(v);
  }

  void render_html_table(std::size_t depth) {
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

  // --- inline collection ---

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

  static mark_set parse_marks(const json::object& node, mark_set m) {
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

  void collect_children_inline(const json::object& node, const mark_set& m,
                               std::size_t depth) {
    auto c = content_of(node);
    if (!c)
      return;
    for (auto& child : *c) {
      if (stopped_)
        return;
      collect_inline(child, m, depth + 1);
    }
  }

  void collect_inline(const json::value& v, const mark_set& m,
                      std::size_t depth) {
    if (auto s = v.if_string()) {
      add_text(*s, m);
      return;
    }
    if (auto o = v.if_object())
      collect_inline_node(*o, m, depth);
  }

  void collect_inline_node(const json::object& node, const mark_set& inherited,
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
        segs_.push_back(
          segment{segment::type::hard_break, false, 0, 0, nullptr, {}});
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
        auto c = content_of(node);
        if (k == kind::unknown)
          unknown_type(type, c != nullptr);
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

  void format_date(const json::object* attrs) {
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

  /// inlineCard/blockCard/embedCard: `<url>`; with data only: its url or name.
  void add_card(const json::object* attrs, const mark_set& m) {
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

  void add_url(std::string_view url, const mark_set& m) {
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

  /// `[File: name or id]` (mediaGroup items, mediaInline).
  void add_file_ref(const json::object* attrs, const mark_set& m) {
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

  /// A media node: external image, resolved attachment, or a placeholder.
  void add_media(const json::object& node, const mark_set& m) {
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

  /// `![alt](url_prefix + url_rest)`.
  void add_image(std::string_view alt, std::string_view url_prefix,
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

  void collect_media_single(const json::object& node, std::size_t depth) {
    auto c = content_of(node);
    if (!c)
      return;
    bool first = true;
    for (auto& v : *c) {
      auto n = v.if_object();
      if (!n)
        continue;
      auto k = kind_of(type_of(*n));
      if (!first)
        segs_.push_back(
          segment{segment::type::soft_break, false, 0, 0, nullptr, {}});
      auto size_before = segs_.size();
      if (k == kind::media) {
        add_media(*n, {});
      } else if (k == kind::caption) {
        if (enter(depth + 1, "caption")) {
          path_.push_back("caption");
          collect_children_inline(*n, mark_set{m_em, false, {}, {}}, depth + 1);
          path_.pop_back();
        }
      } else {
        collect_inline_node(*n, {}, depth + 1);
      }
      if (segs_.size() == size_before && !first)
        segs_.pop_back(); // nothing added: drop the break
      else
        first = false;
    }
  }

  /// Renders segs_ as one paragraph (nothing when it comes out empty).
  void emit_paragraph(inline_mode mode) {
    if (segs_.empty())
      return;
    inline_.clear();
    inline_renderer ir{inline_, scratch_, mode, inline_budget()};
    if (!ir.render(segs_))
      stopped_ = true;
    if (inline_.empty())
      return;
    if (mode == inline_mode::normal && looks_like_link_definition(inline_))
      inline_.insert(0, "<span></span>");
    w_.lines(inline_);
  }

  /// Whether a paragraph would be read as a link reference definition
  /// (`[label]: dest`): a leading `[` (link, status, file) whose first
  /// unescaped `]` is followed by `:`, e.g. inside a code span. Such a
  /// paragraph gets an empty inline `<span></span>` in front.
  static bool looks_like_link_definition(std::string_view s) {
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

} // namespace

adf_result adf_to_markdown(const boost::json::value& doc,
                           const adf_options& opts) {
  adf_result res;
  try {
    renderer r{opts, res};
    r.run(doc);
  } catch (const std::bad_alloc&) {
    res.markdown.clear();
    res.diagnostics.push_back("adf: out of memory; nothing rendered");
  }
  return res;
}

adf_result adf_text_to_markdown(std::string_view json_text,
                                const adf_options& opts) {
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
