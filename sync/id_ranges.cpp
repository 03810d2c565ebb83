#include "sync/id_ranges.hpp"

#include "sync/run_plan.hpp"

#include <algorithm>
#include <charconv>

namespace jirasync::sync {

std::optional<std::int64_t> numeric_id(std::string_view id) {
  // 18 digits always fit an int64; Jira's ids are far shorter.
  if (id.empty() || id.size() > 18)
    return std::nullopt;
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(id.data(), id.data() + id.size(), v);
  if (ec != std::errc{} || end != id.data() + id.size() || v < 0
      || id.front() == '-' || id.front() == '+')
    return std::nullopt;
  return v;
}

bool id_range::contains(std::string_view id) const {
  if (!from && !below)
    return true;
  auto v = numeric_id(id);
  if (!v)
    return false;
  return (!from || *v >= *from) && (!below || *v < *below);
}

std::vector<id_range> plan_id_ranges(const std::vector<std::string>& stored,
                                     std::size_t per_range) {
  std::vector<id_range> one{id_range{}};
  if (per_range == 0 || stored.size() <= per_range)
    return one;
  std::vector<std::int64_t> numbers;
  numbers.reserve(stored.size());
  for (const auto& id : stored) {
    auto v = numeric_id(id);
    if (!v)
      return one; // not a Jira id: no numeric range can hold it
    numbers.push_back(*v);
  }
  std::vector<id_range> out;
  std::optional<std::int64_t> from;
  for (std::size_t at = per_range; at < numbers.size(); at += per_range) {
    // Sorted and unique: each boundary is above the previous one.
    if (from && numbers[at] <= *from)
      return one;
    out.push_back(id_range{from, numbers[at]});
    from = numbers[at];
  }
  out.push_back(id_range{from, std::nullopt});
  return out;
}

id_listing::id_listing(const std::vector<std::string>& stored,
                       std::vector<id_range> ranges) {
  parts_.reserve(ranges.size());
  for (auto& r : ranges)
    parts_.push_back(part{std::move(r), {}, 0, false, {}});
  for (const auto& id : stored)
    for (auto& p : parts_)
      if (p.range.contains(id)) {
        p.stored.push_back(id);
        break;
      }
}

std::vector<std::string> id_listing::take_page(std::size_t i,
                                               std::vector<std::string> page,
                                               bool last_page) {
  auto& p = parts_.at(i);
  std::vector<std::string> fetch;
  if (p.done)
    return fetch;
  auto stray = std::remove_if(page.begin(), page.end(), [&](const auto& id) {
    return !p.range.contains(id);
  });
  stray_ += static_cast<std::size_t>(page.end() - stray);
  page.erase(stray, page.end());
  auto diff = diff_listing_page(p.stored, p.pos, std::move(page), last_page);
  for (auto& id : diff.gone)
    p.gone.push_back(std::move(id));
  for (auto& id : diff.missing)
    if (returned_.insert(id).second)
      fetch.push_back(std::move(id));
  p.done = last_page;
  return fetch;
}

bool id_listing::complete() const {
  return std::all_of(parts_.begin(), parts_.end(), [](const part& p) {
    return p.done;
  });
}

std::vector<std::string> id_listing::gone() const {
  std::vector<std::string> out;
  if (!complete())
    return out;
  // Parts are in ascending id order, each part's candidates too.
  for (const auto& p : parts_)
    out.insert(out.end(), p.gone.begin(), p.gone.end());
  return out;
}

id_listing id_listing::as_single_range() const {
  std::vector<std::string> stored;
  for (const auto& p : parts_)
    stored.insert(stored.end(), p.stored.begin(), p.stored.end());
  id_listing out{stored, {id_range{}}};
  out.returned_ = returned_;
  return out;
}

} // namespace jirasync::sync
