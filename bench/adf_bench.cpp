// adf_bench: throughput of ADF -> Markdown (parse + render), single thread,
// against parsing the same JSON alone (the baseline, measured in the same
// run). The corpus is generated deterministically: issue-description-like
// documents (headings, paragraphs with marks and links, mentions, emoji,
// dates, statuses, lists, tables, code blocks, panels) totalling >= 50 MB.
//
//   adf_bench [--mb N] [--rounds R]     (defaults: 64 MB, 3 rounds; best
//                                        round reported)
#include "protocol/adf/adf_markdown.hpp"

#include <boost/json.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <random>
#include <string>
#include <vector>

namespace {

namespace json = boost::json;
using jirasync::protocol::adf_text_to_markdown;

class corpus_gen {
public:
  explicit corpus_gen(std::uint64_t seed) : rng_(seed) {
    // nop
  }

  std::string document() {
    out_.clear();
    out_ += R"({"type":"doc","version":1,"content":[)";
    auto blocks = pick(8, 40);
    for (int i = 0; i < blocks; ++i) {
      if (i > 0)
        out_ += ',';
      block(0);
    }
    out_ += "]}";
    return out_;
  }

private:
  int pick(int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(rng_);
  }

  void words(int n) {
    static const char* vocab[]
      = {"the",    "service",     "returns",   "a",         "timeout",
         "when",   "the",         "cache",     "is",        "cold",
         "and",    "retries",     "exceed",    "limit",     "see",
         "logs",   "deploy",      "rollback",  "customer",  "reported",
         "error",  "500",         "on",        "checkout",  "page",
         "v2.3.1", "after",       "migration", "of",        "database",
         "index",  "users_table", "config",    "flag",      "enabled",
         "for",    "EU",          "region",    "(staging)", "*not*",
         "prod",   "#1234",       "[draft]",   "<b>",       "50%",
         "C++",    "foo_bar",     "x|y",       "`tick`",    "über",
         "naïve",  "日本語"};
    constexpr int n_vocab = sizeof(vocab) / sizeof(vocab[0]);
    for (int i = 0; i < n; ++i) {
      if (i > 0)
        out_ += ' ';
      out_ += vocab[pick(0, n_vocab - 1)];
    }
  }

  void text(int n_words, const char* marks = nullptr) {
    out_ += R"({"type":"text","text":")";
    words(n_words);
    out_ += '"';
    if (marks) {
      out_ += R"(,"marks":)";
      out_ += marks;
    }
    out_ += '}';
  }

  void inline_content() {
    auto n = pick(1, 8);
    for (int i = 0; i < n; ++i) {
      if (i > 0)
        out_ += ',';
      switch (pick(0, 15)) {
        case 0:
          text(pick(1, 3), R"([{"type":"strong"}])");
          break;
        case 1:
          text(pick(1, 3), R"([{"type":"em"}])");
          break;
        case 2:
          text(1, R"([{"type":"code"}])");
          break;
        case 3:
          text(
            pick(1, 4),
            R"([{"type":"link","attrs":{"href":"https://example.atlassian.net/browse/PROJ-123"}}])");
          break;
        case 4:
          out_
            += R"({"type":"mention","attrs":{"id":"5b10ac8d82e05b22cc7d4ef5","text":"@Jane Doe","accessLevel":""}})";
          break;
        case 5:
          out_
            += R"({"type":"emoji","attrs":{"shortName":":smile:","id":"1f604","text":"😄"}})";
          break;
        case 6:
          out_ += R"({"type":"date","attrs":{"timestamp":"1582156800000"}})";
          break;
        case 7:
          out_
            += R"({"type":"status","attrs":{"text":"IN PROGRESS","color":"blue","localId":"a1"}})";
          break;
        case 8:
          out_
            += R"({"type":"inlineCard","attrs":{"url":"https://example.atlassian.net/wiki/spaces/X/pages/1"}})";
          break;
        case 9:
          out_ += R"({"type":"hardBreak"})";
          break;
        case 10:
          text(pick(1, 3),
               R"([{"type":"textColor","attrs":{"color":"#ff5630"}}])");
          break;
        default:
          text(pick(3, 14));
      }
    }
  }

  void paragraph() {
    out_ += R"({"type":"paragraph","content":[)";
    inline_content();
    out_ += "]}";
  }

  void list(int depth, bool ordered) {
    out_ += ordered ? R"({"type":"orderedList","attrs":{"order":1},"content":[)"
                    : R"({"type":"bulletList","content":[)";
    auto n = pick(2, 6);
    for (int i = 0; i < n; ++i) {
      if (i > 0)
        out_ += ',';
      out_ += R"({"type":"listItem","content":[)";
      paragraph();
      if (depth < 2 && pick(0, 4) == 0) {
        out_ += ',';
        list(depth + 1, pick(0, 1) == 0);
      }
      out_ += "]}";
    }
    out_ += "]}";
  }

  void table() {
    out_
      += R"({"type":"table","attrs":{"isNumberColumnEnabled":false,"layout":"default"},"content":[)";
    auto rows = pick(2, 6), cols = pick(2, 5);
    for (int r = 0; r < rows; ++r) {
      if (r > 0)
        out_ += ',';
      out_ += R"({"type":"tableRow","content":[)";
      for (int c = 0; c < cols; ++c) {
        if (c > 0)
          out_ += ',';
        out_
          += r == 0
               ? R"({"type":"tableHeader","attrs":{},"content":[)"
               : R"({"type":"tableCell","attrs":{"background":null},"content":[)";
        out_ += R"({"type":"paragraph","content":[)";
        text(pick(1, 4));
        out_ += "]}]}";
      }
      out_ += "]}";
    }
    out_ += "]}";
  }

  void block(int depth) {
    switch (pick(0, 11)) {
      case 0:
        out_ += R"({"type":"heading","attrs":{"level":)";
        out_ += std::to_string(pick(1, 4));
        out_ += R"(},"content":[)";
        text(pick(2, 6));
        out_ += "]}";
        break;
      case 1:
        list(depth, false);
        break;
      case 2:
        list(depth, true);
        break;
      case 3:
        table();
        break;
      case 4:
        out_
          += R"({"type":"codeBlock","attrs":{"language":"java"},"content":[{"type":"text","text":")";
        for (int i = 0, n = pick(3, 15); i < n; ++i) {
          out_ += "    if (x != null) { return cache.get(key); } // ";
          words(3);
          out_ += "\\n";
        }
        out_ += R"("}]})";
        break;
      case 5:
        out_ += R"({"type":"panel","attrs":{"panelType":"info"},"content":[)";
        paragraph();
        out_ += "]}";
        break;
      case 6:
        out_ += R"({"type":"blockquote","content":[)";
        paragraph();
        out_ += "]}";
        break;
      default:
        paragraph();
    }
  }

  std::mt19937_64 rng_;
  std::string out_;
};

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
    .count();
}

/// CPU time of this thread: "per core" figures do not depend on how busy
/// the machine is (other processes only stretch the wall clock).
double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec)
         + static_cast<double>(ts.tv_nsec) * 1e-9;
}

} // namespace

int main(int argc, char** argv) {
  std::size_t target_mb = 64;
  int rounds = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--mb") == 0)
      target_mb = static_cast<std::size_t>(std::atol(argv[i + 1]));
    else if (std::strcmp(argv[i], "--rounds") == 0)
      rounds = std::max(1, std::atoi(argv[i + 1]));
  }
  const std::size_t target = target_mb << 20;

  auto t_gen = std::chrono::steady_clock::now();
  corpus_gen gen{42};
  std::vector<std::string> docs;
  std::size_t bytes = 0;
  while (bytes < target) {
    docs.push_back(gen.document());
    bytes += docs.back().size();
  }
  double mb = static_cast<double>(bytes) / 1e6;
  std::printf("adf_bench: corpus %zu documents, %.1f MB of ADF JSON "
              "(generated in %.2f s)\n",
              docs.size(), mb, seconds_since(t_gen));

  double best_parse = 1e30, best_full = 1e30; // CPU seconds
  double wall_parse = 1e30, wall_full = 1e30; // wall seconds
  std::size_t md_bytes = 0, diags = 0;
  for (int r = 0; r < rounds; ++r) {
    // Baseline: parse only, exactly as adf_text_to_markdown parses.
    auto w0 = std::chrono::steady_clock::now();
    auto c0 = thread_cpu_seconds();
    std::size_t sink = 0;
    for (auto& d : docs) {
      json::monotonic_resource mr{std::max<std::size_t>(4096, d.size() * 2)};
      json::parse_options po;
      po.max_depth = 10000;
      boost::system::error_code ec;
      auto v = json::parse(d, ec, json::storage_ptr{&mr}, po);
      sink += v.is_object() ? 1 : 0;
    }
    best_parse = std::min(best_parse, thread_cpu_seconds() - c0);
    wall_parse = std::min(wall_parse, seconds_since(w0));
    if (sink != docs.size())
      std::printf("adf_bench: parse failed\n");

    // Parse + render.
    w0 = std::chrono::steady_clock::now();
    c0 = thread_cpu_seconds();
    md_bytes = 0;
    diags = 0;
    for (auto& d : docs) {
      auto res = adf_text_to_markdown(d);
      md_bytes += res.markdown.size();
      diags += res.diagnostics.size();
    }
    best_full = std::min(best_full, thread_cpu_seconds() - c0);
    wall_full = std::min(wall_full, seconds_since(w0));
  }
  double parse_mbs = mb / best_parse;
  double full_mbs = mb / best_full;
  std::printf("adf_bench: markdown out %.1f MB, %zu diagnostics\n",
              static_cast<double>(md_bytes) / 1e6, diags);
  std::printf("adf_bench: single thread, best of %d rounds, MB/s = MB of ADF "
              "JSON per CPU second\n",
              rounds);
  std::printf("adf_bench: parse only      %8.1f MB/s per core (%.3f s CPU, "
              "%.3f s wall)\n",
              parse_mbs, best_parse, wall_parse);
  std::printf("adf_bench: parse + render  %8.1f MB/s per core (%.3f s CPU, "
              "%.3f s wall)\n",
              full_mbs, best_full, wall_full);
  std::printf("adf_bench: render alone    %8.1f MB/s per core\n",
              mb / std::max(1e-9, best_full - best_parse));
  std::printf("adf_bench: ratio (parse+render) / (parse only) throughput = "
              "%.2f\n",
              full_mbs / parse_mbs);
  std::printf("adf_bench: target >= 50 MB/s per core (parse + render): %s\n",
              full_mbs >= 50.0 ? "met" : "NOT met");
  return 0;
}
