#include "service/signals.hpp"

#include <csignal>
#include <pthread.h>

namespace jirasync::service {

namespace {

/// The three we handle, plus SIGUSR2 which only wakes the watcher up to
/// end it (sent by the destructor to its own thread).
sigset_t watched_set() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  sigaddset(&set, SIGUSR2);
  return set;
}

} // namespace

void block_signals() {
  auto set = watched_set();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

signal_watcher::signal_watcher(handler on_signal)
    : on_signal_(std::move(on_signal)) {
  thread_ = std::thread([this] {
    auto set = watched_set();
    for (;;) {
      int sig = 0;
      if (sigwait(&set, &sig) != 0)
        continue;
      if (sig == SIGUSR2)
        return;
      on_signal_(sig);
    }
  });
}

signal_watcher::~signal_watcher() {
  pthread_kill(thread_.native_handle(), SIGUSR2);
  thread_.join();
}

} // namespace jirasync::service
