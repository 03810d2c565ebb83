#pragma once
// Logging, through spdlog, in one of two formats on stderr:
//   human (default): 2026-12-06T05:44:44.123Z info [run 3f2a9c1e] phase users
//   json:            {"time":"2026-12-06T05:44:44.123Z","level":"info",
//                     "run":"3f2a9c1e","msg":"phase users"}
// A run logs through its own logger, a clone of the default one named after
// the run id, so every line of a run carries it; lines outside a run have
// no "run" (json: the key is left out). Messages are written by jirasync
// code only and never hold secrets (config::secret prints "<redacted>",
// http errors never carry header values): nothing here filters them.
//
// Thread-safety: setup_logging() once at start-up, before other threads
// log; loggers and formatters are then safe to use from any thread (the
// stderr sink is spdlog's mutex-protected one).

#include <spdlog/formatter.h>
#include <spdlog/logger.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace jirasync::common {

enum class log_format { human, json };

struct log_options {
  /// Default: human.
  log_format format = log_format::human;
  /// Lines below this level are dropped. Default: info.
  spdlog::level::level_enum level = spdlog::level::info;
  /// Start every line with "\r\x1b[K" (erase the terminal line): for a
  /// TTY where a live progress line is drawn, which a log line then
  /// replaces (the next progress call draws it again). Default: false.
  bool erase_line = false;
};

/// "human" | "json"; nullopt otherwise.
std::optional<log_format> parse_log_format(std::string_view text);

/// "trace", "debug", "info", "warn", "error", "critical", "off"; nullopt
/// otherwise.
std::optional<spdlog::level::level_enum> parse_log_level(std::string_view text);

/// The formatter of one format (see the top of this file); lines end with
/// '\n'. Times are UTC with milliseconds (common/time_format.hpp).
std::unique_ptr<spdlog::formatter> make_log_formatter(log_format format);

/// Makes spdlog's default logger write to stderr in `options.format`, at
/// `options.level`.
void setup_logging(const log_options& options);

/// A clone of the default logger (same sinks, format and level) named
/// `run_id`.
std::shared_ptr<spdlog::logger> run_logger(const std::string& run_id);

/// A fresh run id: 8 lower-case hex digits from a random source.
std::string make_run_id();

} // namespace jirasync::common
