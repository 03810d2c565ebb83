// `jirasync auth login --config F [--no-browser] [--timeout SECS]`: OAuth 2.0
// (3LO) login. Prints the authorize URL on stdout, opens a browser
// (xdg-open) unless --no-browser, receives the callback on redirect_uri's
// loopback host:port (protocol/http/http_server), checks the state,
// exchanges the code, picks the cloudId whose URL matches jira.site, checks
// the token with /myself and stores the tokens (storage/token_store).
//
// `jirasync auth status --config F [--check]`: who is logged in, until when,
// whether re-authentication is needed; never prints a token. With --check
// it also refreshes the access token if due (storing the rotated refresh
// token first) and asks Jira's /myself.
//
// Exit codes: 0 done / logged in; 1 failed / not logged in / re-auth
// needed; 2 bad command line, bad config, or a config that is not in
// OAuth mode or has no loopback http redirect_uri.
#include "app/commands.hpp"
#include "app/config_option.hpp"
#include "app/oauth_blocking.hpp"

#include "common/ascii.hpp"
#include "common/time_format.hpp"
#include "protocol/http/http_server.hpp"
#include "protocol/jira/jira_api.hpp"
#include "protocol/jira/jira_models.hpp"
#include "protocol/jira/oauth.hpp"
#include "storage/token_store.hpp"
#include "sync/oauth_session.hpp"

#include <CLI/CLI.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <future>
#include <iostream>
#include <memory>
#include <mutex>

extern char** environ;

namespace jirasync::app {

namespace {

using protocol::oauth_client;

struct login_options {
  std::string config_path;
  bool no_browser = false;
  int timeout_secs = 300;
};

struct status_options {
  std::string config_path;
  bool check = false;
};

/// Where the browser will bring the callback.
struct callback_address {
  std::string host; // for binding: no brackets
  std::uint16_t port = 0;
  std::string path; // %-encoded, as the browser will send it
  std::string display;
};

void fail_line(std::string_view what, std::string_view message) {
  std::cerr << "jirasync: " << what << ": " << message << std::endl;
}

common::result<callback_address> loopback_callback(const std::string& uri) {
  auto bad = [&](std::string why) {
    return common::make_error(
      common::errc::invalid_argument,
      "jira.redirect_uri = " + uri + ": " + why
        + ". `auth login` receives the callback itself, so redirect_uri must "
          "be an http URL on this machine's loopback with an explicit port, "
          "e.g. http://127.0.0.1:8765/callback, registered as the app's "
          "callback URL in the developer console");
  };
  auto parsed = boost::urls::parse_uri(uri);
  if (!parsed)
    return bad("not an absolute URL");
  boost::urls::url_view u = *parsed;
  if (u.scheme_id() != boost::urls::scheme::http)
    return bad("not an http URL");
  callback_address a;
  switch (u.host_type()) {
    case boost::urls::host_type::ipv4:
      if (u.host_ipv4_address().to_bytes()[0] != 127)
        return bad("not a loopback address");
      a.host = std::string(u.host_address());
      break;
    case boost::urls::host_type::ipv6:
      if (!u.host_ipv6_address().is_loopback())
        return bad("not a loopback address");
      a.host = std::string(u.host_address());
      break;
    case boost::urls::host_type::name:
      if (common::ascii_to_lower(std::string(u.host_address())) != "localhost")
        return bad("not a loopback host");
      a.host = "localhost";
      break;
    default:
      return bad("no usable host");
  }
  if (!u.has_port() || u.port_number() == 0)
    return bad("no port");
  a.port = u.port_number();
  a.path = u.encoded_path().empty() ? std::string("/")
                                    : std::string(u.encoded_path());
  a.display = std::string(u.scheme()) + "://"
              + std::string(u.encoded_host_and_port()) + a.path;
  return a;
}

protocol::http_client_options client_options(const config::config& cfg) {
  protocol::http_client_options o;
  o.threads = 1;
  o.ca_file = cfg.jira.ca_file.string();
  o.allow_insecure_http = cfg.jira.allow_insecure_http;
  return o;
}

oauth_client oauth_from(const config::config& cfg) {
  oauth_client c;
  c.auth_url = cfg.jira.auth_url;
  c.api_gateway = cfg.jira.api_gateway;
  c.client_id = cfg.jira.client_id;
  c.client_secret = cfg.jira.client_secret.reveal();
  c.redirect_uri = cfg.jira.redirect_uri;
  return c;
}

/// Loads the config and checks it is in OAuth mode; prints why not.
std::optional<config::config> load_oauth_config(const std::string& path,
                                                std::string_view what) {
  auto cfg = load_config_or_report(path);
  if (!cfg)
    return std::nullopt;
  if (cfg->jira.auth != config::auth_method::oauth) {
    fail_line(what, "jira.auth is \"api_token\" in " + path
                      + "; `jirasync auth` is for OAuth 2.0 (set jira.auth = "
                        "\"oauth\" with client_id, client_secret_env or "
                        "client_secret_file and redirect_uri)");
    return std::nullopt;
  }
  return cfg;
}

/// Starts xdg-open on the URL without waiting for it; false when it cannot
/// be started (no desktop). The child is reaped by reap_browser().
std::optional<pid_t> open_browser(const std::string& url) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  std::string prog = "xdg-open";
  std::string arg = url;
  char* argv[] = {prog.data(), arg.data(), nullptr};
  pid_t pid = 0;
  int rc = ::posix_spawnp(&pid, "xdg-open", &fa, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0)
    return std::nullopt;
  return pid;
}

void reap_browser(std::optional<pid_t> pid) {
  if (pid) {
    int status = 0;
    ::waitpid(*pid, &status, WNOHANG);
  }
}

std::string page(std::string_view text) {
  return "<!doctype html><html><head><meta charset=\"utf-8\"><title>jirasync"
         "</title></head><body><p>"
         + std::string(text) + "</p></body></html>\n";
}

protocol::server_response html(int status, std::string_view text) {
  protocol::server_response r;
  r.status = status;
  r.headers = {{"Content-Type", "text/html; charset=utf-8"},
               {"Cache-Control", "no-store"},
               {"Referrer-Policy", "no-referrer"}};
  r.body = page(text);
  return r;
}

/// The first callback's outcome: the code, or why there is none.
struct callback_slot {
  std::mutex mu;
  bool taken = false;
  std::promise<common::result<std::string>> outcome;
};

std::string describe_status(const protocol::http_response& res) {
  return protocol::parse_jira_error(res.body, res.status).describe();
}

std::string when_text(std::int64_t at_ms, std::int64_t now_ms) {
  auto mins = (at_ms - now_ms) / 60'000;
  auto text = common::format_rfc3339_ms(at_ms);
  if (at_ms >= now_ms)
    return text + " (in " + std::to_string(mins) + " min)";
  return text + " (expired " + std::to_string(-mins) + " min ago)";
}

std::string who_text(const protocol::jira_user& me) {
  return me.display_name + " ("
         + (me.email ? *me.email : std::string("e-mail hidden")) + "), account "
         + me.account_id;
}

// --- login -------------------------------------------------------------------

exit_code run_login(const login_options& o) {
  constexpr std::string_view what = "auth login";
  auto cfg = load_oauth_config(o.config_path, what);
  if (!cfg)
    return exit_code::usage;
  auto where = loopback_callback(cfg->jira.redirect_uri);
  if (!where) {
    fail_line(what, where.error().message);
    return exit_code::usage;
  }
  auto state = protocol::make_oauth_state();
  if (!state) {
    fail_line(what, state.error().message);
    return exit_code::failure;
  }
  auto oc = oauth_from(*cfg);

  // 1. The callback listener, before the browser can come back.
  auto slot = std::make_shared<callback_slot>();
  auto expected = *state;
  auto path = where->path;
  protocol::http_server_options so;
  so.host = where->host;
  so.port = where->port;
  so.max_connections = 16;
  so.response_timeout = std::chrono::seconds(30);
  auto server = protocol::http_server::start(so, [slot, expected, path](
                                                   protocol::server_request req,
                                                   protocol::responder r) {
    if (req.path != path) {
      r.send(html(404, "This address only serves jirasync's OAuth callback."));
      return;
    }
    {
      std::lock_guard<std::mutex> g{slot->mu};
      if (slot->taken) {
        r.send(html(409, "This login already received its answer; see the "
                         "terminal."));
        return;
      }
      slot->taken = true;
    }
    auto checked = protocol::check_oauth_callback(
      protocol::parse_oauth_callback(req.query), expected);
    r.send(checked
             ? html(200, "jirasync received the authorization. You can "
                         "close this window and return to the terminal.")
             : html(400, "jirasync: the authorization did not succeed; the "
                         "terminal says why. Nothing was stored."));
    slot->outcome.set_value(std::move(checked));
  });
  if (!server) {
    fail_line(what, "cannot receive the OAuth callback of jira.redirect_uri ("
                      + where->display + "): " + server.error().message);
    return exit_code::failure;
  }

  // 2. The URL for the user (stdout), and a browser.
  auto url = protocol::oauth_authorize_url(oc, *state);
  std::cerr << "jirasync: listening for the OAuth callback on "
            << where->display << std::endl;
  std::cout << "Open this URL in a browser to authorize jirasync:\n"
            << url << std::endl;
  std::optional<pid_t> browser;
  if (!o.no_browser) {
    browser = open_browser(url);
    if (!browser)
      std::cerr << "jirasync: could not start xdg-open; open the URL above "
                   "yourself"
                << std::endl;
  }
  std::cerr << "jirasync: waiting up to " << o.timeout_secs
            << " s for the authorization (Ctrl-C cancels)" << std::endl;

  // 3. The callback, within the timeout.
  auto fut = slot->outcome.get_future();
  auto arrived = fut.wait_for(std::chrono::seconds(o.timeout_secs))
                 == std::future_status::ready;
  // The browser's page is already queued; 2 s lets it go out.
  (*server)->stop(std::chrono::seconds(2));
  reap_browser(browser);
  if (!arrived) {
    fail_line(what,
              "no authorization arrived on " + where->display + " within "
                + std::to_string(o.timeout_secs)
                + " s. If the browser showed an error about the redirect or "
                  "callback URL, the app's callback URL in the developer "
                  "console must be exactly jira.redirect_uri = "
                + cfg->jira.redirect_uri
                + " (same scheme, host, port and path, no trailing slash "
                  "difference); otherwise open the URL above and accept");
    return exit_code::failure;
  }
  auto code = fut.get();
  if (!code) {
    fail_line(what, code.error().message);
    return exit_code::failure;
  }

  // 4. The code for tokens.
  protocol::http_client client{client_options(*cfg)};
  auto exchanged = protocol::classify_token_response(
    client.request(protocol::oauth_code_request(oc, *code)),
    protocol::oauth_grant::authorization_code);
  if (!exchanged) {
    fail_line(what, exchanged.error().message);
    return exit_code::failure;
  }
  const auto& tok = *exchanged;
  auto missing = protocol::missing_oauth_scopes(tok.scope);
  if (!missing.empty()) {
    std::string list;
    for (const auto& m : missing)
      list += (list.empty() ? "" : " ") + m;
    std::cerr << "jirasync: warning: the grant lacks the scopes " << list
              << "; requests that need them will fail: add them to the app's "
                 "permissions in the developer console and log in again"
              << std::endl;
  }
  if (!tok.refresh_token)
    std::cerr << "jirasync: warning: no refresh token was issued "
                 "(offline_access not granted): the login ends when the "
                 "access token expires"
              << std::endl;

  // 5. The site: the accessible resource whose URL is jira.site.
  auto res = client.request(
    protocol::accessible_resources_request(oc, tok.access_token));
  if (!res.ok()) {
    fail_line(what, "cannot read the accessible resources: "
                      + protocol::describe(res));
    return exit_code::failure;
  }
  if (res.response->status != 200) {
    fail_line(what, "the accessible-resources request failed ("
                      + describe_status(*res.response) + ")");
    return exit_code::failure;
  }
  auto resources = protocol::parse_text(res.response->body,
                                        protocol::parse_accessible_resources);
  if (resources.fatal) {
    fail_line(what, "the accessible-resources answer is unusable ("
                      + resources.errors.front().to_string() + ")");
    return exit_code::failure;
  }
  auto site = protocol::choose_site(resources.value, cfg->jira.site);
  if (!site) {
    fail_line(what, site.error().message);
    return exit_code::failure;
  }

  // 6. Jira itself, through the gateway: who is this?
  auto target = protocol::make_oauth_target(cfg->jira.api_gateway, site->id,
                                            tok.access_token);
  auto me_res = client.request(protocol::get_myself(target).http);
  if (!me_res.ok()) {
    fail_line(what, "cannot reach Jira through " + cfg->jira.api_gateway + ": "
                      + protocol::describe(me_res));
    return exit_code::failure;
  }
  if (me_res.response->status != 200) {
    std::string hint = me_res.response->status == 401
                         ? ": the token is not accepted for /myself; check "
                           "that the app has the scope read:jira-user"
                         : "";
    fail_line(what, "Jira refused the new login ("
                      + describe_status(*me_res.response) + ")" + hint);
    return exit_code::failure;
  }
  auto me = protocol::parse_text(me_res.response->body, protocol::parse_myself);
  if (!me.ok()) {
    fail_line(what, "Jira's /myself answer is unusable ("
                      + (me.errors.empty() ? std::string("?")
                                           : me.errors.front().to_string())
                      + ")");
    return exit_code::failure;
  }

  // 7. Store (under the lock: a running sync may be refreshing).
  storage::token_store store{cfg->storage.path};
  auto login_id = protocol::make_oauth_state();
  if (!login_id) {
    fail_line(what, login_id.error().message);
    return exit_code::failure;
  }
  auto now = system_now_ms();
  storage::oauth_token_set t;
  t.access_token = tok.access_token;
  t.refresh_token = tok.refresh_token.value_or("");
  t.expires_at_ms = now + tok.expires_in_secs * 1000;
  t.scope = tok.scope;
  t.cloud_id = site->id;
  t.site_url = site->url;
  t.site_name = site->name;
  t.account_id = me.value.account_id;
  t.display_name = me.value.display_name;
  t.client_id = cfg->jira.client_id;
  t.login_id = *login_id;
  t.obtained_at_ms = now;
  t.generation = 1;
  {
    auto lk = store.acquire(std::chrono::seconds(30));
    if (!lk) {
      fail_line(what, lk.error().message);
      return exit_code::failure;
    }
    auto saved = store.save(t);
    if (!saved) {
      fail_line(what, "cannot store the tokens: " + saved.error().message);
      return exit_code::failure;
    }
  }
  std::cout << "Logged in to " << cfg->jira.site << " as " << who_text(me.value)
            << ".\n"
            << "  cloud id: " << site->id << "\n"
            << "  access token valid until "
            << common::format_rfc3339_ms(t.expires_at_ms)
            << (t.refresh_token.empty()
                  ? "; no refresh token: log in again when it expires"
                  : "; the rotating refresh token renews it automatically")
            << "\n"
            << "  tokens: " << store.file().string() << " (mode 0600)"
            << std::endl;
  return exit_code::ok;
}

// --- status ------------------------------------------------------------------

exit_code run_status(const status_options& o) {
  constexpr std::string_view what = "auth status";
  auto cfg = load_oauth_config(o.config_path, what);
  if (!cfg)
    return exit_code::usage;
  storage::token_store store{cfg->storage.path};
  auto loaded = store.load();
  if (!loaded) {
    fail_line(what, loaded.error().message);
    return exit_code::failure;
  }
  if (!loaded->has_value()) {
    std::cout << "not logged in: no OAuth tokens at " << store.file().string()
              << "; run `jirasync auth login --config " << o.config_path << "`"
              << std::endl;
    return exit_code::failure;
  }
  const auto& t = **loaded;
  auto now = system_now_ms();
  std::cout << "logged in as " << t.display_name << " (account " << t.account_id
            << ") since " << common::format_rfc3339_ms(t.obtained_at_ms) << "\n"
            << "  site: " << t.site_url << " (cloud id " << t.cloud_id << ")\n";
  bool warn = false;
  if (protocol::normalize_site_url(t.site_url)
      != protocol::normalize_site_url(cfg->jira.site)) {
    std::cout << "  note: jira.site is " << cfg->jira.site
              << ", not this login's site: run `jirasync auth login` again\n";
    warn = true;
  }
  if (!t.client_id.empty() && t.client_id != cfg->jira.client_id) {
    std::cout << "  note: these tokens belong to client id " << t.client_id
              << ", the config names " << cfg->jira.client_id
              << ": run `jirasync auth login` again\n";
    warn = true;
  }
  if (t.reauth_reason) {
    // The stored reason ends with the hint ("re-authenticate with ...").
    std::cout << "  re-authentication required since "
              << common::format_rfc3339_ms(t.reauth_at_ms) << ": "
              << *t.reauth_reason << std::endl;
    return exit_code::failure;
  }
  std::cout << "  access token expires " << when_text(t.expires_at_ms, now)
            << "\n"
            << "  refresh token: "
            << (t.refresh_token.empty()
                  ? std::string("none (offline_access not granted)")
                : t.refreshed_at_ms == 0
                  ? std::string("stored, not rotated yet")
                  : "stored, last rotated "
                      + common::format_rfc3339_ms(t.refreshed_at_ms))
            << "\n"
            << "  scopes: " << t.scope << "\n"
            << "  tokens: " << store.file().string() << std::endl;
  if (!o.check)
    return warn ? exit_code::failure : exit_code::ok;

  // --check: the session's own path, as a sync would take it.
  sync::oauth_session session{t};
  protocol::http_client client{client_options(*cfg)};
  blocking_oauth d{session,          store,         client,
                   oauth_from(*cfg), system_now_ms, std::chrono::seconds(30)};
  auto before = session.generation();
  std::optional<std::uint64_t> refused;
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto ready = ensure_token(d, refused);
    if (!ready) {
      fail_line(what, ready.error().message);
      return exit_code::failure;
    }
    auto target = protocol::oauth_api_base(cfg->jira.api_gateway,
                                           session.tokens()->cloud_id);
    auto req = protocol::get_myself(
      protocol::api_target{target, session.authorization()});
    auto res = client.request(req.http);
    if (!res.ok()) {
      fail_line(what, "cannot reach Jira: " + protocol::describe(res));
      return exit_code::failure;
    }
    if (res.response->status == 401 && !refused) {
      refused = session.generation();
      continue;
    }
    if (res.response->status != 200) {
      fail_line(what, "Jira refused the token ("
                        + describe_status(*res.response) + ")");
      return exit_code::failure;
    }
    auto me = protocol::parse_text(res.response->body, protocol::parse_myself);
    if (session.generation() != before)
      std::cout << "  access token refreshed; the rotated refresh token is "
                   "stored; now valid until "
                << common::format_rfc3339_ms(session.tokens()->expires_at_ms)
                << "\n";
    std::cout << "  checked: Jira answers /myself as "
              << (me.ok() ? who_text(me.value) : std::string("(unreadable)"))
              << std::endl;
    return warn ? exit_code::failure : exit_code::ok;
  }
  fail_line(what, "Jira refused a freshly refreshed token (HTTP 401)");
  return exit_code::failure;
}

void add_auth_command(CLI::App& app, exit_code& code) {
  auto* cmd = app.add_subcommand(
    "auth", "Log in to Jira Cloud with OAuth 2.0 (3LO) and show the login");
  cmd->require_subcommand(1);

  auto* login = cmd->add_subcommand(
    "login", "Authorize jirasync in a browser and store the OAuth tokens in "
             "the store folder");
  auto lo = std::make_shared<login_options>();
  add_config_option(*login, lo->config_path);
  login->add_flag("--no-browser", lo->no_browser,
                  "Only print the authorize URL; do not start a browser");
  login
    ->add_option("--timeout", lo->timeout_secs,
                 "Seconds to wait for the browser's callback (default 300)")
    ->type_name("SECS")
    ->check(CLI::Range(1, 3600));
  login->callback([&code, lo] {
    code = run_login(*lo);
  });

  auto* status = cmd->add_subcommand(
    "status", "Show the stored OAuth login: who, which site, until when, "
              "whether re-authentication is needed (never the tokens)");
  auto so = std::make_shared<status_options>();
  add_config_option(*status, so->config_path);
  status->add_flag("--check", so->check,
                   "Also refresh the access token if due and ask Jira's "
                   "/myself");
  status->callback([&code, so] {
    code = run_status(*so);
  });
}

const registrar reg{add_auth_command};

} // namespace

} // namespace jirasync::app
