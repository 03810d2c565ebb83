// Real documents, generated here with known text, extracted in process:
// every known string comes out, in order, with the layout the extractors
// promise (page breaks, table rows, sheet names, slide order).
#include "common/utf8.hpp"
#include "doc_builders.hpp"
#include "extract/extract_file.hpp"

#include <catch2/catch.hpp>

using namespace jirasync::extract;
using namespace jirasync::testing;

namespace {

struct extracted {
  extract_outcome outcome;
  std::string text;
  bool full = false;
};

extracted run(const std::filesystem::path& file, const std::string& mime,
              const std::string& name = {}, extract_limits limits = {}) {
  string_sink sink{limits.max_text_bytes};
  auto out = extract_file({file, mime, name}, limits, sink);
  sink.finish();
  return {out, sink.str(), sink.full()};
}

/// Each of `expected` occurs in `text`, each after the one before.
void check_in_order(const std::string& text,
                    const std::vector<std::string>& expected) {
  std::size_t pos = 0;
  for (auto& e : expected) {
    INFO("looking for '" << e << "' from offset " << pos << " in:\n" << text);
    auto found = text.find(e, pos);
    REQUIRE(found != std::string::npos);
    pos = found + e.size();
  }
}

const std::string ue = "\xC3\xBC";                 // ü
const std::string zh = "\xE4\xB8\xAD\xE6\x96\x87"; // 中文
const std::string smile = "\xF0\x9F\x98\x80";      // 😀

} // namespace

TEST_CASE("PDF: pages in order, lines in reading order, non-ASCII",
          "[extract][pdf]") {
  scratch_dir dir;
  auto file = dir.write(
    "doc.pdf", make_pdf({{"Quarterly report", "Gr" + ue + "n light for " + zh,
                          "Launch " + smile + " done"},
                         {"Second page first line", "Second page last line"},
                         {"Third page"}}));
  auto r = run(file, "application/pdf");
  REQUIRE(r.outcome == extract_outcome::ok());
  check_in_order(r.text, {"Quarterly report", "Gr" + ue + "n light for " + zh,
                          "Launch " + smile + " done", "Second page first line",
                          "Second page last line", "Third page"});
  // A page break is a blank line; lines of one page are not.
  check_in_order(r.text, {"done\n\nSecond page first line\nSecond page last "
                          "line\n\nThird page"});
  CHECK(r.text.back() == '\n');
}

TEST_CASE("PDF: the text cap stops extraction on a character boundary",
          "[extract][pdf]") {
  scratch_dir dir;
  std::vector<std::vector<std::string>> pages;
  for (int i = 0; i < 50; ++i)
    pages.push_back({"page " + std::to_string(i) + " " + zh + zh + zh});
  auto file = dir.write("big.pdf", make_pdf(pages));
  extract_limits lim;
  lim.max_text_bytes = 100;
  auto r = run(file, "application/pdf", {}, lim);
  CHECK(r.outcome.extracted());
  CHECK(r.full);
  CHECK(r.text.size() <= 100);
  CHECK(r.text.size() >= 97); // at most a 3-byte character short
  CHECK(r.text.substr(0, 7) == "page 0 ");
  std::string valid;
  CHECK(jirasync::common::append_valid_utf8(valid, r.text) == 0);
}

TEST_CASE("docx: header, paragraphs, table rows of cells, footer",
          "[extract][docx]") {
  scratch_dir dir;
  docx_spec d;
  d.header = "Confidential " + ue;
  d.body_xml = w_p("Design notes") + w_p("Caf\xC3\xA9 " + zh + " " + smile)
               + w_tbl({{"Name", "Owner", "Status"},
                        {"Parser", "J" + ue + "rgen", "done"},
                        {"Runner", zh, "open"}})
               + w_p("After the table")
               // Deleted text and field codes are not text; a tab and a
               // break inside runs are.
               + "<w:p><w:r><w:t>a</w:t><w:tab/><w:t>b</w:t><w:br/>"
                 "<w:t>c</w:t></w:r><w:del><w:r><w:delText>gone</w:delText>"
                 "</w:r></w:del><w:r><w:instrText>PAGE</w:instrText></w:r>"
                 "<w:moveFrom><w:r><w:t>moved</w:t></w:r></w:moveFrom>"
                 "</w:p>";
  d.footer = "Page footer";
  auto file = dir.path() / "notes.docx";
  make_docx(file, d);
  auto r = run(file, "application/vnd.openxmlformats-officedocument."
                     "wordprocessingml.document");
  REQUIRE(r.outcome == extract_outcome::ok());
  CHECK(r.text
        == "Confidential " + ue + "\n\nDesign notes\nCaf\xC3\xA9 " + zh + " "
             + smile + "\nName\tOwner\tStatus\nParser\tJ" + ue
             + "rgen\tdone\nRunner\t" + zh
             + "\topen\nAfter the table\na\tb\nc\n\nPage footer\n");
}

TEST_CASE("docx: detected from the content whatever the label",
          "[extract][docx]") {
  scratch_dir dir;
  docx_spec d;
  d.body_xml = w_p("labelled wrongly");
  auto file = dir.path() / "blob";
  make_docx(file, d);
  for (auto mime : {"application/octet-stream", "text/plain", ""}) {
    auto r = run(file, mime);
    CHECK(r.outcome.extracted());
    check_in_order(r.text, {"labelled wrongly"});
  }
}

TEST_CASE("docx: mc:Fallback copies are skipped", "[extract][docx]") {
  scratch_dir dir;
  docx_spec d;
  d.body_xml
    = "<w:p><w:r><mc:AlternateContent xmlns:mc=\"http://schemas."
      "openxmlformats.org/markup-compatibility/2006\"><mc:Choice "
      "Requires=\"wps\"><w:t>text box</w:t></mc:Choice><mc:Fallback>"
      "<w:t>text box</w:t></mc:Fallback></mc:AlternateContent></w:r></w:p>";
  auto file = dir.path() / "alt.docx";
  make_docx(file, d);
  auto r = run(file, "");
  CHECK(r.text == "text box\n");
}

TEST_CASE("xlsx: sheets by name in tab order, shared strings resolved",
          "[extract][xlsx]") {
  scratch_dir dir;
  auto file = dir.path() / "book.xlsx";
  make_xlsx(file,
            {{"Budget " + ue,
              {{"s:Item", "s:Cost", "s:Note"},
               {"s:Servers", "n:1250.5", "s:Gr" + ue + "n"},
               {"i:Inline " + zh, "n:42", "", "b:1"},
               {"s:Servers", "b:0"}}},
             {"Team " + smile, {{"s:Name", "s:Role"}, {"s:Ana", "s:Lead"}}},
             {"Empty", {}}});
  auto r = run(file, "");
  REQUIRE(r.outcome == extract_outcome::ok());
  // Rich-text runs are joined, phonetic hints left out.
  CHECK(r.text
        == "Budget " + ue + "\nItem\tCost\tNote\nServers\t1250.5\tGr" + ue
             + "n\nInline " + zh + "\t42\tTRUE\nServers\tFALSE\n\nTeam " + smile
             + "\nName\tRole\nAna\tLead\n\nEmpty\n");
  CHECK(r.text.find("PHONETIC") == std::string::npos);
}

TEST_CASE("pptx: slides in show order, title first, tables, notes",
          "[extract][pptx]") {
  scratch_dir dir;
  auto file = dir.path() / "deck.pptx";
  make_pptx(file, {{"Roadmap " + zh,
                    {"First point", "Second " + ue},
                    {},
                    "Say hello " + smile},
                   {"Numbers", {}, {{"Q1", "Q2"}, {"10", "20"}}, ""},
                   {"Thanks", {"Questions?"}, {}, ""}});
  auto r = run(file, "");
  REQUIRE(r.outcome == extract_outcome::ok());
  CHECK(r.text
        == "Roadmap " + zh + "\nFirst point\nSecond " + ue + "\n\nSay hello "
             + smile + "\n\nNumbers\nQ1\tQ2\n10\t20\n\nThanks\nQuestions?\n");
}

TEST_CASE("pptx: a huge media entry is never inflated", "[extract][pptx]") {
  scratch_dir dir;
  auto file = dir.path() / "media.pptx";
  // 200 MiB of zeros as a "picture": past the entry budget, but no text
  // lives there, so it is never read.
  make_pptx(file, {{"Slide with a picture", {}, {}, ""}},
            generated_entry{"\x89PNG", std::string(1, '\0'),
                            std::uint64_t{200} << 20, ""});
  auto r = run(file, "");
  CHECK(r.outcome == extract_outcome::ok());
  CHECK(r.text == "Slide with a picture\n");
}

TEST_CASE("HTML: visible text only, entities decoded, blocks on lines",
          "[extract][html]") {
  scratch_dir dir;
  auto file = dir.write(
    "page.html",
    "<!DOCTYPE html><html><head><title>Release notes</title>"
    "<style>body { color: red }</style>"
    "<script>var secret = 'not text';</script></head><body>"
    "<h1>Version&nbsp;2 &amp; more</h1>"
    "<p>Gr&uuml;n, "
      + zh
      + " and &#x1F600;\n   spread   over\nlines</p>"
        "<div hidden>hidden text</div><template><p>template text</p></template>"
        "<table><tr><th>Key</th><th>Value</th></tr>"
        "<tr><td>a</td><td><b>bold</b> cell</td></tr></table>"
        "<ul><li>one<li>two</ul><pre>  keep\n    indent</pre>"
        "<!-- a comment --><p>Last <i>para</i>graph<br>new line</p>"
        "</body></html>");
  auto r = run(file, "text/html");
  REQUIRE(r.outcome == extract_outcome::ok());
  CHECK(r.text
        == "Release notes\n\nVersion\xC2\xA0"
           "2 & more\n\nGr"
             + ue + "n, " + zh + " and " + smile
             + " spread over lines\n\nKey\tValue\na\tbold cell\n\none\ntwo"
               "\n\n  keep\n    indent\n\nLast paragraph\nnew line\n");
}

TEST_CASE("HTML: tag soup is tolerated, a declared charset is honoured",
          "[extract][html]") {
  scratch_dir dir;
  // A hidden void element hides nothing after it.
  auto soup
    = dir.write("soup.htm", "<p>unclosed <b>bold <i>both</p><div>next</span>"
                            "</div><p>x < y & z</p><p>a<input hidden>b</p>");
  auto r = run(soup, "");
  REQUIRE(r.outcome.extracted());
  CHECK(r.text == "unclosed bold both\n\nnext\n\nx < y & z\n\nab\n");

  // Windows-1252 bytes under a declared charset.
  auto latin = dir.write("latin.html",
                         "<html><head><meta charset=\"windows-1252\"></head>"
                         "<body><p>Gr\xFCn \x80 5</p></body></html>");
  auto l = run(latin, "text/html");
  CHECK(l.text == "Gr" + ue + "n \xE2\x82\xAC 5\n");

  // No declaration, not UTF-8: the Latin-1 fallback.
  auto undeclared = dir.write("undeclared.html", "<p>na\xEFve caf\xE9</p>");
  CHECK(run(undeclared, "text/html").text == "na\xC3\xAFve caf\xC3\xA9\n");
}

TEST_CASE("text: as is, in every encoding, to valid UTF-8", "[extract][text]") {
  scratch_dir dir;
  std::string md = "# Title\n\n* Gr" + ue + "n " + zh + " " + smile
                   + "\n\n| a | b |\n|---|---|\n";
  CHECK(run(dir.write("a.md", md), "text/markdown").text == md);
  std::string csv = "id,name\r\n1,J" + ue + "rgen\r\n";
  CHECK(run(dir.write("a.csv", csv), "text/csv").text == csv);
  std::string json = R"({"k": ["v", 1, null]})";
  CHECK(run(dir.write("a.json", json), "application/json").text == json);
  std::string xml = "<?xml version=\"1.0\"?><a>&amp;</a>";
  CHECK(run(dir.write("a.xml", xml), "application/xml").text == xml);
  std::string code = "int main() { return 0; }\n";
  CHECK(run(dir.write("main.cpp", code), "application/octet-stream").text
        == code);

  // UTF-16 with a BOM, both byte orders; a surrogate pair for the emoji.
  std::string le
    = "\xFF\xFE" + std::string("G\0r\0\xFC\0n\0 \0=\xD8\0\xDE", 14);
  CHECK(run(dir.write("le.txt", le), "text/plain").text
        == "Gr" + ue + "n " + smile);
  std::string be
    = "\xFE\xFF" + std::string("\0G\0r\0\xFC\0n\0 \xD8=\xDE\0", 14);
  CHECK(run(dir.write("be.txt", be), "text/plain").text
        == "Gr" + ue + "n " + smile);

  // Latin-1 (read as Windows-1252) and damaged UTF-8.
  CHECK(run(dir.write("l1.txt", "caf\xE9 \x93quoted\x94"), "text/plain").text
        == "caf\xC3\xA9 \xE2\x80\x9Cquoted\xE2\x80\x9D");
  CHECK(run(dir.write("bad.txt", "ok " + zh + " \xFF then " + ue), "text/plain")
          .text
        == "ok " + zh + " \xEF\xBF\xBD then " + ue);
}

TEST_CASE("text: a large file streams up to the cap", "[extract][text]") {
  scratch_dir dir;
  std::string line = "line " + zh + "\n";
  std::string big;
  while (big.size() < (3u << 20))
    big += line;
  auto r = run(dir.write("big.log", big), "text/plain");
  CHECK(r.outcome.extracted());
  CHECK(r.full);
  CHECK(r.text.size() <= (1u << 20));
  CHECK(r.text.size() > (1u << 20) - 4);
  CHECK(r.text.compare(0, line.size(), line) == 0);
}

TEST_CASE("unsupported and mislabelled files get a status and a reason",
          "[extract]") {
  scratch_dir dir;
  std::string png = "\x89PNG\r\n\x1A\n" + std::string(100, '\0');
  auto p = run(dir.write("x.png", png), "image/png");
  CHECK(p.outcome.status == text_status::unsupported);
  CHECK(p.outcome.reason
        == "the content is a PNG image (image/png): no text "
           "to extract");
  CHECK(p.text.empty());

  auto bin = run(dir.write("x.txt", std::string("abc\0def", 7)), "text/plain");
  CHECK(bin.outcome.status == text_status::unsupported);
  CHECK(bin.outcome.reason
        == "labelled text/plain but it contains NUL bytes (binary data)");
  CHECK(bin.text.empty());

  auto fake = run(dir.write("x.pdf", "hello"), "application/pdf");
  CHECK(fake.outcome.status == text_status::failed);
  CHECK(fake.outcome.reason == "labelled as a PDF but has no %PDF header");

  auto ole = run(dir.write("old.doc", "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"
                                        + std::string(504, '\0')),
                 "application/msword");
  CHECK(ole.outcome.status == text_status::unsupported);
  CHECK(ole.outcome.reason.find("OLE compound document") != std::string::npos);

  auto other
    = run(dir.write("x.bin", "\x01\x02\x03"), "application/octet-stream");
  CHECK(other.outcome.status == text_status::unsupported);
  CHECK(other.outcome.reason
        == "application/octet-stream (.bin): no text extractor for this "
           "type");

  zip_builder plain_zip;
  plain_zip.add("readme.txt", "just a zip");
  plain_zip.write(dir.path() / "x.zip");
  auto z = run(dir.path() / "x.zip", "application/zip");
  CHECK(z.outcome.status == text_status::unsupported);
  CHECK(z.outcome.reason.find("not an Office Open XML") != std::string::npos);
}

TEST_CASE("a 0-byte file", "[extract]") {
  scratch_dir dir;
  auto empty = dir.write("empty", "");
  auto pdf = run(empty, "application/pdf");
  CHECK(pdf.outcome
        == extract_outcome::fail(text_status::failed, "empty file (0 bytes)"));
  auto docx = run(empty, "application/vnd.openxmlformats-officedocument."
                         "wordprocessingml.document");
  CHECK(docx.outcome.status == text_status::failed);
  // An empty text file has text: none.
  auto txt = run(empty, "text/plain");
  CHECK(txt.outcome == extract_outcome::ok());
  CHECK(txt.text.empty());
}
