// `jirasync who-can-see --config F RECORD`: the accountIds allowed to see a
// record, one a line, sorted. RECORD is issue:<id or key>, comment:<id> or
// attachment:<id>. Exit 0; 1 when the record or the store is unknown; 2 for
// a bad command line, RECORD or config.
#include "app/commands.hpp"
#include "app/config_option.hpp"
#include "app/store_option.hpp"
#include "storage/queries.hpp"

#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

namespace jirasync::app {

namespace {

struct who_options {
  std::string config_path;
  std::string record;
};

exit_code run_who_can_see(const who_options& o) {
  auto ref = storage::parse_record_ref(o.record);
  if (!ref) {
    std::cerr << "who-can-see: RECORD must be issue:<id or key>, "
                 "comment:<id> or attachment:<id> (got \""
              << o.record << "\")\n";
    return exit_code::usage;
  }
  exit_code open_code = exit_code::ok;
  auto opened = open_store_or_report(o.config_path, open_code);
  if (!opened)
    return open_code;
  auto acl = storage::acl_of_record(*opened->db, *ref);
  if (!acl) {
    std::cerr << "who-can-see: " << acl.error().message << '\n';
    return exit_code::failure;
  }
  if (!*acl) {
    std::cerr << "who-can-see: no " << storage::to_string(ref->type) << " "
              << ref->id_or_key << " in the store\n";
    return exit_code::failure;
  }
  for (const auto& user : (*acl)->users)
    std::cout << user << '\n';
  std::cout.flush();
  if ((*acl)->anyone)
    std::cerr << "note: anyone (also anonymous users) may see this record\n";
  return std::cout ? exit_code::ok : exit_code::failure;
}

void add_who_can_see_command(CLI::App& app, exit_code& code) {
  auto* cmd = app.add_subcommand(
    "who-can-see", "Print the accountIds (one a line, sorted) of the users "
                   "who may see a record");
  auto o = std::make_shared<who_options>();
  add_config_option(*cmd, o->config_path);
  cmd
    ->add_option("RECORD", o->record,
                 "issue:<id or key>, comment:<id> or attachment:<id>")
    ->required();
  cmd->callback([&code, o] {
    code = run_who_can_see(*o);
  });
}

const registrar reg{add_who_can_see_command};

} // namespace

} // namespace jirasync::app
