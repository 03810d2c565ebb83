// store_bench: store writes in records per second, in batches shaped like
// a sync's chunk (100 issues with ~3.4 comments each, 0.6 attachments with
// text, one ACL), each batch one store::apply() with the WAL fsync'd as a
// sync does. Three passes over the same records: `add` (new records),
// `unchanged` (identical records: compared, nothing written) and `update`
// (every record changed). Prints records/s of wall time and CPU µs per
// record, and the store's size on disk against the JSON of the records.
//
//   store_bench [--issues N] [--dir DIR]     (defaults: 10000, a temp dir)
#include "storage/records.hpp"
#include "storage/store.hpp"

#include <boost/json/serialize.hpp>

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using namespace jirasync::storage;

double cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  auto s = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return s(ru.ru_utime) + s(ru.ru_stime);
}

/// Deterministic filler text of about `n` bytes (words, so it compresses
/// like prose rather than like zeros or noise).
std::string prose(std::mt19937_64& rng, std::size_t n) {
  static const char* words[]
    = {"the",     "webhook", "retry",     "timeout", "customer",  "release",
       "backend", "deploy",  "rollback",  "metric",  "dashboard", "latency",
       "queue",   "alert",   "migration", "schema",  "token",     "cache"};
  std::string s;
  while (s.size() < n) {
    s += words[rng() % (sizeof(words) / sizeof(words[0]))];
    s += (rng() % 12 == 0) ? ". " : " ";
  }
  return s;
}

struct corpus {
  std::vector<write_batch_spec> batches;
  std::size_t records = 0;
  std::size_t json_bytes = 0;
};

corpus build(std::size_t issues, int generation) {
  std::mt19937_64 rng(42 + static_cast<unsigned>(generation));
  corpus c;
  auto acl = make_acl(false, {"5b10a2844c20165700ede21g",
                              "712020:0f49028a-95dd-278d-f18d-172b00000000",
                              "9ab023fbd18b5dd8fa25acfa"});
  std::string edit = generation ? " (edited)" : "";
  std::size_t comment_id = 100000, attachment_id = 50000;
  for (std::size_t base = 0; base < issues; base += 100) {
    write_batch_spec b;
    b.acls.push_back(acl);
    for (std::size_t k = base; k < std::min(issues, base + 100); ++k) {
      issue_record i;
      i.id = std::to_string(10000 + k);
      i.key = "BENCH-" + std::to_string(k + 1);
      i.project_key = "BENCH";
      i.project_id = "10000";
      i.summary = "Issue " + i.key + edit;
      i.markdown = prose(rng, 1200 + rng() % 2000);
      i.status = "In Progress";
      i.status_category = "indeterminate";
      i.priority = "Medium";
      i.labels = {"backend", "bench"};
      i.issue_type = "Task";
      i.reporter
        = user_ref{"5b10a2844c20165700ede21g", "alice@example.com", "Alice"};
      i.created_ms = 1704190272123 + static_cast<std::int64_t>(k) * 1000;
      i.updated_ms = i.created_ms + generation;
      i.custom_fields["Story points"] = 3;
      i.url = "https://acme.atlassian.net/browse/" + i.key;
      i.acl = acl.id;
      auto comments = rng() % 8; // 3.5 on average
      for (std::size_t n = 0; n < comments; ++n) {
        comment_record cm;
        cm.id = std::to_string(comment_id++);
        cm.issue_id = i.id;
        cm.author = i.reporter;
        cm.markdown = prose(rng, 200 + rng() % 600) + edit;
        cm.created_ms = i.created_ms + 1000;
        cm.updated_ms = cm.created_ms + generation;
        cm.acl = acl.id;
        c.json_bytes += boost::json::serialize(to_json(cm)).size() + 1;
        b.upserts.emplace_back(std::move(cm));
      }
      if (rng() % 10 < 6) {
        attachment_record a;
        a.id = std::to_string(attachment_id++);
        a.issue_id = i.id;
        a.filename = "notes.txt";
        a.mime_type = "text/plain";
        // The text is stored once per content (keyed by its sha256),
        // apart from the attachment record; the export joins the two.
        attachment_text t;
        t.status = "extracted";
        t.text = prose(rng, 500 + rng() % 8000) + edit;
        char sha[65];
        std::snprintf(sha, sizeof sha, "%064zx", attachment_id);
        t.sha256 = sha;
        a.size_bytes = static_cast<std::int64_t>(t.text->size());
        a.sha256 = t.sha256;
        a.created_ms = i.created_ms;
        a.acl = acl.id;
        a.content_stored = true;
        c.json_bytes
          += boost::json::serialize(to_export_json(a, &t)).size() + 1;
        b.upserts.emplace_back(std::move(a));
        b.texts.push_back(std::move(t));
      }
      c.json_bytes += boost::json::serialize(to_json(i)).size() + 1;
      b.upserts.emplace(b.upserts.begin(), std::move(i));
    }
    c.records += b.upserts.size();
    c.batches.push_back(std::move(b));
  }
  return c;
}

std::uintmax_t du(const fs::path& p) {
  std::uintmax_t n = 0;
  for (auto& e : fs::recursive_directory_iterator(p))
    if (e.is_regular_file())
      n += e.file_size();
  return n;
}

bool pass(store& s, const corpus& c, const char* name) {
  auto t0 = std::chrono::steady_clock::now();
  auto cpu0 = cpu_seconds();
  std::uint64_t written = 0;
  for (auto& b : c.batches) {
    auto r = s.apply(b);
    if (!r) {
      std::printf("store_bench: apply failed: %s\n", r.error().message.c_str());
      return false;
    }
    for (auto& t : r->by_type)
      written += t.added + t.updated;
  }
  double wall
    = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
        .count();
  double cpu = cpu_seconds() - cpu0;
  std::printf("store_bench: %-10s %10.0f records/s  (%zu records, %llu "
              "written, %.2f s wall, %.1f CPU us/record)\n",
              name, static_cast<double>(c.records) / wall, c.records,
              static_cast<unsigned long long>(written), wall,
              cpu * 1e6 / static_cast<double>(c.records));
  return true;
}

} // namespace

int main(int argc, char** argv) {
  std::size_t issues = 10000;
  std::string dir;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--issues"))
      issues = std::strtoull(argv[i + 1], nullptr, 10);
    else if (!std::strcmp(argv[i], "--dir"))
      dir = argv[i + 1];
  }
  bool temp = dir.empty();
  if (temp) {
    char tmpl[] = "/tmp/store-bench-XXXXXX";
    if (!::mkdtemp(tmpl))
      return 1;
    dir = tmpl;
  }
  auto first = build(issues, 0);
  auto second = build(issues, 1);
  std::printf("store_bench: %zu issues, %zu records a pass, %.1f MB of "
              "record JSON, batches of 100 issues, WAL fsync per batch\n",
              issues, first.records,
              static_cast<double>(first.json_bytes) / 1e6);
  int rc = 0;
  {
    auto opened = store::open(dir);
    if (!opened) {
      std::printf("store_bench: open failed: %s\n",
                  opened.error().message.c_str());
      return 1;
    }
    auto& s = **opened;
    if (!pass(s, first, "add") || !pass(s, first, "unchanged")
        || !pass(s, second, "update"))
      rc = 1;
  }
  std::printf("store_bench: on disk after the passes (store closed): %.1f MB "
              "(record JSON of one pass: %.1f MB)\n",
              static_cast<double>(du(dir)) / 1e6,
              static_cast<double>(first.json_bytes) / 1e6);
  if (temp)
    fs::remove_all(dir);
  return rc;
}
