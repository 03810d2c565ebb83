#pragma once
// The block writer of the ADF renderer (internal to protocol/adf): owns the
// output, the container prefixes ("> ", list indentation, pending list
// markers) and the blank-line separators between blocks.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace jirasync::protocol::adf_detail {

/// Writes lines with their container prefixes and the separators between
/// blocks. Lines are written whole: begin_line() emits the prefix (and any
/// list markers still pending), the caller appends the content, end_line()
/// ends it (trimming the prefix's trailing spaces on an empty line).
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
  void pop_item();

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
  bool pending_marker_char(char c) const;

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
  void lines(std::string_view text);

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

  std::size_t pending_markers() const;
  void flush_sep(bool empty_item_line);
  void begin_line_prefix();
  /// The prefix of every level (quote marks, indentation, pending markers),
  /// or only up to the first pending marker.
  void append_prefix(bool up_to_first_marker);
  /// Ends a line that holds only a prefix (its trailing spaces trimmed).
  void end_prefix_line();

  std::string& out_;
  std::vector<level> levels_;
  sep sep_ = sep::none;
  std::size_t sep_depth_ = 0;
  std::size_t content_start_ = 0;
  std::size_t lines_ = 0;
};

} // namespace jirasync::protocol::adf_detail
