// `jirasync extract FILE [--mime TYPE] [--name NAME] [--max-bytes N] ...`:
// the text the index will see for one file, on stdout (exit 0), or the
// reason there is none on stderr as "<status>: <reason>" (exit 1); usage
// errors exit 2. This is also the child that extract/runner starts, with
// rlimits, for every attachment: the protocol is described in
// extract/runner.hpp.
#include "app/commands.hpp"
#include "extract/extract_file.hpp"
#include "extract/runner.hpp"

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
};

exit_code run_extract(const extract_args& a) {
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
    std::cerr << extract::cut_line(a.limits.max_text_bytes) << "\n";
  return exit_code::ok;
}

registrar reg_extract{[](CLI::App& app, exit_code& code) {
  auto cmd = app.add_subcommand(
    "extract", "Print the text the index will see for FILE (PDF, Office "
               "Open XML, HTML, text), or why it has none (exit 1)");
  auto a = std::make_shared<extract_args>();
  cmd->add_option("FILE", a->file, "The file")->required();
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
  cmd->callback([a, &code] {
    code = run_extract(*a);
  });
}};

} // namespace

} // namespace jirasync::app
