// Hostile input: absurd nesting, huge text, wrong JSON types everywhere.
// The converter must not crash, must not recurse without bound, must stay
// within its output cap and must say what it cut.
#include "adf_test_util.hpp"

#include <catch2/catch.hpp>

using namespace jirasync::protocol;
using namespace jirasync::protocol::test;
namespace json = boost::json;

namespace {

/// `levels` nested bulletList/listItem pairs around one paragraph.
std::string nested_lists(std::size_t levels) {
  std::string open
    = R"({"type":"bulletList","content":[{"type":"listItem","content":[)";
  std::string close = "]}]}";
  std::string s = R"({"type":"doc","version":1,"content":[)";
  s.reserve(levels * (open.size() + close.size()) + 200);
  for (std::size_t i = 0; i < levels; ++i)
    s += open;
  s += R"({"type":"paragraph","content":[{"type":"text","text":"deep"}]})";
  for (std::size_t i = 0; i < levels; ++i)
    s += close;
  s += "]}";
  return s;
}

} // namespace

TEST_CASE("hostile: 100,000 levels of nesting are rejected by the parser",
          "[adf]") {
  auto text = nested_lists(50000); // 100,000 ADF levels, 200,000 JSON levels
  auto res = adf_text_to_markdown(text);
  CHECK(res.markdown.empty());
  REQUIRE(res.diagnostics.size() == 1);
  CHECK(res.diagnostics[0]
        == "adf: JSON nested deeper than 10000 levels; nothing rendered");
}

TEST_CASE("hostile: nesting beyond max_depth is cut with a diagnostic",
          "[adf]") {
  // 1,000 ADF levels (4,000 JSON levels: accepted by the parser).
  auto res = adf_text_to_markdown(nested_lists(500));
  REQUIRE(res.diagnostics.size() == 1);
  auto& d = res.diagnostics[0];
  CHECK(d.rfind("adf: nesting deeper than 256 levels at "
                "doc/bulletList/listItem/bulletList/listItem/",
                0)
        == 0);
  CHECK(d.size() > 256 * 5);
  CHECK(d.substr(d.size() - 20) == "; deeper content cut");
  // Levels 2..256 are 127 list/item pairs; the item at level 256 is cut.
  auto seen = summarize_markdown(res.markdown);
  CHECK(seen.list_items == 127);
  CHECK(seen.text.find("deep") == std::string::npos);
  // A smaller bound cuts earlier.
  adf_options opts;
  opts.max_depth = 8;
  auto small = adf_text_to_markdown(nested_lists(10), opts);
  CHECK(small.markdown == "-\n  -\n    -\n");
  REQUIRE(small.diagnostics.size() == 1);
  CHECK(small.diagnostics[0]
        == "adf: nesting deeper than 8 levels at doc/bulletList/listItem/"
           "bulletList/listItem/bulletList/listItem/bulletList/listItem; "
           "deeper content cut");
}

TEST_CASE("hostile: a 50 MB text node is truncated at max_output_bytes",
          "[adf]") {
  std::string big(50u << 20, 'a');
  for (std::size_t i = 0; i < big.size(); i += 1000)
    big[i] = '*'; // something to escape
  json::value v = json::object{
    {"type", "doc"},
    {"content", json::array{json::object{
                  {"type", "paragraph"},
                  {"content", json::array{json::object{{"type", "text"},
                                                       {"text", big}}}}}}}};
  auto res = adf_to_markdown(v);
  CHECK(res.markdown.size() <= (8u << 20));
  CHECK(res.markdown.size() > (8u << 20) - 16);
  CHECK(res.markdown.back() == '\n');
  CHECK(res.markdown.substr(0, 6) == "\\*aaaa");
  REQUIRE(res.diagnostics.size() == 1);
  CHECK(res.diagnostics[0]
        == "adf: output larger than 8388608 bytes; truncated");

  // The same through the text entry point, with a small cap.
  adf_options opts;
  opts.max_output_bytes = 1000;
  auto r2 = adf_text_to_markdown(json::serialize(v), opts);
  CHECK(r2.markdown.size() == 1000);
  CHECK(r2.diagnostics.size() == 1);
}

TEST_CASE("hostile: truncation never splits a UTF-8 character", "[adf]") {
  std::string text;
  for (int i = 0; i < 1000; ++i)
    text += "日本";
  json::value v = json::object{
    {"type", "doc"},
    {"content", json::array{json::object{
                  {"type", "paragraph"},
                  {"content", json::array{json::object{{"type", "text"},
                                                       {"text", text}}}}}}}};
  for (std::size_t cap : {100u, 101u, 102u}) {
    adf_options opts;
    opts.max_output_bytes = cap;
    auto res = adf_to_markdown(v, opts);
    // 3-byte characters and a final newline: 99 or 100 bytes.
    CHECK(res.markdown.size() == 100);
    CHECK((res.markdown.size() - 1) % 3 == 0);
  }
}

TEST_CASE("hostile: many blocks stop at the cap", "[adf]") {
  json::array content;
  for (int i = 0; i < 10000; ++i)
    content.push_back(json::object{
      {"type", "codeBlock"},
      {"content",
       json::array{json::object{{"type", "text"}, {"text", "line\nline"}}}}});
  adf_options opts;
  opts.max_output_bytes = 4096;
  auto res = adf_to_markdown(content, opts);
  CHECK(res.markdown.size() <= 4096);
  CHECK(res.diagnostics.size() == 1);
}

TEST_CASE("hostile: wrong types everywhere", "[adf]") {
  // attrs as a string, content as an object, marks as a string, text as a
  // number, type as a number, nulls in arrays.
  auto res = adf_text_to_markdown(R"({"type":"doc","content":[
      null, 1, true,
      {"type":"paragraph","attrs":"x","content":{"type":"text","text":"lost"}},
      {"type":"paragraph","content":[{"type":"text","text":42},
                                     {"type":"text","text":"kept","marks":"bold"},
                                     {"type":"text","text":" also","marks":[null,1,{"type":7}]}]},
      {"type":7,"content":[{"type":"paragraph","content":[{"type":"text","text":"typeless"}]}]},
      {"type":"heading","attrs":{"level":"x"},"content":[{"type":"text","text":"h"}]},
      {"type":"orderedList","attrs":{"order":"many"},"content":[null,{"type":"listItem","content":"x"}]},
      {"type":"table","content":[{"type":"tableRow","content":[{"type":"tableCell","attrs":[],"content":null}]}]},
      {"type":"mention","attrs":null},
      {"type":"date","attrs":{"timestamp":"soon"}},
      {"type":"codeBlock","attrs":{"language":5},"content":[{"type":"text"}]},
      {"type":"mediaSingle","content":[{"type":"media"}]},
      {"type":"panel","attrs":{"panelType":null},"content":[]}
    ]})");
  CHECK(res.markdown
        == "kept also\n\n"
           "typeless\n\n"
           "# h\n\n"
           "1.\n\n"
           "|  |\n| --- |\n|  |\n\n"
           "@soon\n\n" // adjacent inline nodes: one paragraph
           "```\n```\n\n"
           "[Image]\n\n"
           "> [!NOTE]\n");
  REQUIRE(res.diagnostics.size() == 2);
  CHECK(res.diagnostics[0]
        == "adf: node without a type (rendered its content)");
  CHECK(res.diagnostics[1].rfind("adf: date without a usable timestamp", 0)
        == 0);
}

TEST_CASE("hostile: not a document at all", "[adf]") {
  auto null_doc = adf_to_markdown(json::value(nullptr));
  CHECK(null_doc.markdown.empty());
  REQUIRE(null_doc.diagnostics.size() == 1);
  CHECK(null_doc.diagnostics[0]
        == "adf: input is not an ADF document (JSON null); nothing rendered");
  auto number = adf_text_to_markdown("42");
  CHECK(number.markdown.empty());
  CHECK(number.diagnostics.size() == 1);
  auto bad = adf_text_to_markdown(R"({"type":"doc",)");
  CHECK(bad.markdown.empty());
  REQUIRE(bad.diagnostics.size() == 1);
  CHECK(bad.diagnostics[0].rfind("adf: invalid JSON: ", 0) == 0);
  auto empty = adf_text_to_markdown("");
  CHECK(empty.markdown.empty());
  CHECK(empty.diagnostics.size() == 1);
  auto obj = adf_text_to_markdown(R"({"foo":1})");
  CHECK(obj.markdown.empty());
  CHECK(obj.diagnostics.size() == 1);
}

TEST_CASE("hostile: a throwing media resolver is treated as unknown", "[adf]") {
  adf_options opts;
  opts.resolve_media
    = [](std::string_view, std::string_view) -> std::optional<std::string> {
    throw std::runtime_error("boom");
  };
  CHECK(
    doc(
      R"({"type":"mediaSingle","content":[{"type":"media","attrs":{"type":"file","id":"i","alt":"a.png"}}]})",
      opts)
    == "[Image: a.png]\n");
}

TEST_CASE("hostile: max_depth is capped at 1000 levels", "[adf]") {
  // 4,000 ADF levels (8,000 JSON levels: the parser accepts them); a caller
  // asking for unbounded depth still gets the renderer's hard cap, and the
  // stack holds (this test also runs under ASan).
  adf_options opts;
  opts.max_depth = 1000000;
  auto res = adf_text_to_markdown(nested_lists(2000), opts);
  REQUIRE(res.diagnostics.size() == 1);
  CHECK(
    res.diagnostics[0].rfind("adf: nesting deeper than 1000 levels at doc/", 0)
    == 0);
  // Items at levels 3, 5, ..., 999.
  CHECK(summarize_markdown(res.markdown).list_items == 499);
}
