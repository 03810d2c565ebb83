#include "common/log.hpp"

#include "common/time_format.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <array>
#include <chrono>
#include <random>

namespace jirasync::common {

namespace {

std::string_view level_name(spdlog::level::level_enum level) {
  auto sv = spdlog::level::to_string_view(level);
  return {sv.data(), sv.size()};
}

std::int64_t utc_ms(spdlog::log_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           t.time_since_epoch())
    .count();
}

void append(spdlog::memory_buf_t& dest, std::string_view text) {
  dest.append(text.data(), text.data() + text.size());
}

class human_formatter final : public spdlog::formatter {
public:
  void format(const spdlog::details::log_msg& msg,
              spdlog::memory_buf_t& dest) override {
    append(dest, format_rfc3339_ms(utc_ms(msg.time)));
    append(dest, " ");
    append(dest, level_name(msg.level));
    if (msg.logger_name.size() > 0) {
      append(dest, " [run ");
      append(dest, {msg.logger_name.data(), msg.logger_name.size()});
      append(dest, "]");
    }
    append(dest, " ");
    append(dest, {msg.payload.data(), msg.payload.size()});
    append(dest, "\n");
  }

  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<human_formatter>();
  }
};

/// A JSON string literal (quotes and escapes by Boost.JSON).
std::string quoted(std::string_view text) {
  return boost::json::serialize(boost::json::string(text));
}

class json_formatter final : public spdlog::formatter {
public:
  void format(const spdlog::details::log_msg& msg,
              spdlog::memory_buf_t& dest) override {
    append(dest, "{\"time\":\"");
    append(dest, format_rfc3339_ms(utc_ms(msg.time)));
    append(dest, "\",\"level\":\"");
    append(dest, level_name(msg.level));
    append(dest, "\"");
    if (msg.logger_name.size() > 0) {
      append(dest, ",\"run\":");
      append(dest, quoted({msg.logger_name.data(), msg.logger_name.size()}));
    }
    append(dest, ",\"msg\":");
    append(dest, quoted({msg.payload.data(), msg.payload.size()}));
    append(dest, "}\n");
  }

  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<json_formatter>();
  }
};

/// Erases the terminal line, then writes what `inner` formats.
class erasing_formatter final : public spdlog::formatter {
public:
  explicit erasing_formatter(std::unique_ptr<spdlog::formatter> inner)
      : inner_(std::move(inner)) {}

  void format(const spdlog::details::log_msg& msg,
              spdlog::memory_buf_t& dest) override {
    append(dest, "\r\x1b[K");
    inner_->format(msg, dest);
  }

  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<erasing_formatter>(inner_->clone());
  }

private:
  std::unique_ptr<spdlog::formatter> inner_;
};

} // namespace

std::optional<log_format> parse_log_format(std::string_view text) {
  if (text == "human")
    return log_format::human;
  if (text == "json")
    return log_format::json;
  return std::nullopt;
}

std::optional<spdlog::level::level_enum>
parse_log_level(std::string_view text) {
  static constexpr std::array<
    std::pair<std::string_view, spdlog::level::level_enum>, 7>
    names{{{"trace", spdlog::level::trace},
           {"debug", spdlog::level::debug},
           {"info", spdlog::level::info},
           {"warn", spdlog::level::warn},
           {"error", spdlog::level::err},
           {"critical", spdlog::level::critical},
           {"off", spdlog::level::off}}};
  for (const auto& [name, level] : names)
    if (name == text)
      return level;
  return std::nullopt;
}

std::unique_ptr<spdlog::formatter> make_log_formatter(log_format format) {
  if (format == log_format::json)
    return std::make_unique<json_formatter>();
  return std::make_unique<human_formatter>();
}

void setup_logging(const log_options& options) {
  auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  auto formatter = make_log_formatter(options.format);
  if (options.erase_line)
    formatter = std::make_unique<erasing_formatter>(std::move(formatter));
  sink->set_formatter(std::move(formatter));
  auto logger = std::make_shared<spdlog::logger>("", std::move(sink));
  logger->set_level(options.level);
  // Warnings and errors reach the file at once (a crash loses nothing).
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(std::move(logger));
}

std::shared_ptr<spdlog::logger> run_logger(const std::string& run_id) {
  return spdlog::default_logger()->clone(run_id);
}

std::string make_run_id() {
  static constexpr char digits[] = "0123456789abcdef";
  std::random_device rd;
  std::uint32_t v = rd();
  std::string id(8, '0');
  for (int i = 7; i >= 0; --i, v >>= 4)
    id[static_cast<std::size_t>(i)] = digits[v & 0xF];
  return id;
}

} // namespace jirasync::common
