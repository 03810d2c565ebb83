#include "app/store_option.hpp"

#include "app/config_option.hpp"
#include "storage/queries.hpp"

#include <iostream>

namespace jirasync::app {

std::optional<opened_store> open_store_or_report(const std::string& config_path,
                                                 exit_code& code) {
  auto cfg = load_config_or_report(config_path);
  if (!cfg) {
    code = exit_code::usage;
    return std::nullopt;
  }
  auto db = storage::open_for_reading(cfg->storage.path);
  if (!db) {
    std::cerr << db.error().message << '\n';
    code = exit_code::failure;
    return std::nullopt;
  }
  return opened_store{std::move(*cfg), std::move(*db)};
}

} // namespace jirasync::app
