// `jirasync extract FILE [--mime TYPE] [--name NAME] [--max-bytes N] ...`:
// the text the index will see for one file, on stdout (exit 0), or the
// reason there is none on stderr as "<status>: <reason>" (exit 1); usage
// errors exit 2 (extract/runner.hpp). With `--worker` (internal, no FILE):
// the long-lived extraction process a sync starts, which reads requests on
// stdin under its own rlimits (extract/worker.hpp).
#include "app/commands.hpp"
#include "extract/extract_file.hpp"
#include "extract/runner.hpp"
#include "extract/worker.hpp"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>

namespace jirasync::app {

namespace {

struct extract_args {
  std::string file;
  std::string mime;
  std::string name;
  extract::extract_limits limits;
  bool worker = false;
  std::uint64_t cpu_seconds = 20;
  std::uint64_t address_space_bytes = 0;
  std::uint64_t open_files = 64;
};

exit_code run_extract(const extract_args& a) {
  if (a.worker) {
    extract::runner_limits lim;
    lim.cpu = std::chrono::seconds(a.cpu_seconds);
    lim.address_space_bytes = a.address_space_bytes;
    lim.open_files = a.open_files;
    lim.extract = a.limits;
    return extract::serve_extractions(lim) == 0 ? exit_code::ok
                                                : exit_code::usage;
  }
  if (a.file.empty()) {
    std::cerr << "extract: a FILE is required\n";
    return exit_code::usage;
  }
  std::error_code ec;
  auto st = std::filesystem::status(a.file, ec);
  if (ec || !std::filesystem::is_regular_file(st)) {
    std::cerr << "extract: " << a.file << ": "
              << (ec ? ec.message() : "not a regular file") << "\n";
    return exit_code::usage;
  }
  extract::text_sink sink{a.limits.max_text_bytes, [](std::string_view s) {
                            std::fwrite(s.data(), 1, s.size(), stdout);
                          }};
  auto outcome
    = extract::extract_file({a.file, a.mime, a.name}, a.limits, sink);
  if (!outcome.extracted()) {
    sink.flush();
    std::fflush(stdout);
    std::cerr << extract::status_line(outcome) << "\n";
    return exit_code::failure;
  }
  sink.finish();
  std::fflush(stdout);
  if (sink.full())
    std::cerr << "cut: " << extract::cut_reason(a.limits.max_text_bytes)
              << "\n";
  return exit_code::ok;
}

registrar reg_extract{[](CLI::App& app, exit_code& code) {
  auto cmd = app.add_subcommand(
    "extract", "Print the text the index will see for FILE (PDF, Office "
               "Open XML, HTML, text), or why it has none (exit 1)");
  auto a = std::make_shared<extract_args>();
  cmd->add_option("FILE", a->file, "The file (required)");
  cmd->add_option("--mime", a->mime,
                  "Its MIME type, as Jira gives it (default: from the "
                  "content and the extension)");
  cmd->add_option("--name", a->name,
                  "Its file name, for the extension (default: FILE's)");
  cmd
    ->add_option("--max-bytes", a->limits.max_text_bytes,
                 "Text cap in bytes (default: 1 MiB)")
    ->check(CLI::PositiveNumber);
  cmd
    ->add_option("--max-zip-entry-bytes", a->limits.max_zip_entry_bytes,
                 "Most bytes one Office part may inflate to "
                 "(default: 128 MiB)")
    ->check(CLI::PositiveNumber);
  cmd
    ->add_option("--max-zip-total-bytes", a->limits.max_zip_total_bytes,
                 "Most bytes all Office parts may inflate to "
                 "(default: 512 MiB)")
    ->check(CLI::PositiveNumber);
  cmd
    ->add_option("--max-zip-entries", a->limits.max_zip_entries,
                 "Most entries in an Office file's ZIP (default: 100000)")
    ->check(CLI::PositiveNumber);
  // The sync's long-lived extraction process (extract/worker.hpp); not for
  // users, hence no group (hidden from --help).
  cmd->add_flag("--worker", a->worker)->group("");
  cmd->add_option("--cpu-seconds", a->cpu_seconds)
    ->group("")
    ->check(CLI::PositiveNumber);
  cmd->add_option("--address-space-bytes", a->address_space_bytes)->group("");
  cmd->add_option("--open-files", a->open_files)
    ->group("")
    ->check(CLI::PositiveNumber);
  cmd->callback([a, &code] {
    code = run_extract(*a);
  });
}};

} // namespace

} // namespace jirasync::app
