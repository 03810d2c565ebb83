#include "sim/options.hpp"

#include <boost/json.hpp>

namespace jirasim {

std::string ready_line(std::uint16_t port, const std::string& base_url,
                       const std::string& ca_file, const std::string& email,
                       const std::string& api_token,
                       const std::string& cloud_id) {
  boost::json::object o;
  o["port"] = port;
  o["base_url"] = base_url;
  if (ca_file.empty())
    o["ca_file"] = nullptr;
  else
    o["ca_file"] = ca_file;
  o["email"] = email;
  o["api_token"] = api_token;
  o["cloud_id"] = cloud_id;
  return boost::json::serialize(o);
}

} // namespace jirasim
