// The runner's mapping from how a child ended to a text status, with
// stand-in children (shell scripts) that crash, hang, spin, flood stdout
// or answer per the protocol; and the limits the real child gets.
#include "doc_builders.hpp"
#include "extract/runner.hpp"

#include <catch2/catch.hpp>

#include <sys/stat.h>

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

extraction run_fake(const std::filesystem::path& bin,
                    runner_limits limits = {}) {
  runner_options o{bin, limits};
  return run_extraction(o, {"/dev/null", "text/plain", "x.txt"});
}

} // namespace

TEST_CASE("runner: the child's command line", "[extract][runner]") {
  runner_options o{"/opt/jirasync", {}};
  o.limits.extract.max_text_bytes = 1000;
  auto argv
    = extraction_argv(o, {"/store/blobs/ab", "application/pdf", "report.pdf"});
  CHECK(argv
        == std::vector<std::string>{
          "/opt/jirasync", "extract", "/store/blobs/ab", "--mime",
          "application/pdf", "--name", "report.pdf", "--max-bytes", "1000",
          "--max-zip-entry-bytes", "134217728", "--max-zip-total-bytes",
          "536870912", "--max-zip-entries", "100000"});
}

TEST_CASE("runner: status lines", "[extract][runner]") {
  CHECK(status_line(extract_outcome::fail(text_status::too_large, "two\nlines"))
        == "too_large: two lines");
  auto p = parse_status_line("poppler noise\nunsupported: encrypted PDF: "
                             "a password is required\n");
  REQUIRE(p);
  CHECK(p->status == text_status::unsupported);
  CHECK(p->reason == "encrypted PDF: a password is required");
  CHECK_FALSE(parse_status_line("extracted: not a failure\n"));
  CHECK_FALSE(parse_status_line("skipped: decided by the caller\n"));
  CHECK_FALSE(parse_status_line("ERROR: AddressSanitizer: SEGV\n"));
}

TEST_CASE("runner: exit 0 is text, exit 1 the status it prints",
          "[extract][runner]") {
  scratch_dir dir;
  auto ok = run_fake(fake_child(dir, "ok", "printf 'some text\\n'"));
  CHECK(ok.status == text_status::extracted);
  CHECK(ok.text == "some text\n");
  CHECK_FALSE(ok.truncated);
  CHECK(ok.reason.empty());

  auto cut = run_fake(fake_child(dir, "cut",
                                 "printf 'abc'; echo 'cut: text cut at the "
                                 "3-byte cap' >&2"));
  CHECK(cut.status == text_status::extracted);
  CHECK(cut.truncated);
  CHECK(cut.reason == "text cut at the 3-byte cap");

  auto no = run_fake(fake_child(
    dir, "no",
    "echo 'unsupported: image/png: no text to extract' >&2; exit 1"));
  CHECK(no.status == text_status::unsupported);
  CHECK_FALSE(no.text);
  CHECK(no.reason == "image/png: no text to extract");

  // Invalid UTF-8 from a child never reaches the caller.
  auto bad = run_fake(fake_child(dir, "bad", "printf 'a\\377b'"));
  CHECK(bad.text
        == "a\xEF\xBF\xBD"
           "b");
}

TEST_CASE("runner: a crashing child fails that file alone",
          "[extract][runner]") {
  scratch_dir dir;
  auto r = run_fake(fake_child(dir, "crash", "echo partial; kill -SEGV $$"));
  CHECK(r.status == text_status::failed);
  CHECK_FALSE(r.text);
  CHECK(r.reason == "the extractor crashed (killed by signal 11 (SIGSEGV))");

  auto odd = run_fake(fake_child(dir, "odd", "echo 'no protocol' >&2; exit 9"));
  CHECK(odd.status == text_status::failed);
  CHECK(odd.reason == "the extractor ended with exit code 9: no protocol");
}

TEST_CASE("runner: a child that sleeps is killed at the wall-clock limit",
          "[extract][runner]") {
  scratch_dir dir;
  runner_limits lim;
  lim.wall = std::chrono::milliseconds(300);
  auto r = run_fake(fake_child(dir, "sleep", "exec sleep 30"), lim);
  CHECK(r.status == text_status::timeout);
  CHECK(r.reason == "no result within the 300 ms wall-clock limit");
}

TEST_CASE("runner: a child that spins is stopped at the CPU limit",
          "[extract][runner]") {
  scratch_dir dir;
  runner_limits lim;
  lim.cpu = std::chrono::seconds(1);
  auto r = run_fake(fake_child(dir, "spin", "while :; do :; done"), lim);
  CHECK(r.status == text_status::timeout);
  CHECK(r.reason == "CPU limit of 1 s reached");
}

TEST_CASE("runner: a child that floods stdout is cut off",
          "[extract][runner]") {
  scratch_dir dir;
  runner_limits lim;
  lim.extract.max_text_bytes = 1000;
  auto r = run_fake(fake_child(dir, "flood", "exec yes"), lim);
  CHECK(r.status == text_status::failed);
  CHECK(r.reason == "the extractor wrote more than the 1000-byte cap");
}

TEST_CASE("runner: a missing binary is a failed file, not an exception",
          "[extract][runner]") {
  auto r = run_fake("/nonexistent/jirasync");
  CHECK(r.status == text_status::failed);
  CHECK(r.reason.rfind("cannot start the extractor: ", 0) == 0);
}

TEST_CASE("runner: the child runs under its rlimits", "[extract][runner]") {
  scratch_dir dir;
  auto bin = fake_child(dir, "limits",
                        "echo \"$(ulimit -t) $(ulimit -v) $(ulimit -c) "
                        "$(ulimit -f) $(ulimit -n)\"; echo \"$ASAN_OPTIONS\"");
  runner_limits lim;
  lim.cpu = std::chrono::seconds(7);
  lim.address_space_bytes = std::uint64_t{768} << 20;
  lim.open_files = 40;
  auto r = run_fake(bin, lim);
  REQUIRE(r.text);
  if (sanitized_build()) {
    // ASan reserves terabytes of address space: no RLIMIT_AS, an RSS cap
    // in ASAN_OPTIONS instead.
    CHECK(r.text->rfind("7 unlimited 0 0 40\n", 0) == 0);
    CHECK(r.text->find("hard_rss_limit_mb=768") != std::string::npos);
  } else {
    CHECK(r.text->rfind("7 786432 0 0 40\n", 0) == 0);
  }
}
