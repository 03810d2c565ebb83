// Hostile files through the real `jirasync extract` child and its rlimits:
// each fails alone with its status and a reason, within the limits, and
// the good files around them still come out whole.
#include "doc_builders.hpp"
#include "extract/runner.hpp"

#include <catch2/catch.hpp>

using namespace jirasync::extract;
using namespace jirasync::testing;

namespace {

const char* const docx_mime = "application/vnd.openxmlformats-officedocument."
                              "wordprocessingml.document";

runner_options real_child(runner_limits limits = {}) {
  return {JIRASYNC_BIN, limits};
}

/// A docx whose parts are given whole (for budgets across parts).
void make_docx_parts(const std::filesystem::path& file,
                     std::optional<generated_entry> header,
                     generated_entry body) {
  std::string wdoc = "<w:document xmlns:w=\"" + std::string{w_ns} + "\">";
  zip_builder zb;
  zb.add("[Content_Types].xml",
         content_types({{"word/document.xml",
                         "application/vnd.openxmlformats-officedocument."
                         "wordprocessingml.document.main+xml"}}));
  zb.add("_rels/.rels", package_rels("word/document.xml"));
  if (header) {
    zb.add("word/_rels/document.xml.rels",
           part_rels({{"rId1", "header", "header1.xml"}}));
    header->prefix
      = "<w:hdr xmlns:w=\"" + std::string{w_ns} + "\">" + header->prefix;
    header->suffix += "</w:hdr>";
    zb.add_generated("word/header1.xml", *header);
  }
  body.prefix = wdoc + "<w:body>" + body.prefix;
  body.suffix += "</w:body></w:document>";
  zb.add_generated("word/document.xml", body);
  zb.write(file);
}

const std::string billion_laughs
  = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n"
    "<!ENTITY lol \"lol\">\n"
    "<!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
    "<!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;"
    "&lol1;\">\n"
    "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"
    "&lol2;\">\n"
    "<!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;"
    "&lol3;\">\n"
    "<!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;"
    "&lol4;\">\n"
    "<!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;"
    "&lol5;\">\n"
    "<!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;"
    "&lol6;\">\n"
    "<!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;"
    "&lol7;\">\n"
    "<!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;"
    "&lol8;\">\n]>\n";

struct case_ {
  std::string name;
  std::filesystem::path file;
  std::string mime;
  text_status status;
  std::string reason_has; // a part of the reason (empty: extracted whole)
  std::string text_has;   // a part of the text (extracted only)
};

} // namespace

TEST_CASE("hostile files fail one by one - the good ones between them "
          "extract whole",
          "[extract][hostile]") {
  scratch_dir dir;
  runner_limits lim;
  lim.cpu = std::chrono::seconds(20);
  lim.extract.max_zip_entry_bytes = 16 << 20;
  lim.extract.max_zip_total_bytes = 24 << 20;
  std::vector<case_> cases;
  auto good_pdf = dir.write("good.pdf", make_pdf({{"Good PDF text"}}));
  docx_spec gd;
  gd.body_xml = w_p("Good docx text");
  make_docx(dir.path() / "good.docx", gd);
  auto good = [&] {
    cases.push_back({"good PDF", good_pdf, "application/pdf",
                     text_status::extracted, "", "Good PDF text\n"});
    cases.push_back({"good docx", dir.path() / "good.docx", docx_mime,
                     text_status::extracted, "", "Good docx text\n"});
  };

  good();
  auto pdf = make_pdf({{"Hello page one", "more"}, {"Page two"}});
  cases.push_back({"truncated PDF",
                   dir.write("trunc.pdf", pdf.substr(0, pdf.size() / 2)),
                   "application/pdf", text_status::failed,
                   "not a readable PDF (poppler: ", ""});
  pdf_options enc;
  enc.encrypted = true;
  cases.push_back({"encrypted PDF",
                   dir.write("enc.pdf", make_pdf({{"Secret"}}, enc)),
                   "application/pdf", text_status::unsupported,
                   "encrypted PDF: a password is required", ""});
  good();
  // 64 MiB of empty paragraphs: no text to fill the cap, so all of it
  // would be read but for the entry budget.
  make_docx_parts(dir.path() / "bomb.docx", std::nullopt,
                  {"", "<w:p/>", (std::uint64_t{64} << 20) / 6, ""});
  cases.push_back({"zip bomb", dir.path() / "bomb.docx", docx_mime,
                   text_status::too_large,
                   "ZIP entry word/document.xml inflates past 16 MiB", ""});
  // The same, declaring 1000 bytes: the budget counts what inflates.
  make_docx_parts(dir.path() / "liar.docx", std::nullopt,
                  {"", "<w:p/>", (std::uint64_t{64} << 20) / 6, ""});
  patch_declared_size(dir.path() / "liar.docx", "word/document.xml", 1000);
  cases.push_back({"zip bomb with a lying size", dir.path() / "liar.docx",
                   docx_mime, text_status::too_large,
                   "ZIP entry word/document.xml inflates past 16 MiB", ""});
  // Two parts under the entry budget, over the total.
  make_docx_parts(
    dir.path() / "total.docx",
    generated_entry{"", "<w:p/>", (std::uint64_t{14} << 20) / 6, ""},
    {"", "<w:p/>", (std::uint64_t{14} << 20) / 6, ""});
  cases.push_back({"zip bomb across parts", dir.path() / "total.docx",
                   docx_mime, text_status::too_large,
                   "the ZIP entries inflate past 24 MiB in total", ""});
  good();
  docx_spec lol;
  lol.document_prefix = billion_laughs;
  lol.body_xml = w_p("&lol9;");
  make_docx(dir.path() / "lol.docx", lol);
  cases.push_back({"billion laughs in a docx", dir.path() / "lol.docx",
                   docx_mime, text_status::failed,
                   "word/document.xml: XML with a DOCTYPE declaration "
                   "(refused: entity expansion) at line 2",
                   ""});
  // As a plain XML attachment it is text, shown as is: nothing expands.
  std::string lol_xml = billion_laughs + "<lolz>&lol9;</lolz>\n";
  cases.push_back({"billion laughs as text", dir.write("lol.xml", lol_xml),
                   "application/xml", text_status::extracted, "", lol_xml});
  cases.push_back({"0-byte file", dir.write("empty.pdf", ""), "application/pdf",
                   text_status::failed, "empty file (0 bytes)", ""});
  std::string binary;
  for (int i = 0; i < 4096; ++i)
    binary += static_cast<char>((i * 7919) % 256);
  cases.push_back({"binary labelled text/plain", dir.write("notes.txt", binary),
                   "text/plain", text_status::unsupported,
                   "labelled text/plain but it contains NUL bytes", ""});
  {
    // A pptx whose slide part inflates past the entry budget.
    zip_builder zb;
    const std::string pns
      = "http://schemas.openxmlformats.org/presentationml/2006/main";
    zb.add("[Content_Types].xml",
           content_types({{"ppt/presentation.xml",
                           "application/vnd.openxmlformats-officedocument."
                           "presentationml.presentation.main+xml"}}));
    zb.add("_rels/.rels", package_rels("ppt/presentation.xml"));
    zb.add("ppt/presentation.xml",
           "<p:presentation xmlns:p=\"" + pns + "\" xmlns:r=\"" + r_ns
             + "\"><p:sldIdLst><p:sldId id=\"256\" r:id=\"rId1\"/>"
               "</p:sldIdLst></p:presentation>");
    zb.add("ppt/_rels/presentation.xml.rels",
           part_rels({{"rId1", "slide", "slides/slide1.xml"}}));
    zb.add_generated("ppt/slides/slide1.xml",
                     {"<p:sld xmlns:p=\"" + pns + "\">", " ",
                      std::uint64_t{40} << 20, "</p:sld>"});
    zb.write(dir.path() / "huge.pptx");
  }
  cases.push_back({"pptx with a huge entry", dir.path() / "huge.pptx", "",
                   text_status::too_large,
                   "ZIP entry ppt/slides/slide1.xml inflates past 16 MiB", ""});
  good();

  auto opts = real_child(lim);
  for (auto& c : cases) {
    INFO(c.name);
    auto r = run_extraction(opts, {c.file, c.mime, {}});
    INFO("reason: " << r.reason);
    CHECK(r.status == c.status);
    if (c.status == text_status::extracted) {
      REQUIRE(r.text);
      CHECK(*r.text == c.text_has);
      CHECK(r.reason.empty());
    } else {
      CHECK_FALSE(r.text);
      CHECK(r.reason.find(c.reason_has) != std::string::npos);
    }
    CHECK(r.cpu_time < lim.cpu);
  }
}

TEST_CASE("hostile: a PDF declaring a 1 GB stream is repaired, not "
          "allocated",
          "[extract][hostile]") {
  scratch_dir dir;
  pdf_options o;
  o.declared_length = 1'000'000'000;
  auto file
    = dir.write("decl.pdf", make_pdf({{"Hello page one"}, {"Page two"}}, o));
  runner_limits lim;
  // Far below the declared 1 GB: had poppler believed the length, the
  // allocation would fail.
  lim.address_space_bytes = std::uint64_t{384} << 20;
  auto r = run_extraction(real_child(lim), {file, "application/pdf", {}});
  INFO(r.reason);
  // poppler finds endstream by scanning; the text of both pages survives.
  REQUIRE(r.status == text_status::extracted);
  REQUIRE(r.text);
  CHECK(r.text->find("Page two") != std::string::npos);
  CHECK(r.text->find("page one") != std::string::npos);
}

TEST_CASE("hostile: a zip bomb against the default budgets",
          "[extract][hostile]") {
  scratch_dir dir;
  // 136 MiB of blanks inside the body: past the 128 MiB entry budget.
  make_docx_parts(
    dir.path() / "bomb.docx", std::nullopt,
    {"", std::string(64, ' '), (std::uint64_t{136} << 20) / 64, ""});
  auto r = run_extraction(real_child(), {dir.path() / "bomb.docx", "", {}});
  CHECK(r.status == text_status::too_large);
  CHECK(r.reason
        == "ZIP entry word/document.xml inflates past 128 MiB (zip bomb?)");
}

TEST_CASE("hostile: a part that needs more memory than the limit fails "
          "alone",
          "[extract][hostile]") {
  scratch_dir dir;
  // One 150 MiB attribute value: expat must hold the whole start tag.
  make_docx_parts(dir.path() / "token.docx", std::nullopt,
                  {"<w:p w:rsidR=\"", "A", std::uint64_t{150} << 20, "\"/>"});
  runner_limits lim;
  lim.address_space_bytes = std::uint64_t{256} << 20;
  lim.extract.max_zip_entry_bytes = std::uint64_t{512} << 20;
  auto r = run_extraction(real_child(lim), {dir.path() / "token.docx", "", {}});
  INFO(r.reason);
  CHECK_FALSE(r.text);
  if (sanitized_build()) {
    // ASan enforces the limit on resident memory and ends the child with
    // its report.
    CHECK(
      (r.status == text_status::failed || r.status == text_status::too_large));
  } else {
    CHECK(r.status == text_status::too_large);
  }
}

TEST_CASE("hostile: the text of a good file through the child is capped",
          "[extract][hostile]") {
  scratch_dir dir;
  docx_spec d;
  for (int i = 0; i < 2000; ++i)
    d.body_xml += w_p("paragraph " + std::to_string(i) + " \xE4\xB8\xAD");
  make_docx(dir.path() / "long.docx", d);
  runner_limits lim;
  lim.extract.max_text_bytes = 1000;
  auto r = run_extraction(real_child(lim), {dir.path() / "long.docx", "", {}});
  CHECK(r.status == text_status::extracted);
  CHECK(r.truncated);
  CHECK(r.reason == "text cut at the 1000-byte cap");
  REQUIRE(r.text);
  CHECK(r.text->size() <= 1000);
  CHECK(r.text->size() >= 997);
  CHECK(r.text->rfind("paragraph 0 \xE4\xB8\xAD\nparagraph 1 ", 0) == 0);
}
