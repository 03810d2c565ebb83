// store: the attachment blob store on disk (content-addressed by SHA-256,
// adopted by atomic rename, collected on demand).
#include "storage/store_impl.hpp"

#include "common/sha256.hpp"
#include "common/utf8.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <fstream>
#include <set>

namespace fs = std::filesystem;

namespace jirasync::storage {

using namespace detail;

namespace {

/// fsyncs a file or a directory (opened read-only).
common::result<void> fsync_path(const fs::path& p) {
  int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return from_fs(std::error_code(errno, std::generic_category()),
                   "cannot open " + p.string() + " to sync it");
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0)
    return from_fs(std::error_code(err, std::generic_category()),
                   "cannot sync " + p.string());
  if (testing::on_fsync)
    testing::on_fsync(p);
  return {};
}

} // namespace

namespace testing {
std::function<void(const fs::path&)> on_fsync;
} // namespace testing

fs::path store::blob_tmp_dir() const {
  return impl_->path / "blobs" / "tmp";
}

fs::path store::blob_path(std::string_view sha256) const {
  auto dir = sha256.size() >= 2 ? std::string(sha256.substr(0, 2)) : "__";
  return impl_->path / "blobs" / dir / std::string(sha256);
}

bool store::has_blob(std::string_view sha256) const {
  std::error_code ec;
  return common::is_sha256_hex(sha256) && fs::exists(blob_path(sha256), ec);
}

common::result<void> store::adopt_blob(const fs::path& tmp_path,
                                       std::string_view sha256) {
  if (impl_->opts.read_only)
    return common::make_error(common::errc::read_only,
                              "the store is open read-only");
  if (!common::is_sha256_hex(sha256))
    return invalid("not a lower-case hex SHA-256: " + std::string(sha256));
  std::error_code ec;
  auto dest = blob_path(sha256);
  if (fs::exists(dest, ec)) {
    fs::remove(tmp_path, ec);
    if (ec)
      return from_fs(ec, "cannot remove " + tmp_path.string());
    return {};
  }
  if (!fs::exists(tmp_path, ec))
    return common::make_error(common::errc::not_found,
                              "no downloaded file " + tmp_path.string());
  // Content first: durable and owner-only before it gets its name.
  fs::permissions(tmp_path, fs::perms::owner_read | fs::perms::owner_write,
                  fs::perm_options::replace, ec);
  if (ec)
    return from_fs(ec, "cannot restrict " + tmp_path.string());
  JS_TRY(fsync_path(tmp_path));
  bool new_shard = !fs::exists(dest.parent_path(), ec);
  fs::create_directories(dest.parent_path(), ec);
  if (ec)
    return from_fs(ec, "cannot create " + dest.parent_path().string());
  fs::rename(tmp_path, dest, ec);
  if (ec)
    return from_fs(ec,
                   "cannot move " + tmp_path.string() + " to " + dest.string());
  // Then the name: the shard directory's entry (and the shard itself in
  // blobs/ when it is new).
  JS_TRY(fsync_path(dest.parent_path()));
  if (new_shard)
    JS_TRY(fsync_path(dest.parent_path().parent_path()));
  return {};
}

common::result<std::string>
store::read_blob_text(std::string_view sha256, std::uint64_t max_bytes) const {
  if (!common::is_sha256_hex(sha256))
    return invalid("not a lower-case hex SHA-256: " + std::string(sha256));
  auto p = blob_path(sha256);
  std::ifstream in(p, std::ios::binary);
  if (!in) {
    std::error_code ec;
    if (!fs::exists(p, ec))
      return common::make_error(common::errc::not_found,
                                "no blob " + std::string(sha256));
    return common::make_error(common::errc::io_error,
                              "cannot open " + p.string());
  }
  // Streamed in chunks: at most max_bytes (+ one character) are read,
  // however large the blob.
  std::string raw;
  std::string text;
  constexpr std::size_t chunk = 64 * 1024;
  std::string buf(chunk, '\0');
  std::uint64_t want = max_bytes + 4; // room to finish a cut character
  while (raw.size() < want && in) {
    auto n = std::min<std::uint64_t>(chunk, want - raw.size());
    in.read(buf.data(), static_cast<std::streamsize>(n));
    raw.append(buf.data(), static_cast<std::size_t>(in.gcount()));
  }
  if (in.bad())
    return common::make_error(common::errc::io_error,
                              "cannot read " + p.string());
  common::append_valid_utf8(text, raw);
  // A character cut by the read limit became U+FFFD at the very end:
  // utf8_prefix_length drops it when it does not fit.
  text.resize(common::utf8_prefix_length(text, max_bytes));
  return text;
}

common::result<std::uint64_t>
store::collect_unreferenced_blobs(std::int64_t min_age_secs) {
  if (impl_->opts.read_only)
    return common::make_error(common::errc::read_only,
                              "the store is open read-only");
  // One entry per distinct blob: small next to the blobs themselves.
  std::set<std::string> referenced;
  auto r = for_each_attachment([&](const attachment_record& a) {
    if (!a.sha256.empty())
      referenced.insert(a.sha256);
    return true;
  });
  if (!r)
    return r.error();
  auto cutoff
    = fs::file_time_type::clock::now() - std::chrono::seconds(min_age_secs);
  std::uint64_t removed = 0;
  std::error_code ec;
  auto root = impl_->path / "blobs";
  for (auto it = fs::recursive_directory_iterator(root, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec))
      continue;
    auto p = it->path();
    bool tmp = p.parent_path() == blob_tmp_dir();
    if (!tmp && referenced.count(p.filename().string()))
      continue;
    auto mtime = fs::last_write_time(p, ec);
    if (ec || mtime > cutoff) {
      ec.clear();
      continue;
    }
    if (fs::remove(p, ec))
      ++removed;
    if (ec)
      return from_fs(ec, "cannot remove " + p.string());
  }
  if (ec)
    return from_fs(ec, "cannot list " + root.string());
  return removed;
}

} // namespace jirasync::storage
