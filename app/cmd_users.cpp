// `jirasync users --config F [--hidden-email]`: the synced users, one a
// line: accountId, display name, email or `hidden` (tab-separated, in
// accountId order). With --hidden-email only the atlassian accounts whose
// email Jira hides, so that an admin can ask them to change their profile
// visibility (docs/permissions.md). Exit 0; 1 when the store is
// missing/unreadable; 2 for a bad command line or config.
#include "app/commands.hpp"
#include "app/config_option.hpp"
#include "app/permissions_status.hpp"
#include "app/store_option.hpp"

#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

namespace jirasync::app {

namespace {

struct users_options {
  std::string config_path;
  bool hidden_email_only = false;
};

exit_code run_users(const users_options& o) {
  exit_code open_code = exit_code::ok;
  auto opened = open_store_or_report(o.config_path, open_code);
  if (!opened)
    return open_code;
  std::uint64_t shown = 0;
  auto r = opened->db->for_each_user([&](const storage::user_record& u) {
    bool hidden = hidden_email(u);
    if (o.hidden_email_only && !hidden)
      return true;
    std::cout << u.account_id << '\t' << u.display_name << '\t'
              << (u.email && !u.email->empty() ? *u.email : "hidden") << '\n';
    ++shown;
    return true;
  });
  if (!r) {
    std::cerr << "users: " << r.error().message << '\n';
    return exit_code::failure;
  }
  std::cout.flush();
  if (o.hidden_email_only)
    std::cerr << shown << " user(s) with a hidden email\n";
  return std::cout ? exit_code::ok : exit_code::failure;
}

void add_users_command(CLI::App& app, exit_code& code) {
  auto* cmd = app.add_subcommand(
    "users", "List the synced users: accountId, display name, email or "
             "'hidden' (tab-separated)");
  auto o = std::make_shared<users_options>();
  add_config_option(*cmd, o->config_path);
  cmd->add_flag("--hidden-email", o->hidden_email_only,
                "Only the users whose email Jira hides (their profile "
                "visibility): downstream matching by email cannot map them");
  cmd->callback([&code, o] {
    code = run_users(*o);
  });
}

const registrar reg{add_users_command};

} // namespace

} // namespace jirasync::app
