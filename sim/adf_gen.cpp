#include "sim/adf_gen.hpp"

#include <boost/json.hpp>

#include "sim/generator_rng.hpp"

namespace jirasim {

namespace json = boost::json;

namespace {

constexpr const char* vocab[]
  = {"the",     "service", "returns",   "an",     "error",     "when",
     "user",    "opens",   "page",      "after",  "login",     "we",
     "should",  "check",   "logs",      "from",   "yesterday", "deploy",
     "cache",   "is",      "stale",     "for",    "customers", "in",
     "region",  "please",  "review",    "this",   "change",    "before",
     "release", "timeout", "increased", "to",     "seconds",   "and",
     "retry",   "works",   "fine",      "again",  "database",  "migration",
     "needs",   "index",   "on",        "column", "dashboard", "shows",
     "wrong",   "totals",  "report",    "export", "fails",     "with",
     "large",   "files",   "über",      "naïve",  "café",      "日本語",
     "emoji",   "works",   "priority",  "ticket", "backlog",   "sprint"};
constexpr size_t n_vocab = sizeof(vocab) / sizeof(vocab[0]);

// Text that stresses Markdown escaping.
constexpr const char* tricky[]
  = {"a_b_c and 2*3*4", "[not a link](x)", "<b>not html</b>",
     "pipe | inside",   "back\\slash",     "`tick` and ``double``",
     "# not a heading", "1. not a list",   "- not a bullet",
     "> not a quote",   "+ plus start",    "*stars* and _under_",
     "100. big number", "~~not strike~~",  "trailing spaces  "};

class builder {
public:
  explicit builder(const adf_context& ctx)
      : ctx_(ctx), r_(detail::salt(ctx.seed, ctx.salt, 0xadf)) {
    // nop
  }

  json::value doc() {
    json::array content;
    auto n = 1 + r_.below(std::max(1u, ctx_.max_blocks));
    for (uint64_t i = 0; i < n; ++i)
      content.push_back(r_.chance(ctx_.richness) ? rich_block(0)
                                                 : paragraph(true));
    return {{"type", "doc"}, {"version", 1}, {"content", std::move(content)}};
  }

private:
  std::string sentence(size_t min_words = 4, size_t max_words = 14) {
    auto n = min_words + r_.below(max_words - min_words + 1);
    std::string s;
    for (size_t i = 0; i < n; ++i) {
      if (i)
        s += ' ';
      std::string w = vocab[r_.below(n_vocab)];
      if (i == 0 && !w.empty() && w[0] >= 'a' && w[0] <= 'z')
        w[0] = static_cast<char>(w[0] - 'a' + 'A');
      s += w;
    }
    s += '.';
    return s;
  }

  static json::object text(std::string s) {
    return {{"type", "text"}, {"text", std::move(s)}};
  }

  static json::object text(std::string s, json::array marks) {
    return {
      {"type", "text"}, {"text", std::move(s)}, {"marks", std::move(marks)}};
  }

  static json::object mark(const char* type) {
    return {{"type", type}};
  }

  json::array random_marks() {
    json::array m;
    switch (r_.below(10)) {
      case 0:
        m.push_back(mark("strong"));
        break;
      case 1:
        m.push_back(mark("em"));
        break;
      case 2:
        m.push_back(mark("strike"));
        break;
      case 3:
        m.push_back(mark("code"));
        break;
      case 4: {
        json::object attrs{{"href", r_.chance(0.2)
                                      ? "https://example.com/a path(1)"
                                      : "https://example.com/docs/page"}};
        if (r_.chance(0.3))
          attrs["title"] = "Docs";
        m.push_back(
          json::object{{"type", "link"}, {"attrs", std::move(attrs)}});
        break;
      }
      case 5:
        m.push_back(mark("underline"));
        break;
      case 6:
        m.push_back(
          json::object{{"type", "subsup"},
                       {"attrs", {{"type", r_.chance(0.5) ? "sub" : "sup"}}}});
        break;
      case 7:
        m.push_back(json::object{{"type", "textColor"},
                                 {"attrs", {{"color", "#ff5630"}}}});
        break;
      case 8:
        m.push_back(mark("strong"));
        m.push_back(mark("em"));
        break;
      default:
        m.push_back(mark("strong"));
        m.push_back(json::object{
          {"type", "link"}, {"attrs", {{"href", "https://example.com/x"}}}});
        break;
    }
    return m;
  }

  json::object mention() {
    json::object attrs;
    if (ctx_.mentions.empty()) {
      attrs = {{"id", "5b10ac8d82e05b22cc7d4ef5"}, {"text", "@Someone"}};
    } else {
      auto& m = ctx_.mentions[r_.below(ctx_.mentions.size())];
      attrs["id"] = m.account_id;
      switch (r_.below(4)) {
        case 0:
          attrs["text"] = m.display_name; // no leading @ (seen in Jira)
          break;
        case 1:
          break; // no text: renderers fall back to @id
        default:
          attrs["text"] = "@" + m.display_name;
      }
      attrs["accessLevel"] = "";
    }
    return {{"type", "mention"}, {"attrs", std::move(attrs)}};
  }

  json::object emoji() {
    static constexpr const char* names[][3]
      = {{":smile:", "1f604", "😄"},
         {":thumbsup:", "1f44d", "👍"},
         {":warning:", "atlassian-warning", ""},
         {":tada:", "1f389", "🎉"}};
    auto& e = names[r_.below(4)];
    json::object attrs{{"shortName", e[0]}, {"id", e[1]}};
    if (*e[2])
      attrs["text"] = e[2];
    return {{"type", "emoji"}, {"attrs", std::move(attrs)}};
  }

  std::string local_id() {
    return r_.uuid();
  }

  json::array inline_content(bool allow_rich) {
    json::array c;
    auto n = 1 + r_.below(3);
    for (uint64_t i = 0; i < n; ++i) {
      if (i)
        c.push_back(text(" "));
      if (!allow_rich || r_.chance(0.7)) {
        c.push_back(text(r_.chance(0.08) ? std::string{tricky[r_.below(15)]}
                                         : sentence()));
        continue;
      }
      switch (r_.below(11)) {
        case 0:
        case 1:
          c.push_back(text(sentence(1, 4), random_marks()));
          break;
        case 2:
          c.push_back(mention());
          break;
        case 3:
          c.push_back(emoji());
          break;
        case 4:
          c.push_back(json::object{
            {"type", "date"},
            {"attrs",
             {{"timestamp",
               std::to_string(1600000000000 + r_.below(200000000) * 1000)}}}});
          break;
        case 5:
          c.push_back(json::object{{"type", "status"},
                                   {"attrs",
                                    {{"text", "IN PROGRESS"},
                                     {"color", "blue"},
                                     {"localId", local_id()}}}});
          break;
        case 6:
          c.push_back(
            json::object{{"type", "inlineCard"},
                         {"attrs",
                          {{"url", ctx_.site_url + "/browse/KEY-"
                                     + std::to_string(1 + r_.below(99))}}}});
          break;
        case 7:
          c.push_back(text(sentence(2, 5)));
          c.push_back(json::object{{"type", "hardBreak"}});
          c.push_back(text(sentence(2, 5)));
          break;
        case 8:
          if (!ctx_.attachments.empty()) {
            auto& a = ctx_.attachments[r_.below(ctx_.attachments.size())];
            c.push_back(json::object{{"type", "mediaInline"},
                                     {"attrs",
                                      {{"id", a.media_id},
                                       {"collection", ""},
                                       {"type", "file"},
                                       {"alt", a.filename}}}});
          } else {
            c.push_back(text(sentence()));
          }
          break;
        case 9:
          c.push_back(json::object{{"type", "inlineExtension"},
                                   {"attrs",
                                    {{"extensionType", "com.atlassian.macro"},
                                     {"extensionKey", "anchor"},
                                     {"text", "anchor-" + r_.hex(4)}}}});
          break;
        default:
          c.push_back(json::object{{"type", "placeholder"},
                                   {"attrs", {{"text", "Type something"}}}});
          break;
      }
    }
    return c;
  }

  json::object paragraph(bool allow_rich) {
    return {{"type", "paragraph"}, {"content", inline_content(allow_rich)}};
  }

  json::object list_item(int depth, bool ordered) {
    json::array c;
    c.push_back(paragraph(true));
    if (depth < 3 && r_.chance(0.25))
      c.push_back(list(depth + 1, r_.chance(0.5) ? !ordered : ordered));
    else if (depth < 3 && r_.chance(0.05))
      c.push_back(code_block());
    return {{"type", "listItem"}, {"content", std::move(c)}};
  }

  json::object list(int depth, bool ordered) {
    json::array items;
    auto n = 1 + r_.below(ordered ? 12 : 4);
    for (uint64_t i = 0; i < n; ++i)
      items.push_back(list_item(depth, ordered));
    if (!ordered)
      return {{"type", "bulletList"}, {"content", std::move(items)}};
    json::object o{{"type", "orderedList"}, {"content", std::move(items)}};
    static constexpr int orders[] = {1, 1, 1, 0, 3, 10, 99};
    if (r_.chance(0.7))
      o["attrs"] = {{"order", orders[r_.below(7)]}};
    return o;
  }

  json::object code_block() {
    static constexpr const char* langs[]
      = {"python", "cpp", "json", "bash", ""};
    static constexpr const char* bodies[] = {
      "def f(x):\n    return x * 2\n", "int main() {\n  return 0; // `tick`\n}",
      "{\"a\": [1, 2, 3]}", "echo \"```\" && ls -la | grep '*.log'",
      "line with ```` four backticks\n# not a heading\n- not a list"};
    json::object o{{"type", "codeBlock"},
                   {"content", {text(bodies[r_.below(5)])}}};
    const char* lang = langs[r_.below(5)];
    if (*lang)
      o["attrs"] = {{"language", lang}};
    return o;
  }

  json::object media_node() {
    if (!ctx_.attachments.empty() && r_.chance(0.85)) {
      auto& a = ctx_.attachments[r_.below(ctx_.attachments.size())];
      return {{"type", "media"},
              {"attrs",
               {{"id", a.media_id},
                {"type", "file"},
                {"collection", ""},
                {"alt", a.filename},
                {"width", 800},
                {"height", 600}}}};
    }
    return {{"type", "media"},
            {"attrs",
             {{"type", "external"},
              {"url", "https://example.com/images/diagram.png"},
              {"alt", "diagram"}}}};
  }

  json::object table() {
    bool complex = r_.chance(0.3);
    auto cols = 2 + r_.below(3);
    auto rows = 2 + r_.below(3);
    bool header = r_.chance(0.8);
    json::array trs;
    for (uint64_t ri = 0; ri < rows; ++ri) {
      json::array cells;
      for (uint64_t ci = 0; ci < cols; ++ci) {
        bool is_header = header && ri == 0;
        json::array cc;
        json::object p{{"type", "paragraph"}};
        if (r_.chance(0.1))
          p["content"] = json::array{text("a | b")};
        else if (r_.chance(0.1))
          p["content"] = json::array{
            text("line1"), {{"type", "hardBreak"}}, text("line2")};
        else
          p["content"] = json::array{text(sentence(1, 4))};
        cc.push_back(std::move(p));
        json::object cell{{"type", is_header ? "tableHeader" : "tableCell"},
                          {"attrs", json::object{}},
                          {"content", std::move(cc)}};
        if (complex && ri == rows - 1 && ci == 0 && cols > 2) {
          cell["attrs"] = {{"colspan", 2}};
          ++ci;
        }
        if (complex && ri == 1 && ci == 1)
          cell["content"].as_array().push_back(json::object{
            {"type", "bulletList"},
            {"content",
             {{{"type", "listItem"}, {"content", {paragraph(false)}}}}}});
        cells.push_back(std::move(cell));
      }
      trs.push_back(
        json::object{{"type", "tableRow"}, {"content", std::move(cells)}});
    }
    return {
      {"type", "table"},
      {"attrs", {{"isNumberColumnEnabled", false}, {"layout", "default"}}},
      {"content", std::move(trs)}};
  }

  json::object task_list(int depth) {
    json::array items;
    auto n = 1 + r_.below(4);
    for (uint64_t i = 0; i < n; ++i) {
      items.push_back(
        json::object{{"type", "taskItem"},
                     {"attrs",
                      {{"localId", local_id()},
                       {"state", r_.chance(0.4) ? "DONE" : "TODO"}}},
                     {"content", inline_content(false)}});
      if (depth < 2 && r_.chance(0.15))
        items.push_back(task_list(depth + 1));
    }
    return {{"type", "taskList"},
            {"attrs", {{"localId", local_id()}}},
            {"content", std::move(items)}};
  }

  json::value rich_block(int depth) {
    switch (r_.below(depth > 0 ? 8 : 20)) {
      case 0:
        return {{"type", "heading"},
                {"attrs", {{"level", 1 + r_.below(6)}}},
                {"content", {text(sentence(2, 6))}}};
      case 1:
        return list(0, false);
      case 2:
        return list(0, true);
      case 3:
        return code_block();
      case 4:
        return {{"type", "blockquote"},
                {"content", {paragraph(true), paragraph(false)}}};
      case 5: {
        static constexpr const char* types[]
          = {"info", "note", "tip", "warning", "error", "success", "custom"};
        return {{"type", "panel"},
                {"attrs", {{"panelType", types[r_.below(7)]}}},
                {"content", {paragraph(true)}}};
      }
      case 6:
        return {{"type", "rule"}};
      case 7:
        return task_list(0);
      case 8: {
        json::array c{media_node()};
        if (r_.chance(0.3))
          c.push_back(json::object{{"type", "caption"},
                                   {"content", {text(sentence(2, 5))}}});
        return {{"type", "mediaSingle"},
                {"attrs", {{"layout", "center"}}},
                {"content", std::move(c)}};
      }
      case 9: {
        json::array c;
        auto n = 1 + r_.below(3);
        for (uint64_t i = 0; i < n; ++i)
          c.push_back(media_node());
        return {{"type", "mediaGroup"}, {"content", std::move(c)}};
      }
      case 10:
        return table();
      case 11:
        return {{"type", "expand"},
                {"attrs", {{"title", sentence(1, 3)}}},
                {"content", {paragraph(true), rich_block(depth + 1)}}};
      case 12: {
        json::array items;
        auto n = 1 + r_.below(3);
        for (uint64_t i = 0; i < n; ++i)
          items.push_back(json::object{
            {"type", "decisionItem"},
            {"attrs",
             {{"localId", local_id()},
              {"state", r_.chance(0.6) ? "DECIDED" : "UNDECIDED"}}},
            {"content", inline_content(false)}});
        return {{"type", "decisionList"},
                {"attrs", {{"localId", local_id()}}},
                {"content", std::move(items)}};
      }
      case 13:
        return {{"type", "layoutSection"},
                {"content",
                 {{{"type", "layoutColumn"},
                   {"attrs", {{"width", 50}}},
                   {"content", {paragraph(true)}}},
                  {{"type", "layoutColumn"},
                   {"attrs", {{"width", 50}}},
                   {"content", {paragraph(true), rich_block(depth + 1)}}}}}};
      case 14: {
        json::object attrs{
          {"extensionType", "com.atlassian.confluence.macro.core"},
          {"extensionKey", "toc"}};
        if (r_.chance(0.5))
          attrs["text"] = "Table of contents";
        return {{"type", "extension"}, {"attrs", std::move(attrs)}};
      }
      case 15:
        return {{"type", "bodiedExtension"},
                {"attrs",
                 {{"extensionType", "com.atlassian.macro"},
                  {"extensionKey", "details"}}},
                {"content", {paragraph(false)}}};
      case 16:
        return {{"type", "blockCard"},
                {"attrs",
                 {{"url", ctx_.site_url + "/browse/KEY-"
                            + std::to_string(1 + r_.below(99))}}}};
      case 17:
        // An empty paragraph (left out by renderers).
        return {{"type", "paragraph"}, {"content", json::array{}}};
      default:
        return paragraph(true);
    }
  }

  const adf_context& ctx_;
  detail::rng r_;
};

} // namespace

json::value generate_adf(const adf_context& ctx) {
  return builder{ctx}.doc();
}

std::vector<std::string> text_nodes(const json::value& doc) {
  std::vector<std::string> out;
  // Explicit stack (documents from outside may be deep): children are
  // pushed in reverse so they pop in document order.
  std::vector<const json::value*> stack{&doc};
  while (!stack.empty()) {
    auto* v = stack.back();
    stack.pop_back();
    auto* o = v->if_object();
    if (!o)
      continue;
    if (auto* t = o->if_contains("type");
        t && t->is_string() && t->get_string() == "text") {
      if (auto* s = o->if_contains("text"); s && s->is_string())
        out.emplace_back(s->get_string());
      continue;
    }
    if (auto* c = o->if_contains("content"); c && c->is_array()) {
      auto& arr = c->get_array();
      for (auto it = arr.rbegin(); it != arr.rend(); ++it)
        stack.push_back(&*it);
    }
  }
  return out;
}

} // namespace jirasim
