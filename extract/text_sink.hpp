#pragma once
// Where extractors put text: valid UTF-8, capped at a byte limit (cut on a
// character boundary), with the layout breaks (space, tab, line, blank
// line) kept pending until more text follows, so that no output starts
// with a break, breaks never pile up, and the strongest pending break wins
// (a cell's tab gives way to the row's line break).
//
// Text goes to a writer in chunks (stdout in `jirasync extract`, a string
// in the runner's caller and in tests); extractors stop once `full()`.
//
// Thread-safety: one sink per extraction.

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace jirasync::extract {

class text_sink {
public:
  /// Receives the text in order, in chunks of any size.
  using writer = std::function<void(std::string_view)>;

  /// At most `max_bytes` bytes of text reach `out`.
  text_sink(std::size_t max_bytes, writer out);
  ~text_sink();
  text_sink(const text_sink&) = delete;
  text_sink& operator=(const text_sink&) = delete;

  /// Appends text after any pending break; invalid UTF-8 is replaced with
  /// U+FFFD. Returns false once the sink is full (further text is dropped).
  bool text(std::string_view utf8);

  /// Layout breaks, emitted (as " ", "\t", "\n", "\n\n") only before the
  /// next text.
  void space();
  void tab();
  void line();
  void paragraph();

  /// Ends the text: a final "\n" when a line or paragraph break is pending,
  /// then everything buffered reaches the writer. Call once at the end.
  void finish();

  /// Hands what is buffered to the writer.
  void flush();

  /// The cap was reached: any further text is dropped (the last piece may
  /// have been cut on a character boundary).
  bool full() const {
    return full_;
  }
  /// Bytes accepted so far (at most the cap).
  std::size_t size() const {
    return written_;
  }
  std::size_t max_bytes() const {
    return max_;
  }
  /// Invalid UTF-8 sequences replaced so far.
  std::size_t replacements() const {
    return replaced_;
  }

private:
  enum class brk { none, space, tab, line, paragraph };
  void pend(brk b);
  void put(std::string_view valid);

  std::size_t max_;
  writer out_;
  std::string buf_;
  std::string scratch_;
  std::size_t written_ = 0;
  std::size_t replaced_ = 0;
  brk pending_ = brk::none;
  bool full_ = false;
};

/// A sink that collects into a string (tests, the runner's parent side).
class string_sink : public text_sink {
public:
  explicit string_sink(std::size_t max_bytes)
      : text_sink(max_bytes, [this](std::string_view s) {
          str_ += s;
        }) {
    // nop
  }
  /// Everything written so far (call finish() first for the whole text).
  const std::string& str() const {
    return str_;
  }

private:
  std::string str_;
};

} // namespace jirasync::extract
