// PresentationML text (ECMA-376 Part 1, §19): the presentation's sldIdLst
// gives the slides in show order (relationship ids); a slide's shape tree
// holds p:sp shapes whose DrawingML text body has a:p paragraphs of a:r
// runs with a:t text, and p:graphicFrame tables (a:tbl/a:tr/a:tc). A
// shape's p:nvPr/p:ph placeholder type says whether it is the title. The
// speaker notes are a notesSlide related to the slide; its placeholders
// for the slide image, number, date, header and footer are left out.
#include "extract/formats.hpp"

#include <memory>
#include <unordered_map>

namespace jirasync::extract {

namespace {

class presentation_reader : public ooxml_reader {
public:
  std::vector<std::string> slide_ids;

protected:
  void on_start(std::string_view ns, std::string_view local,
                const xml_attrs& a) override {
    if (in_ns(ns, "presentationml") && local == "sldId")
      if (auto id = a.get_rel("id"))
        slide_ids.emplace_back(*id);
  }
  void on_end(std::string_view, std::string_view) override {
    // nop
  }
  void on_text(std::string_view) override {
    // nop
  }
};

/// The text of one slide (or notes page), shape by shape.
class slide_reader : public ooxml_reader {
public:
  struct shape {
    bool title = false;
    bool skip = false;
    std::string text;
  };

  slide_reader(bool notes, std::size_t max_bytes)
      : notes_(notes), max_(max_bytes) {
    // nop
  }

  std::vector<shape> shapes;

protected:
  void on_start(std::string_view ns, std::string_view local,
                const xml_attrs& a) override {
    if (in_ns(ns, "presentationml")) {
      if ((local == "sp" || local == "graphicFrame") && !cur_) {
        shapes.emplace_back();
        auto* s = &shapes.back();
        cur_ = std::make_unique<text_sink>(max_, [s](std::string_view t) {
          s->text += t;
        });
        shape_local_ = std::string{local};
      } else if (local == "ph" && cur_) {
        auto type = a.get({}, "type").value_or("body");
        auto& s = shapes.back();
        s.title = type == "title" || type == "ctrTitle";
        s.skip = notes_
                 && (type == "sldImg" || type == "sldNum" || type == "dt"
                     || type == "hdr" || type == "ftr");
      }
      return;
    }
    if (!cur_ || !in_ns(ns, "drawingml"))
      return;
    if (local == "t")
      in_t_ = true;
    else if (local == "br")
      cur_->line();
    else if (local == "tc")
      ++cell_depth_;
  }

  void on_end(std::string_view ns, std::string_view local) override {
    if (in_ns(ns, "presentationml")) {
      if (cur_ && local == shape_local_) {
        cur_->finish();
        cur_.reset();
      }
      return;
    }
    if (!cur_ || !in_ns(ns, "drawingml"))
      return;
    if (local == "t")
      in_t_ = false;
    else if (local == "p" && cell_depth_ > 0)
      cur_->space();
    else if (local == "p")
      cur_->line();
    else if (local == "tc") {
      --cell_depth_;
      cur_->tab();
    } else if (local == "tr")
      cur_->line();
  }

  void on_text(std::string_view utf8) override {
    if (cur_ && in_t_)
      cur_->text(utf8);
  }

private:
  bool notes_;
  std::size_t max_;
  std::unique_ptr<text_sink> cur_;
  std::string shape_local_;
  bool in_t_ = false;
  int cell_depth_ = 0;
};

/// Writes the shapes: titles first, then the rest in document order.
void emit(const std::vector<slide_reader::shape>& shapes, text_sink& sink) {
  for (bool titles : {true, false})
    for (auto& s : shapes)
      if (s.title == titles && !s.skip && !s.text.empty()) {
        std::string_view t = s.text;
        while (!t.empty() && t.back() == '\n')
          t.remove_suffix(1);
        sink.text(t);
        sink.line();
      }
}

} // namespace

extract_outcome pptx_text(ooxml_package& pkg, text_sink& sink) {
  presentation_reader pres;
  if (auto r = parse_xml_part(pkg.zip(), pkg.main_part(), pres); !r.extracted())
    return r;
  std::vector<relationship> rels;
  if (auto r = pkg.relationships(pkg.main_part(), rels); !r.extracted())
    return r;
  std::unordered_map<std::string_view, const relationship*> by_id;
  for (auto& rel : rels)
    by_id.emplace(rel.id, &rel);
  for (auto& id : pres.slide_ids) {
    if (sink.full())
      break;
    auto it = by_id.find(id);
    auto rel = it == by_id.end() ? nullptr : it->second;
    if (!rel || rel->type != "slide" || rel->target.empty()
        || !pkg.zip().contains(rel->target))
      continue;
    // A shape holds at most what the sink can still take.
    auto room = sink.max_bytes() - sink.size();
    slide_reader slide{false, room};
    if (auto r = parse_xml_part(pkg.zip(), rel->target, slide); !r.extracted())
      return r;
    sink.paragraph();
    emit(slide.shapes, sink);
    std::vector<relationship> slide_rels;
    if (auto r = pkg.relationships(rel->target, slide_rels); !r.extracted())
      return r;
    for (auto& sr : slide_rels) {
      if (sr.type != "notesSlide" || sr.target.empty()
          || !pkg.zip().contains(sr.target))
        continue;
      slide_reader notes{true, room};
      if (auto r = parse_xml_part(pkg.zip(), sr.target, notes); !r.extracted())
        return r;
      sink.paragraph();
      emit(notes.shapes, sink);
      break;
    }
  }
  return extract_outcome::ok();
}

} // namespace jirasync::extract
