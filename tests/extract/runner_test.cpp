// The extraction worker (extract/worker.hpp): its protocol; how the caller
// maps the way a worker answered or ended to a text status, with stand-in
// workers (shell scripts) that answer, crash, hang, spin or break the
// protocol; and the real `jirasync extract --worker`: its rlimits, many
// files in one process, a replacement after it died or served its share.
#include "doc_builders.hpp"
#include "extract/runner.hpp"
#include "extract/worker.hpp"

#include <catch2/catch.hpp>

#include <csignal>
#include <fstream>
#include <sstream>

#include <sys/stat.h>
#include <sys/wait.h>

using namespace jirasync::extract;
using namespace jirasync::testing;

namespace {

/// A stand-in for the jirasync binary: a shell script.
std::filesystem::path fake_child(const scratch_dir& dir,
                                 const std::string& name,
                                 const std::string& body) {
  auto p = dir.write(name, "#!/bin/sh\n" + body + "\n");
  ::chmod(p.c_str(), 0700);
  return p;
}

/// A script that answers its first request with `answer` (written as is)
/// and waits for the end of its input, as a worker does.
std::filesystem::path answering(const scratch_dir& dir, const std::string& name,
                                const std::string& answer) {
  auto data = dir.write(name + ".answer", answer);
  return fake_child(dir, name, "cat '" + data.string() + "'; cat >/dev/null");
}

extraction run_fake(const std::filesystem::path& bin,
                    runner_limits limits = {}) {
  runner_options o{bin, limits};
  return run_extraction(o, {"/dev/null", "text/plain", "x.txt"});
}

/// "Max cpu time    7    unlimited    seconds" -> {"7", "unlimited"}.
std::pair<std::string, std::string> proc_limit(int pid,
                                               const std::string& name) {
  std::ifstream in{"/proc/" + std::to_string(pid) + "/limits"};
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(name, 0) == 0) {
      std::istringstream rest{line.substr(name.size())};
      std::string soft, hard;
      rest >> soft >> hard;
      return {soft, hard};
    }
  return {};
}

std::string proc_environ(int pid) {
  std::ifstream in{"/proc/" + std::to_string(pid) + "/environ"};
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

} // namespace

TEST_CASE("worker protocol: requests and answers", "[extract][worker]") {
  CHECK(encode_request({"/store/blobs/ab", "application/pdf", "r.pdf"})
        == "extract 15 15 5\n/store/blobs/abapplication/pdfr.pdf");
  auto rq = parse_request_header("extract 15 0 5");
  REQUIRE(rq);
  CHECK(rq->file == 15);
  CHECK(rq->mime == 0);
  CHECK(rq->name == 5);
  CHECK_FALSE(parse_request_header("extract 0 1 1"));   // no file
  CHECK_FALSE(parse_request_header("extract 1 1"));     // a field missing
  CHECK_FALSE(parse_request_header("extract 1 1 1 1")); // one too many
  CHECK_FALSE(parse_request_header("extract 1 -1 1"));
  CHECK_FALSE(parse_request_header("extract 1 1 4097")); // over the field cap
  CHECK_FALSE(parse_request_header("run 1 1 1"));

  answer_header a;
  a.status = text_status::extracted;
  a.cut = true;
  a.has_text = true;
  a.cpu_us = 1234;
  CHECK(encode_answer(a, "abc", "why") == "extracted 1 1 3 3 1234\nabcwhy");
  auto h = parse_answer_header("extracted 1 1 3 3 1234");
  REQUIRE(h);
  CHECK(h->status == text_status::extracted);
  CHECK(h->cut);
  CHECK(h->has_text);
  CHECK(h->text == 3);
  CHECK(h->reason == 3);
  CHECK(h->cpu_us == 1234);
  CHECK(parse_answer_header("unsupported 0 0 0 12 5"));
  CHECK_FALSE(parse_answer_header("unsupported 0 0 4 12 5")); // text w/o flag
  CHECK_FALSE(parse_answer_header("finished 0 1 3 0 0"));     // no status
  CHECK_FALSE(parse_answer_header("extracted 2 1 3 0 0"));
  CHECK_FALSE(parse_answer_header("failed 0 0 0 4097 0")); // reason cap
  CHECK_FALSE(parse_answer_header("extracted 0 1 3 0"));
  CHECK_FALSE(parse_answer_header("no protocol"));

  runner_options o{"/opt/jirasync", {}};
  o.limits.extract.max_text_bytes = 1000;
  o.limits.cpu = std::chrono::seconds(7);
  o.limits.open_files = 40;
  CHECK(worker_argv(o)
        == std::vector<std::string>{
          "/opt/jirasync", "extract", "--worker", "--cpu-seconds", "7",
          "--address-space-bytes", "1073741824", "--open-files", "40",
          "--max-bytes", "1000", "--max-zip-entry-bytes", "134217728",
          "--max-zip-total-bytes", "536870912", "--max-zip-entries", "100000"});
}

TEST_CASE("runner: status lines", "[extract][runner]") {
  CHECK(status_line(extract_outcome::fail(text_status::too_large, "two\nlines"))
        == "too_large: two lines");
  CHECK(cut_reason(3) == "text cut at the 3-byte cap");
}

TEST_CASE("runner: a worker's answer is the file's text or status",
          "[extract][runner]") {
  scratch_dir dir;
  auto ok = run_fake(answering(dir, "ok", "extracted 0 1 10 0 0\nsome text\n"));
  CHECK(ok.status == text_status::extracted);
  CHECK(ok.text == "some text\n");
  CHECK_FALSE(ok.truncated);
  CHECK(ok.reason.empty());

  auto cut = run_fake(answering(
    dir, "cut", "extracted 1 1 3 26 9\nabctext cut at the 3-byte cap"));
  CHECK(cut.status == text_status::extracted);
  CHECK(cut.text == "abc");
  CHECK(cut.truncated);
  CHECK(cut.reason == "text cut at the 3-byte cap");
  CHECK(cut.cpu_time == std::chrono::microseconds(9));

  auto no = run_fake(answering(dir, "no",
                               "unsupported 0 0 0 29 0\n"
                               "image/png: no text to extract"));
  CHECK(no.status == text_status::unsupported);
  CHECK_FALSE(no.text);
  CHECK(no.reason == "image/png: no text to extract");

  // Invalid UTF-8 and line breaks from a worker never reach the caller.
  auto bad = run_fake(answering(dir, "bad", "extracted 0 1 3 3 0\na\377ba\nb"));
  CHECK(bad.text
        == "a\xEF\xBF\xBD"
           "b");
  CHECK(bad.reason == "a b");
}

TEST_CASE("runner: a crashing or silent worker fails that file alone",
          "[extract][runner]") {
  scratch_dir dir;
  auto r = run_fake(fake_child(dir, "crash", "read x; kill -SEGV $$"));
  CHECK(r.status == text_status::failed);
  CHECK_FALSE(r.text);
  CHECK(r.reason == "the extractor crashed (killed by signal 11 (SIGSEGV))");

  auto odd = run_fake(fake_child(dir, "odd", "exit 9"));
  CHECK(odd.status == text_status::failed);
  CHECK(odd.reason == "the extractor ended with exit code 9 without an answer");

  auto junk = run_fake(answering(dir, "junk", "no protocol\n"));
  CHECK(junk.status == text_status::failed);
  CHECK(junk.reason == "the extractor answered out of protocol");

  // The answer's announced length is more than it sends, then it ends.
  auto short_answer
    = run_fake(fake_child(dir, "short", "printf 'extracted 0 1 50 0 0\\nabc'"));
  CHECK(short_answer.status == text_status::failed);
  CHECK(short_answer.reason
        == "the extractor ended with exit code 0 without an answer");
}

TEST_CASE("runner: a worker that sleeps is killed at the wall-clock limit",
          "[extract][runner]") {
  scratch_dir dir;
  runner_limits lim;
  lim.wall = std::chrono::milliseconds(300);
  auto r = run_fake(fake_child(dir, "sleep", "exec sleep 30"), lim);
  CHECK(r.status == text_status::timeout);
  CHECK(r.reason == "no result within the 300 ms wall-clock limit");
}

TEST_CASE("runner: a worker ended by its CPU limit is a timeout",
          "[extract][runner]") {
  scratch_dir dir;
  runner_limits lim;
  lim.cpu = std::chrono::seconds(1);
  auto r = run_fake(
    fake_child(dir, "spin", "ulimit -S -t 1; while :; do :; done"), lim);
  CHECK(r.status == text_status::timeout);
  CHECK(r.reason == "CPU limit of 1 s reached");
}

TEST_CASE("runner: a worker announcing more than the text cap is cut off",
          "[extract][runner]") {
  scratch_dir dir;
  runner_limits lim;
  lim.extract.max_text_bytes = 1000;
  auto r = run_fake(
    fake_child(dir, "flood", "printf 'extracted 0 1 5000 0 0\\n'; exec yes"),
    lim);
  CHECK(r.status == text_status::failed);
  CHECK(r.reason == "the extractor wrote more than the 1000-byte cap");
}

TEST_CASE("runner: a missing binary is a failed file, not an exception",
          "[extract][runner]") {
  auto r = run_fake("/nonexistent/jirasync");
  CHECK(r.status == text_status::failed);
  CHECK(r.reason.rfind("cannot start the extractor: ", 0) == 0);
}

TEST_CASE("worker: the real worker runs under its rlimits",
          "[extract][worker]") {
  scratch_dir dir;
  runner_options o{JIRASYNC_BIN, {}};
  o.limits.cpu = std::chrono::seconds(7);
  o.limits.address_space_bytes = std::uint64_t{768} << 20;
  o.limits.open_files = 40;
  extraction_worker w{o};
  auto r = w.extract({dir.write("a.txt", "hello\n"), "text/plain", "a.txt"});
  REQUIRE(r.status == text_status::extracted);
  CHECK(r.text == "hello\n");
  REQUIRE(w.pid());
  int pid = *w.pid();
  // The CPU limit of the next file: what the worker used so far (rounded
  // up, well under a minute) plus 7 s; only the soft limit moves.
  auto cpu = proc_limit(pid, "Max cpu time");
  CHECK(std::stoi(cpu.first) >= 7);
  CHECK(std::stoi(cpu.first) <= 60);
  CHECK(proc_limit(pid, "Max open files")
        == std::pair<std::string, std::string>{"40", "40"});
  CHECK(proc_limit(pid, "Max core file size")
        == std::pair<std::string, std::string>{"0", "0"});
  CHECK(proc_limit(pid, "Max file size")
        == std::pair<std::string, std::string>{"0", "0"});
  if (sanitized_build()) {
    // ASan reserves terabytes of address space: no RLIMIT_AS, an RSS cap
    // in ASAN_OPTIONS instead.
    CHECK(proc_limit(pid, "Max address space").first == "unlimited");
    CHECK(proc_environ(pid).find("hard_rss_limit_mb=768") != std::string::npos);
  } else {
    CHECK(proc_limit(pid, "Max address space")
          == std::pair<std::string, std::string>{"805306368", "805306368"});
  }
}

TEST_CASE("worker: one process extracts file after file, and is replaced "
          "when it died or served its share",
          "[extract][worker]") {
  scratch_dir dir;
  std::vector<std::filesystem::path> files;
  for (int i = 0; i < 4; ++i) {
    docx_spec d;
    d.body_xml = w_p("document number " + std::to_string(i));
    auto f = dir.path() / ("d" + std::to_string(i) + ".docx");
    make_docx(f, d);
    files.push_back(f);
  }
  runner_options o{JIRASYNC_BIN, {}};
  extraction_worker w{o, 3};
  std::optional<int> first_pid;
  for (int i = 0; i < 3; ++i) {
    auto r = w.extract({files[i], "", {}});
    INFO(r.reason);
    REQUIRE(r.status == text_status::extracted);
    CHECK(r.text == "document number " + std::to_string(i) + "\n");
    if (!first_pid)
      first_pid = w.pid();
    CHECK(w.pid() == first_pid);
  }
  CHECK(w.starts() == 1);
  // Its share (3 files) is served: the fourth gets a new process.
  auto r = w.extract({files[3], "", {}});
  CHECK(r.text == "document number 3\n");
  CHECK(w.starts() == 2);
  REQUIRE(w.pid());
  CHECK(w.pid() != first_pid);
  // Killed from outside while idle: the next file still gets its text.
  ::kill(*w.pid(), SIGKILL);
  ::usleep(50'000);
  r = w.extract({files[0], "", {}});
  INFO(r.reason);
  CHECK(r.text == "document number 0\n");
  CHECK(w.starts() == 3);
  // A hostile file that ends the worker costs that file alone.
  auto broken = dir.write("broken.pdf", "%PDF-1.4\n garbage");
  auto b = w.extract({broken, "application/pdf", {}});
  CHECK(b.status == text_status::failed);
  r = w.extract({files[1], "", {}});
  CHECK(r.text == "document number 1\n");
}
