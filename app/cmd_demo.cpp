// `jirasync demo`: starts jira-sim (as a child) with a generated workspace of
// a few thousand issues, syncs it into ./jirasync-demo, prints the summary
// and a few exported records, changes the workspace through the sim's
// control API, syncs again and prints what changed. Needs no Jira account.
//
// jira-sim is found as $JIRA_SIM, else next to jirasync in the build tree
// (<build>/app/jirasync -> <build>/sim/jira-sim), else on PATH.
#include "actors/sync_run.hpp"
#include "app/commands.hpp"
#include "app/sync_display.hpp"
#include "common/log.hpp"
#include "protocol/http/http_client.hpp"
#include "sim/launcher.hpp"

#include <CLI/CLI.hpp>
#include <boost/json.hpp>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>

#include <unistd.h>

namespace jirasync::app {

namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

struct demo_args {
  std::uint32_t issues = 3000;
  std::uint64_t seed = 42;
  std::string store = "./jirasync-demo";
};

std::optional<fs::path> find_sim() {
  if (const char* env = std::getenv("JIRA_SIM"); env && *env)
    return fs::path{env};
  std::error_code ec;
  auto self = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    auto candidate = self.parent_path().parent_path() / "sim" / "jira-sim";
    if (fs::exists(candidate, ec))
      return candidate;
    candidate = self.parent_path() / "jira-sim";
    if (fs::exists(candidate, ec))
      return candidate;
  }
  if (const char* path = std::getenv("PATH")) {
    std::string p{path};
    std::size_t pos = 0;
    while (pos <= p.size()) {
      auto end = p.find(':', pos);
      if (end == std::string::npos)
        end = p.size();
      auto candidate = fs::path{p.substr(pos, end - pos)} / "jira-sim";
      if (::access(candidate.c_str(), X_OK) == 0)
        return candidate;
      pos = end + 1;
    }
  }
  return std::nullopt;
}

void print_samples(storage::store& db) {
  std::cout << "\nA few exported records (jirasync export prints them all):\n";
  int n = 0;
  std::optional<std::string> acl;
  (void)db.for_each_issue([&](const storage::issue_record& r) {
    auto line = storage::to_line(storage::any_record{r});
    if (line.size() > 400)
      line = line.substr(0, 400) + "...";
    std::cout << line << "\n";
    if (!acl)
      acl = r.acl;
    return ++n < 2;
  });
  n = 0;
  (void)db.for_each_comment([&](const storage::comment_record& r) {
    auto line = storage::to_line(storage::any_record{r});
    if (line.size() > 400)
      line = line.substr(0, 400) + "...";
    std::cout << line << "\n";
    return ++n < 1;
  });
  n = 0;
  (void)db.for_each_attachment([&](const storage::attachment_record& r) {
    auto copy = r;
    if (copy.text && copy.text->size() > 80)
      copy.text = copy.text->substr(0, 80) + "...";
    std::cout << storage::to_line(storage::any_record{copy}) << "\n";
    return ++n < 1;
  });
  if (acl)
    if (auto a = db.get_acl(*acl); a && a.value())
      std::cout << "ACL of the first issue: " << a.value()->users.size()
                << " users may see it (anyone="
                << (a.value()->anyone ? "true" : "false") << ")\n";
}

bool mutate(const jirasim::running_sim& sim, const std::string& body) {
  protocol::http_client_options o;
  o.ca_file = sim.str("ca_file");
  o.threads = 1;
  protocol::http_client client{o};
  protocol::http_request req;
  req.method = "POST";
  req.url = sim.str("base_url") + "/_sim/mutate";
  req.headers.emplace_back("Content-Type", "application/json");
  req.body = body;
  auto r = client.request(req);
  return r.response && r.response->status == 200;
}

int run_demo(const demo_args& a) {
  auto bin = find_sim();
  if (!bin) {
    std::cerr << "jirasync: demo: jira-sim not found (set JIRA_SIM, or "
                 "build it next to jirasync, or put it on PATH)\n";
    return static_cast<int>(exit_code::failure);
  }
  std::cout << "Starting " << bin->string() << " with " << a.issues
            << " issues...\n";
  auto started
    = jirasim::start_sim(*bin, {"--seed", std::to_string(a.seed), "--issues",
                                std::to_string(a.issues), "--port", "0"});
  if (!started) {
    std::cerr << "jirasync: demo: " << started.error().message << "\n";
    return static_cast<int>(exit_code::failure);
  }
  const auto& sim = *started;
  config::config cfg;
  cfg.jira.site = sim.str("base_url");
  cfg.jira.email = sim.str("email");
  cfg.jira.api_token = config::secret{sim.str("api_token")};
  cfg.jira.ca_file = sim.str("ca_file");
  cfg.storage.path = fs::absolute(a.store).lexically_normal();
  auto opened = storage::store::open(cfg.storage.path);
  if (!opened) {
    std::cerr << "jirasync: demo: cannot open " << cfg.storage.path.string()
              << ": " << opened.error().message << "\n";
    return static_cast<int>(exit_code::failure);
  }
  std::shared_ptr<storage::store> db{std::move(opened.value())};
  bool tty = ::isatty(STDERR_FILENO) == 1;
  actors::run_options opts;
  opts.progress = make_progress_printer(tty);
  // Warnings of the runs (rate-limit waits over 1 s, failures) on stderr,
  // erasing the progress bar first on a TTY; each run has its own id.
  common::log_options log_opts;
  log_opts.level = spdlog::level::warn;
  log_opts.erase_line = tty;
  common::setup_logging(log_opts);
  opts.log = common::run_logger(common::make_run_id());
  std::cout << "Syncing " << cfg.jira.site << " into "
            << cfg.storage.path.string() << "\n";
  auto first = actors::run_sync(cfg, db, opts);
  finish_progress(tty);
  print_summary(std::cout, first);
  if (first.result() == sync::run_result::failed)
    return exit_code_of(first);
  print_samples(*db);

  std::cout << "\nChanging the workspace: a new summary on issue 10000, a "
               "new comment on issue 10001...\n";
  bool changed
    = mutate(
        sim,
        R"({"op":"update_issue","issue":"10000","summary":"Changed by the jirasync demo"})")
      && mutate(
        sim,
        R"({"op":"add_comment","issue":"10001","body":{"type":"doc","version":1,"content":[{"type":"paragraph","content":[{"type":"text","text":"Added by the jirasync demo"}]}]}})");
  if (!changed)
    std::cout << "(the simulator refused the change; syncing again anyway)\n";
  std::cout << "Syncing again (re-fetches everything; idempotent writes "
               "store only what changed):\n";
  opts.log = common::run_logger(common::make_run_id());
  auto second = actors::run_sync(cfg, db, opts);
  finish_progress(tty);
  print_summary(std::cout, second);
  std::cout << "\nThe store is in " << cfg.storage.path.string()
            << "; try: jirasync export / status / who-can-see with a config "
               "whose [storage] path points there.\n";
  return exit_code_of(second);
}

const registrar reg{[](CLI::App& app, exit_code& code) {
  auto args = std::make_shared<demo_args>();
  auto* cmd = app.add_subcommand(
    "demo", "Sync a simulated Jira site (jira-sim) into ./jirasync-demo");
  cmd->add_option("--issues", args->issues, "Issues in the simulated site")
    ->capture_default_str();
  cmd->add_option("--seed", args->seed, "Workspace seed")
    ->capture_default_str();
  cmd->add_option("--store", args->store, "Store directory")
    ->capture_default_str();
  cmd->callback([args, &code] {
    code = static_cast<exit_code>(run_demo(*args));
  });
}};

} // namespace

} // namespace jirasync::app
