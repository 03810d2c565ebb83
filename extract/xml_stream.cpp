#include "extract/xml_stream.hpp"

#include "extract/zip_archive.hpp"

#include <climits>
#include <cstdint>
#include <cstring>

// The billion-laughs protection API is declared only under XML_DTD, which
// the Debian build of libexpat enables.
#ifndef XML_DTD
#define XML_DTD
#endif
#include <expat.h>

namespace jirasync::extract {

namespace {

/// Separates the namespace URI from the local name in expat's names.
constexpr char ns_sep = '\x1F';

/// Most output per input byte that entity expansion may produce (expat's
/// default is 100; nothing in OOXML expands at all).
constexpr float max_amplification = 20.0f;

void split_name(const char* name, std::string_view& ns,
                std::string_view& local) {
  std::string_view full{name};
  auto sep = full.find(ns_sep);
  if (sep == std::string_view::npos) {
    ns = {};
    local = full;
  } else {
    ns = full.substr(0, sep);
    local = full.substr(sep + 1);
  }
}

constexpr std::string_view rel_ns_transitional
  = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
constexpr std::string_view rel_ns_strict
  = "http://purl.oclc.org/ooxml/officeDocument/relationships";

} // namespace

std::optional<std::string_view> xml_attrs::get(std::string_view ns,
                                               std::string_view local) const {
  for (const char** a = raw_; a && *a; a += 2) {
    std::string_view n, l;
    split_name(a[0], n, l);
    if (n == ns && l == local)
      return std::string_view{a[1]};
  }
  return std::nullopt;
}

std::optional<std::string_view>
xml_attrs::get_rel(std::string_view local) const {
  if (auto v = get(rel_ns_transitional, local))
    return v;
  return get(rel_ns_strict, local);
}

struct xml_parser::impl {
  XML_Parser p = nullptr;
  xml_events* ev = nullptr;
  std::string refused; // why we stopped the parse ourselves
  bool stopped_done = false;
  bool ended = false;
  /// Parse events so far (any callback).
  std::uint64_t events = 0;
  /// Reparse deferral: expat 2.5 re-scans an unfinished token from its
  /// start on every XML_Parse call, so a 100 MiB attribute fed in 64 KiB
  /// chunks costs O(n^2) (CVE-2023-52425, fixed upstream in 2.6 the same
  /// way). After a call that produced no event, input is held back until
  /// twice as much is waiting, which keeps the total work O(n log n).
  std::string held;
  std::size_t hold_until = 0;
  std::size_t parse_calls = 0;

  void stop_if_done() {
    if (!stopped_done && ev->done()) {
      stopped_done = true;
      XML_StopParser(p, XML_FALSE);
    }
  }

  static void on_start(void* self, const XML_Char* name,
                       const XML_Char** attrs) {
    auto* me = static_cast<impl*>(self);
    std::string_view ns, local;
    split_name(name, ns, local);
    ++me->events;
    me->ev->start(ns, local, xml_attrs{attrs});
    me->stop_if_done();
  }
  static void on_end(void* self, const XML_Char* name) {
    auto* me = static_cast<impl*>(self);
    std::string_view ns, local;
    split_name(name, ns, local);
    ++me->events;
    me->ev->end(ns, local);
    me->stop_if_done();
  }
  static void on_text(void* self, const XML_Char* s, int len) {
    auto* me = static_cast<impl*>(self);
    ++me->events;
    me->ev->text(std::string_view{s, static_cast<std::size_t>(len)});
    me->stop_if_done();
  }
  static void on_doctype(void* self, const XML_Char*, const XML_Char*,
                         const XML_Char*, int) {
    auto* me = static_cast<impl*>(self);
    me->refused = "a DOCTYPE declaration (refused: entity expansion)";
    XML_StopParser(me->p, XML_FALSE);
  }
  static void on_entity(void* self, const XML_Char*, int, const XML_Char*, int,
                        const XML_Char*, const XML_Char*, const XML_Char*,
                        const XML_Char*) {
    auto* me = static_cast<impl*>(self);
    me->refused = "an entity declaration (refused)";
    XML_StopParser(me->p, XML_FALSE);
  }
};

xml_parser::xml_parser(xml_events& ev) : impl_(std::make_unique<impl>()) {
  impl_->ev = &ev;
  impl_->p = XML_ParserCreateNS(nullptr, ns_sep);
  if (!impl_->p)
    throw std::bad_alloc();
  XML_SetUserData(impl_->p, impl_.get());
  XML_SetElementHandler(impl_->p, &impl::on_start, &impl::on_end);
  XML_SetCharacterDataHandler(impl_->p, &impl::on_text);
  XML_SetStartDoctypeDeclHandler(impl_->p, &impl::on_doctype);
  XML_SetEntityDeclHandler(impl_->p, &impl::on_entity);
  XML_SetParamEntityParsing(impl_->p, XML_PARAM_ENTITY_PARSING_NEVER);
  XML_SetBillionLaughsAttackProtectionMaximumAmplification(impl_->p,
                                                           max_amplification);
}

xml_parser::~xml_parser() {
  if (impl_->p)
    XML_ParserFree(impl_->p);
}

bool xml_parser::feed(std::string_view chunk, bool last) {
  auto& m = *impl_;
  if (m.ended)
    return false;
  std::string_view data = chunk;
  if (m.hold_until > 0) {
    m.held.append(chunk);
    if (m.held.size() < m.hold_until && !last)
      return true;
    data = m.held;
  }
  if (data.size() > static_cast<std::size_t>(INT_MAX / 2)) {
    m.refused = "more than 1 GiB of input without a complete token";
    m.ended = true;
    return false;
  }
  auto before = m.events;
  ++m.parse_calls;
  auto st = XML_Parse(m.p, data.data(), static_cast<int>(data.size()),
                      last ? XML_TRUE : XML_FALSE);
  std::size_t fed = data.size();
  m.held.clear();
  m.hold_until = m.events == before ? 2 * fed : 0;
  if (st != XML_STATUS_OK || last)
    m.ended = true;
  return !m.ended;
}

std::size_t xml_parser::parse_calls() const {
  return impl_->parse_calls;
}

extract_outcome xml_parser::outcome() const {
  if (!impl_->refused.empty())
    return extract_outcome::fail(
      text_status::failed,
      "XML with " + impl_->refused + " at line "
        + std::to_string(XML_GetCurrentLineNumber(impl_->p)));
  if (impl_->stopped_done)
    return extract_outcome::ok();
  auto code = XML_GetErrorCode(impl_->p);
  if (code == XML_ERROR_NONE)
    return extract_outcome::ok();
  if (code == XML_ERROR_NO_MEMORY)
    return extract_outcome::fail(text_status::too_large,
                                 "out of memory parsing the XML (a token "
                                 "larger than the memory limit)");
  if (code == XML_ERROR_AMPLIFICATION_LIMIT_BREACH) // expat >= 2.4
    return extract_outcome::fail(text_status::too_large,
                                 "XML entity expansion beyond the "
                                 "amplification limit");
  return extract_outcome::fail(
    text_status::failed,
    std::string{"malformed XML: "} + XML_ErrorString(code) + " at line "
      + std::to_string(XML_GetCurrentLineNumber(impl_->p)));
}

extract_outcome parse_xml_part(zip_archive& zip, const std::string& name,
                               xml_events& ev) {
  xml_parser parser{ev};
  auto read = zip.read(name, [&](std::string_view chunk) {
    return parser.feed(chunk, false);
  });
  if (!read.extracted())
    return read;
  parser.feed({}, true);
  auto out = parser.outcome();
  if (!out.extracted())
    out.reason = name + ": " + out.reason;
  return out;
}

extract_outcome parse_xml_string(std::string_view xml, xml_events& ev) {
  xml_parser parser{ev};
  constexpr std::size_t step = 64 << 10;
  for (std::size_t pos = 0; pos < xml.size(); pos += step)
    if (!parser.feed(xml.substr(pos, step), false))
      return parser.outcome();
  parser.feed({}, true);
  return parser.outcome();
}

} // namespace jirasync::extract
