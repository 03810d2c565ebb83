// Every third-party ADF document in tests/fixtures/adf converts without
// error, keeps all of its text, and the Markdown has the same structure when
// GitHub's CommonMark parses it back.
#include "adf_test_util.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>

using namespace jirasync::protocol;
using namespace jirasync::protocol::test;
namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

json::value parse(const std::string& text) {
  json::parse_options po;
  po.max_depth = 1000;
  return json::parse(text, {}, po);
}

struct fixture_doc {
  std::string name;
  json::value adf;
};

/// The ADF documents of the fixture folder: bare docs, content arrays
/// (b-yond), and the descriptions / comment bodies of Jira issues (dchuk).
std::vector<fixture_doc> fixture_docs() {
  std::vector<fixture_doc> out;
  fs::path dir = fs::path{JIRASYNC_FIXTURES_DIR} / "adf";
  std::vector<fs::path> files;
  for (auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".json")
      files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (auto& f : files) {
    auto v = parse(read_file(f));
    auto name = f.filename().string();
    auto o = v.if_object();
    if (o && o->contains("fields")) {
      auto& fields = o->at("fields").as_object();
      if (auto d = fields.if_contains("description"); d && d->is_object())
        out.push_back({name + ":description", *d});
      if (auto c = fields.if_contains("comment"))
        for (auto& cm : c->as_object().at("comments").as_array())
          out.push_back(
            {name + ":comment "
               + json::value_to<std::string>(cm.as_object().at("id")),
             cm.as_object().at("body")});
    } else {
      out.push_back({name, v});
    }
  }
  return out;
}

} // namespace

TEST_CASE("fixtures: every ADF document is found", "[adf]") {
  auto docs = fixture_docs();
  // 42 files: 41 documents + the rich issue's description + the media
  // issue's comment (its description is HTML).
  CHECK(docs.size() == 42);
}

TEST_CASE("fixtures: converted without error, all text preserved", "[adf]") {
  for (auto& d : fixture_docs()) {
    INFO(d.name);
    auto res = adf_to_markdown(d.adf);
    CHECK(res.diagnostics.empty());
    CHECK(!res.markdown.empty());
    CHECK(res.markdown.back() == '\n');
    auto seen = summarize_markdown(res.markdown);
    auto want = summarize_adf(d.adf);
    // Every text node's characters appear in what CommonMark reads back
    // (white space aside: Markdown moves and folds it).
    for (auto& text : want.texts) {
      auto s = strip_ws(text);
      INFO("text: " << text);
      CHECK(seen.text.find(s) != std::string::npos);
    }
  }
}

TEST_CASE("fixtures: structure survives a CommonMark round trip", "[adf]") {
  std::size_t lists = 0, tables = 0, code = 0, headings = 0;
  for (auto& d : fixture_docs()) {
    INFO(d.name);
    auto res = adf_to_markdown(d.adf);
    INFO(res.markdown);
    auto seen = summarize_markdown(res.markdown);
    auto want = summarize_adf(d.adf);
    CHECK(seen.list_items == want.list_items);
    CHECK(seen.max_list_depth == want.max_list_depth);
    CHECK(seen.tables == want.tables);
    CHECK(seen.table_rows == want.table_rows);
    CHECK(seen.code_blocks == want.code_blocks);
    CHECK(seen.heading_levels == want.heading_levels);
    lists += want.list_items;
    tables += want.tables;
    code += want.code_blocks.size();
    headings += want.heading_levels.size();
  }
  // The fixtures do exercise all four.
  CHECK(lists > 100);
  CHECK(tables > 10);
  CHECK(code > 10);
  CHECK(headings > 100);
}

TEST_CASE("fixtures: a few exact renderings", "[adf]") {
  auto dir = fs::path{JIRASYNC_FIXTURES_DIR} / "adf";
  auto inline_nodes = read_file(dir / "dchuk__adf_inline_nodes.json");
  CHECK(adf_text_to_markdown(inline_nodes).markdown
        == "Thumbs up 👍 for the update.\n\n"
           "Current status: [IN PROGRESS]\n\n"
           "Due date: 2023-01-01\n\n"
           "See <https://example.com/issue/123> for details.\n");
  auto v = parse(read_file(dir / "dchuk__issue_with_adf_media.json"));
  auto& body = v.at("fields").at("comment").at("comments").at(0).at("body");
  adf_options opts;
  opts.resolve_media = [](std::string_view name,
                          std::string_view) -> std::optional<std::string> {
    if (name == "evidence.png")
      return "60001";
    return std::nullopt;
  };
  CHECK(adf_to_markdown(body, opts).markdown
        == "ADF media evidence:\n\n![evidence.png](attachment:60001)\n");
}
