#pragma once
// The jirasync configuration: the TOML file of docs/configuration.md loaded
// into typed structs, validated, with secrets resolved from the environment or
// from files. Every key and its default is declared here, once; see
// config/README.md for the user-facing description.
//
// Thread-safety: the types are plain values; load_config() touches only its
// arguments, the file system and (through the default env lookup) getenv.

#include <compare>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace jirasync::config {

// --- secret -----------------------------------------------------------------

/// A resolved secret (API token, OAuth client secret). Printing, streaming and
/// to_string() give "<redacted>" so that a secret cannot leak into logs or
/// output by accident; call reveal() at the one place that needs the value.
class secret {
public:
  secret() = default;
  explicit secret(std::string value) : value_(std::move(value)) {
    // nop
  }

  /// The secret value. Never log it.
  const std::string& reveal() const noexcept {
    return value_;
  }

  bool empty() const noexcept {
    return value_.empty();
  }

  friend bool operator==(const secret&, const secret&) = default;

private:
  std::string value_;
};

/// Always "<redacted>".
std::string to_string(const secret&);

/// Writes "<redacted>".
std::ostream& operator<<(std::ostream& out, const secret&);

// --- enums ------------------------------------------------------------------

/// `jira.auth`: how jirasync authenticates against Jira Cloud.
enum class auth_method {
  api_token, ///< Basic auth with email + API token against `jira.site`.
  oauth,     ///< OAuth 2.0 (3LO) through `jira.api_gateway`.
};

/// `filters.project_keys_op`: whether `project_keys` selects or excludes.
enum class keys_op {
  in,     ///< Only the listed projects (all when the list is empty).
  not_in, ///< Every project except the listed ones.
};

/// `sync.strategy`: when `jirasync serve` runs a sync cycle.
enum class sync_strategy {
  scheduled, ///< Every `sync.interval_minutes`.
  manual,    ///< Only when asked through the admin endpoint.
};

/// The TOML spelling ("api_token", "not_in", "scheduled", ...).
std::string_view to_string(auth_method);
std::string_view to_string(keys_op);
std::string_view to_string(sync_strategy);

// --- dates ------------------------------------------------------------------

/// One bound of a date filter. Written as "YYYY-MM-DD" (date-only, taken as
/// 00:00:00 UTC of that day) or as RFC 3339 with "Z" or a "+hh:mm"/"-hh:mm"
/// offset (fractions of a second are truncated to milliseconds).
struct date_bound {
  /// Milliseconds since 1970-01-01T00:00:00Z.
  std::int64_t utc_ms = 0;
  /// True when written as "YYYY-MM-DD" (no time of day).
  bool date_only = false;

  friend bool operator==(const date_bound&, const date_bound&) = default;
};

/// Parses "YYYY-MM-DD" or RFC 3339; nullopt when malformed or out of range.
std::optional<date_bound> parse_date_bound(std::string_view text);

/// "YYYY-MM-DD" for date-only bounds, else "YYYY-MM-DDTHH:MM:SS.mmmZ".
std::string format_date_bound(const date_bound&);

// --- the tables
// ---------------------------------------------------------------

/// [jira]
struct jira_config {
  /// The site URL, normalized: lower-case scheme and host, no trailing slash.
  /// Required. https only (http only with allow_insecure_http on loopback).
  std::string site;
  /// Default: auth_method::api_token.
  auth_method auth = auth_method::api_token;
  /// api_token mode: the account's e-mail. Default: "" (required in that mode).
  std::string email;
  /// api_token mode: env var holding the token. Default: "" (this or
  /// api_token_file is required in that mode, not both).
  std::string api_token_env;
  /// api_token mode: file holding the token (trailing whitespace trimmed);
  /// relative paths are resolved against the config file's folder.
  /// Default: "" (none).
  std::filesystem::path api_token_file;
  /// oauth mode: the OAuth app's client id. Default: "" (required there).
  std::string client_id;
  /// oauth mode: env var holding the client secret. Default: "".
  std::string client_secret_env;
  /// oauth mode: file holding the client secret (like api_token_file).
  /// Default: "".
  std::filesystem::path client_secret_file;
  /// oauth mode: the registered callback URL; https, or http on a loopback
  /// host. Default: "" (required in that mode).
  std::string redirect_uri;
  /// oauth: authorize + token host (override for simulators), normalized.
  /// Default: "https://auth.atlassian.com".
  std::string auth_url = "https://auth.atlassian.com";
  /// oauth: accessible-resources and /ex/jira/{cloudId} host, normalized.
  /// Default: "https://api.atlassian.com".
  std::string api_gateway = "https://api.atlassian.com";
  /// Extra trusted CA bundle (PEM) added to the system roots; must exist.
  /// Relative paths are resolved against the config file's folder; stored
  /// absolute. Default: "" (system roots only).
  std::filesystem::path ca_file;
  /// Plain http allowed only when true AND the host is loopback
  /// (127.0.0.0/8, ::1, localhost). Default: false.
  bool allow_insecure_http = false;

  /// Resolved from api_token_env / api_token_file (api_token mode only).
  secret api_token;
  /// Resolved from client_secret_env / client_secret_file (oauth mode only).
  secret client_secret;

  friend bool operator==(const jira_config&, const jira_config&) = default;
};

/// [filters]: sync filters; excluded data is never downloaded. A change here
/// changes filters_hash() and so forces a full sync.
struct filters_config {
  /// Jira project keys (upper-case letter, then upper-case letters, digits or
  /// '_'), no duplicates. Default: {} (all projects).
  std::vector<std::string> project_keys;
  /// Default: keys_op::in.
  keys_op project_keys_op = keys_op::in;
  /// Default: unset (empty string in the file).
  std::optional<date_bound> modified_after;
  /// Default: unset.
  std::optional<date_bound> modified_before;
  /// Default: unset.
  std::optional<date_bound> created_after;
  /// Default: unset.
  std::optional<date_bound> created_before;

  friend bool operator==(const filters_config&, const filters_config&)
    = default;
};

/// [indexing]: what synced data is emitted for search (not part of
/// filters_hash(): changing it never forces a re-download).
struct indexing_config {
  /// Default: true.
  bool issues = true;
  /// Default: true.
  bool comments = true;
  /// Default: true.
  bool attachments = true;
  /// Attachments larger than this are not emitted; >= 0, 0 = none.
  /// Default: 52428800 (50 MiB).
  std::int64_t attachment_max_bytes = 52428800;
  /// The `text` kept of a text attachment: its first N bytes (cut at a
  /// character boundary), read from the blob by streaming; >= 0, 0 = no
  /// text. Default: 1048576 (1 MiB).
  std::int64_t attachment_text_max_bytes = 1048576;
  /// Extraction processes (`jirasync extract --worker`) working at once
  /// during a sync; each is bounded by CPU, wall-clock and memory limits
  /// per file. Must be
  /// >= 1. Default: 2.
  std::int64_t attachment_text_workers = 2;

  friend bool operator==(const indexing_config&, const indexing_config&)
    = default;
};

/// [sync]
struct sync_config {
  /// Default: sync_strategy::scheduled.
  sync_strategy strategy = sync_strategy::scheduled;
  /// Minutes between scheduled cycles; 1 ..= 525600 (one year). Default: 60.
  std::int64_t interval_minutes = 60;
  /// The longest a rate-limit wait may last when no server figure justifies
  /// it (no Retry-After, no quota reset in the future); it ends with one
  /// probe request. 1 ..= 3600. Default: 60.
  std::int64_t max_unexplained_wait_secs = 60;
  /// Minutes subtracted from a project's checkpoint in the incremental
  /// query (`updated >= checkpoint - overlap`): Jira's search index is
  /// eventually consistent, so a change may become searchable after later
  /// ones. Re-seen issues cost a request share but no write. 0 ..= 1440.
  /// Default: 10.
  std::int64_t overlap_minutes = 10;
  /// Bytes of attachment content in flight across all downloads of a run
  /// (each download reserves its attachment's declared size, at least
  /// 64 KiB, and its body may not exceed that; one attachment larger than
  /// this runs alone). 1 MiB ..= 64 GiB. Default: 268435456 (256 MiB).
  std::int64_t download_bytes_in_flight = 268435456;
  /// Stored issue ids per id range of an incremental run's reconciliation
  /// listing (every id of a project, to find deletions): a project with
  /// more is listed in several id ranges at the same time
  /// (sync/id_ranges.hpp). 50 ..= 1000000. Default: 5000 (one search page).
  std::int64_t reconcile_range_ids = 5000;

  friend bool operator==(const sync_config&, const sync_config&) = default;
};

/// [storage]
struct storage_config {
  /// RocksDB directory. Relative paths are resolved against the current
  /// working directory at load time; stored absolute and lexically normal.
  /// Default: "./jirasync-data".
  std::filesystem::path path = "./jirasync-data";

  friend bool operator==(const storage_config&, const storage_config&)
    = default;
};

/// [service]
struct service_config {
  /// Admin/health endpoint of `serve` as "host:port" ("[v6]:port" for IPv6
  /// literals); port 0 = any free port. Default: "127.0.0.1:8080".
  std::string listen = "127.0.0.1:8080";
  /// Derived from listen: the host without brackets. Default: "127.0.0.1".
  std::string listen_host = "127.0.0.1";
  /// Derived from listen. Default: 8080.
  std::uint16_t listen_port = 8080;
  /// Derived from listen: the host is 127.0.0.0/8, ::1 or "localhost".
  /// Default: true.
  bool listen_loopback = true;
  /// Env var holding the admin bearer token. Default: "" (none). This or
  /// admin_token_file is required when listen is not a loopback address;
  /// when a token is set, every endpoint but /healthz and /readyz needs
  /// "Authorization: Bearer TOKEN".
  std::string admin_token_env;
  /// File holding the admin bearer token (like jira.api_token_file).
  /// Default: "" (none).
  std::filesystem::path admin_token_file;
  /// Resolved from admin_token_env / admin_token_file.
  secret admin_token;
  /// How long SIGTERM/SIGINT waits for the run in progress to write what is
  /// in flight before the process exits anyway; 1 ..= 3600. Default: 30.
  std::int64_t shutdown_timeout_secs = 30;
  /// The first retry of a failed run comes this long after it; each
  /// further failure doubles the delay up to retry_max_secs; 1 ..= 86400.
  /// Default: 60.
  std::int64_t retry_initial_secs = 60;
  /// The longest delay between retries of failed runs; >= retry_initial_secs,
  /// <= 86400. Default: 1800 (30 min).
  std::int64_t retry_max_secs = 1800;

  friend bool operator==(const service_config&, const service_config&)
    = default;
};

/// The whole file.
struct config {
  jira_config jira;
  filters_config filters;
  indexing_config indexing;
  sync_config sync;
  storage_config storage;
  service_config service;
  /// The file it was loaded from (as given). Default: "".
  std::filesystem::path source_file;

  friend bool operator==(const config&, const config&) = default;
};

// --- loading
// ------------------------------------------------------------------

/// Looks up an environment variable; nullopt when it is not set.
using env_lookup
  = std::function<std::optional<std::string>(const std::string& name)>;

/// The process environment (std::getenv).
env_lookup process_env();

/// Either a config (errors empty) or every error found (cfg empty). Each
/// error reads "FILE:LINE: KEY: REASON" (KEY is the dotted path, e.g.
/// "jira.site"); syntax errors read "FILE:LINE: syntax: REASON (column C)";
/// an unreadable file gives "FILE: cannot read file (REASON)".
struct load_result {
  std::optional<config> cfg;
  std::vector<std::string> errors;
  /// What loads but should be fixed, e.g. "FILE:LINE: jira.api_token_file:
  /// secret file F may be read by group or others (mode 0644); run chmod
  /// 600 F". Printed by every command that loads the config.
  std::vector<std::string> warnings;

  explicit operator bool() const noexcept {
    return cfg.has_value();
  }
};

/// Reads, parses and validates `file`; resolves secrets through `env`.
load_result load_config(const std::filesystem::path& file,
                        const env_lookup& env = process_env());

/// Like load_config for TOML text; `source_name` is used in messages and as
/// config file path (relative ca_file / *_file paths are resolved against
/// its folder).
load_result load_config_from_string(std::string_view text,
                                    const std::string& source_name,
                                    const env_lookup& env = process_env());

// --- derived output
// -------------------------------------------------------------

/// A stable fingerprint of the sync filters: lower-case hex SHA-256 over a
/// canonical, versioned serialization of project_keys (sorted),
/// project_keys_op (normalized to "in" when the list is empty, since both
/// then mean "all projects") and the four date bounds (UTC ms and whether
/// date-only). Independent of key order in the file; indexing filters are
/// not part of it. Stored by sync: a different value forces a full sync.
std::string filters_hash(const filters_config&);

/// The effective configuration as TOML, every default filled in, derived
/// paths absolute, and secrets shown only as comments reading "<redacted>".
/// Loading the output again gives the same config (secrets permitting).
std::string to_toml_redacted(const config&);

} // namespace jirasync::config
