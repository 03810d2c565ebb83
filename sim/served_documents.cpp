#include "sim/served_documents.hpp"

#include "sim/documents.hpp"

namespace jirasim {

namespace {

std::vector<served_document> build() {
  namespace d = docs;
  std::vector<served_document> out;
  auto add = [&](std::string name, std::string mime, std::string bytes,
                 std::vector<std::string> known, std::string status) {
    out.push_back({std::move(name), std::move(mime),
                   std::make_shared<const std::string>(std::move(bytes)),
                   std::move(known), std::move(status)});
  };
  // PDF: two pages, text in reading order.
  std::vector<std::vector<std::string>> pages{
    {"Quarterly report Q3", "Revenue grew by 12 percent", "Grüße aus München"},
    {"Second page: 中文测试", "Launch status 🚀 done", "End of report"}};
  add("Quarterly report.pdf", "application/pdf", d::make_pdf(pages),
      {"Quarterly report Q3", "Revenue grew by 12 percent", "Grüße aus München",
       "Second page: 中文测试", "Launch status 🚀 done", "End of report"},
      "extracted");
  // DOCX: paragraphs, a table (rows of cells), more paragraphs.
  d::docx_spec spec;
  spec.header = "Acme internal";
  spec.footer = "Page footer";
  spec.body_xml = d::w_p("Design specification")
                  + d::w_p("Überblick: the sync engine")
                  + d::w_tbl({{"Component", "Owner"}, {"Extractor", "Zoë"}})
                  + d::w_p("结论 and next steps 🎯");
  add("Design spec.docx",
      "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
      d::file_bytes([&](const std::filesystem::path& p) {
        d::make_docx(p, spec);
      }),
      {"Design specification", "Überblick: the sync engine", "Component",
       "Owner", "Extractor", "Zoë", "结论 and next steps 🎯"},
      "extracted");
  // XLSX: two sheets, each its name then its rows.
  std::vector<d::xlsx_sheet> sheets{
    {"Summary",
     {{"s:Item", "s:Cost"}, {"s:Servers", "n:1200"}, {"i:Café", "n:35"}}},
    {"Details 中文", {{"s:Note", "s:🎉 shipped"}}}};
  add("Budget 2024.xlsx",
      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
      d::file_bytes([&](const std::filesystem::path& p) {
        d::make_xlsx(p, sheets);
      }),
      {"Summary", "Item", "Cost", "Servers", "1200", "Café", "35",
       "Details 中文", "Note", "🎉 shipped"},
      "extracted");
  // Hostile: a PDF cut in the middle (no catalog, no xref).
  auto whole = d::make_pdf({{"This PDF is cut off"}});
  add("broken scan.pdf", "application/pdf", whole.substr(0, whole.size() / 2),
      {}, "failed");
  // Hostile: a zip bomb, one part inflating past the default 128 MiB cap
  // of one OOXML part (blank lines between the body's elements: no text
  // to stop at; a few hundred KB on the wire).
  add("bomb.docx",
      "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
      d::file_bytes([&](const std::filesystem::path& p) {
        d::zip_builder zb;
        d::add_docx_parts(zb, {}, true,
                          {"", std::string(1024, '\n'), 136 * 1024, ""});
        zb.write(p);
      }),
      {}, "too_large");
  return out;
}

} // namespace

const std::vector<served_document>& served_documents() {
  static const std::vector<served_document> set = build();
  return set;
}

} // namespace jirasim
