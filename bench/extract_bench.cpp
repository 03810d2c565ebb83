// extract_bench: text extraction throughput per format (MB of input per
// second, in process, one thread), on documents generated here with the
// test builders: PDF pages of text lines, docx paragraphs and tables, xlsx
// rows of shared and inline strings and numbers, pptx slides with notes,
// HTML, and plain text in UTF-8 and Windows-1252. The text cap is lifted so
// that whole documents are extracted. Figures: MB of the file per second,
// and MB of text produced per second (for OOXML the file is compressed:
// "xml MB" is what it inflates to). With --jirasync, also the cost of
// the out-of-process runner per small file (start + extraction + exit).
//
//   extract_bench [--mb N] [--rounds R] [--jirasync PATH]
//       (defaults: ~16 MB per format, 3 rounds, best round reported)
#include "doc_builders.hpp"
#include "extract/extract_file.hpp"
#include "extract/runner.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

using namespace jirasync::extract;
using namespace jirasync::testing;
using clock_type = std::chrono::steady_clock;

const char* const words[]
  = {"release", "build",  "Gr\xC3\xBCn",      "\xE4\xB8\xAD\xE6\x96\x87",
     "server",  "deploy", "customer",         "timeout",
     "report",  "index",  "\xF0\x9F\x98\x80", "table",
     "owner",   "status", "quarter",          "budget"};

std::string sentence(std::size_t seed, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) {
    if (i)
      s += ' ';
    s += words[(seed * 7 + static_cast<std::size_t>(i) * 13) % 16];
  }
  return s;
}

struct doc {
  std::string format;
  std::filesystem::path file;
  std::string mime;
};

std::vector<doc> generate(const scratch_dir& dir, std::size_t mb) {
  const std::size_t target = mb << 20;
  std::vector<doc> docs;
  { // PDF: pages of 40 lines
    std::vector<std::vector<std::string>> pages;
    std::size_t bytes = 0;
    for (std::size_t p = 0; bytes < target / 4; ++p) { // ~4 bytes/char hex
      std::vector<std::string> lines;
      for (std::size_t l = 0; l < 40; ++l) {
        lines.push_back(sentence(p * 40 + l, 8));
        bytes += lines.back().size();
      }
      pages.push_back(std::move(lines));
    }
    docs.push_back(
      {"pdf", dir.write("b.pdf", make_pdf(pages)), "application/pdf"});
  }
  { // docx: paragraphs with a table every 50
    docx_spec d;
    d.header = "Bench header";
    d.footer = "Bench footer";
    for (std::size_t i = 0; d.body_xml.size() < target; ++i) {
      d.body_xml += w_p(sentence(i, 12));
      if (i % 50 == 0)
        d.body_xml += w_tbl(
          {{"a", "b", "c"}, {sentence(i, 2), sentence(i + 1, 2), "42"}});
    }
    make_docx(dir.path() / "b.docx", d);
    docs.push_back({"docx", dir.path() / "b.docx", ""});
  }
  { // xlsx: rows of 6 cells
    xlsx_sheet s{"Data", {}};
    std::size_t bytes = 0;
    for (std::size_t r = 0; bytes < target; ++r) {
      s.rows.push_back({"s:" + sentence(r % 5000, 3), "n:" + std::to_string(r),
                        "i:" + sentence(r, 2), "b:1", "n:3.25",
                        "s:" + sentence(r % 300, 1)});
      bytes += 200;
    }
    make_xlsx(dir.path() / "b.xlsx", {s});
    docs.push_back({"xlsx", dir.path() / "b.xlsx", ""});
  }
  { // pptx: slides with 6 points and notes
    std::vector<pptx_slide> slides;
    std::size_t bytes = 0;
    for (std::size_t i = 0; bytes < target; ++i) {
      pptx_slide s{sentence(i, 4), {}, {}, sentence(i + 3, 20)};
      for (int k = 0; k < 6; ++k)
        s.body.push_back(sentence(i + static_cast<std::size_t>(k), 10));
      slides.push_back(std::move(s));
      bytes += 2600;
    }
    make_pptx(dir.path() / "b.pptx", slides);
    docs.push_back({"pptx", dir.path() / "b.pptx", ""});
  }
  { // HTML
    std::string h = "<html><head><title>Bench</title><style>p{}</style>"
                    "</head><body>";
    for (std::size_t i = 0; h.size() < target; ++i) {
      h += "<h2>" + sentence(i, 3) + "</h2><p>" + sentence(i, 20) + " &amp; <b>"
           + sentence(i + 1, 3) + "</b></p>";
      if (i % 20 == 0)
        h += "<table><tr><td>" + sentence(i, 2)
             + "</td><td>1</td></tr>"
               "</table><script>var x = 1;</script>";
    }
    docs.push_back(
      {"html", dir.write("b.html", h + "</body></html>"), "text/html"});
  }
  { // text: UTF-8 and Latin-1
    std::string t, l1;
    for (std::size_t i = 0; t.size() < target; ++i)
      t += sentence(i, 12) + "\n";
    for (std::size_t i = 0; l1.size() < target; ++i)
      l1 += "caf\xE9 na\xEFve r\xE9sum\xE9 " + std::to_string(i) + "\n";
    docs.push_back({"text (UTF-8)", dir.write("b.txt", t), "text/plain"});
    docs.push_back({"text (Latin-1)", dir.write("l1.txt", l1), "text/plain"});
  }
  return docs;
}

/// Sum of the entries' sizes of a ZIP (OOXML), 0 for anything else.
double unzipped_mb(const std::filesystem::path& file) {
  int err = 0;
  zip_t* z = zip_open(file.c_str(), ZIP_RDONLY, &err);
  if (!z)
    return 0;
  std::uint64_t total = 0;
  auto n = zip_get_num_entries(z, 0);
  for (zip_int64_t i = 0; i < n; ++i) {
    zip_stat_t st;
    if (zip_stat_index(z, static_cast<zip_uint64_t>(i), 0, &st) == 0)
      total += st.size;
  }
  zip_discard(z);
  return static_cast<double>(total) / (1 << 20);
}

} // namespace

int main(int argc, char** argv) {
  std::size_t mb = 16;
  int rounds = 3;
  std::string jirasync;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--mb") && i + 1 < argc)
      mb = std::strtoul(argv[++i], nullptr, 10);
    else if (!std::strcmp(argv[i], "--rounds") && i + 1 < argc)
      rounds = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--jirasync") && i + 1 < argc)
      jirasync = argv[++i];
    else {
      std::fprintf(stderr, "usage: extract_bench [--mb N] [--rounds R] "
                           "[--jirasync PATH]\n");
      return 2;
    }
  }
  scratch_dir dir;
  std::printf("generating ~%zu MB per format...\n", mb);
  auto docs = generate(dir, mb);
  extract_limits lim;
  lim.max_text_bytes = std::size_t{4} << 30; // whole documents
  std::printf("%-15s %9s %9s %8s %8s %9s %9s\n", "format", "input MB", "xml MB",
              "text MB", "best s", "in MB/s", "text MB/s");
  for (auto& d : docs) {
    double best = 1e100;
    std::size_t text = 0;
    extract_outcome out;
    for (int r = 0; r < rounds; ++r) {
      std::size_t n = 0;
      text_sink sink{lim.max_text_bytes, [&n](std::string_view s) {
                       n += s.size();
                     }};
      auto t0 = clock_type::now();
      out = extract_file({d.file, d.mime, {}}, lim, sink);
      sink.finish();
      best = std::min(
        best, std::chrono::duration<double>(clock_type::now() - t0).count());
      text = n;
    }
    double in_mb
      = static_cast<double>(std::filesystem::file_size(d.file)) / (1 << 20);
    double text_mb = static_cast<double>(text) / (1 << 20);
    std::printf("%-15s %9.1f %9.1f %8.1f %8.3f %9.1f %9.1f%s\n",
                d.format.c_str(), in_mb, unzipped_mb(d.file), text_mb, best,
                in_mb / best, text_mb / best,
                out.extracted() ? "" : ("  " + out.reason).c_str());
  }
  if (!jirasync.empty()) {
    // Per-file cost of the child: a small docx, 20 times.
    docx_spec d;
    for (int i = 0; i < 200; ++i)
      d.body_xml += w_p(sentence(static_cast<std::size_t>(i), 10));
    make_docx(dir.path() / "small.docx", d);
    runner_options ro{jirasync, {}};
    const int n = 20;
    auto t0 = clock_type::now();
    int ok = 0;
    for (int i = 0; i < n; ++i)
      ok += run_extraction(ro, {dir.path() / "small.docx", "", {}}).status
            == text_status::extracted;
    double s = std::chrono::duration<double>(clock_type::now() - t0).count();
    std::printf(
      "runner: %d small docx (%.0f KB) through `jirasync extract`: "
      "%.1f ms per file (%d extracted)\n",
      n,
      static_cast<double>(std::filesystem::file_size(dir.path() / "small.docx"))
        / 1024,
      1000 * s / n, ok);
  }
  return 0;
}
