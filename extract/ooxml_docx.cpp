// WordprocessingML text (ECMA-376 Part 1, §17): w:p paragraphs of w:r runs
// whose w:t hold the text; w:tab and w:br inside runs; w:tbl/w:tr/w:tc
// tables. Deleted text (w:delText) and field codes (w:instrText) are not
// w:t and so are left out; a field's result is ordinary runs and stays.
// Text moved by a tracked change appears twice (w:moveFrom, w:moveTo): only
// its new place is read.
#include "extract/formats.hpp"

#include <set>

namespace jirasync::extract {

namespace {

class docx_reader : public ooxml_reader {
public:
  explicit docx_reader(text_sink& sink) : sink_(sink) {
    // nop
  }
  bool done() const override {
    return sink_.full();
  }

protected:
  void on_start(std::string_view ns, std::string_view local,
                const xml_attrs&) override {
    if (!in_ns(ns, "wordprocessingml"))
      return;
    if (moved_from_ > 0 || local == "moveFrom") {
      ++moved_from_;
      return;
    }
    if (local == "t")
      in_t_ = true;
    else if (local == "tab" && in_run())
      sink_.tab();
    else if ((local == "br" || local == "cr") && in_run())
      sink_.line();
    else if (local == "noBreakHyphen")
      sink_.text("-");
    else if (local == "r")
      ++run_depth_;
    else if (local == "tc")
      ++cell_depth_;
  }

  void on_end(std::string_view ns, std::string_view local) override {
    if (!in_ns(ns, "wordprocessingml"))
      return;
    if (moved_from_ > 0) {
      --moved_from_;
      return;
    }
    if (local == "t") {
      in_t_ = false;
    } else if (local == "r") {
      --run_depth_;
    } else if (local == "p") {
      if (cell_depth_ > 0)
        sink_.space();
      else
        sink_.line();
    } else if (local == "tc") {
      --cell_depth_;
      sink_.tab();
    } else if (local == "tr" || local == "tbl") {
      sink_.line();
    }
  }

  void on_text(std::string_view utf8) override {
    if (in_t_)
      sink_.text(utf8);
  }

private:
  bool in_run() const {
    return run_depth_ > 0;
  }

  text_sink& sink_;
  bool in_t_ = false;
  int run_depth_ = 0;
  int cell_depth_ = 0;
  int moved_from_ = 0; // depth inside w:moveFrom
};

} // namespace

extract_outcome docx_text(ooxml_package& pkg, text_sink& sink) {
  std::vector<relationship> rels;
  if (auto r = pkg.relationships(pkg.main_part(), rels); !r.extracted())
    return r;
  auto parts_of = [&](std::string_view type) {
    std::vector<std::string> out;
    std::set<std::string> seen;
    for (auto& rel : rels)
      if (rel.type == type && !rel.target.empty()
          && seen.insert(rel.target).second && pkg.zip().contains(rel.target))
        out.push_back(rel.target);
    return out;
  };
  std::vector<std::string> order;
  for (auto& p : parts_of("header"))
    order.push_back(p);
  order.push_back(pkg.main_part());
  for (auto type : {"footnotes", "endnotes", "footer"})
    for (auto& p : parts_of(type))
      order.push_back(p);
  for (auto& part : order) {
    if (sink.full())
      break;
    docx_reader reader{sink};
    if (auto r = parse_xml_part(pkg.zip(), part, reader); !r.extracted())
      return r;
    sink.paragraph();
  }
  return extract_outcome::ok();
}

} // namespace jirasync::extract
