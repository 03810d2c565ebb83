#include "protocol/adf/adf_writer.hpp"

#include <algorithm>

namespace jirasync::protocol::adf_detail {

void block_writer::pop_item() {
  if (levels_.back().marker_pending) {
    flush_sep(true);
    begin_line_prefix();
    end_line();
  }
  levels_.pop_back();
}

bool block_writer::pending_marker_char(char c) const {
  for (auto& l : levels_)
    if (l.marker_pending && !l.marker.empty() && l.marker[0] == c)
      return true;
  return false;
}

void block_writer::lines(std::string_view text) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto nl = text.find('\n', pos);
    if (nl == std::string_view::npos)
      nl = text.size();
    line(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
}

std::size_t block_writer::pending_markers() const {
  std::size_t n = 0;
  for (auto& l : levels_)
    n += l.marker_pending ? 1 : 0;
  return n;
}

void block_writer::flush_sep(bool empty_item_line) {
  if (sep_ == sep::blank || (sep_ == sep::tight && empty_item_line)) {
    std::size_t n = std::min(sep_depth_, levels_.size());
    for (std::size_t i = 0; i < n; ++i) {
      if (levels_[i].quote)
        out_.append("> ");
      else
        out_.append(levels_[i].width, ' ');
    }
    end_prefix_line();
  }
  sep_ = sep::none;
}

void block_writer::begin_line_prefix() {
  // Several markers due on one line ("- - -" would be a thematic break):
  // all but the innermost end their line alone (an item may start with
  // an empty line).
  for (auto pending = pending_markers(); pending > 1; --pending) {
    append_prefix(true);
    end_prefix_line();
    ++lines_;
  }
  append_prefix(false);
  content_start_ = out_.size();
}

void block_writer::append_prefix(bool up_to_first_marker) {
  for (auto& l : levels_) {
    if (l.quote) {
      out_.append("> ");
    } else if (l.marker_pending) {
      out_.append(l.marker);
      l.marker_pending = false;
      if (up_to_first_marker)
        return;
    } else {
      out_.append(l.width, ' ');
    }
  }
}

void block_writer::end_prefix_line() {
  while (!out_.empty() && out_.back() == ' ')
    out_.pop_back();
  out_.push_back('\n');
}

} // namespace jirasync::protocol::adf_detail
