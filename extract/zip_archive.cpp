#include "extract/zip_archive.hpp"

#include <zip.h>

#include <optional>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace jirasync::extract {

namespace {

/// Bytes inflated per read.
constexpr std::size_t chunk_bytes = 64 << 10;

std::string error_text(int code) {
  zip_error_t err;
  zip_error_init_with_code(&err, code);
  std::string s = zip_error_strerror(&err);
  zip_error_fini(&err);
  return s;
}

std::string lower(std::string_view s) {
  std::string out{s};
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string mib(std::uint64_t bytes) {
  return std::to_string(bytes >> 20) + " MiB";
}

} // namespace

struct zip_archive::impl {
  zip_t* z = nullptr;
  /// Lower-case entry name -> index: libzip's ZIP_FL_NOCASE lookup scans
  /// every entry, which made a 6,000-slide deck quadratic.
  std::unordered_map<std::string, zip_uint64_t> by_name;

  std::optional<zip_uint64_t> find(const std::string& name) const {
    auto it = by_name.find(lower(name));
    if (it == by_name.end())
      return std::nullopt;
    return it->second;
  }
  ~impl() {
    if (z)
      zip_discard(z); // read-only: nothing to write back
  }
};

zip_archive::zip_archive(std::unique_ptr<impl> p, const budget& b)
    : impl_(std::move(p)), budget_(b) {
  // nop
}

zip_archive::~zip_archive() = default;

std::unique_ptr<zip_archive>
zip_archive::open(const std::filesystem::path& file, const budget& b,
                  extract_outcome& why) {
  int code = 0;
  zip_t* z = zip_open(file.c_str(), ZIP_RDONLY, &code);
  if (!z) {
    why = extract_outcome::fail(
      text_status::failed, "not a readable ZIP archive: " + error_text(code));
    return nullptr;
  }
  auto p = std::make_unique<impl>();
  p->z = z;
  auto n = zip_get_num_entries(z, 0);
  if (n < 0 || static_cast<std::uint64_t>(n) > b.max_entries) {
    why = extract_outcome::fail(text_status::too_large,
                                "the ZIP archive has " + std::to_string(n)
                                  + " entries (limit "
                                  + std::to_string(b.max_entries) + ")");
    return nullptr;
  }
  for (zip_int64_t i = 0; i < n; ++i) {
    const char* name = zip_get_name(z, static_cast<zip_uint64_t>(i), 0);
    if (name) // the first of two names differing in case wins
      p->by_name.emplace(lower(name), static_cast<zip_uint64_t>(i));
  }
  why = extract_outcome::ok();
  return std::unique_ptr<zip_archive>(new zip_archive(std::move(p), b));
}

bool zip_archive::contains(const std::string& name) const {
  // OOXML part names compare case-insensitively (ECMA-376 Part 2, 9.1.1).
  return impl_->find(name).has_value();
}

extract_outcome zip_archive::read(const std::string& name, const chunk_fn& fn) {
  auto idx = impl_->find(name);
  if (!idx)
    return extract_outcome::fail(text_status::failed,
                                 "the package has no part " + name);
  zip_file_t* f = zip_fopen_index(impl_->z, *idx, 0);
  if (!f) {
    zip_error_t* err = zip_get_error(impl_->z);
    int code = zip_error_code_zip(err);
    std::string text = zip_error_strerror(err);
    if (code == ZIP_ER_NOPASSWD || code == ZIP_ER_WRONGPASSWD
        || code == ZIP_ER_ENCRNOTSUPP)
      return extract_outcome::fail(text_status::unsupported,
                                   "encrypted ZIP entry " + name);
    if (code == ZIP_ER_COMPNOTSUPP)
      return extract_outcome::fail(text_status::unsupported,
                                   "ZIP entry " + name
                                     + " uses an unsupported compression");
    return extract_outcome::fail(text_status::failed,
                                 "cannot open ZIP entry " + name + ": " + text);
  }
  std::vector<char> buf(chunk_bytes);
  std::uint64_t entry = 0;
  extract_outcome out = extract_outcome::ok();
  while (true) {
    auto n = zip_fread(f, buf.data(), buf.size());
    if (n < 0) {
      out = extract_outcome::fail(text_status::failed,
                                  "damaged ZIP entry " + name + ": "
                                    + zip_file_strerror(f));
      break;
    }
    if (n == 0)
      break;
    auto got = static_cast<std::uint64_t>(n);
    entry += got;
    total_ += got;
    if (entry > budget_.max_entry_bytes) {
      out = extract_outcome::fail(text_status::too_large,
                                  "ZIP entry " + name + " inflates past "
                                    + mib(budget_.max_entry_bytes)
                                    + " (zip bomb?)");
      break;
    }
    if (total_ > budget_.max_total_bytes) {
      out = extract_outcome::fail(text_status::too_large,
                                  "the ZIP entries inflate past "
                                    + mib(budget_.max_total_bytes)
                                    + " in total (zip bomb?)");
      break;
    }
    if (!fn(std::string_view{buf.data(), static_cast<std::size_t>(n)}))
      break;
  }
  zip_fclose(f);
  return out;
}

extract_outcome zip_archive::read_all(const std::string& name, std::string& out,
                                      std::size_t max_bytes) {
  out.clear();
  bool over = false;
  auto res = read(name, [&](std::string_view chunk) {
    if (out.size() + chunk.size() > max_bytes) {
      over = true;
      return false;
    }
    out.append(chunk);
    return true;
  });
  if (res.extracted() && over)
    return extract_outcome::fail(text_status::too_large,
                                 "part " + name + " is larger than "
                                   + std::to_string(max_bytes >> 20) + " MiB");
  return res;
}

} // namespace jirasync::extract
