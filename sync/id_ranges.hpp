#pragma once
// The reconciliation listing of a large project in id ranges: every issue
// id of the project is listed (search/jql, fields=id, ORDER BY id) to find
// the stored issues Jira no longer returns. One listing is a chain of pages
// (each page's nextPageToken names the next), so a project of 17,000 ids
// took four round trips one after the other. Split into id ranges
// (`id >= a AND id < b`, the last one open: `id >= a`), the chains run at
// the same time and the listing takes about one page's time.
//
// The boundaries come from what the store knows: the project's stored ids
// cut into chunks of `per_range`; ids created since fall into the last,
// open range, ids below the first boundary into the first (`id < b`).
// Jira issue ids are decimal numbers: compared numerically, never as text.
//
// The result is exactly the one listing's: a stored id is a deletion
// candidate only when EVERY range has been listed to its end; a range that
// failed means no candidate at all for the project in this run.
//
// Thread-safety: plain values; id_listing is used by one actor.

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace jirasync::sync {

/// Ids `from <= id < below`; an absent bound is open.
struct id_range {
  std::optional<std::int64_t> from;
  std::optional<std::int64_t> below;

  /// True when `id` (a decimal issue id) lies in the range. An id that is
  /// not a decimal number fits only the range with no bound at all.
  bool contains(std::string_view id) const;

  friend bool operator==(const id_range&, const id_range&) = default;
};

/// The decimal issue id as a number; nullopt when it is not one (empty,
/// non-digits, over 18 digits).
std::optional<std::int64_t> numeric_id(std::string_view id);

/// The ranges to list a project in, from its stored ids (sorted by
/// id_less): one open range when there are at most `per_range` of them (or
/// `per_range` is 0, or a stored id is not a decimal number); else the ids
/// at positions per_range, 2 x per_range, ... are the boundaries: ranges
/// (-inf, b1), [b1, b2), ..., [bn, +inf), each holding `per_range` stored
/// ids (the last one the rest). Together they cover every id, without
/// overlap, in ascending order.
std::vector<id_range> plan_id_ranges(const std::vector<std::string>& stored,
                                     std::size_t per_range);

/// One reconciliation listing over ranges, compared with the stored ids.
class id_listing {
public:
  /// `stored`: the project's stored ids, sorted by id_less. `ranges`: from
  /// plan_id_ranges (disjoint, ascending, covering). A stored id no range
  /// contains is never a deletion candidate.
  id_listing(const std::vector<std::string>& stored,
             std::vector<id_range> ranges);

  std::size_t ranges() const {
    return parts_.size();
  }
  const id_range& range(std::size_t i) const {
    return parts_.at(i).range;
  }

  /// Takes one page of range `i` (pages in listing order; `last_page` for
  /// its final one). Returns the listed ids that are not stored: to fetch.
  /// An id is returned once over the listing's life, a restarted listing
  /// (as_single_range) included. Ids outside the range (a server that
  /// ignored the bounds) are left to the range that holds them: counted in
  /// stray(), not returned. A page for a range that is done is ignored.
  std::vector<std::string>
  take_page(std::size_t i, std::vector<std::string> page, bool last_page);

  /// Range `i` took its last page.
  bool done(std::size_t i) const {
    return parts_.at(i).done;
  }
  /// Every range took its last page.
  bool complete() const;

  /// The stored ids no range listed, sorted by id_less: deletion
  /// candidates to confirm. Empty until complete().
  std::vector<std::string> gone() const;

  /// The same listing as one open range (the server refused the range
  /// queries): the same stored ids, nothing listed yet, and the ids this
  /// listing returned to fetch are not returned again.
  id_listing as_single_range() const;

  /// Listed ids that were outside their range (ignored).
  std::size_t stray() const {
    return stray_;
  }

private:
  struct part {
    id_range range;
    /// The stored ids inside `range`, sorted by id_less.
    std::vector<std::string> stored;
    /// How far the range's pages got through `stored` (diff_listing_page).
    std::size_t pos = 0;
    bool done = false;
    std::vector<std::string> gone;
  };

  std::vector<part> parts_;
  /// Ids already returned to fetch.
  std::set<std::string> returned_;
  std::size_t stray_ = 0;
};

} // namespace jirasync::sync
