#pragma once
// Real documents assembled inside the tests (and the benchmark), with known
// text: PDF files written object by object (a Type0 font with a ToUnicode
// CMap, so that any Unicode text, CJK and emoji included, is extractable
// without a font file), and Office Open XML packages assembled with libzip
// from their parts. Also the hostile variants: zip bombs (entries produced
// by a generator, optionally with a lying declared size), encrypted and
// truncated PDFs.

#include <zip.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "test_util/temp_dir.hpp"

namespace jirasync::testing {

// ---------------------------------------------------------------- files

/// A unique temp dir removed on destruction (the tests' one helper).
using scratch_dir = jirasync::test::temp_dir;

// ---------------------------------------------------------------- UTF-8

inline std::vector<char32_t> code_points(const std::string& s) {
  std::vector<char32_t> out;
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    int n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    char32_t cp = n == 1   ? c
                  : n == 2 ? (c & 0x1F)
                  : n == 3 ? (c & 0x0F)
                           : (c & 0x07);
    for (int k = 1; k < n && i + k < s.size(); ++k)
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    out.push_back(cp);
    i += static_cast<std::size_t>(n);
  }
  return out;
}

inline std::string xml_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// ---------------------------------------------------------------- PDF

struct pdf_options {
  /// A trailer /Encrypt dictionary (Standard handler, RC4 40-bit) whose
  /// user-password check cannot pass: the file needs a password.
  bool encrypted = false;
  /// The first page's content stream declares this /Length instead of its
  /// real one (0: the real one).
  std::uint64_t declared_length = 0;
};

/// A PDF of `pages`, each a list of lines (UTF-8) written top to bottom.
/// The catalog and the page tree come last in the file, so that a
/// truncated copy has neither.
inline std::string make_pdf(const std::vector<std::vector<std::string>>& pages,
                            const pdf_options& opt = {}) {
  // One CID per distinct code point, from 1.
  std::map<char32_t, unsigned> cid;
  for (auto& page : pages)
    for (auto& line : page)
      for (char32_t cp : code_points(line))
        cid.emplace(cp, 0);
  unsigned next = 1;
  for (auto& [cp, id] : cid)
    id = next++;

  std::string out = "%PDF-1.7\n%\xE2\xE3\xCF\xD3\n";
  std::map<int, std::size_t> offsets;
  auto object = [&](int num, const std::string& body) {
    offsets[num] = out.size();
    out += std::to_string(num) + " 0 obj\n" + body + "\nendobj\n";
  };
  auto stream = [&](const std::string& dict_extra, const std::string& data,
                    std::uint64_t declared) {
    return "<< /Length " + std::to_string(declared ? declared : data.size())
           + dict_extra + " >>\nstream\n" + data + "\nendstream";
  };
  auto hex4 = [](unsigned v) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04X", v & 0xFFFF);
    return std::string{buf};
  };

  // Objects: 1 catalog, 2 pages, 3 Type0 font, 4 CIDFont, 5 ToUnicode,
  // 6 descriptor, then 7+2i page i and 8+2i its contents.
  const int n = static_cast<int>(pages.size());
  for (int i = 0; i < n; ++i) {
    std::string content = "BT\n/F1 12 Tf\n14 TL\n72 740 Td\n";
    for (auto& line : pages[static_cast<std::size_t>(i)]) {
      content += "<";
      for (char32_t cp : code_points(line))
        content += hex4(cid[cp]);
      content += "> Tj T*\n";
    }
    content += "ET";
    object(7 + 2 * i, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
                      "/Resources << /Font << /F1 3 0 R >> >> /Contents "
                        + std::to_string(8 + 2 * i) + " 0 R >>");
    object(8 + 2 * i, stream("", content, i == 0 ? opt.declared_length : 0));
  }
  object(3, "<< /Type /Font /Subtype /Type0 /BaseFont /JirasyncTest "
            "/Encoding /Identity-H /DescendantFonts [4 0 R] "
            "/ToUnicode 5 0 R >>");
  object(4, "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /JirasyncTest "
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) "
            "/Supplement 0 >> /FontDescriptor 6 0 R /DW 600 "
            "/CIDToGIDMap /Identity >>");
  std::string cmap = "/CIDInit /ProcSet findresource begin\n12 dict begin\n"
                     "begincmap\n/CIDSystemInfo << /Registry (Adobe) "
                     "/Ordering (UCS) /Supplement 0 >> def\n"
                     "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
                     "1 begincodespacerange\n<0000> <FFFF>\n"
                     "endcodespacerange\n";
  std::vector<std::pair<char32_t, unsigned>> all(cid.begin(), cid.end());
  for (std::size_t b = 0; b < all.size(); b += 100) {
    auto e = std::min(all.size(), b + 100);
    cmap += std::to_string(e - b) + " beginbfchar\n";
    for (auto k = b; k < e; ++k) {
      char32_t cp = all[k].first;
      std::string dst;
      if (cp >= 0x10000) {
        char32_t v = cp - 0x10000;
        dst = hex4(0xD800 + (v >> 10)) + hex4(0xDC00 + (v & 0x3FF));
      } else {
        dst = hex4(cp);
      }
      cmap += "<" + hex4(all[k].second) + "> <" + dst + ">\n";
    }
    cmap += "endbfchar\n";
  }
  cmap += "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend";
  object(5, stream("", cmap, 0));
  object(6, "<< /Type /FontDescriptor /FontName /JirasyncTest /Flags 4 "
            "/FontBBox [0 -200 1000 900] /ItalicAngle 0 /Ascent 900 "
            "/Descent -200 /CapHeight 700 /StemV 80 >>");
  std::string kids;
  for (int i = 0; i < n; ++i)
    kids += std::to_string(7 + 2 * i) + " 0 R ";
  object(2, "<< /Type /Pages /Kids [" + kids + "] /Count " + std::to_string(n)
              + " >>");
  object(1, "<< /Type /Catalog /Pages 2 0 R >>");
  int size = 7 + 2 * n;
  std::string encrypt;
  if (opt.encrypted) {
    object(size, "<< /Filter /Standard /V 1 /R 2 /Length 40 /P -4 "
                 "/O <"
                   + std::string(64, 'A') + "> /U <" + std::string(64, '5')
                   + "> >>");
    encrypt = " /Encrypt " + std::to_string(size) + " 0 R /ID [<"
              + std::string(32, '1') + "> <" + std::string(32, '1') + ">]";
    ++size;
  }
  auto xref_at = out.size();
  out += "xref\n0 " + std::to_string(size) + "\n0000000000 65535 f \n";
  for (int i = 1; i < size; ++i) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%010zu 00000 n \n", offsets[i]);
    out += buf;
  }
  out += "trailer\n<< /Size " + std::to_string(size) + " /Root 1 0 R" + encrypt
         + " >>\nstartxref\n" + std::to_string(xref_at) + "\n%%EOF\n";
  return out;
}

// ---------------------------------------------------------------- ZIP

/// Produces an entry's bytes on demand: `pattern` repeated `repeat` times,
/// after `prefix` and before `suffix`.
struct generated_entry {
  std::string prefix;
  std::string pattern;
  std::uint64_t repeat = 0;
  std::string suffix;
  std::uint64_t size() const {
    return pattern.size() * repeat;
  }
};

/// An archive assembled entry by entry, written with libzip.
class zip_builder {
public:
  void add(const std::string& name, std::string data) {
    entries_.push_back({name, std::move(data), std::nullopt});
  }
  void add_generated(const std::string& name, generated_entry g) {
    entries_.push_back({name, {}, std::move(g)});
  }

  /// Writes the archive; entries deflated.
  void write(const std::filesystem::path& file) {
    int err = 0;
    zip_t* z = zip_open(file.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
    if (!z)
      throw std::runtime_error("zip_open failed");
    for (auto& e : entries_) {
      zip_source_t* src = nullptr;
      if (e.gen) {
        auto* st = new gen_state{*e.gen, 0};
        src = zip_source_function(z, &gen_cb, st);
      } else {
        src = zip_source_buffer(z, e.data.data(), e.data.size(), 0);
      }
      if (!src)
        throw std::runtime_error("zip source failed");
      auto idx = zip_file_add(z, e.name.c_str(), src, ZIP_FL_ENC_UTF_8);
      if (idx < 0) {
        zip_source_free(src);
        throw std::runtime_error("zip_file_add failed");
      }
      zip_set_file_compression(z, static_cast<zip_uint64_t>(idx),
                               ZIP_CM_DEFLATE, 1);
    }
    if (zip_close(z) != 0) {
      std::string msg = zip_strerror(z);
      zip_discard(z);
      throw std::runtime_error("zip_close failed: " + msg);
    }
  }

private:
  struct gen_state {
    generated_entry g;
    std::uint64_t pos;
    std::uint64_t total() const {
      return g.prefix.size() + g.size() + g.suffix.size();
    }
  };

  static zip_int64_t gen_cb(void* ud, void* data, zip_uint64_t len,
                            zip_source_cmd_t cmd) {
    auto* st = static_cast<gen_state*>(ud);
    switch (cmd) {
      case ZIP_SOURCE_OPEN:
        st->pos = 0;
        return 0;
      case ZIP_SOURCE_READ: {
        auto* out = static_cast<char*>(data);
        zip_uint64_t n = 0;
        auto total = st->total();
        while (n < len && st->pos < total) {
          auto p = st->pos;
          auto pre = st->g.prefix.size();
          char c;
          if (p < pre)
            c = st->g.prefix[p];
          else if (p < pre + st->g.size())
            c = st->g.pattern[(p - pre) % st->g.pattern.size()];
          else
            c = st->g.suffix[p - pre - st->g.size()];
          out[n++] = c;
          ++st->pos;
        }
        return static_cast<zip_int64_t>(n);
      }
      case ZIP_SOURCE_CLOSE:
        return 0;
      case ZIP_SOURCE_STAT: {
        auto* s = static_cast<zip_stat_t*>(data);
        zip_stat_init(s);
        s->size = st->total();
        s->valid |= ZIP_STAT_SIZE;
        return sizeof(zip_stat_t);
      }
      case ZIP_SOURCE_ERROR:
        return 2 * sizeof(int);
      case ZIP_SOURCE_FREE:
        delete st;
        return 0;
      case ZIP_SOURCE_SUPPORTS:
        return zip_source_make_command_bitmap(
          ZIP_SOURCE_OPEN, ZIP_SOURCE_READ, ZIP_SOURCE_CLOSE, ZIP_SOURCE_STAT,
          ZIP_SOURCE_ERROR, ZIP_SOURCE_FREE, -1);
      default:
        return -1;
    }
  }

  struct entry {
    std::string name;
    std::string data;
    std::optional<generated_entry> gen;
  };
  std::deque<entry> entries_;
};

/// Rewrites the declared uncompressed size of entry `name` (local header
/// and central directory) in a written archive: a zip bomb that lies.
inline void patch_declared_size(const std::filesystem::path& file,
                                const std::string& name, std::uint32_t size) {
  std::string bytes;
  {
    std::ifstream in{file, std::ios::binary};
    std::ostringstream buf;
    buf << in.rdbuf();
    bytes = buf.str();
  }
  auto put32 = [&](std::size_t at, std::uint32_t v) {
    for (int i = 0; i < 4; ++i)
      bytes[at + static_cast<std::size_t>(i)] = static_cast<char>(v >> (8 * i));
  };
  auto get16 = [&](std::size_t at) {
    return static_cast<std::size_t>(static_cast<unsigned char>(bytes[at]))
           | static_cast<std::size_t>(static_cast<unsigned char>(bytes[at + 1]))
               << 8;
  };
  int patched = 0;
  for (std::size_t p = 0; p + 46 < bytes.size(); ++p) {
    if (bytes.compare(p, 4, "PK\x03\x04") == 0) {
      auto nlen = get16(p + 26);
      if (bytes.compare(p + 30, nlen, name) == 0 && nlen == name.size()) {
        put32(p + 22, size);
        ++patched;
      }
    } else if (bytes.compare(p, 4, "PK\x01\x02") == 0) {
      auto nlen = get16(p + 28);
      if (bytes.compare(p + 46, nlen, name) == 0 && nlen == name.size()) {
        put32(p + 24, size);
        ++patched;
      }
    }
  }
  if (patched != 2)
    throw std::runtime_error("patch_declared_size: entry not found twice");
  std::ofstream out{file, std::ios::binary | std::ios::trunc};
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// ---------------------------------------------------------------- OOXML

inline const char* const w_ns
  = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
inline const char* const r_ns
  = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
inline const char* const rel_type
  = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/";

inline std::string package_rels(const std::string& main_part) {
  return R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>)"
         "\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/"
         "2006/relationships\"><Relationship Id=\"rId1\" Type=\""
         + std::string{rel_type} + "officeDocument\" Target=\"" + main_part
         + "\"/></Relationships>";
}

/// rels: (id, type, target).
inline std::string part_rels(
  const std::vector<std::tuple<std::string, std::string, std::string>>& rels) {
  std::string out
    = R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>)"
      "\n<Relationships xmlns=\"http://schemas.openxmlformats.org/"
      "package/2006/relationships\">";
  for (auto& [id, type, target] : rels)
    out += "<Relationship Id=\"" + id + "\" Type=\"" + rel_type + type
           + "\" Target=\"" + target + "\"/>";
  return out + "</Relationships>";
}

inline std::string content_types(
  const std::vector<std::pair<std::string, std::string>>& overrides) {
  std::string out
    = R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>)"
      "\n<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/"
      "content-types\"><Default Extension=\"rels\" ContentType=\"application/"
      "vnd.openxmlformats-package.relationships+xml\"/><Default "
      "Extension=\"xml\" ContentType=\"application/xml\"/>"
      "<Default Extension=\"png\" ContentType=\"image/png\"/>";
  for (auto& [part, type] : overrides)
    out
      += "<Override PartName=\"/" + part + "\" ContentType=\"" + type + "\"/>";
  return out + "</Types>";
}

/// A docx paragraph.
inline std::string w_p(const std::string& text) {
  return "<w:p><w:pPr><w:tabs><w:tab w:val=\"left\" w:pos=\"720\"/></w:tabs>"
         "</w:pPr><w:r><w:t xml:space=\"preserve\">"
         + xml_escape(text) + "</w:t></w:r></w:p>";
}

/// A docx table of rows of cells.
inline std::string w_tbl(const std::vector<std::vector<std::string>>& rows) {
  std::string out = "<w:tbl><w:tblPr/>";
  for (auto& row : rows) {
    out += "<w:tr>";
    for (auto& cell : row)
      out += "<w:tc><w:tcPr/>" + w_p(cell) + "</w:tc>";
    out += "</w:tr>";
  }
  return out + "</w:tbl>";
}

struct docx_spec {
  std::string header;          // header paragraph
  std::string body_xml;        // w:p / w:tbl elements
  std::string footer;          // footer paragraph
  std::string document_prefix; // before <w:document> (e.g. a DOCTYPE)
};

inline void add_docx_parts(zip_builder& zb, const docx_spec& d,
                           bool body_generated = false,
                           generated_entry gen = {}) {
  std::string wdoc = "<w:document xmlns:w=\"" + std::string{w_ns}
                     + "\" xmlns:r=\"" + r_ns + "\">";
  auto main_type = "application/vnd.openxmlformats-officedocument."
                   "wordprocessingml.document.main+xml";
  zb.add(
    "[Content_Types].xml",
    content_types(
      {{"word/document.xml", main_type},
       {"word/header1.xml", "application/vnd.openxmlformats-officedocument."
                            "wordprocessingml.header+xml"},
       {"word/footer1.xml", "application/vnd.openxmlformats-officedocument."
                            "wordprocessingml.footer+xml"}}));
  zb.add("_rels/.rels", package_rels("word/document.xml"));
  zb.add("word/_rels/document.xml.rels",
         part_rels({{"rId1", "header", "header1.xml"},
                    {"rId2", "footer", "footer1.xml"},
                    {"rId3", "image", "media/image1.png"}}));
  auto hdr = [&](const char* el, const std::string& text) {
    return R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>)"
           + std::string{"<w:"} + el + " xmlns:w=\"" + w_ns + "\">" + w_p(text)
           + "</w:" + el + ">";
  };
  zb.add("word/header1.xml", hdr("hdr", d.header));
  zb.add("word/footer1.xml", hdr("ftr", d.footer));
  if (body_generated) {
    gen.prefix = wdoc + "<w:body>" + gen.prefix;
    gen.suffix += "</w:body></w:document>";
    zb.add_generated("word/document.xml", gen);
  } else {
    zb.add("word/document.xml", d.document_prefix + wdoc + "<w:body>"
                                  + d.body_xml
                                  + "<w:sectPr/></w:body></w:document>");
  }
}

inline void make_docx(const std::filesystem::path& file, const docx_spec& d) {
  zip_builder zb;
  add_docx_parts(zb, d);
  zb.write(file);
}

struct xlsx_sheet {
  std::string name;
  /// Cells: "s:text" a shared string, "i:text" an inline string, "b:1" a
  /// boolean, "n:3.5" a number, "" an empty cell.
  std::vector<std::vector<std::string>> rows;
};

inline void make_xlsx(const std::filesystem::path& file,
                      const std::vector<xlsx_sheet>& sheets) {
  const std::string ns
    = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
  std::vector<std::string> sst;
  std::map<std::string, std::size_t> sst_index;
  std::vector<std::pair<std::string, std::string>> overrides{
    {"xl/workbook.xml", "application/vnd.openxmlformats-officedocument."
                        "spreadsheetml.sheet.main+xml"},
    {"xl/sharedStrings.xml", "application/vnd.openxmlformats-officedocument."
                             "spreadsheetml.sharedStrings+xml"}};
  std::vector<std::tuple<std::string, std::string, std::string>> rels;
  std::string wb
    = "<workbook xmlns=\"" + ns + "\" xmlns:r=\"" + r_ns + "\"><sheets>";
  zip_builder zb;
  for (std::size_t i = 0; i < sheets.size(); ++i) {
    auto n = std::to_string(i + 1);
    // Relationship ids deliberately not in sheet order.
    auto rid = "rId" + std::to_string(10 + sheets.size() - i);
    wb += "<sheet name=\"" + xml_escape(sheets[i].name) + "\" sheetId=\"" + n
          + "\" r:id=\"" + rid + "\"/>";
    rels.emplace_back(rid, "worksheet", "worksheets/sheet" + n + ".xml");
    overrides.emplace_back("xl/worksheets/sheet" + n + ".xml",
                           "application/vnd.openxmlformats-officedocument."
                           "spreadsheetml.worksheet+xml");
    std::string sh = "<worksheet xmlns=\"" + ns + "\"><sheetData>";
    int r = 1;
    for (auto& row : sheets[i].rows) {
      sh += "<row r=\"" + std::to_string(r) + "\">";
      char col = 'A';
      for (auto& cell : row) {
        std::string ref = std::string(1, col++) + std::to_string(r);
        if (cell.empty())
          continue;
        auto kind = cell.substr(0, 2);
        auto v = cell.substr(2);
        if (kind == "s:") {
          auto [it, fresh] = sst_index.emplace(v, sst.size());
          if (fresh)
            sst.push_back(v);
          sh += "<c r=\"" + ref + "\" t=\"s\"><v>" + std::to_string(it->second)
                + "</v></c>";
        } else if (kind == "i:") {
          sh += "<c r=\"" + ref + "\" t=\"inlineStr\"><is><t>" + xml_escape(v)
                + "</t></is></c>";
        } else if (kind == "b:") {
          sh += "<c r=\"" + ref + "\" t=\"b\"><v>" + v + "</v></c>";
        } else {
          sh += "<c r=\"" + ref + "\"><f>SUM(A1:A2)</f><v>" + v + "</v></c>";
        }
      }
      sh += "</row>";
      ++r;
    }
    sh += "</sheetData></worksheet>";
    zb.add("xl/worksheets/sheet" + n + ".xml", sh);
  }
  wb += "</sheets></workbook>";
  rels.emplace_back("rId1", "sharedStrings", "sharedStrings.xml");
  std::string sx
    = "<sst xmlns=\"" + ns + "\" count=\"" + std::to_string(sst.size()) + "\">";
  for (auto& s : sst) {
    // Every other string as rich text runs, with a phonetic hint that is
    // not part of the text.
    std::size_t cut = 2; // a character boundary at or after 2 bytes
    while (cut < s.size()
           && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80)
      ++cut;
    if (cut + 1 < s.size() && (&s - sst.data()) % 2 == 1)
      sx += "<si><r><t>" + xml_escape(s.substr(0, cut)) + "</t></r><r><t>"
            + xml_escape(s.substr(cut)) + "</t></r><rPh sb=\"0\" eb=\"1\"><t>"
            + "PHONETIC</t></rPh></si>";
    else
      sx += "<si><t>" + xml_escape(s) + "</t></si>";
  }
  sx += "</sst>";
  zb.add("[Content_Types].xml", content_types(overrides));
  zb.add("_rels/.rels", package_rels("xl/workbook.xml"));
  zb.add("xl/workbook.xml", wb);
  zb.add("xl/_rels/workbook.xml.rels", part_rels(rels));
  zb.add("xl/sharedStrings.xml", sx);
  zb.write(file);
}

struct pptx_slide {
  std::string title;
  std::vector<std::string> body; // paragraphs of one text frame
  std::vector<std::vector<std::string>> table;
  std::string notes;
};

inline std::string pptx_sp(const std::string& ph_type,
                           const std::vector<std::string>& paras) {
  std::string out = "<p:sp><p:nvSpPr><p:cNvPr id=\"2\" name=\"s\"/>"
                    "<p:cNvSpPr/><p:nvPr>";
  if (!ph_type.empty())
    out += "<p:ph type=\"" + ph_type + "\"/>";
  out += "</p:nvPr></p:nvSpPr><p:spPr/><p:txBody><a:bodyPr/>";
  for (auto& p : paras)
    out += "<a:p><a:r><a:rPr lang=\"en-US\"/><a:t>" + xml_escape(p)
           + "</a:t></a:r></a:p>";
  return out + "</p:txBody></p:sp>";
}

inline void make_pptx(const std::filesystem::path& file,
                      const std::vector<pptx_slide>& slides,
                      std::optional<generated_entry> media = std::nullopt) {
  const std::string pns
    = "http://schemas.openxmlformats.org/presentationml/2006/main";
  const std::string ans
    = "http://schemas.openxmlformats.org/drawingml/2006/main";
  auto root = [&](const char* el) {
    return "<p:" + std::string{el} + " xmlns:p=\"" + pns + "\" xmlns:a=\"" + ans
           + "\" xmlns:r=\"" + r_ns + "\">";
  };
  zip_builder zb;
  std::vector<std::pair<std::string, std::string>> overrides{
    {"ppt/presentation.xml", "application/vnd.openxmlformats-officedocument."
                             "presentationml.presentation.main+xml"}};
  std::vector<std::tuple<std::string, std::string, std::string>> rels;
  std::string pres = root("presentation") + "<p:sldIdLst>";
  for (std::size_t i = 0; i < slides.size(); ++i) {
    auto n = std::to_string(i + 1);
    auto rid = "rId" + std::to_string(100 - i); // ids not in show order
    pres += "<p:sldId id=\"" + std::to_string(256 + i) + "\" r:id=\"" + rid
            + "\"/>";
    rels.emplace_back(rid, "slide", "slides/slide" + n + ".xml");
    overrides.emplace_back("ppt/slides/slide" + n + ".xml",
                           "application/vnd.openxmlformats-officedocument."
                           "presentationml.slide+xml");
    auto& s = slides[i];
    // The body comes first in the shape tree; the title still leads.
    std::string sl = root("sld") + "<p:cSld><p:spTree>";
    if (!s.body.empty())
      sl += pptx_sp("body", s.body);
    sl += pptx_sp("title", {s.title});
    if (!s.table.empty()) {
      sl += "<p:graphicFrame><p:nvGraphicFramePr><p:cNvPr id=\"5\" "
            "name=\"t\"/><p:cNvGraphicFramePr/><p:nvPr/></p:nvGraphicFramePr>"
            "<a:graphic><a:graphicData><a:tbl>";
      for (auto& row : s.table) {
        sl += "<a:tr h=\"1\">";
        for (auto& cell : row)
          sl += "<a:tc><a:txBody><a:bodyPr/><a:p><a:r><a:t>" + xml_escape(cell)
                + "</a:t></a:r></a:p></a:txBody></a:tc>";
        sl += "</a:tr>";
      }
      sl += "</a:tbl></a:graphicData></a:graphic></p:graphicFrame>";
    }
    sl += "</p:spTree></p:cSld></p:sld>";
    zb.add("ppt/slides/slide" + n + ".xml", sl);
    std::vector<std::tuple<std::string, std::string, std::string>> srels;
    if (!s.notes.empty()) {
      srels.emplace_back("rId2", "notesSlide",
                         "../notesSlides/notesSlide" + n + ".xml");
      overrides.emplace_back("ppt/notesSlides/notesSlide" + n + ".xml",
                             "application/vnd.openxmlformats-officedocument."
                             "presentationml.notesSlide+xml");
      zb.add("ppt/notesSlides/notesSlide" + n + ".xml",
             root("notes") + "<p:cSld><p:spTree>" + pptx_sp("sldImg", {})
               + pptx_sp("body", {s.notes}) + pptx_sp("sldNum", {"99"})
               + "</p:spTree></p:cSld></p:notes>");
    }
    if (media)
      srels.emplace_back("rId3", "image", "../media/image1.png");
    zb.add("ppt/slides/_rels/slide" + n + ".xml.rels", part_rels(srels));
  }
  pres += "</p:sldIdLst></p:presentation>";
  if (media)
    zb.add_generated("ppt/media/image1.png", *media);
  zb.add("[Content_Types].xml", content_types(overrides));
  zb.add("_rels/.rels", package_rels("ppt/presentation.xml"));
  zb.add("ppt/presentation.xml", pres);
  zb.add("ppt/_rels/presentation.xml.rels", part_rels(rels));
  zb.write(file);
}

} // namespace jirasync::testing
