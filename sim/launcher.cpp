#include "sim/launcher.hpp"

#include <boost/json/parse.hpp>

namespace jirasim {

using jirasync::common::child_output;
using jirasync::common::child_process;
using jirasync::common::child_spec;
using jirasync::common::errc;
using jirasync::common::make_error;

std::string running_sim::str(const char* key) const {
  const auto* v = ready.if_contains(key);
  return v && v->is_string() ? std::string{v->as_string()} : std::string{};
}

jirasync::common::result<running_sim>
start_sim(const std::filesystem::path& binary, std::vector<std::string> args,
          std::chrono::milliseconds limit, child_output err,
          const std::filesystem::path& err_file) {
  child_spec spec;
  spec.argv.push_back(binary.string());
  for (auto& a : args)
    spec.argv.push_back(std::move(a));
  spec.out = child_output::pipe;
  spec.err = err;
  spec.err_file = err_file;
  auto child = child_process::start(spec);
  if (!child)
    return child.error();
  auto line = child->read_line(limit);
  if (!line) {
    auto e = line.error();
    if (e.code != errc::timeout)
      e.code = errc::unavailable;
    e.message = "jira-sim did not start: " + e.message;
    return e;
  }
  boost::system::error_code ec;
  auto v = boost::json::parse(*line, ec);
  if (ec || !v.is_object() || !v.as_object().contains("base_url"))
    return make_error(errc::unavailable, "jira-sim printed no ready line: \""
                                           + line->substr(0, 200) + "\"");
  return running_sim{std::move(*child), std::move(v.as_object())};
}

} // namespace jirasim
