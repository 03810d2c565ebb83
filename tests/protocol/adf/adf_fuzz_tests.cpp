// Seeded, bounded fuzzing of the ADF converter (issue 11): the real ADF
// documents of tests/fixtures/adf with nodes swapped for hostile ones
// (deep nesting, unknown types, wrong member types, huge text, invalid
// marks). Passes when nothing crashes or trips a sanitizer, the output is
// valid UTF-8 within its cap, and every cut leaves a diagnostic.
// Deterministic: fixed seed, fixed number of cases.
#include "common/utf8.hpp"
#include "protocol/adf/adf_markdown.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

namespace fs = std::filesystem;
namespace json = boost::json;
using namespace jirasync::protocol;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

json::value hostile_node(std::mt19937& rng) {
  auto pick = [&](int n) {
    return std::uniform_int_distribution<int>(0, n - 1)(rng);
  };
  switch (pick(7)) {
    case 0: { // deep lists
      json::value v = json::object{{"type", "text"}, {"text", "x"}};
      int depth
        = std::vector<int>{33, 300, 1200}[static_cast<std::size_t>(pick(3))];
      for (int i = 0; i < depth; ++i)
        v = json::object{{"type", i % 2 ? "bulletList" : "listItem"},
                         {"content", json::array{v}}};
      return v;
    }
    case 1:
      return json::object{{"type", "noSuchNode"}, {"content", 42}};
    case 2:
      return json::object{{"type", "paragraph"}, {"content", "not an array"}};
    case 3:
      return json::object{{"type", "text"}, {"text", std::string(200000, 'a')}};
    case 4:
      return json::object{{"type", "text"},
                          {"text", "bad \xFF utf8"},
                          {"marks", json::array{json::object{{"type", 7}}}}};
    case 5:
      return json::object{{"type", "table"},
                          {"content", json::array{json::array{}, nullptr}}};
    default:
      return json::object{{"type", "mention"}, {"attrs", json::array{}}};
  }
}

/// Replaces a random node (an object with "type") of `v`.
void plant(json::value& v, std::mt19937& rng, int& budget) {
  if (budget <= 0)
    return;
  if (auto* o = v.if_object()) {
    if (auto* c = o->if_contains("content"); c && c->is_array()) {
      auto& a = c->get_array();
      if (!a.empty()) {
        auto i
          = std::uniform_int_distribution<std::size_t>(0, a.size() - 1)(rng);
        if (std::uniform_int_distribution<int>(0, 3)(rng) == 0) {
          a[i] = hostile_node(rng);
          --budget;
        } else {
          plant(a[i], rng, budget);
        }
      }
    }
  }
}

} // namespace

TEST_CASE("fuzz: hostile nodes in real ADF never break the converter",
          "[adf][hostile][fuzz]") {
  std::vector<json::value> docs;
  std::vector<fs::path> paths;
  for (const auto& e :
       fs::directory_iterator(fs::path{JIRASYNC_FIXTURES_DIR} / "adf"))
    if (e.path().string().ends_with(".json"))
      paths.push_back(e.path());
  std::sort(paths.begin(), paths.end());
  for (const auto& p : paths) {
    boost::system::error_code ec;
    auto v = json::parse(slurp(p), ec);
    if (!ec && v.is_object())
      docs.push_back(std::move(v));
  }
  REQUIRE(docs.size() > 5);
  std::mt19937 rng(11);
  adf_options opts;
  opts.max_output_bytes = 64 * 1024;
  for (int i = 0; i < 300; ++i) {
    auto doc = docs[static_cast<std::size_t>(i) % docs.size()];
    int budget = 1 + i % 3;
    for (int k = 0; k < 4; ++k)
      plant(doc, rng, budget);
    auto res = adf_to_markdown(doc, opts);
    REQUIRE(res.markdown.size() <= opts.max_output_bytes);
    std::string repaired;
    REQUIRE(jirasync::common::append_valid_utf8(repaired, res.markdown) == 0);
    // Also through the text entry point, mutated bytes included.
    auto text = json::serialize(doc);
    text[static_cast<std::size_t>(i * 7919) % text.size()] = '\xFF';
    auto res2 = adf_text_to_markdown(text, opts);
    REQUIRE(res2.markdown.size() <= opts.max_output_bytes);
    if (res2.markdown.empty())
      REQUIRE_FALSE(res2.diagnostics.empty());
  }
}
