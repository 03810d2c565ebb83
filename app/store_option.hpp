#pragma once
// Config loading + opening the store read-only, shared by the query
// subcommands (export, status, who-can-see).

#include "app/commands.hpp"
#include "config/config.hpp"
#include "storage/store.hpp"

#include <memory>
#include <optional>
#include <string>

namespace jirasync::app {

/// A loaded config and the store it names, opened read-only.
struct opened_store {
  config::config cfg;
  std::unique_ptr<storage::store> db;
};

/// Loads and validates the config at `config_path`, then opens its store
/// read-only. On failure prints the errors on stderr, sets `code` (usage for
/// a bad config, failure for a missing/unreadable store) and returns nullopt.
std::optional<opened_store> open_store_or_report(const std::string& config_path,
                                                 exit_code& code);

} // namespace jirasync::app
