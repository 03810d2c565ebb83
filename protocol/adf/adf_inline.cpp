#include "protocol/adf/adf_inline.hpp"

#include "protocol/adf/adf_text.hpp"

#include <algorithm>
#include <array>

namespace jirasync::protocol::adf_detail {

namespace {

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

  /// How a mark is written: its Markdown delimiter run (empty when there is
  /// none: underline, sub, sup) and its HTML tags.
  struct mark_syntax {
    std::string_view md;
    std::string_view html_open;
    std::string_view html_close;
  };

  static mark_syntax syntax_of(std::uint16_t bit) {
    switch (bit) {
      case m_strong:
        return {"**", "<strong>", "</strong>"};
      case m_em:
        return {"*", "<em>", "</em>"};
      case m_strike:
        return {"~~", "<del>", "</del>"};
      case m_underline:
        return {{}, "<u>", "</u>"};
      case m_sub:
        return {{}, "<sub>", "</sub>"};
      default:
        return {{}, "<sup>", "</sup>"};
    }
  }

  void open(std::uint16_t bit, cls next) {
    flush_breaks();
    open_mark m{bit, buf_.size(), true, {}, {}};
    auto syntax = syntax_of(bit);
    if (!syntax.md.empty()) {
      char d = syntax.md.front();
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
    buf_.append(m.html ? syntax.html_open : syntax.md);
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
      auto syntax = syntax_of(m.bit);
      if (!m.html) {
        // Right-flanking: not preceded by white space, and preceded by an
        // alphanumeric or followed by white space / punctuation.
        cls prev = class_of_last(buf_);
        bool ok
          = prev != cls::ws
            && (prev == cls::other || after == cls::ws || after == cls::punct);
        if (!ok) {
          buf_.replace(m.pos, syntax.md.size(), syntax.html_open);
          m.html = true;
        }
      }
      buf_.append(m.html ? syntax.html_close : syntax.md);
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

  /// Bytes of the output budget left.
  std::size_t room() const {
    return budget_ > buf_.size() ? budget_ - buf_.size() : 0;
  }

  /// Appends Markdown as is, except `|` inside a table cell.
  void append_verbatim(std::string_view s) {
    if (mode_ != inline_mode::cell) {
      buf_.append(s);
      return;
    }
    for (char c : s) {
      if (c == '|')
        buf_.push_back('\\');
      buf_.push_back(c);
    }
  }

  void emit_raw(std::string_view s) {
    if (s.front() == '[')
      escape_bang_before_bracket();
    append_verbatim(s);
    after_bracket_ = s.back() == ']';
  }

  /// Escapes text. Runs of ordinary bytes are appended in bulk.
  void escape(std::string_view s) {
    if (s.size() > room()) {
      s = s.substr(0, utf8_floor(s, room() + 1));
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
    if (code_.size() > room()) {
      code_.resize(utf8_floor(code_, room() + 1));
      over_ = true;
    }
    for (auto& c : code_)
      if (c == '\n' || c == '\r')
        c = ' ';
    if (code_.empty())
      return;
    std::size_t longest = longest_run(code_, '`');
    bool all_space = code_.find_first_not_of(' ') == std::string::npos;
    bool pad = code_.front() == '`' || code_.back() == '`'
               || (!all_space && code_.front() == ' ' && code_.back() == ' ');
    flush_breaks();
    buf_.append(longest + 1, '`');
    if (pad)
      buf_.push_back(' ');
    append_verbatim(code_);
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

} // namespace

bool render_inline(std::string& buf, const std::string& scratch,
                   inline_mode mode, std::size_t budget,
                   const std::vector<segment>& segs) {
  inline_renderer ir{buf, scratch, mode, budget};
  return ir.render(segs);
}

} // namespace jirasync::protocol::adf_detail
