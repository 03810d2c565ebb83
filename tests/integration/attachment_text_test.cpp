// Attachment text extraction in a real sync (issue 16): jirasync against
// jira-sim over TLS, which serves real PDF/DOCX/XLSX documents with known
// text, a truncated PDF and a zip bomb. The extracted text of every
// document contains the sim's known strings in order; the hostile files
// get their text_status and the sync still exits 0; the text arrives in
// the change feed; a second, full sync extracts nothing again (each
// content's text is known), an incremental one reads no attachment; a new
// attachment is extracted by the next incremental sync, a deleted one
// leaves the export and the feed says so.
#include "child_process.hpp"
#include "export_data.hpp"

#include "test_util/temp_dir.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>

namespace json = boost::json;
using jirasync::test::temp_dir;
using namespace jirasync::testing;

namespace {

struct command_run {
  int rc = -1;
  std::string out;
  std::string err;
};

command_run run_jirasync(const temp_dir& dir, const std::string& name,
                         std::vector<std::string> args) {
  args.insert(args.begin(), JIRASYNC_BIN);
  command_run r;
  r.rc = run_to_completion(args, dir.path() / (name + ".out"),
                           dir.path() / (name + ".err"));
  r.out = read_file(dir.path() / (name + ".out"));
  r.err = read_file(dir.path() / (name + ".err"));
  return r;
}

std::filesystem::path write_config(const sim_process& sim,
                                   const temp_dir& dir) {
  return write_site_config(sim, dir.path(),
                           "[indexing]\nattachment_text_workers = 2\n");
}

/// The line of the summary starting with `prefix` (after the indent).
std::string summary_line(const std::string& out, const std::string& prefix) {
  auto at = out.find("  " + prefix);
  if (at == std::string::npos)
    return {};
  return out.substr(at + 2, out.find('\n', at) - at - 2);
}

} // namespace

TEST_CASE("attachment texts: real documents, hostile files, once per content",
          "[integration][texts]") {
  sim_process sim{{JIRA_SIM_BIN, "--seed", "5", "--issues", "120", "--projects",
                   "2", "--users", "12", "--heavy-comment-issues", "0",
                   "--large-attachments", "0", "--port", "0"}};
  temp_dir dir;
  auto cfg = write_config(sim, dir).string();
  auto sync1 = run_jirasync(dir, "sync1", {"sync", "--config", cfg});
  INFO("sync stdout:\n" << sync1.out << "\nsync stderr:\n" << sync1.err);
  // The hostile files fail their text alone: not a lost record.
  REQUIRE(sync1.rc == 0);
  auto exported = run_jirasync(dir, "export", {"export", "--config", cfg});
  REQUIRE(exported.rc == 0);
  auto got = parse_jsonl(exported.out);
  auto truth
    = parse_jsonl(http_get(sim.base_url() + "/_sim/truth", sim.str("ca_file")));

  // Every served document: known strings in order, or its hostile status.
  std::size_t documents = 0, hostile = 0, with_text = 0, attachments = 0;
  for (const auto& [key, t] : truth.records) {
    if (t.at("type") != "attachment")
      continue;
    auto g = got.records.find(key);
    if (g == got.records.end())
      continue; // not visible to the API user
    ++attachments;
    const auto& e = g->second;
    INFO(key << " " << json::serialize(t.at("filename")));
    if (auto* tx = e.if_contains("text");
        tx && tx->is_string() && !tx->as_string().empty())
      ++with_text;
    if (auto* st = t.if_contains("text_status"))
      CHECK(e.at("text_status") == *st);
    if (auto* known = t.if_contains("text_contains")) {
      ++documents;
      REQUIRE(e.at("text").is_string());
      auto missing
        = first_missing_in_order(e.at("text").as_string(), known->as_array());
      CHECK_FALSE(missing);
      if (missing)
        UNSCOPED_INFO("missing \"" << *missing << "\" in "
                                   << json::serialize(e.at("text")));
    } else if (t.contains("text_status") && t.at("text_status") != "extracted"
               && t.at("text_status") != "unsupported") {
      ++hostile;
      CHECK(e.at("text").is_null());
      CHECK(e.at("text_reason").is_string());
      // The attachment and its content are stored all the same.
      CHECK(e.at("sha256") == t.at("sha256"));
    }
  }
  CHECK(documents == 3);
  CHECK(hostile == 2);
  // Every attachment has a final status (nothing left pending).
  for (const auto& [key, e] : got.records)
    if (e.at("type") == "attachment")
      CHECK(e.at("text_status") != "pending");

  // The summary counts by status and names the files without text.
  auto texts = summary_line(sync1.out, "attachment text: ");
  INFO(texts);
  CHECK(texts.find(" failed") != std::string::npos);
  CHECK(texts.find(" too_large") != std::string::npos);
  CHECK(texts.find("0 known from earlier runs") != std::string::npos);
  CHECK(texts.find(" MB/s)") != std::string::npos);
  CHECK(sync1.out.find("(broken scan.pdf): failed: ") != std::string::npos);
  CHECK(sync1.out.find("(bomb.docx): too_large: ") != std::string::npos);

  // The change feed: each document's text reached indexers (its last
  // entry carries the text, whether it came with the record or after).
  auto feed
    = run_jirasync(dir, "feed", {"export", "--config", cfg, "--since", "0"});
  REQUIRE(feed.rc == 0);
  std::map<std::string, json::object> last;
  {
    std::size_t pos = 0;
    while (pos < feed.out.size()) {
      auto end = feed.out.find('\n', pos);
      auto line = feed.out.substr(pos, end - pos);
      pos = end == std::string::npos ? feed.out.size() : end + 1;
      if (line.empty())
        continue;
      auto o = json::parse(line).as_object();
      if (o.at("op") != "upsert")
        continue;
      auto rec = o.at("record").as_object();
      if (rec.at("type") == "attachment")
        last[std::string{rec.at("id").as_string()}] = rec;
    }
  }
  for (const auto& [key, t] : truth.records) {
    if (t.at("type") != "attachment" || !t.contains("text_contains")
        || !got.records.count(key))
      continue;
    auto id = std::string{t.at("id").as_string()};
    REQUIRE(last.count(id));
    CHECK(last[id].at("text_status") == "extracted");
    CHECK(last[id].at("text") == got.records[key].at("text"));
  }

  // A second, full sync reads every issue again but downloads no
  // attachment (each content is stored: Jira never changes an attachment's
  // content) and extracts nothing.
  auto sync2 = run_jirasync(dir, "sync2", {"sync", "--config", cfg, "--full"});
  INFO("second sync stdout:\n" << sync2.out);
  REQUIRE(sync2.rc == 0);
  auto stored_line = summary_line(sync2.out, "issues ");
  INFO(stored_line);
  // "attachments N (N already stored, ...)": every one of them.
  auto n_at = stored_line.find("attachments ");
  REQUIRE(n_at != std::string::npos);
  auto n = std::to_string(std::stoll(stored_line.substr(n_at + 12)));
  CHECK(n != "0");
  CHECK(stored_line.find("attachments " + n + " (" + n
                         + " already stored, not downloaded again)")
        != std::string::npos);
  CHECK(summary_line(sync2.out, "attachment text: ")
        == "attachment text: nothing to extract");

  // An incremental sync with nothing changed reads no attachment and has
  // nothing to extract.
  auto sync3 = run_jirasync(dir, "sync3", {"sync", "--config", cfg});
  INFO("third sync stdout:\n" << sync3.out);
  REQUIRE(sync3.rc == 0);
  CHECK(sync3.out.find("  mode incremental") != std::string::npos);
  CHECK(summary_line(sync3.out, "attachment text: ")
        == "attachment text: nothing to extract");

  // A new attachment (new content) is extracted by the next incremental
  // sync; an issue deleted in Jira takes its document's attachment, and its
  // text, out of the export, with a delete in the feed.
  std::string doc_id, doc_issue;
  for (const auto& [key, t] : truth.records)
    if (t.at("type") == "attachment" && t.contains("text_contains")
        && got.records.count(key)) {
      doc_id = std::string{t.at("id").as_string()};
      doc_issue = std::string{t.at("issue_id").as_string()};
      break;
    }
  REQUIRE_FALSE(doc_id.empty());
  auto mutate = [&](const std::string& op) {
    auto r = http_post(sim.base_url() + "/_sim/mutate", sim.str("ca_file"), op);
    INFO(op << " -> " << r.body);
    REQUIRE(json::parse(r.body).as_object().at("ok").as_bool());
    return json::parse(r.body).as_object();
  };
  mutate(R"({"op":"delete_issue","issue":")" + doc_issue + R"("})");
  // On another visible issue than the deleted one (or its sub-tasks).
  std::string other_issue;
  for (const auto& [key, e] : got.records)
    if (e.at("type") == "issue" && e.at("id").as_string() != doc_issue
        && e.at("parent_key").is_null()) {
      other_issue = std::string{e.at("id").as_string()};
      break;
    }
  REQUIRE_FALSE(other_issue.empty());
  auto added = mutate(
    R"({"op":"add_attachment","issue":")" + other_issue
    + R"(","filename":"notes-added.txt","mime_type":"text/plain","size":2048})");
  const auto& aid = added.at("id");
  auto added_id = aid.is_string()
                    ? std::string{aid.as_string()}
                    : std::to_string(aid.to_number<std::int64_t>());
  auto sync4 = run_jirasync(dir, "sync4", {"sync", "--config", cfg});
  INFO("fourth sync stdout:\n" << sync4.out);
  REQUIRE(sync4.rc == 0);
  CHECK(sync4.out.find("  mode incremental") != std::string::npos);
  // Only the new content is extracted; the other attachments of the issues
  // read again (the deleted issue's former children changed too) are
  // downloaded, and their texts are known.
  auto texts4 = summary_line(sync4.out, "attachment text: ");
  INFO(texts4);
  CHECK(texts4.rfind("attachment text: 1 extracted (1 with text); ", 0) == 0);
  auto exported4 = parse_jsonl(
    run_jirasync(dir, "export4", {"export", "--config", cfg}).out);
  CHECK_FALSE(exported4.records.count("attachment:" + doc_id));
  REQUIRE(exported4.records.count("attachment:" + added_id));
  CHECK(exported4.records.at("attachment:" + added_id).at("text_status")
        == "extracted");
  auto feed4
    = run_jirasync(dir, "feed4", {"export", "--config", cfg, "--since", "0"});
  REQUIRE(feed4.rc == 0);
  bool deleted = false;
  for (auto& o : json_lines(feed4.out)) {
    const auto& rec = o.at("record").as_object();
    if (rec.at("type") == "attachment" && rec.at("id").as_string() == doc_id)
      deleted = o.at("op") == "delete"; // its last entry
  }
  CHECK(deleted);

  // The figures of the closing note.
  std::cout << "texts: " << texts << "\n"
            << "attachments with text: " << with_text << " of " << attachments
            << "\n";
}

TEST_CASE("attachment downloads stay within sync.download_bytes_in_flight",
          "[integration][download_budget]") {
  // Attachments up to 4 MB plus three over 5 MB, under a 1 MiB budget:
  // the large ones run alone (never skipped), the rest share the budget.
  sim_process sim{{JIRA_SIM_BIN, "--seed", "3", "--issues", "60", "--projects",
                   "1", "--users", "8", "--heavy-comment-issues", "0",
                   "--large-attachments", "3", "--port", "0"}};
  temp_dir dir;
  // No extraction children: this is about the downloads.
  auto cfg = write_site_config(sim, dir.path(),
                               "[indexing]\nattachment_text_max_bytes = 0\n"
                               "[sync]\ndownload_bytes_in_flight = 1048576\n");
  auto sync = run_jirasync(dir, "sync", {"sync", "--config", cfg.string()});
  INFO("sync stdout:\n" << sync.out << "\nsync stderr:\n" << sync.err);
  REQUIRE(sync.rc == 0);
  auto got = parse_jsonl(
    run_jirasync(dir, "export", {"export", "--config", cfg.string()}).out);
  std::size_t hidden = 0;
  auto truth = visible_truth(sim, hidden);
  // Every visible attachment stored with its content, the large ones too.
  std::uint64_t largest = 0;
  std::size_t attachments = 0, large = 0;
  for (const auto& [key, t] : truth.records) {
    if (t.at("type") != "attachment")
      continue;
    ++attachments;
    INFO(key);
    REQUIRE(got.records.count(key));
    CHECK(got.records.at(key).at("sha256") == t.at("sha256"));
    auto size = t.at("size").to_number<std::uint64_t>();
    largest = std::max(largest, size);
    if (size > 5'000'000)
      ++large;
  }
  CHECK(attachments > 10);
  CHECK(large >= 1);
  // The most bytes reserved at once: the largest attachment, alone; never
  // more (the others fit 1 MiB together).
  auto status
    = run_jirasync(dir, "status", {"status", "--config", cfg.string()});
  REQUIRE(status.rc == 0);
  static constexpr std::string_view tag = " download_bytes_peak=";
  auto at = status.out.find(tag);
  INFO(status.out);
  REQUIRE(at != std::string::npos);
  auto peak = std::stoull(status.out.substr(at + tag.size()));
  CHECK(peak == largest);
}
