// Placeholder: the renderer lands in the next commit.
#include "protocol/adf_markdown.hpp"

#include <boost/json/parse.hpp>

namespace jirasync::protocol {

adf_result adf_to_markdown(const boost::json::value&, const adf_options&) {
  return {};
}

adf_result adf_text_to_markdown(std::string_view, const adf_options&) {
  return {};
}

} // namespace jirasync::protocol
