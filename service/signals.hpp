#pragma once
// SIGINT, SIGTERM and SIGHUP for the long-running commands (`sync`,
// `serve`), delivered to a callback on a thread of our own instead of an
// async-signal handler: block_signals() blocks them in the calling thread,
// which every thread started afterwards inherits (the actor system, the
// http client, RocksDB), and signal_watcher waits for them with sigwait.
// So the callback may lock, log and notify like any other code.
//
// Thread-safety: block_signals() before any other thread starts;
// signal_watcher's constructor and destructor from the owning thread; the
// callback runs on the watcher's thread, one signal at a time.

#include <functional>
#include <thread>

namespace jirasync::service {

/// Blocks SIGINT, SIGTERM and SIGHUP in the calling thread (and so in every
/// thread it starts later).
void block_signals();

class signal_watcher {
public:
  /// Called with SIGINT, SIGTERM or SIGHUP.
  using handler = std::function<void(int signal)>;

  /// Starts the thread; block_signals() must have been called.
  explicit signal_watcher(handler on_signal);

  /// Stops and joins the thread.
  ~signal_watcher();

  signal_watcher(const signal_watcher&) = delete;
  signal_watcher& operator=(const signal_watcher&) = delete;

private:
  handler on_signal_;
  std::thread thread_;
};

} // namespace jirasync::service
