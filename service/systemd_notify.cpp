#include "service/systemd_notify.hpp"

#include <systemd/sd-daemon.h>

#include <algorithm>
#include <cstdint>

namespace jirasync::service {

systemd_notifier::systemd_notifier() {
  std::uint64_t usec = 0;
  // > 0: a watchdog is expected from this process (0: none, < 0: error).
  if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0)
    watchdog_interval_
      = std::chrono::milliseconds(std::max<std::uint64_t>(usec / 2000, 1));
}

void systemd_notifier::ready() const {
  sd_notify(0, "READY=1");
}

void systemd_notifier::status(const std::string& line) const {
  sd_notify(0, ("STATUS=" + line).c_str());
}

void systemd_notifier::stopping() const {
  sd_notify(0, "STOPPING=1");
}

void systemd_notifier::watchdog() const {
  if (watchdog_interval_)
    sd_notify(0, "WATCHDOG=1");
}

} // namespace jirasync::service
