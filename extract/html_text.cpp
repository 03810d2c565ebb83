// HTML text through libxml2's HTML parser (Debian's libxml2, the parser
// behind xmllint --html and lxml): tolerant of the tag soup real pages are
// made of, entities decoded by the parser, and used here as a streaming
// SAX push parser, so no document tree is built. What a browser would not
// show is dropped: script, style and template content, elements with the
// hidden attribute, comments. Block elements break lines, table cells are
// tab-separated, whitespace collapses except in pre.
//
// Encoding: a byte-order mark or, without any charset declaration, our own
// sniffing (UTF-8, else the Windows-1252 fallback) decodes the bytes before
// libxml2 sees them; a declared charset (<meta charset>) is left to
// libxml2.
#include "extract/formats.hpp"

#include "extract/text_decode.hpp"

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <fstream>
#include <mutex>
#include <vector>

namespace jirasync::extract {

namespace {

constexpr std::size_t chunk_bytes = 64 << 10;

using namespace std::literals;

constexpr std::array skipped{"script"sv, "style"sv, "template"sv};

constexpr std::array paragraph_blocks{
  "p"sv,  "h1"sv,    "h2"sv,    "h3"sv,  "h4"sv,        "h5"sv,
  "h6"sv, "title"sv, "table"sv, "pre"sv, "blockquote"sv};

constexpr std::array line_blocks{
  "div"sv,     "section"sv,  "article"sv, "header"sv,  "footer"sv,
  "main"sv,    "nav"sv,      "aside"sv,   "figure"sv,  "figcaption"sv,
  "form"sv,    "fieldset"sv, "legend"sv,  "address"sv, "caption"sv,
  "details"sv, "summary"sv,  "ul"sv,      "ol"sv,      "dl"sv,
  "li"sv,      "dt"sv,       "dd"sv,      "tr"sv,      "body"sv,
  "option"sv,  "br"sv};

template<std::size_t N>
bool one_of(std::string_view s, const std::array<std::string_view, N>& set) {
  return std::find(set.begin(), set.end(), s) != set.end();
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

struct html_state {
  text_sink* sink = nullptr;
  htmlParserCtxtPtr ctxt = nullptr;
  std::vector<std::string> open;    // element names, innermost last
  std::size_t skip_from = SIZE_MAX; // depth where skipping began
  int pre = 0;

  bool skipping() const {
    return skip_from != SIZE_MAX;
  }

  void stop_if_full() {
    if (sink->full() && ctxt)
      xmlStopParser(ctxt);
  }

  void block_break(std::string_view name) {
    if (one_of(name, paragraph_blocks))
      sink->paragraph();
    else if (one_of(name, line_blocks))
      sink->line();
    else if (name == "hr")
      sink->paragraph();
  }

  static void on_start(void* self, const xmlChar* n, const xmlChar** attrs) {
    auto* st = static_cast<html_state*>(self);
    std::string_view name{reinterpret_cast<const char*>(n)};
    st->open.emplace_back(name);
    if (st->skipping())
      return;
    bool hidden = false;
    for (auto a = attrs; a && *a; a += 2)
      if (std::strcmp(reinterpret_cast<const char*>(*a), "hidden") == 0)
        hidden = true;
    if (hidden || one_of(name, skipped)) {
      st->skip_from = st->open.size();
      return;
    }
    if (name == "pre")
      ++st->pre;
    if (name == "td" || name == "th")
      st->sink->tab();
    st->block_break(name);
  }

  static void on_end(void* self, const xmlChar* n) {
    auto* st = static_cast<html_state*>(self);
    std::string_view name{reinterpret_cast<const char*>(n)};
    // libxml2 closes every element it opened (implied ends included); pop
    // down to the matching one should a document confuse it anyway.
    auto it = std::find(st->open.rbegin(), st->open.rend(), name);
    if (it == st->open.rend())
      return;
    st->open.erase(std::next(it).base(), st->open.end());
    if (st->skipping()) {
      if (st->open.size() < st->skip_from)
        st->skip_from = SIZE_MAX;
      return;
    }
    if (name == "pre" && st->pre > 0)
      --st->pre;
    st->block_break(name);
  }

  static void on_text(void* self, const xmlChar* ch, int len) {
    auto* st = static_cast<html_state*>(self);
    if (st->skipping() || len <= 0)
      return;
    std::string_view s{reinterpret_cast<const char*>(ch),
                       static_cast<std::size_t>(len)};
    if (st->pre > 0) {
      while (!s.empty()) {
        auto nl = s.find('\n');
        st->sink->text(s.substr(0, nl));
        if (nl == std::string_view::npos)
          break;
        st->sink->line();
        s.remove_prefix(nl + 1);
      }
    } else {
      std::size_t i = 0;
      while (i < s.size()) {
        std::size_t j = i;
        if (is_space(s[i])) {
          while (j < s.size() && is_space(s[j]))
            ++j;
          st->sink->space();
        } else {
          while (j < s.size() && !is_space(s[j]))
            ++j;
          st->sink->text(s.substr(i, j - i));
        }
        i = j;
      }
    }
    st->stop_if_full();
  }

  static void ignore_cdata(void*, const xmlChar*, int) {
    // script/style content: never shown
  }
  static void ignore_message(void*, const char*, ...) {
    // tag soup is expected; nothing to report
  }
};

bool declares_charset(std::string_view head) {
  std::string low{head.substr(0, 4096)};
  std::transform(low.begin(), low.end(), low.begin(), [](unsigned char c) {
    return static_cast<char>(std::tolower(c));
  });
  return low.find("charset") != std::string::npos
         || low.find("encoding=") != std::string::npos;
}

} // namespace

extract_outcome extract_html(const std::filesystem::path& file,
                             text_sink& sink) {
  static std::once_flag init;
  std::call_once(init, [] {
    xmlInitParser();
  });
  std::ifstream in{file, std::ios::binary};
  if (!in)
    return extract_outcome::fail(text_status::failed, "cannot read the file");
  std::vector<char> buf(chunk_bytes);
  in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
  std::string_view head{buf.data(), static_cast<std::size_t>(in.gcount())};
  bool whole = in.eof();

  auto sniff = sniff_text(head, whole);
  bool we_decode = sniff.bom_bytes > 0 || !declares_charset(head);
  text_decoder decoder{sniff.encoding, sniff.bom_bytes};

  html_state st;
  st.sink = &sink;
  htmlSAXHandler sax;
  std::memset(&sax, 0, sizeof sax);
  sax.startElement = &html_state::on_start;
  sax.endElement = &html_state::on_end;
  sax.characters = &html_state::on_text;
  sax.ignorableWhitespace = &html_state::on_text;
  sax.cdataBlock = &html_state::ignore_cdata;
  sax.warning = &html_state::ignore_message;
  sax.error = &html_state::ignore_message;
  sax.fatalError = &html_state::ignore_message;
  auto ctxt = htmlCreatePushParserCtxt(&sax, &st, nullptr, 0, nullptr,
                                       we_decode ? XML_CHAR_ENCODING_UTF8
                                                 : XML_CHAR_ENCODING_NONE);
  if (!ctxt)
    throw std::bad_alloc();
  st.ctxt = ctxt;
  int opts = HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING
             | HTML_PARSE_NONET | HTML_PARSE_NODEFDTD;
  if (we_decode)
    opts |= HTML_PARSE_IGNORE_ENC;
  htmlCtxtUseOptions(ctxt, opts);

  std::string decoded;
  auto push = [&](std::string_view bytes, bool last) {
    std::string_view data = bytes;
    if (we_decode) {
      decoded.clear();
      decoder.feed(bytes, decoded);
      if (last)
        decoder.finish(decoded);
      data = decoded;
    }
    htmlParseChunk(ctxt, data.data(), static_cast<int>(data.size()),
                   last ? 1 : 0);
  };
  std::string_view chunk = head;
  while (!sink.full()) {
    bool last = whole;
    push(chunk, last);
    if (last)
      break;
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    chunk = std::string_view{buf.data(), static_cast<std::size_t>(in.gcount())};
    whole = in.eof();
  }
  htmlFreeParserCtxt(ctxt);
  return extract_outcome::ok();
}

} // namespace jirasync::extract
