#include "storage/token_store.hpp"

#include "common/file_mode.hpp"

#include <boost/json.hpp>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <thread>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace jirasync::storage {

namespace fs = std::filesystem;
namespace json = boost::json;
using common::errc;

namespace {

constexpr const char* format_name = "jirasync-oauth-tokens";
constexpr std::int64_t format_version = 1;
/// A token file is a few KiB; anything far bigger is not ours.
constexpr std::size_t max_file_bytes = 1 << 20;

common::error sys_error(int err, const std::string& what) {
  auto code = err == ENOSPC || err == EDQUOT ? errc::no_space : errc::io_error;
  return common::make_error(code, what + ": " + std::strerror(err));
}

/// Closes a descriptor on scope exit.
struct fd_guard {
  int fd = -1;
  ~fd_guard() {
    if (fd >= 0)
      ::close(fd);
  }
};

bool write_all(int fd, const std::string& data) {
  std::size_t done = 0;
  while (done < data.size()) {
    auto n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return false;
    }
    done += static_cast<std::size_t>(n);
  }
  return true;
}

common::result<void> fsync_dir(const fs::path& dir) {
  fd_guard d{::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  if (d.fd < 0)
    return sys_error(errno, "cannot open " + dir.string() + " to sync it");
  if (::fsync(d.fd) != 0)
    return sys_error(errno, "cannot sync " + dir.string());
  return {};
}

json::object to_json(const oauth_token_set& t) {
  json::object o;
  o["format"] = format_name;
  o["version"] = format_version;
  o["access_token"] = t.access_token;
  o["refresh_token"] = t.refresh_token;
  o["expires_at_ms"] = t.expires_at_ms;
  o["scope"] = t.scope;
  o["cloud_id"] = t.cloud_id;
  o["site_url"] = t.site_url;
  o["site_name"] = t.site_name;
  o["account_id"] = t.account_id;
  o["display_name"] = t.display_name;
  o["client_id"] = t.client_id;
  o["login_id"] = t.login_id;
  o["obtained_at_ms"] = t.obtained_at_ms;
  o["refreshed_at_ms"] = t.refreshed_at_ms;
  o["generation"] = t.generation;
  if (t.reauth_reason) {
    o["reauth_reason"] = *t.reauth_reason;
    o["reauth_at_ms"] = t.reauth_at_ms;
  }
  return o;
}

/// Reads the fields; `bad` names the first field that is missing or has the
/// wrong type (never its value).
oauth_token_set from_json(const json::object& o, std::string& bad) {
  oauth_token_set t;
  auto str = [&](const char* key, std::string& out, bool required) {
    auto* v = o.if_contains(key);
    if (!v) {
      if (required && bad.empty())
        bad = key;
      return;
    }
    if (!v->is_string()) {
      if (bad.empty())
        bad = key;
      return;
    }
    out = std::string(v->as_string());
  };
  auto num = [&](const char* key, std::int64_t& out) {
    auto* v = o.if_contains(key);
    if (!v)
      return;
    if (v->is_int64())
      out = v->as_int64();
    else if (v->is_uint64())
      out = static_cast<std::int64_t>(v->as_uint64());
    else if (bad.empty())
      bad = key;
  };
  str("access_token", t.access_token, true);
  str("refresh_token", t.refresh_token, false);
  num("expires_at_ms", t.expires_at_ms);
  str("scope", t.scope, false);
  str("cloud_id", t.cloud_id, true);
  str("site_url", t.site_url, false);
  str("site_name", t.site_name, false);
  str("account_id", t.account_id, false);
  str("display_name", t.display_name, false);
  str("client_id", t.client_id, false);
  str("login_id", t.login_id, false);
  num("obtained_at_ms", t.obtained_at_ms);
  num("refreshed_at_ms", t.refreshed_at_ms);
  std::int64_t gen = 0;
  num("generation", gen);
  t.generation = static_cast<std::uint64_t>(gen < 0 ? 0 : gen);
  if (o.if_contains("reauth_reason")) {
    std::string reason;
    str("reauth_reason", reason, false);
    t.reauth_reason = reason;
    num("reauth_at_ms", t.reauth_at_ms);
  }
  return t;
}

} // namespace

token_store::token_store(fs::path store_dir)
    : store_dir_(std::move(store_dir)), dir_(store_dir_ / "auth"),
      file_(dir_ / "oauth-tokens.json") {
  // nop
}

common::result<void> token_store::ensure_dir() const {
  std::error_code ec;
  fs::create_directories(store_dir_, ec);
  if (ec)
    return common::make_error(errc::io_error, "cannot create "
                                                + store_dir_.string() + ": "
                                                + ec.message());
  if (::mkdir(dir_.c_str(), 0700) != 0 && errno != EEXIST)
    return sys_error(errno, "cannot create " + dir_.string());
  struct stat st {};
  if (::lstat(dir_.c_str(), &st) != 0)
    return sys_error(errno, "cannot inspect " + dir_.string());
  if (!S_ISDIR(st.st_mode))
    return common::make_error(errc::io_error,
                              dir_.string() + " is not a directory");
  // Whatever the umask or an earlier chmod: only the owner gets in.
  if ((st.st_mode & 07777) != 0700 && ::chmod(dir_.c_str(), 0700) != 0)
    return sys_error(errno, "cannot restrict " + dir_.string() + " to 0700");
  return {};
}

common::result<std::optional<oauth_token_set>> token_store::load() const {
  fd_guard f{::open(file_.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW)};
  if (f.fd < 0) {
    if (errno == ENOENT)
      return std::optional<oauth_token_set>{};
    return sys_error(errno,
                     "cannot read the OAuth tokens at " + file_.string());
  }
  struct stat st {};
  if (::fstat(f.fd, &st) != 0)
    return sys_error(errno, "cannot inspect " + file_.string());
  if (!S_ISREG(st.st_mode))
    return common::make_error(errc::corruption,
                              file_.string() + " is not a regular file");
  if (common::shared_with_others(st.st_mode))
    return common::make_error(
      errc::permission_denied,
      file_.string()
        + " holds OAuth tokens but group or others may access "
          "it (mode "
        + common::mode_text(st.st_mode)
        + "); refusing to use it: run `chmod 600 " + file_.string()
        + "`, and consider the tokens exposed (run `jirasync auth login` to "
          "replace them)");
  if (static_cast<std::size_t>(st.st_size) > max_file_bytes)
    return common::make_error(errc::corruption,
                              file_.string() + " is too large ("
                                + std::to_string(st.st_size)
                                + " bytes) to be a token file");
  std::string text;
  text.resize(static_cast<std::size_t>(st.st_size));
  std::size_t got = 0;
  while (got < text.size()) {
    auto n = ::read(f.fd, text.data() + got, text.size() - got);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return sys_error(errno, "cannot read " + file_.string());
    if (n == 0)
      break;
    got += static_cast<std::size_t>(n);
  }
  text.resize(got);
  boost::system::error_code ec;
  auto doc = json::parse(text, ec);
  if (ec || !doc.is_object())
    return common::make_error(errc::corruption,
                              file_.string()
                                + " is not a jirasync token file (not a JSON "
                                  "object); run `jirasync auth login` to "
                                  "replace it");
  const auto& o = doc.as_object();
  auto* fmt = o.if_contains("format");
  auto* ver = o.if_contains("version");
  if (!fmt || !fmt->is_string() || fmt->as_string() != format_name || !ver
      || !ver->is_int64())
    return common::make_error(errc::corruption,
                              file_.string()
                                + " is not a jirasync token file; run "
                                  "`jirasync auth login` to replace it");
  if (ver->as_int64() > format_version)
    return common::make_error(errc::schema_too_new,
                              file_.string()
                                + " was written by a newer "
                                  "jirasync (format version "
                                + std::to_string(ver->as_int64()) + ")");
  std::string bad;
  auto t = from_json(o, bad);
  if (!bad.empty())
    return common::make_error(errc::corruption,
                              file_.string() + ": field " + bad
                                + " is missing or has the wrong type; run "
                                  "`jirasync auth login` to replace it");
  return std::optional<oauth_token_set>{std::move(t)};
}

common::result<void> token_store::save(const oauth_token_set& tokens) const {
  if (tokens.access_token.empty())
    return common::make_error(errc::invalid_argument,
                              "refusing to store OAuth tokens without an "
                              "access token");
  if (auto d = ensure_dir(); !d)
    return d.error();
  static std::atomic<unsigned> counter{0};
  auto tmp = dir_
             / ("oauth-tokens.json.tmp-" + std::to_string(::getpid()) + "-"
                + std::to_string(++counter));
  auto text = json::serialize(to_json(tokens)) + "\n";
  {
    fd_guard f{::open(
      tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600)};
    if (f.fd < 0)
      return sys_error(errno, "cannot create " + tmp.string());
    auto fail = [&](const std::string& what) {
      int err = errno;
      ::unlink(tmp.c_str());
      return sys_error(err, what);
    };
    // The umask may have narrowed 0600 further, never widened it; fchmod
    // makes it exactly 0600 either way.
    if (::fchmod(f.fd, 0600) != 0)
      return fail("cannot restrict " + tmp.string() + " to 0600");
    if (!write_all(f.fd, text))
      return fail("cannot write " + tmp.string());
    if (::fsync(f.fd) != 0)
      return fail("cannot sync " + tmp.string());
  }
  if (::rename(tmp.c_str(), file_.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return sys_error(err, "cannot move the new OAuth tokens into place at "
                            + file_.string());
  }
  // The rename itself is durable only once the folder is synced.
  return fsync_dir(dir_);
}

common::result<void> token_store::remove() const {
  if (::unlink(file_.c_str()) != 0 && errno != ENOENT)
    return sys_error(errno, "cannot remove " + file_.string());
  if (fs::exists(dir_))
    return fsync_dir(dir_);
  return {};
}

token_store::lock& token_store::lock::operator=(lock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0)
      ::close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

token_store::lock::~lock() {
  if (fd_ >= 0) {
    ::flock(fd_, LOCK_UN);
    ::close(fd_);
  }
}

common::result<token_store::lock>
token_store::acquire(std::chrono::milliseconds timeout) const {
  if (auto d = ensure_dir(); !d)
    return d.error();
  auto path = dir_ / "oauth-tokens.lock";
  int fd
    = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    return sys_error(errno, "cannot open " + path.string());
  lock held{fd};
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0)
      return held;
    if (errno != EWOULDBLOCK && errno != EINTR)
      return sys_error(errno, "cannot lock " + path.string());
    if (std::chrono::steady_clock::now() >= deadline)
      return common::make_error(
        errc::locked, "another jirasync process kept the OAuth tokens locked ("
                        + path.string() + ") for "
                        + std::to_string(timeout.count()) + " ms");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

} // namespace jirasync::storage
