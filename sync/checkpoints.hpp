#pragma once
// The checkpoints a sync writes: per project (in the same batch as the page
// of records it covers) and one for the run (what `jirasync status` shows).
// Time is passed in (`now_ms`, UTC milliseconds): no clock is read here.
//
// Thread-safety: pure functions.

#include "common/error.hpp"
#include "protocol/jira/jira_models.hpp"
#include "storage/store.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace jirasync::sync {

/// How far a project's issue pipeline got over the batches committed so
/// far.
struct project_cursor {
  /// Max `updated` (UTC ms) over the committed issues. Default: 0.
  std::int64_t max_updated_ms = 0;
  /// Id of the last committed issue. Default: "".
  std::string last_issue_id;

  /// Takes in a committed batch's max `updated` and last issue id ("" =
  /// the batch had no issue: nothing changes).
  void advance(std::int64_t batch_max_updated_ms,
               const std::string& batch_last_issue_id);
};

/// The low-water mark of one project's listing. Chunks are cut from the
/// listing in order; they may finish fetching in any order but are
/// committed strictly in listing order, one batch after the other, each
/// batch carrying the checkpoint this class computes for it. The mark
/// moves over a chunk only when that chunk and every chunk before it
/// committed without a failed record; after the first failure (a failed
/// record, or a batch that could not be written) it stays where it is for
/// the rest of the run, so the next run fetches that record again.
class low_water_mark {
public:
  explicit low_water_mark(project_cursor start) : cursor_(std::move(start)) {}

  /// The cursor to store in the batch of the next chunk to commit: moved
  /// over (`end_updated_ms`, `end_id`) - the chunk's last listing entry -
  /// when `clean` and nothing failed before; else unchanged.
  project_cursor if_committed(std::int64_t end_updated_ms,
                              const std::string& end_id, bool clean) const;

  /// The batch of that chunk committed (with the cursor if_committed gave).
  void committed(std::int64_t end_updated_ms, const std::string& end_id,
                 bool clean);
  /// The batch of that chunk was lost: the mark stops here.
  void lost() {
    stopped_ = true;
  }

  const project_cursor& cursor() const {
    return cursor_;
  }
  /// True once a failure stopped the mark.
  bool stopped() const {
    return stopped_;
  }

private:
  project_cursor cursor_;
  bool stopped_ = false;
};

storage::project_checkpoint make_project_checkpoint(
  const protocol::jira_project& project, const project_cursor& cursor,
  const std::string& filters_hash, bool full_sync_done, std::int64_t now_ms,
  const std::string& access_hash = {});

/// "ok" | "partial" | "failed".
enum class run_result { ok, partial, failed };

std::string_view to_string(run_result r);

/// failed when `fatal` is set, partial when records failed, else ok.
run_result result_of(const std::optional<common::error>& fatal,
                     std::size_t failures);

/// The run's checkpoint: result, one-line reason (the fatal error, else
/// "N record(s) or project(s) failed"), when and with which filters it
/// ran, and free counters (requests, rate_limit_waits, duration_ms).
storage::sync_checkpoint
make_sync_checkpoint(const std::optional<common::error>& fatal,
                     std::size_t failures, std::int64_t started_ms,
                     std::int64_t finished_ms, const std::string& filters_hash,
                     std::map<std::string, std::int64_t> counters);

} // namespace jirasync::sync
