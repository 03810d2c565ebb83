#pragma once
// Streaming, namespace-aware XML reading (expat) for the OOXML parts, with
// the entity attacks shut out: a DOCTYPE (where entities are declared) ends
// the parse with an error — Office Open XML parts never carry one — and
// expat's billion-laughs protection stays on as a second guard. External
// entities are never loaded.
//
// Thread-safety: one parser per thread.

#include "extract/text_status.hpp"

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace jirasync::extract {

class zip_archive;

/// The attributes of a start tag.
class xml_attrs {
public:
  explicit xml_attrs(const char** raw) : raw_(raw) {
    // nop
  }
  /// The value of the attribute `local` in namespace `ns` ("" for an
  /// attribute without a namespace, the usual case).
  std::optional<std::string_view> get(std::string_view ns,
                                      std::string_view local) const;
  /// The value of an attribute in the OOXML relationships namespace
  /// (transitional or strict), e.g. r:id.
  std::optional<std::string_view> get_rel(std::string_view local) const;

private:
  const char** raw_;
};

/// What a part's reader does with the parse events.
class xml_events {
public:
  virtual ~xml_events() = default;
  /// `ns`: the namespace URI ("" when none); `local`: the local name.
  virtual void start(std::string_view ns, std::string_view local,
                     const xml_attrs& attrs)
    = 0;
  virtual void end(std::string_view ns, std::string_view local) = 0;
  /// Character data, in pieces of any size.
  virtual void text(std::string_view utf8) = 0;
  /// True to stop reading early (the text cap is reached).
  virtual bool done() const {
    return false;
  }
};

/// Parses XML fed in chunks.
class xml_parser {
public:
  explicit xml_parser(xml_events& ev);
  ~xml_parser();
  xml_parser(const xml_parser&) = delete;
  xml_parser& operator=(const xml_parser&) = delete;

  /// Feeds the next chunk (`last` for the final one). Returns false when
  /// parsing ended: malformed, refused, or stopped by `done()`; see
  /// outcome().
  bool feed(std::string_view chunk, bool last);

  /// extracted when the document was read to its end or stopped by
  /// `done()`; failed with the reason (and line) otherwise.
  extract_outcome outcome() const;

  /// Calls into expat so far: a token that spans many chunks is handed
  /// over in doubling batches (see xml_stream.cpp), so this grows with the
  /// logarithm of its size, not linearly.
  std::size_t parse_calls() const;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// Parses part `name` of `zip` to `ev`, streaming; `what` names the part in
/// reasons ("word/document.xml").
extract_outcome parse_xml_part(zip_archive& zip, const std::string& name,
                               xml_events& ev);

/// The same for XML already in memory.
extract_outcome parse_xml_string(std::string_view xml, xml_events& ev);

} // namespace jirasync::extract
