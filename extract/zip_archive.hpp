#pragma once
// Reading the entries of a ZIP archive (libzip) within a byte budget: an
// entry is streamed in chunks, and reading stops with too_large once one
// entry or the whole archive has inflated past its limit, whatever sizes
// the archive declares (a zip bomb may lie).
//
// Thread-safety: one archive per thread.

#include "extract/text_status.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace jirasync::extract {

class zip_archive {
public:
  struct budget {
    std::uint64_t max_entry_bytes;
    std::uint64_t max_total_bytes;
    std::uint64_t max_entries;
  };

  /// Opens `file`; on failure the outcome says why (failed: not a ZIP or
  /// damaged; too_large: more entries than allowed).
  static std::unique_ptr<zip_archive> open(const std::filesystem::path& file,
                                           const budget& b,
                                           extract_outcome& why);
  ~zip_archive();
  zip_archive(const zip_archive&) = delete;
  zip_archive& operator=(const zip_archive&) = delete;

  /// Whether the archive has an entry of that exact name.
  bool contains(const std::string& name) const;

  /// Receives an entry's bytes in order; returns false to stop reading.
  using chunk_fn = std::function<bool(std::string_view)>;

  /// Streams entry `name` to `fn`. Outcomes: extracted (read to its end,
  /// or stopped by `fn`), failed (missing entry, damaged data),
  /// unsupported (encrypted entry), too_large (past a budget).
  extract_outcome read(const std::string& name, const chunk_fn& fn);

  /// The whole entry in memory, for the small parts (relationships,
  /// content types, workbook): `max_bytes` at most, else too_large.
  extract_outcome read_all(const std::string& name, std::string& out,
                           std::size_t max_bytes);

  /// Uncompressed bytes read so far, all entries together.
  std::uint64_t total_read() const {
    return total_;
  }

private:
  struct impl;
  explicit zip_archive(std::unique_ptr<impl> p, const budget& b);
  std::unique_ptr<impl> impl_;
  budget budget_;
  std::uint64_t total_ = 0;
};

} // namespace jirasync::extract
