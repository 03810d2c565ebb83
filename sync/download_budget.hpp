#pragma once
// download_budget: a cap on the bytes of attachment content in flight
// across all downloads of a run (issue 11: N large attachments streamed at
// once each held their bytes at the same time). A download reserves its
// attachment's size before it starts and gives the reservation back when it
// ends (stored, failed or given up); a download that does not fit waits for
// releases. The downloader also caps each body at its reservation, so the
// reservations bound the bytes actually received.
//
// One attachment larger than the whole budget is never skipped and never
// waits forever: it starts as soon as nothing else is in flight, and runs
// alone. So the bytes in flight stay at most max(capacity, the largest
// single reservation).
//
// Thread-safety: a plain value; the attachment_downloader owns one.

#include <cstddef>
#include <cstdint>

namespace jirasync::sync {

/// The least a download reserves: an attachment Jira sizes at 0 (or a few
/// bytes) still gets room for a short wrong body (an error page), which the
/// content check then names instead of a size-limit error. 64 KiB.
inline constexpr std::uint64_t min_download_reservation = 64 * 1024;

class download_budget {
public:
  /// At most `capacity` bytes reserved at once (0 is taken as 1: every
  /// download then runs alone).
  explicit download_budget(std::uint64_t capacity);

  /// The bytes a download reserves: the size Jira declares for the
  /// attachment, at least min_download_reservation; when Jira gave no
  /// size, `max_body_bytes` (indexing.attachment_max_bytes: the most its
  /// body may have).
  static std::uint64_t reservation(std::int64_t declared_size, bool size_known,
                                   std::uint64_t max_body_bytes);

  /// Reserves `bytes` when they fit in what is left, or when nothing is in
  /// flight (a download larger than the capacity goes alone). False:
  /// nothing reserved; ask again after a release.
  bool try_reserve(std::uint64_t bytes);

  /// Gives back a reservation try_reserve made (`bytes` as reserved).
  void release(std::uint64_t bytes);

  std::uint64_t capacity() const {
    return capacity_;
  }
  /// Bytes reserved now.
  std::uint64_t in_flight() const {
    return in_flight_;
  }
  /// Reservations held now.
  std::size_t holders() const {
    return holders_;
  }
  /// The most bytes reserved at once so far: at most capacity(), or the
  /// reservation of a download larger than it that ran alone.
  std::uint64_t peak() const {
    return peak_;
  }
  /// Times try_reserve said no (a download waited for bytes).
  std::uint64_t waits() const {
    return waits_;
  }

private:
  std::uint64_t capacity_;
  std::uint64_t in_flight_ = 0;
  std::size_t holders_ = 0;
  std::uint64_t peak_ = 0;
  std::uint64_t waits_ = 0;
};

} // namespace jirasync::sync
