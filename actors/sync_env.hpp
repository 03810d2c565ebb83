#pragma once
// What every actor of one sync run shares (immutable once the run starts):
// where the site is, the settings that steer the pipeline, the timeouts,
// the handles of the site-wide actors, and the test seam.

#include "actors/api_client.hpp"
#include "actors/attachment_downloader.hpp"
#include "actors/fault_injection.hpp"
#include "actors/messages.hpp"
#include "actors/store_writer.hpp"
#include "actors/text_extractor.hpp"
#include "actors/timeouts.hpp"
#include "actors/token_keeper.hpp"
#include "config/config.hpp"
#include "sync/record_mapping.hpp"
#include "sync/run_plan.hpp"

#include <spdlog/logger.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>

namespace jirasync::actors {

/// Sizes of the pipeline's bounded windows (backpressure).
struct pipeline_tuning {
  /// Issue ids per search/jql page (fields=id). Default: 5000.
  std::int64_t id_page_size = 5000;
  /// Issues per bulkfetch (Jira's maximum). Default: 100.
  std::int64_t bulk_size = 100;
  /// bulkfetch chunks in flight per project (fetched, not yet written).
  /// Each holds its issues' and comments' ADF until it is written: 4 made
  /// a 200k-issue sync peak at 259-265 MB, 2 at 234 MB at about the same
  /// speed (bench/results/analysis.md, "The store's lookups and memory at
  /// XL"). Default: 2.
  int bulk_parallel = 2;
  /// Projects whose issue pipelines run at the same time. Default: 4.
  int projects_parallel = 4;
  /// Attachments in flight (the downloader pool size): only a bound on
  /// open temp files and queued permits. How many downloads really run at
  /// once is the governor's: attachment content's bucket (300/s) x the
  /// observed latency (Little's law), and the media host's cap. A slot
  /// lasts the attachment content request, the media download and the
  /// blob's adoption: at 285/s and 125 + 200 ms (a loaded box) ~93 slots
  /// are busy, so 64 held the rate down. Default: 128 (the governor's
  /// class cap).
  int downloads_parallel = 128;
  /// Comments per /issue/{id}/comment page. Default: 100.
  std::int64_t comment_page_size = 100;
  /// Users per users/search page. Default: 1000.
  std::int64_t user_page_size = 1000;
};

struct sync_env {
  /// API base and, in API-token mode, the Authorization header (in OAuth
  /// mode api_client sets the Bearer token of each attempt).
  protocol::api_target target;
  /// How the run authenticates (the wording of authentication failures).
  /// Default: api_token.
  config::auth_method auth = config::auth_method::api_token;
  /// API-token mode: jira.email (named in authentication failures).
  std::string email;
  /// Site URL (browse links), field names for custom fields.
  sync::mapping_context mapping;
  config::filters_config filters;
  config::indexing_config indexing;
  std::string filters_hash;
  /// The API user's IANA time zone (JQL literals). Default: "UTC".
  std::string time_zone = "UTC";
  /// The API user (GET /myself): the one account certain to see what the
  /// run fetches (fail-safe ACLs). Set by the coordinator.
  std::optional<protocol::jira_user> api_user;
  pipeline_tuning tuning;
  /// Full or incremental, and the checkpoints and ids stored when the run
  /// began (read before the actors start). Null = a full first run.
  std::shared_ptr<const sync::run_plan> plan;
  /// [sync] overlap_minutes. Default: 10.
  int overlap_minutes = 10;
  /// [sync] reconcile_range_ids: stored ids per id range of the
  /// reconciliation listing (sync::plan_id_ranges). Default: 5000.
  std::int64_t reconcile_range_ids = 5000;
  /// [sync] download_bytes_in_flight: attachment bytes reserved at once
  /// across all downloads (attachment_downloader.hpp). Default: the
  /// config's default.
  std::uint64_t download_bytes_in_flight = static_cast<std::uint64_t>(
    config::sync_config{}.download_bytes_in_flight);
  actors::timeouts timeouts;
  std::shared_ptr<storage::store> db;
  api_client_actor api;
  /// OAuth mode: the run's token_keeper (watched like the other site-wide
  /// actors); none in API-token mode.
  token_keeper_actor keeper;
  store_writer_actor writer;
  /// Set by the coordinator once it spawned the pool.
  attachment_downloader_actor downloader;
  /// The extraction processes' command and limits; an empty
  /// jirasync_bin leaves attachment texts unextracted (text_status
  /// "pending"). The text cap is indexing.attachment_text_max_bytes.
  extract::runner_options extraction;
  /// Set by the coordinator when extraction.jirasync_bin is set.
  text_extractor_actor extractor;
  /// Test seam (fault_injection.hpp); empty in production.
  fault_hook fault;
  /// Asked to stop (a signal, POST /sync/cancel): no new work is taken;
  /// what is in flight is written, then the run ends with errc::cancelled.
  /// Default: a token that is never stopped.
  std::stop_token stop;
  /// The run's logger (its name is the run id, on every line); null =
  /// spdlog's default logger.
  std::shared_ptr<spdlog::logger> log;
};

} // namespace jirasync::actors
