// `jirasync status --config F [--json]`: checkpoints per project, record
// counts, last sync result, degraded projects and hidden-email users,
// whether the next sync will be full or incremental and why; in OAuth mode
// also the stored login's state (logged in, re-authentication required and
// why, not logged in). Exit 0; 1 when the store is missing/unreadable; 2 for
// a bad command line or config.
#include "app/commands.hpp"
#include "app/config_option.hpp"
#include "app/permissions_status.hpp"
#include "app/store_option.hpp"
#include "common/time_format.hpp"
#include "storage/queries.hpp"
#include "storage/token_store.hpp"
#include "sync/oauth_session.hpp"
#include "sync/run_plan.hpp"

#include <CLI/CLI.hpp>
#include <boost/json/serialize.hpp>

#include <iostream>
#include <memory>

namespace jirasync::app {

namespace {

struct status_options {
  std::string config_path;
  bool json = false;
};

/// OAuth mode: the stored login as the next sync will find it (never a
/// token). nullopt in API-token mode.
std::optional<boost::json::object> oauth_login_json(const config::config& cfg) {
  if (cfg.jira.auth != config::auth_method::oauth)
    return std::nullopt;
  boost::json::object a;
  storage::token_store store{cfg.storage.path};
  auto loaded = store.load();
  if (!loaded) {
    a["state"] = "unreadable";
    a["reason"] = loaded.error().message;
    return a;
  }
  if (!loaded->has_value()) {
    a["state"] = "not_logged_in";
    a["reason"] = "no OAuth tokens are stored; re-authenticate with "
                  "`jirasync auth login`";
    return a;
  }
  const auto& t = **loaded;
  a["account_id"] = t.account_id;
  a["display_name"] = t.display_name;
  a["site"] = t.site_url;
  a["cloud_id"] = t.cloud_id;
  if (t.reauth_reason) {
    a["state"] = "reauth_required";
    a["since"] = common::format_rfc3339_ms(t.reauth_at_ms);
    a["reason"] = *t.reauth_reason;
  } else if (auto m
             = sync::login_mismatch(t, cfg.jira.site, cfg.jira.client_id)) {
    a["state"] = "reauth_required";
    a["reason"] = m->message;
  } else {
    a["state"] = "logged_in";
    a["access_token_expires"] = common::format_rfc3339_ms(t.expires_at_ms);
    if (t.refreshed_at_ms > 0)
      a["last_refresh"] = common::format_rfc3339_ms(t.refreshed_at_ms);
  }
  return a;
}

std::string str_of(const boost::json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string{};
}

std::string oauth_login_text(const boost::json::object& a) {
  auto state = str_of(a, "state");
  std::string out = "oauth login: ";
  if (state == "logged_in")
    return out + str_of(a, "display_name") + " (account "
           + str_of(a, "account_id") + ") on " + str_of(a, "site")
           + "; access token valid until " + str_of(a, "access_token_expires")
           + ", renewed automatically\n";
  if (state == "reauth_required") {
    out += "RE-AUTHENTICATION REQUIRED";
    if (auto since = str_of(a, "since"); !since.empty())
      out += " since " + since;
    return out + ": " + str_of(a, "reason") + "\n";
  }
  if (state == "not_logged_in")
    return out + "none: " + str_of(a, "reason") + "\n";
  return out + "the token file is unreadable: " + str_of(a, "reason") + "\n";
}

exit_code run_status(const status_options& o) {
  exit_code open_code = exit_code::ok;
  auto opened = open_store_or_report(o.config_path, open_code);
  if (!opened)
    return open_code;
  auto st = storage::status_json(*opened->db);
  if (!st) {
    std::cerr << "status: " << st.error().message << '\n';
    return exit_code::failure;
  }
  auto last = opened->db->get_sync_checkpoint();
  auto cps = opened->db->checkpoints();
  if (!last || !cps) {
    std::cerr << "status: "
              << (!last ? last.error().message : cps.error().message) << '\n';
    return exit_code::failure;
  }
  // What `jirasync sync` (without --full) would do next, and why.
  auto plan = sync::plan_run(false, *last, *cps,
                             config::filters_hash(opened->cfg.filters));
  boost::json::object next;
  next["mode"] = sync::to_string(plan.mode);
  next["reason"] = plan.mode == sync::sync_mode::incremental
                     ? plan.reason
                         + "; a project whose permissions changed has its "
                           "stored ACLs recomputed"
                     : plan.reason;
  (*st)["next_sync"] = std::move(next);
  auto perms = permissions_status(*opened->db);
  if (!perms) {
    std::cerr << "status: " << perms.error().message << '\n';
    return exit_code::failure;
  }
  for (auto& kv : *perms)
    (*st)[kv.key()] = kv.value();
  auto login = oauth_login_json(opened->cfg);
  if (login)
    (*st)["oauth_login"] = *login;
  if (o.json)
    std::cout << boost::json::serialize(*st) << '\n';
  else {
    std::cout << storage::status_text(*st) << permissions_status_text(*perms);
    if (login)
      std::cout << oauth_login_text(*login);
  }
  std::cout.flush();
  return std::cout ? exit_code::ok : exit_code::failure;
}

void add_status_command(CLI::App& app, exit_code& code) {
  auto* cmd = app.add_subcommand(
    "status", "Show checkpoints, record counts and the last sync result");
  auto o = std::make_shared<status_options>();
  add_config_option(*cmd, o->config_path);
  cmd->add_flag("--json", o->json, "Print one JSON object instead of text");
  cmd->callback([&code, o] {
    code = run_status(*o);
  });
}

const registrar reg{add_status_command};

} // namespace

} // namespace jirasync::app
