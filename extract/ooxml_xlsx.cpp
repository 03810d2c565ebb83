// SpreadsheetML text (ECMA-376 Part 1, §18): the workbook lists the sheets
// (name + relationship id) in tab order; a sheet's sheetData holds rows of
// c cells whose t attribute says how to read v: "s" an index into the
// shared strings (sst/si, rich runs r/t concatenated, phonetic rPh left
// out), "inlineStr" the cell's own is/t, "b" a boolean, "e" an error,
// "str"/"n"/"d" the value as stored. Formulas (f) are skipped: their cached
// result is v.
#include "extract/formats.hpp"

#include <cstdint>
#include <unordered_map>

namespace jirasync::extract {

namespace {

/// Shared strings kept for lookup; beyond that the workbook is too large
/// (each costs 4 bytes of index besides its text).
constexpr std::size_t max_shared_strings = 16 << 20;

/// The shared string table: one pool, one end offset per string.
struct shared_strings {
  std::string pool;
  std::vector<std::uint32_t> ends;

  std::string_view at(std::size_t i) const {
    if (i >= ends.size())
      return {};
    std::size_t begin = i == 0 ? 0 : ends[i - 1];
    return std::string_view{pool}.substr(begin, ends[i] - begin);
  }
};

class sst_reader : public ooxml_reader {
public:
  explicit sst_reader(shared_strings& sst) : sst_(sst) {
    // nop
  }
  bool done() const override {
    return too_many_;
  }
  bool too_many() const {
    return too_many_;
  }

protected:
  void on_start(std::string_view ns, std::string_view local,
                const xml_attrs&) override {
    if (!in_ns(ns, "spreadsheetml"))
      return;
    if (local == "rPh")
      ++phonetic_;
    else if (local == "t" && phonetic_ == 0)
      in_t_ = true;
  }
  void on_end(std::string_view ns, std::string_view local) override {
    if (!in_ns(ns, "spreadsheetml"))
      return;
    if (local == "rPh") {
      --phonetic_;
    } else if (local == "t") {
      in_t_ = false;
    } else if (local == "si") {
      if (sst_.ends.size() >= max_shared_strings
          || sst_.pool.size() > UINT32_MAX) {
        too_many_ = true;
        return;
      }
      sst_.ends.push_back(static_cast<std::uint32_t>(sst_.pool.size()));
    }
  }
  void on_text(std::string_view utf8) override {
    if (in_t_)
      sst_.pool += utf8;
  }

private:
  shared_strings& sst_;
  bool in_t_ = false;
  int phonetic_ = 0;
  bool too_many_ = false;
};

struct sheet_ref {
  std::string name;
  std::string rel_id;
};

class workbook_reader : public ooxml_reader {
public:
  std::vector<sheet_ref> sheets;

protected:
  void on_start(std::string_view ns, std::string_view local,
                const xml_attrs& a) override {
    if (!in_ns(ns, "spreadsheetml") || local != "sheet")
      return;
    auto name = a.get({}, "name");
    auto id = a.get_rel("id");
    if (name && id)
      sheets.push_back({std::string{*name}, std::string{*id}});
  }
  void on_end(std::string_view, std::string_view) override {
    // nop
  }
  void on_text(std::string_view) override {
    // nop
  }
};

class sheet_reader : public ooxml_reader {
public:
  sheet_reader(const shared_strings& sst, text_sink& sink)
      : sst_(sst), sink_(sink) {
    // nop
  }
  bool done() const override {
    return sink_.full();
  }

protected:
  void on_start(std::string_view ns, std::string_view local,
                const xml_attrs& a) override {
    if (!in_ns(ns, "spreadsheetml"))
      return;
    if (local == "c") {
      auto t = a.get({}, "t");
      type_ = t ? std::string{*t} : std::string{"n"};
      value_.clear();
    } else if (local == "v") {
      in_value_ = true;
    } else if (local == "is") {
      in_inline_ = true;
    } else if (local == "rPh") {
      ++phonetic_;
    } else if (local == "t" && in_inline_ && phonetic_ == 0) {
      in_value_ = true;
    }
  }

  void on_end(std::string_view ns, std::string_view local) override {
    if (!in_ns(ns, "spreadsheetml"))
      return;
    if (local == "v" || local == "t") {
      in_value_ = false;
    } else if (local == "is") {
      in_inline_ = false;
    } else if (local == "rPh") {
      --phonetic_;
    } else if (local == "c") {
      cell();
    } else if (local == "row") {
      sink_.line();
      cells_in_row_ = 0;
    }
  }

  void on_text(std::string_view utf8) override {
    if (in_value_)
      value_ += utf8;
  }

private:
  void cell() {
    std::string_view shown = value_;
    if (type_ == "s") {
      std::size_t idx = 0;
      bool digits = !value_.empty() && value_.size() < 12;
      for (char c : value_) {
        if (c < '0' || c > '9') {
          digits = false;
          break;
        }
        idx = idx * 10 + static_cast<std::size_t>(c - '0');
      }
      shown = digits ? sst_.at(idx) : std::string_view{};
    } else if (type_ == "b") {
      shown = value_ == "1" ? "TRUE" : "FALSE";
    }
    if (shown.empty())
      return;
    if (cells_in_row_ > 0)
      sink_.tab();
    sink_.text(shown);
    ++cells_in_row_;
  }

  const shared_strings& sst_;
  text_sink& sink_;
  std::string type_;
  std::string value_;
  bool in_value_ = false;
  bool in_inline_ = false;
  int phonetic_ = 0;
  int cells_in_row_ = 0;
};

} // namespace

extract_outcome xlsx_text(ooxml_package& pkg, text_sink& sink) {
  workbook_reader wb;
  if (auto r = parse_xml_part(pkg.zip(), pkg.main_part(), wb); !r.extracted())
    return r;
  std::vector<relationship> rels;
  if (auto r = pkg.relationships(pkg.main_part(), rels); !r.extracted())
    return r;
  std::unordered_map<std::string_view, const relationship*> by_id;
  for (auto& rel : rels)
    by_id.emplace(rel.id, &rel);
  shared_strings sst;
  for (auto& rel : rels) {
    if (rel.type != "sharedStrings" || rel.target.empty()
        || !pkg.zip().contains(rel.target))
      continue;
    sst_reader reader{sst};
    if (auto r = parse_xml_part(pkg.zip(), rel.target, reader); !r.extracted())
      return r;
    if (reader.too_many())
      return extract_outcome::fail(
        text_status::too_large,
        "more than " + std::to_string(max_shared_strings) + " shared strings");
    break;
  }
  for (auto& sheet : wb.sheets) {
    if (sink.full())
      break;
    auto it = by_id.find(sheet.rel_id);
    const relationship* target = it == by_id.end() ? nullptr : it->second;
    sink.paragraph();
    sink.text(sheet.name);
    sink.line();
    // A chartsheet or dialogsheet has a name but no cells.
    if (!target || target->type != "worksheet" || target->target.empty()
        || !pkg.zip().contains(target->target))
      continue;
    sheet_reader reader{sst, sink};
    if (auto r = parse_xml_part(pkg.zip(), target->target, reader);
        !r.extracted())
      return r;
  }
  return extract_outcome::ok();
}

} // namespace jirasync::extract
