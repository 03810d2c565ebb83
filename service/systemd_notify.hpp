#pragma once
// The systemd notification protocol (sd_notify(3) of libsystemd) for
// `jirasync serve` under a Type=notify unit: READY=1 once the store is open
// and the admin endpoint listens, STATUS=<one line> on every change of
// state, WATCHDOG=1 at half the unit's WatchdogSec while the service loop
// is alive, STOPPING=1 when shutting down. Without systemd (no
// NOTIFY_SOCKET) every call does nothing, so the service runs the same
// anywhere.
//
// Thread-safety: sd_notify may be called from any thread.

#include <chrono>
#include <optional>
#include <string>

namespace jirasync::service {

class systemd_notifier {
public:
  /// Reads the watchdog setting (WATCHDOG_USEC / WATCHDOG_PID) once.
  systemd_notifier();

  void ready() const;
  void status(const std::string& line) const;
  void stopping() const;
  /// WATCHDOG=1 when the unit has a watchdog.
  void watchdog() const;

  /// How often watchdog() is due (half the unit's WatchdogSec); nullopt
  /// when the unit has no watchdog.
  std::optional<std::chrono::milliseconds> watchdog_interval() const {
    return watchdog_interval_;
  }

private:
  std::optional<std::chrono::milliseconds> watchdog_interval_;
};

} // namespace jirasync::service
