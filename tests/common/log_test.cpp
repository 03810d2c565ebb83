// The two log line formats, with a fixed time (no clock read), and the run
// id carried by a run's logger.
#include "common/log.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>

using namespace jirasync::common;

namespace {

std::string format_one(log_format f, std::string_view logger,
                       spdlog::level::level_enum level, std::string_view msg) {
  // 2026-01-01T00:00:01.234Z
  auto t = spdlog::log_clock::time_point{
    std::chrono::milliseconds(1'767'225'601'234)};
  spdlog::details::log_msg m{t, {}, logger, level, msg};
  spdlog::memory_buf_t buf;
  make_log_formatter(f)->format(m, buf);
  return std::string(buf.data(), buf.size());
}

} // namespace

TEST_CASE("human log lines: time, level, run id, message", "[common]") {
  CHECK(format_one(log_format::human, "3f2a9c1e", spdlog::level::info,
                   "phase users")
        == "2026-01-01T00:00:01.234Z info [run 3f2a9c1e] phase users\n");
  CHECK(format_one(log_format::human, "", spdlog::level::warn, "no run")
        == "2026-01-01T00:00:01.234Z warning no run\n");
}

TEST_CASE("json log lines are one escaped object each", "[common]") {
  auto line = format_one(log_format::json, "3f2a9c1e", spdlog::level::err,
                         "bad \"quote\"\nnew line");
  CHECK(line
        == "{\"time\":\"2026-01-01T00:00:01.234Z\",\"level\":\"error\","
           "\"run\":\"3f2a9c1e\",\"msg\":\"bad \\\"quote\\\"\\nnew line\"}\n");
  auto o = boost::json::parse(line).as_object();
  CHECK(o.at("msg") == "bad \"quote\"\nnew line");
  auto no_run = format_one(log_format::json, "", spdlog::level::info, "x");
  CHECK(boost::json::parse(no_run).as_object().if_contains("run") == nullptr);
}

TEST_CASE("parse_log_format and parse_log_level", "[common]") {
  CHECK(parse_log_format("json") == log_format::json);
  CHECK(parse_log_format("human") == log_format::human);
  CHECK_FALSE(parse_log_format("JSON"));
  CHECK(parse_log_level("debug") == spdlog::level::debug);
  CHECK(parse_log_level("error") == spdlog::level::err);
  CHECK_FALSE(parse_log_level("verbose"));
}

TEST_CASE("a run logger carries the run id on every line", "[common]") {
  std::ostringstream out;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
  sink->set_formatter(make_log_formatter(log_format::human));
  auto base = std::make_shared<spdlog::logger>("", sink);
  spdlog::set_default_logger(base);
  auto id = make_run_id();
  CHECK(id.size() == 8);
  CHECK(id.find_first_not_of("0123456789abcdef") == std::string::npos);
  auto run = run_logger(id);
  run->info("one");
  run->warn("two");
  base->info("outside");
  auto text = out.str();
  CHECK(text.find("info [run " + id + "] one\n") != std::string::npos);
  CHECK(text.find("warning [run " + id + "] two\n") != std::string::npos);
  CHECK(text.find("info outside\n") != std::string::npos);
  spdlog::set_default_logger(
    std::make_shared<spdlog::logger>("", spdlog::sinks_init_list{}));
}
