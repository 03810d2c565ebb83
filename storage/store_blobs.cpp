// store: the attachment blob store on disk (content-addressed by SHA-256,
// adopted by atomic rename, collected on demand).
#include "storage/store_impl.hpp"

#include "common/sha256.hpp"

#include <chrono>
#include <set>

namespace fs = std::filesystem;

namespace jirasync::storage {

using namespace detail;

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
  fs::create_directories(dest.parent_path(), ec);
  if (ec)
    return from_fs(ec, "cannot create " + dest.parent_path().string());
  fs::rename(tmp_path, dest, ec);
  if (ec)
    return from_fs(ec,
                   "cannot move " + tmp_path.string() + " to " + dest.string());
  return {};
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
