// `jirasync export --config F [--since SEQ]`: the store as JSON Lines on
// stdout (docs/export-format.md), streamed. Exit 0; 1 when the store is missing
// or unreadable or stdout fails; 2 for a bad command line or config.
#include "app/commands.hpp"
#include "app/config_option.hpp"
#include "app/store_option.hpp"
#include "storage/export.hpp"
#include "storage/queries.hpp"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>
#include <memory>

namespace jirasync::app {

namespace {

struct export_options {
  std::string config_path;
  std::int64_t since = 0;
};

exit_code run_export(const export_options& o, bool has_since) {
  exit_code open_code = exit_code::ok;
  auto opened = open_store_or_report(o.config_path, open_code);
  if (!opened)
    return open_code;
  storage::export_filters f;
  f.issues = opened->cfg.indexing.issues;
  f.comments = opened->cfg.indexing.comments;
  f.attachments = opened->cfg.indexing.attachments;
  f.attachment_max_bytes = opened->cfg.indexing.attachment_max_bytes;
  // Large stdio buffer: the export is one long sequential write.
  static char buffer[1 << 20];
  std::setvbuf(stdout, buffer, _IOFBF, sizeof(buffer));
  bool write_failed = false;
  auto sink = [&](std::string_view line) {
    if (std::fwrite(line.data(), 1, line.size(), stdout) != line.size()
        || std::fputc('\n', stdout) == EOF) {
      write_failed = true;
      return false;
    }
    return true;
  };
  // The read-only view is fixed at open: this seq is where the snapshot (or
  // feed excerpt) ends, i.e. the --since value of the next export.
  auto seq = opened->db->last_seq();
  if (!seq) {
    std::cerr << "export: " << seq.error().message << '\n';
    return exit_code::failure;
  }
  auto r = has_since ? storage::export_feed(
             *opened->db, static_cast<std::uint64_t>(o.since), f, sink)
                     : storage::export_snapshot(*opened->db, f, sink);
  if (std::fflush(stdout) != 0)
    write_failed = true;
  if (write_failed) {
    std::cerr << "export: cannot write to stdout\n";
    return exit_code::failure;
  }
  if (!r) {
    std::cerr << "export: " << r.error().message << '\n';
    return exit_code::failure;
  }
  std::cerr << "export: " << r->lines << " lines, up to feed seq " << *seq
            << " (next: --since " << *seq << ")\n";
  return exit_code::ok;
}

void add_export_command(CLI::App& app, exit_code& code) {
  auto* cmd = app.add_subcommand(
    "export", "Print the store as JSON Lines: a snapshot of every live "
              "record, or with --since SEQ the change feed after SEQ");
  auto o = std::make_shared<export_options>();
  add_config_option(*cmd, o->config_path);
  auto* since
    = cmd
        ->add_option("--since", o->since,
                     "Print the change feed after this sequence "
                     "number (0 = the whole feed)")
        ->type_name("SEQ")
        ->check(CLI::Validator(
          [](std::string& v) -> std::string {
            if (v.empty()
                || v.find_first_not_of("0123456789") != std::string::npos)
              return "SEQ must be a non-negative integer, got \"" + v + "\"";
            return {};
          },
          "SEQ", "seq"));
  cmd->callback([&code, o, since] {
    code = run_export(*o, since->count() > 0);
  });
}

const registrar reg{add_export_command};

} // namespace

} // namespace jirasync::app
