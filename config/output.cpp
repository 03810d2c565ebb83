// Derived output of a loaded config: the sync-filter fingerprint and the
// redacted effective config printed by `jirasync config check`.
#include "config/config.hpp"

#include "common/sha256.hpp"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

namespace jirasync::config {

namespace {

/// A TOML basic string.
std::string toml_string(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
  return out;
}

std::string toml_date(const std::optional<date_bound>& d) {
  return toml_string(d ? format_date_bound(*d) : std::string{});
}

std::string toml_bool(bool b) {
  return b ? "true" : "false";
}

} // namespace

std::string filters_hash(const filters_config& f) {
  // Canonical form, one "name=value" a line; bump the version line whenever
  // the meaning of a filter changes so that every store re-syncs fully.
  auto keys = f.project_keys;
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  // An empty list means "all projects" under either operator.
  auto op = keys.empty() ? keys_op::in : f.project_keys_op;
  std::string canon = "jirasync-filters-v1\n";
  canon += "project_keys_op=";
  canon += to_string(op);
  canon += "\nproject_keys=";
  for (size_t i = 0; i < keys.size(); ++i) {
    if (i > 0)
      canon += ',';
    canon += keys[i];
  }
  canon += '\n';
  auto bound = [&](std::string_view name, const std::optional<date_bound>& d) {
    canon += name;
    canon += '=';
    if (d) {
      canon += std::to_string(d->utc_ms);
      canon += d->date_only ? ";date" : ";datetime";
    }
    canon += '\n';
  };
  bound("modified_after", f.modified_after);
  bound("modified_before", f.modified_before);
  bound("created_after", f.created_after);
  bound("created_before", f.created_before);
  return common::sha256_hex(canon);
}

std::string to_toml_redacted(const config& c) {
  std::string out;
  auto line = [&](std::string_view key, const std::string& value) {
    out += key;
    out += " = ";
    out += value;
    out += '\n';
  };
  auto str = [](const auto& s) {
    return toml_string(std::string{s});
  };
  const auto& j = c.jira;
  out += "# Effective jirasync configuration";
  if (!c.source_file.empty())
    out += " loaded from " + c.source_file.string();
  out += "\n# (every default filled in; secrets are never printed)\n";
  out += "# filters_hash = " + filters_hash(c.filters) + "\n";
  out += "\n[jira]\n";
  line("site", str(j.site));
  line("auth", str(to_string(j.auth)));
  line("email", str(j.email));
  line("api_token_env", str(j.api_token_env));
  line("api_token_file", str(j.api_token_file.string()));
  line("client_id", str(j.client_id));
  line("client_secret_env", str(j.client_secret_env));
  line("client_secret_file", str(j.client_secret_file.string()));
  line("redirect_uri", str(j.redirect_uri));
  line("auth_url", str(j.auth_url));
  line("api_gateway", str(j.api_gateway));
  line("ca_file", str(j.ca_file.string()));
  line("allow_insecure_http", toml_bool(j.allow_insecure_http));
  // As comments, so that the output still loads as a config file.
  if (!j.api_token.empty())
    out += "# api_token: " + to_string(j.api_token) + "\n";
  if (!j.client_secret.empty())
    out += "# client_secret: " + to_string(j.client_secret) + "\n";

  const auto& f = c.filters;
  out += "\n[filters]\n";
  std::string keys = "[";
  for (size_t i = 0; i < f.project_keys.size(); ++i) {
    if (i > 0)
      keys += ", ";
    keys += toml_string(f.project_keys[i]);
  }
  keys += "]";
  line("project_keys", keys);
  line("project_keys_op", str(to_string(f.project_keys_op)));
  line("modified_after", toml_date(f.modified_after));
  line("modified_before", toml_date(f.modified_before));
  line("created_after", toml_date(f.created_after));
  line("created_before", toml_date(f.created_before));

  const auto& ix = c.indexing;
  out += "\n[indexing]\n";
  line("issues", toml_bool(ix.issues));
  line("comments", toml_bool(ix.comments));
  line("attachments", toml_bool(ix.attachments));
  line("attachment_max_bytes", std::to_string(ix.attachment_max_bytes));
  line("attachment_text_max_bytes",
       std::to_string(ix.attachment_text_max_bytes));
  line("attachment_text_workers", std::to_string(ix.attachment_text_workers));

  out += "\n[sync]\n";
  line("strategy", str(to_string(c.sync.strategy)));
  line("interval_minutes", std::to_string(c.sync.interval_minutes));
  line("max_unexplained_wait_secs",
       std::to_string(c.sync.max_unexplained_wait_secs));
  line("overlap_minutes", std::to_string(c.sync.overlap_minutes));
  line("download_bytes_in_flight",
       std::to_string(c.sync.download_bytes_in_flight));
  line("reconcile_range_ids", std::to_string(c.sync.reconcile_range_ids));

  out += "\n[storage]\n";
  line("path", str(c.storage.path.string()));

  out += "\n[service]\n";
  line("listen", str(c.service.listen));
  line("admin_token_env", str(c.service.admin_token_env));
  line("admin_token_file", str(c.service.admin_token_file.string()));
  if (!c.service.admin_token.empty())
    out += "# admin_token: " + to_string(c.service.admin_token) + "\n";
  line("shutdown_timeout_secs",
       std::to_string(c.service.shutdown_timeout_secs));
  line("retry_initial_secs", std::to_string(c.service.retry_initial_secs));
  line("retry_max_secs", std::to_string(c.service.retry_max_secs));
  return out;
}

} // namespace jirasync::config
