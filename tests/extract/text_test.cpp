// The pieces under the extractors: the capped sink and its layout breaks,
// the plain-text decoder, format detection, the guarded XML parser and
// OOXML part-name resolution.
#include "extract/format_detect.hpp"
#include "extract/ooxml_package.hpp"
#include "extract/text_decode.hpp"
#include "extract/text_sink.hpp"
#include "extract/text_status.hpp"
#include "extract/xml_stream.hpp"

#include <catch2/catch.hpp>

using namespace jirasync::extract;

TEST_CASE("text_status names are the record's", "[extract]") {
  for (auto [s, name] : {std::pair{text_status::extracted, "extracted"},
                         {text_status::unsupported, "unsupported"},
                         {text_status::too_large, "too_large"},
                         {text_status::failed, "failed"},
                         {text_status::timeout, "timeout"},
                         {text_status::skipped, "skipped"}}) {
    CHECK(to_string(s) == name);
    CHECK(parse_text_status(name) == s);
  }
  CHECK_FALSE(parse_text_status("Extracted"));
}

TEST_CASE("text_sink: breaks are pending, the strongest wins, none leads",
          "[extract][sink]") {
  string_sink s{1000};
  s.paragraph();
  s.line();
  s.text("a");
  s.space();
  s.text("b");
  s.tab();
  s.space();
  s.text("c");
  s.space();
  s.line();
  s.tab();
  s.text("d");
  s.paragraph();
  s.line();
  s.text("e");
  s.line();
  s.finish();
  CHECK(s.str() == "a b\tc\nd\n\ne\n");
  CHECK_FALSE(s.full());

  string_sink empty{10};
  empty.paragraph();
  empty.finish();
  CHECK(empty.str().empty());

  string_sink no_newline{10};
  no_newline.text("x");
  no_newline.space();
  no_newline.finish();
  CHECK(no_newline.str() == "x");
}

TEST_CASE("text_sink: the cap cuts on a character boundary and holds",
          "[extract][sink]") {
  string_sink s{8};
  CHECK(s.text("ab"));
  s.line();
  CHECK_FALSE(s.text("\xE4\xB8\xAD\xE6\x96\x87")); // 3 + 6 > 8: cut
  CHECK(s.full());
  CHECK_FALSE(s.text("more"));
  s.finish();
  CHECK(s.str() == "ab\n\xE4\xB8\xAD");
  CHECK(s.size() == 6);

  string_sink exact{3};
  CHECK_FALSE(exact.text("abc")); // exactly full: no room for more
  CHECK(exact.full());
  exact.finish();
  CHECK(exact.str() == "abc");
}

TEST_CASE("text_sink: invalid UTF-8 never gets through", "[extract][sink]") {
  string_sink s{100};
  s.text("ok\xFF"
         "ok\xC3");
  s.finish();
  CHECK(s.str() == "ok\xEF\xBF\xBDok\xEF\xBF\xBD");
  CHECK(s.replacements() == 2);
}

TEST_CASE("text_sink: large text reaches the writer in chunks, in order",
          "[extract][sink]") {
  std::vector<std::size_t> chunks;
  std::string all;
  text_sink s{1 << 20, [&](std::string_view c) {
                chunks.push_back(c.size());
                all += c;
              }};
  std::string piece(1000, 'x');
  for (int i = 0; i < 300; ++i)
    s.text(piece);
  s.finish();
  CHECK(all.size() == 300000);
  CHECK(chunks.size() > 1);
}

namespace {

std::string decode(text_encoding enc, std::size_t skip, std::string_view in,
                   std::size_t step) {
  text_decoder d{enc, skip};
  std::string out;
  for (std::size_t i = 0; i < in.size(); i += step)
    d.feed(in.substr(i, step), out);
  d.finish(out);
  return out;
}

} // namespace

TEST_CASE("decoder: characters split across chunks survive",
          "[extract][decode]") {
  std::string utf8 = "\xC3\xBC\xE4\xB8\xAD\xF0\x9F\x98\x80z";
  for (std::size_t step : {1, 2, 3, 5, 100})
    CHECK(decode(text_encoding::utf8, 0, utf8, step) == utf8);
  std::string le{"\xFC\0=\xD8\0\xDE-\0", 8}; // ü 😀 -
  for (std::size_t step : {1, 3, 8})
    CHECK(decode(text_encoding::utf16le, 0, le, step)
          == "\xC3\xBC\xF0\x9F\x98\x80-");
  // The BOM is skipped even when it arrives one byte at a time.
  CHECK(decode(text_encoding::utf16be, 2, std::string{"\xFE\xFF\0A", 4}, 1)
        == "A");
  CHECK(decode(text_encoding::utf8, 3, "\xEF\xBB\xBFhi", 1) == "hi");
}

TEST_CASE("decoder: broken input becomes U+FFFD", "[extract][decode]") {
  const std::string fffd = "\xEF\xBF\xBD";
  CHECK(decode(text_encoding::utf8, 0, "a\xE4\xB8", 1) == "a" + fffd);
  // An unpaired high surrogate, a lone low one, an odd trailing byte.
  CHECK(decode(text_encoding::utf16le, 0,
               std::string{"\x3D\xD8"
                           "A\0",
                           4},
               4)
        == fffd + "A");
  CHECK(decode(text_encoding::utf16le, 0, std::string{"\0\xDC", 2}, 2) == fffd);
  CHECK(decode(text_encoding::utf16le, 0, std::string{"A\0B", 3}, 3)
        == "A" + fffd);
  // Windows-1252: C1 bytes are typography, its holes stay C1 controls.
  CHECK(decode(text_encoding::windows1252, 0, "\x80\x85\x81\xFF", 4)
        == "\xE2\x82\xAC\xE2\x80\xA6\xC2\x81\xC3\xBF");
}

TEST_CASE("sniff: binary, BOMs, UTF-8 or the Latin-1 fallback",
          "[extract][decode]") {
  CHECK_FALSE(sniff_text(std::string{"ab\0c", 4}, true).is_text);
  std::string controls = "text";
  controls += std::string(10, '\x01');
  auto c = sniff_text(controls, true);
  CHECK_FALSE(c.is_text);
  CHECK(c.why_not == "it is mostly control characters (binary data)");
  CHECK(sniff_text("tab\tnew\nline\r\nesc\x1B[0m form\f", true).is_text);

  auto le = sniff_text(std::string{"\xFF\xFEh\0i\0", 6}, true);
  CHECK(le.is_text); // NULs are fine behind a UTF-16 BOM
  CHECK(le.encoding == text_encoding::utf16le);
  CHECK(le.bom_bytes == 2);
  CHECK(sniff_text("\xFE\xFF", true).encoding == text_encoding::utf16be);
  auto bom8 = sniff_text("\xEF\xBB\xBFx\xFF", true);
  CHECK(bom8.encoding == text_encoding::utf8);
  CHECK(bom8.bom_bytes == 3);

  CHECK(sniff_text("plain ascii", true).encoding == text_encoding::utf8);
  CHECK(sniff_text("caf\xC3\xA9 na\xC3\xAFve \xFF", true).encoding
        == text_encoding::utf8); // mostly UTF-8, one bad byte
  CHECK(sniff_text("caf\xE9 na\xEFve", true).encoding
        == text_encoding::windows1252);
  // A sequence cut at the end of a sample is not held against it...
  CHECK(sniff_text("ok \xE4\xB8", false).encoding == text_encoding::utf8);
  // ...but at the end of the file it is.
  CHECK(sniff_text("ok \xE4\xB8", true).encoding == text_encoding::windows1252);
}

TEST_CASE("detect: the content decides, the label is checked against it",
          "[extract][detect]") {
  auto pdf = detect_format("text/plain", "a.txt", "%PDF-1.7\n...", 100);
  CHECK(pdf.format == doc_format::pdf);
  // Up to 1 KiB of junk may precede the header (as readers accept).
  CHECK(detect_format("", "", std::string(500, ' ') + "%PDF-1.4", 600).format
        == doc_format::pdf);
  CHECK(detect_format("application/pdf", "", "PK\x03\x04rest", 10).format
        == doc_format::zip);
  CHECK(detect_format("text/html; charset=UTF-8", "", "<p>x", 4).format
        == doc_format::html);
  CHECK(detect_format("", "page.HTM", "<p>x", 4).format == doc_format::html);
  CHECK(detect_format("application/octet-stream", "notes.md", "# x", 3).format
        == doc_format::text);
  CHECK(detect_format("application/vnd.api+json", "", "{}", 2).format
        == doc_format::text);
  CHECK(detect_format("text/x-c++src", "", "int x;", 6).format
        == doc_format::text);
  // A text file may start like a weak magic number.
  CHECK(detect_format("text/plain", "", "ID3 tags explained", 18).format
        == doc_format::text);

  auto gif = detect_format("text/plain", "", std::string{"GIF89a\0\0", 8}, 8);
  CHECK(gif.format == doc_format::none);
  CHECK(gif.status == text_status::unsupported);
  CHECK(gif.reason
        == "the content is a GIF image (text/plain): no text to "
           "extract");
  auto img = detect_format("image/svg+xml", "", "<svg/>", 6);
  CHECK(img.status == text_status::unsupported);
  CHECK(img.reason == "image/svg+xml: no text to extract");
  auto docx = detect_format("application/vnd.openxmlformats-officedocument."
                            "wordprocessingml.document",
                            "", "not a zip", 9);
  CHECK(docx.status == text_status::failed);
  CHECK(docx.reason
        == "labelled as an Office Open XML document but is not "
           "a ZIP archive");
  auto unknown = detect_format("", "", "just bytes", 10);
  CHECK(unknown.status == text_status::unsupported);
  CHECK(unknown.reason == "no type: no text extractor for this type");
  CHECK(normalize_mime(" Text/HTML ; charset=x") == "text/html");
}

namespace {

/// Records events as a compact trace.
struct trace_events : xml_events {
  std::string trace;
  std::size_t stop_after = SIZE_MAX;
  std::size_t count = 0;
  void start(std::string_view ns, std::string_view local,
             const xml_attrs& a) override {
    ++count;
    trace += "<" + std::string{local};
    if (!ns.empty())
      trace += "@" + std::string{ns.substr(ns.size() - 4)};
    if (auto v = a.get({}, "k"))
      trace += " k=" + std::string{*v};
    if (auto v = a.get_rel("id"))
      trace += " r:id=" + std::string{*v};
    trace += ">";
  }
  void end(std::string_view, std::string_view local) override {
    ++count;
    trace += "</" + std::string{local} + ">";
  }
  void text(std::string_view t) override {
    trace += t;
  }
  bool done() const override {
    return count >= stop_after;
  }
};

} // namespace

TEST_CASE("xml: namespaces resolved, attributes found, entities decoded",
          "[extract][xml]") {
  trace_events ev;
  auto out = parse_xml_string(
    "<?xml version=\"1.0\"?><w:a xmlns:w=\"urn:x:main\" xmlns:r=\"http://"
    "schemas.openxmlformats.org/officeDocument/2006/relationships\" k=\"1\" "
    "r:id=\"rId7\"><w:b>x &amp; &#x4E2D;</w:b></w:a>",
    ev);
  CHECK(out == extract_outcome::ok());
  CHECK(ev.trace == "<a@main k=1 r:id=rId7><b@main>x & \xE4\xB8\xAD</b></a>");
}

TEST_CASE("xml: DOCTYPE and entity declarations are refused",
          "[extract][xml]") {
  trace_events ev;
  auto lol = parse_xml_string("<?xml version=\"1.0\"?>\n<!DOCTYPE a [\n"
                              "<!ENTITY x \"xxxxxxxxxx\">\n"
                              "<!ENTITY y \"&x;&x;&x;&x;&x;&x;&x;&x;\">\n"
                              "]>\n<a>&y;</a>",
                              ev);
  CHECK(lol.status == text_status::failed);
  CHECK(lol.reason
        == "XML with a DOCTYPE declaration (refused: entity "
           "expansion) at line 2");
  CHECK(ev.trace.empty());

  trace_events ev2;
  auto ext = parse_xml_string("<!DOCTYPE a SYSTEM \"file:///etc/passwd\">"
                              "<a>&ext;</a>",
                              ev2);
  CHECK(ext.status == text_status::failed);
  CHECK(ev2.trace.empty());
}

TEST_CASE("xml: malformed input fails with the line - done() stops early",
          "[extract][xml]") {
  trace_events ev;
  auto bad = parse_xml_string("<a>\n<b></a>", ev);
  CHECK(bad.status == text_status::failed);
  CHECK(bad.reason == "malformed XML: mismatched tag at line 2");

  trace_events stop;
  stop.stop_after = 2;
  auto early = parse_xml_string("<a><b/><c/><d/></a><<<broken", stop);
  CHECK(early == extract_outcome::ok());
  // <b/> is one token: its end comes with its start.
  CHECK(stop.trace == "<a><b></b>");
}

TEST_CASE("xml: a huge token costs O(n log n), not O(n^2)", "[extract][xml]") {
  // 32 MiB in one attribute, fed in 64 KiB chunks: without the deferral
  // expat 2.5 re-scans the token 512 times (8 GiB of work).
  trace_events ev;
  xml_parser p{ev};
  REQUIRE(p.feed("<a k=\"", false));
  std::string chunk(64 << 10, 'v');
  for (int i = 0; i < 512; ++i)
    REQUIRE(p.feed(chunk, false));
  p.feed("\"/>", true);
  CHECK(p.outcome() == extract_outcome::ok());
  CHECK(ev.count == 2);
  CHECK(ev.trace.size() == (32u << 20) + 10);
  // The opening, then the 512 chunks in batches of 1, 2, 4, ... 256 (9
  // calls), then the last chunk with the end: 11 calls instead of 514.
  CHECK(p.parse_calls() == 11);
}

TEST_CASE("ooxml: relationship targets resolve to part names",
          "[extract][ooxml]") {
  CHECK(resolve_part("word/document.xml", "header1.xml") == "word/header1.xml");
  CHECK(resolve_part("ppt/slides/slide1.xml", "../notesSlides/notesSlide1.xml")
        == "ppt/notesSlides/notesSlide1.xml");
  CHECK(resolve_part("ppt/slides/slide1.xml", "/ppt/media/a b.png")
        == "ppt/media/a b.png");
  CHECK(resolve_part("", "word/document.xml") == "word/document.xml");
  CHECK(resolve_part("xl/workbook.xml", "./worksheets/../sheet%201.xml")
        == "xl/sheet 1.xml");
  CHECK(resolve_part("a/b.xml", "../../../../x.xml") == "x.xml");
  CHECK(in_ns("http://schemas.openxmlformats.org/wordprocessingml/2006/main",
              "wordprocessingml"));
  CHECK(in_ns("http://purl.oclc.org/ooxml/wordprocessingml/main",
              "wordprocessingml"));
  CHECK_FALSE(in_ns("http://schemas.openxmlformats.org/drawingml/2006/main",
                    "wordprocessingml"));
}
