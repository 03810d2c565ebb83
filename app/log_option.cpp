#include "app/log_option.hpp"

#include <CLI/CLI.hpp>

namespace jirasync::app {

void add_log_options(CLI::App& cmd, log_args& args, const char* default_level) {
  cmd
    .add_option("--log-format", args.format,
                "Log lines on stderr as human-readable text or as JSON "
                "objects (one a line)")
    ->type_name("human|json")
    ->check(CLI::IsMember({"human", "json"}))
    ->capture_default_str();
  cmd
    .add_option("--log-level", args.level,
                std::string{"Lowest level logged (default: "} + default_level
                  + ")")
    ->type_name("LEVEL")
    ->check(CLI::IsMember(
      {"trace", "debug", "info", "warn", "error", "critical", "off"}));
}

void setup_logging_from(const log_args& args,
                        spdlog::level::level_enum default_level,
                        bool erase_line) {
  common::log_options o;
  o.format
    = common::parse_log_format(args.format).value_or(common::log_format::human);
  o.level = args.level.empty()
              ? default_level
              : common::parse_log_level(args.level).value_or(default_level);
  o.erase_line = erase_line;
  common::setup_logging(o);
}

} // namespace jirasync::app
