// jira-sim: wires the options, the simulated site and the server; prints
// the ready line; runs until SIGTERM/SIGINT.
#include "sim/cli.hpp"
#include "sim/server.hpp"
#include "sim/server_app.hpp"
#include "sim/truth.hpp"

#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <pthread.h>

using namespace jirasim;

int main(int argc, char** argv) {
  auto parsed
    = parse_command_line(std::vector<std::string>(argv + 1, argv + argc));
  if (!parsed.options)
    return parsed.exit_code;
  const sim_options& opt = *parsed.options;

  // Signals are taken synchronously by this thread only.
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);

  try {
    jira_app app{opt};
    server srv{opt.server, app.as_handler()};
    srv.start();
    app.set_base_url(srv.base_url());
    if (!opt.dump_truth_file.empty()) {
      std::ofstream out(opt.dump_truth_file,
                        std::ios::binary | std::ios::trunc);
      if (!out)
        throw std::runtime_error("cannot write " + opt.dump_truth_file);
      app.read([&](const workspace& ws) {
        write_truth(ws, out);
      });
    }
    std::cout << ready_line(srv.port(), srv.base_url(), srv.ca_file(),
                            app.api_user_email(), app.api_user_token(),
                            app.cloud_id())
              << std::endl;
    if (opt.log_level != "error" && opt.log_level != "warn")
      std::cerr << "jira-sim: serving " << opt.workspace.issues << " issues on "
                << srv.base_url() << "\n";
    int sig = 0;
    sigwait(&sigs, &sig);
    srv.stop();
  } catch (const std::exception& e) {
    std::cerr << "jira-sim: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
