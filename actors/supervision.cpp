#include "actors/supervision.hpp"

#include <caf/all.hpp>

#include <exception>

namespace jirasync::actors {

namespace {
constexpr std::string_view answerer_stopped_text
  = "the actor that should answer has stopped";
} // namespace

void fail_on_exception(caf::scheduled_actor* self) {
  std::string name = self->name();
  self->set_exception_handler(
    [name](caf::scheduled_actor*, std::exception_ptr& ep) -> caf::error {
      try {
        std::rethrow_exception(ep);
      } catch (const std::exception& e) {
        return caf::make_error(caf::sec::runtime_error,
                               name + ": exception: " + e.what());
      } catch (...) {
        return caf::make_error(caf::sec::runtime_error,
                               name + ": unknown exception");
      }
    });
}

std::string describe(const caf::error& err) {
  if (!err)
    return "no error";
  const auto& ctx = err.context();
  if (ctx.size() > 0 && ctx.match_element<std::string>(0))
    return ctx.get_as<std::string>(0);
  if (err.category() == caf::atom("system"))
    return to_string(static_cast<caf::sec>(err.code()));
  if (err.category() == caf::atom("exit"))
    return to_string(static_cast<caf::exit_reason>(err.code()));
  return to_string(err);
}

common::error request_failed(std::string_view what, const caf::error& err) {
  auto code = err == caf::sec::request_timeout ? common::errc::timeout
                                               : common::errc::internal;
  auto msg = std::string{what} + ": ";
  const auto& ctx = err.context();
  if (ctx.size() > 0 && ctx.match_element<std::string>(0))
    msg += ctx.get_as<std::string>(0); // the answering actor's own words
  else if (err == caf::sec::request_timeout)
    msg += "no answer within its timeout";
  else if (err == caf::sec::request_receiver_down)
    msg += answerer_stopped_text;
  else
    msg += describe(err);
  return common::make_error(code, std::move(msg));
}

bool answerer_stopped(const common::error& e) {
  return e.message.ends_with(answerer_stopped_text);
}

std::string describe(std::chrono::milliseconds d) {
  auto ms = d.count();
  if (ms != 0 && ms % 3'600'000 == 0)
    return std::to_string(ms / 3'600'000) + " h";
  if (ms != 0 && ms % 60'000 == 0)
    return std::to_string(ms / 60'000) + " min";
  if (ms != 0 && ms % 1000 == 0)
    return std::to_string(ms / 1000) + " s";
  return std::to_string(ms) + " ms";
}

common::error prefixed(std::string_view what, common::error e) {
  e.message = std::string{what} + ": " + e.message;
  return e;
}

} // namespace jirasync::actors
