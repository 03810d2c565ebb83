#pragma once
// The OAuth tokens of a store: one JSON file, <storage.path>/auth/
// oauth-tokens.json, beside (not in) the RocksDB database, so that
// `jirasync auth login` works while another process holds the database lock.
//
// Protection: the auth/ folder is 0700 and the file 0600 whatever the umask
// (a folder found wider is narrowed; a file found readable by group or
// others is refused, as ssh refuses such keys). Durability: save() writes a
// temporary file, fsyncs it, renames it over the old one and fsyncs the
// folder, so that when it returns the new refresh token is on disk; a crash
// at any point leaves either the old file or the new one. Nothing here ever
// puts a token in an error message or a log.
//
// Concurrency: save() is atomic for readers. Read-modify-write sequences
// (refresh: read the current refresh token, exchange it, store the rotated
// one) take the cross-process lock (flock on auth/oauth-tokens.lock) so that
// two processes never spend the same refresh token.
//
// Thread-safety: a token_store is an immutable path; its members may be
// called from any thread. The lock object belongs to one thread.

#include "common/error.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace jirasync::storage {

/// What `auth login` stores and OAuth mode uses.
struct oauth_token_set {
  /// Secret. The current access token.
  std::string access_token;
  /// Secret. Empty when the grant had no offline_access.
  std::string refresh_token;
  /// When the access token expires, ms since the epoch (UTC).
  std::int64_t expires_at_ms = 0;
  /// The granted scopes, space-separated, as the token endpoint said.
  std::string scope;
  /// The chosen accessible resource.
  std::string cloud_id;
  std::string site_url;
  std::string site_name;
  /// Who logged in (from /myself).
  std::string account_id;
  std::string display_name;
  /// The OAuth app the tokens belong to.
  std::string client_id;
  /// Random, set by each `auth login`: a different value in the file means
  /// a new login replaced the token family this process holds.
  std::string login_id;
  /// When `auth login` obtained the first token, ms since the epoch.
  std::int64_t obtained_at_ms = 0;
  /// When the tokens were last refreshed (rotated); 0 = never.
  std::int64_t refreshed_at_ms = 0;
  /// +1 at each save of the same login. Default: 0.
  std::uint64_t generation = 0;
  /// Set when the refresh token was refused for good (revoked, expired,
  /// reused): the tokens are useless until the next `auth login`, which
  /// clears it. The reason is Atlassian's answer, never a token.
  std::optional<std::string> reauth_reason;
  /// When reauth_reason was set, ms since the epoch.
  std::int64_t reauth_at_ms = 0;

  friend bool operator==(const oauth_token_set&, const oauth_token_set&)
    = default;
};

class token_store {
public:
  /// The tokens of the store at `store_dir` (storage.path).
  explicit token_store(std::filesystem::path store_dir);

  /// <store_dir>/auth
  const std::filesystem::path& dir() const noexcept {
    return dir_;
  }

  /// <store_dir>/auth/oauth-tokens.json
  const std::filesystem::path& file() const noexcept {
    return file_;
  }

  /// The stored tokens; nullopt when there is no file (never logged in).
  /// Errors: errc::permission_denied (group or others may access the file),
  /// errc::io_error (unreadable), errc::corruption (not a token file),
  /// errc::schema_too_new (written by a newer jirasync).
  common::result<std::optional<oauth_token_set>> load() const;

  /// Durably replaces the stored tokens (see the file comment). Creates the
  /// store folder if needed. Errors: errc::invalid_argument (no access
  /// token), errc::no_space, errc::io_error.
  common::result<void> save(const oauth_token_set& tokens) const;

  /// Removes the token file (a logout). Absent is fine.
  common::result<void> remove() const;

  /// The cross-process lock of a read-modify-write. Move-only; released on
  /// destruction.
  class lock {
  public:
    lock(lock&& other) noexcept : fd_(other.fd_) {
      other.fd_ = -1;
    }
    lock& operator=(lock&& other) noexcept;
    lock(const lock&) = delete;
    lock& operator=(const lock&) = delete;
    ~lock();

  private:
    friend class token_store;
    explicit lock(int fd) : fd_(fd) {
      // nop
    }
    int fd_ = -1;
  };

  /// Takes the lock, waiting at most `timeout` (polling every 20 ms; a
  /// blocking call: not for actor threads). errc::locked when another
  /// process kept it that long.
  common::result<lock> acquire(std::chrono::milliseconds timeout) const;

private:
  common::result<void> ensure_dir() const;

  std::filesystem::path store_dir_;
  std::filesystem::path dir_;
  std::filesystem::path file_;
};

} // namespace jirasync::storage
