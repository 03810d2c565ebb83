#include "extract/text_sink.hpp"

#include "common/utf8.hpp"

namespace jirasync::extract {

namespace {

/// Chunk size handed to the writer.
constexpr std::size_t flush_bytes = 64 << 10;

} // namespace

text_sink::text_sink(std::size_t max_bytes, writer out)
    : max_(max_bytes), out_(std::move(out)) {
  // nop
}

text_sink::~text_sink() = default;

void text_sink::pend(brk b) {
  if (b > pending_)
    pending_ = b;
}

void text_sink::space() {
  pend(brk::space);
}

void text_sink::tab() {
  pend(brk::tab);
}

void text_sink::line() {
  pend(brk::line);
}

void text_sink::paragraph() {
  pend(brk::paragraph);
}

void text_sink::put(std::string_view valid) {
  if (full_)
    return;
  auto n = common::utf8_prefix_length(valid, max_ - written_);
  if (n < valid.size())
    full_ = true;
  buf_.append(valid.data(), n);
  written_ += n;
  if (written_ == max_)
    full_ = true;
  if (buf_.size() >= flush_bytes)
    flush();
}

bool text_sink::text(std::string_view utf8) {
  if (utf8.empty())
    return !full_;
  if (full_)
    return false;
  if (written_ > 0) {
    switch (pending_) {
      case brk::none:
        break;
      case brk::space:
        put(" ");
        break;
      case brk::tab:
        put("\t");
        break;
      case brk::line:
        put("\n");
        break;
      case brk::paragraph:
        put("\n\n");
        break;
    }
  }
  pending_ = brk::none;
  scratch_.clear();
  replaced_ += common::append_valid_utf8(scratch_, utf8);
  put(scratch_);
  return !full_;
}

void text_sink::finish() {
  if (written_ > 0 && pending_ >= brk::line)
    put("\n");
  pending_ = brk::none;
  flush();
}

void text_sink::flush() {
  if (!buf_.empty()) {
    out_(buf_);
    buf_.clear();
  }
}

} // namespace jirasync::extract
