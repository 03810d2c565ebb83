#pragma once
// Inline rendering of the ADF renderer (internal to protocol/adf): a flat run
// of inline segments (text + marks) becomes one paragraph's Markdown, with
// CommonMark's delimiter rules (flanking, run merging) and escaping applied.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace jirasync::protocol::adf_detail {

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

/// Writes `segs` as Markdown into `buf` (one paragraph, cleared by the
/// caller); text segments with `scratch` set point into `scratch`. Returns
/// false when `budget` bytes ran out (the output is cut).
bool render_inline(std::string& buf, const std::string& scratch,
                   inline_mode mode, std::size_t budget,
                   const std::vector<segment>& segs);

} // namespace jirasync::protocol::adf_detail
