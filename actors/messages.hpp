#pragma once
// Every message the sync pipeline's actors exchange, and the single CAF
// type-ID block. Payload structs are local-only (never sent over a network):
// they are whitelisted with CAF_ALLOW_UNSAFE_MESSAGE_TYPE instead of being
// made serializable, and big or shared payloads travel as shared_ptr.
//
// Message contracts (dynamically typed handles; each actor header repeats
// its own part):
//   rate_governor:   (permit_atom, bucket, cost)   -> (permit_atom)  [delayed]
//                    (done_atom, governor_done)    -> void
//                    (stats_atom)                  -> governor_report
//   api_client:      (api_call)                    -> api_reply
//                    (stats_atom)                  -> api_stats
//   store_writer:    (write_atom, write_job)       -> write_reply
//                    (adopt_atom, adopt_job)       -> write_reply
//                    (stats_atom)                  -> store_totals
//   attachment_downloader: (download_atom, download_job) -> download_result
//   users_actor:     (run_atom)                    -> users_result
//   groups_actor:    (run_atom, users_result)      -> groups_result
//   projects_actor:  (run_atom)                    -> projects_result
//   roles_actor:     (run_atom, jira_project)      -> access_result
//   issue_fetcher:   (run_atom)                    -> fetch_result
//                    sends (progress_atom, progress_delta) to its parent
//   sync_coordinator:(run_atom)                    -> sync_report

#include "protocol/http/http_client.hpp"
#include "protocol/jira/jira_api.hpp"
#include "protocol/jira/jira_models.hpp"
#include "storage/store.hpp"
#include "sync/governor.hpp"
#include "sync/permissions.hpp"

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/type_id.hpp>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace jirasync::actors {

/// The answer of api_client to one api_call, after permits and retries.
struct api_reply {
  /// True when the final attempt was a success (2xx).
  bool ok = false;
  /// HTTP status of the final attempt (0 = transport failure).
  int status = 0;
  std::string body;
  protocol::header_list headers;
  /// Set for body_file downloads.
  std::string sha256_hex;
  std::uint64_t body_bytes = 0;
  /// When !ok: a one-line reason naming the request, e.g.
  /// "bulkfetch: HTTP 503 after 6 attempt(s) (retries exhausted)".
  std::string error;
  int attempts = 0;
};

struct api_call {
  protocol::api_request request;
};

/// api_client counters.
struct api_stats {
  std::uint64_t requests = 0; // attempts sent (retries included)
  std::uint64_t retries = 0;
  std::uint64_t responses_429 = 0;
  std::uint64_t failures = 0; // calls that gave up
};

/// What api_client reports to the governor about one finished attempt.
struct governor_done {
  sync::completion completion;
};

struct governor_report {
  sync::governor_stats stats;
  /// Requests that had to wait for a rate limit (bucket, pause, quota).
  std::uint64_t rate_limit_waits = 0;
  /// Total milliseconds requests spent waiting for a permit.
  std::int64_t wait_ms = 0;
  double concurrency = 0;
};

struct write_job {
  std::shared_ptr<storage::write_batch_spec> spec;
};

struct adopt_job {
  std::filesystem::path tmp_path;
  std::string sha256;
};

struct write_reply {
  bool ok = false;
  std::string error;
};

/// Totals over every apply() of the run.
struct store_totals {
  std::uint64_t added = 0;
  std::uint64_t updated = 0;
  std::uint64_t unchanged = 0;
  std::uint64_t deleted = 0;
  std::uint64_t batches = 0;
};

struct download_job {
  protocol::jira_attachment attachment;
};

struct download_result {
  std::string attachment_id;
  bool ok = false;
  /// Skipped because larger than indexing.attachment_max_bytes (not an
  /// error; the attachment is not emitted).
  bool skipped = false;
  std::string sha256;
  std::optional<std::string> text;
  std::string error;
};

/// Users of the site (step 1).
struct users_result {
  bool ok = false;
  std::string error;
  /// Sorted accountIds of active atlassian users (the ACL universe).
  std::vector<std::string> universe;
  std::uint64_t count = 0;
  /// The API user's /myself-independent info is not here; see sync_env.
};

/// Groups, memberships, application roles (step 2).
struct groups_result {
  bool ok = false;
  std::string error;
  std::shared_ptr<const sync::identity_directory> directory;
  std::uint64_t count = 0;
};

/// Projects in scope after the sync filters (step 3).
struct projects_result {
  bool ok = false;
  std::string error;
  std::vector<protocol::jira_project> projects;
};

/// Roles, permission scheme and issue security of one project (step 4).
struct access_result {
  bool ok = false;
  std::string error;
  std::shared_ptr<const sync::project_access> access;
};

/// Progress a fetcher reports to the coordinator (deltas).
struct progress_delta {
  std::string project_key;
  std::int64_t estimated = 0; // approximate-count (sent once)
  std::int64_t issues = 0;
  std::int64_t comments = 0;
  std::int64_t attachments = 0;
};

/// The outcome of one project's issue pipeline.
struct fetch_result {
  std::string project_key;
  /// False when the project as a whole failed (e.g. id search failed).
  bool ok = false;
  std::string error;
  std::uint64_t issues = 0;
  std::uint64_t comments = 0;
  std::uint64_t attachments = 0;
  std::uint64_t attachments_skipped = 0;
  /// Records that failed, one line each ("issue 10001: ...").
  std::vector<std::string> failures;
};

/// The outcome of a whole sync run.
struct sync_report {
  /// "ok" | "partial" | "failed".
  std::string result = "failed";
  /// Fatal reason when failed.
  std::string error;
  /// True when the failure was bad credentials (HTTP 401).
  bool auth_failed = false;
  std::uint64_t users = 0;
  std::uint64_t groups = 0;
  std::uint64_t projects = 0;
  std::uint64_t issues = 0;
  std::uint64_t comments = 0;
  std::uint64_t attachments = 0;
  std::uint64_t attachments_skipped = 0;
  store_totals store;
  api_stats api;
  governor_report governor;
  std::int64_t duration_ms = 0;
  /// Failed projects and records, one line each.
  std::vector<std::string> failures;
};

} // namespace jirasync::actors

CAF_BEGIN_TYPE_ID_BLOCK(jirasync_actors, caf::first_custom_type_id)
CAF_ADD_ATOM(jirasync_actors, jirasync::actors, run_atom, "run")
CAF_ADD_ATOM(jirasync_actors, jirasync::actors, permit_atom, "permit")
CAF_ADD_ATOM(jirasync_actors, jirasync::actors, done_atom, "done")
CAF_ADD_ATOM(jirasync_actors, jirasync::actors, stats_atom, "stats")
CAF_ADD_ATOM(jirasync_actors, jirasync::actors, tick_atom, "tick")
CAF_ADD_ATOM(jirasync_actors, jirasync::actors, retry_atom, "retry")
CAF_ADD_ATOM(jirasync_actors, jirasync::actors, http_atom, "http")
CAF_ADD_ATOM(jirasync_actors, jirasync::actors, write_atom, "write")
CAF_ADD_ATOM(jirasync_actors, jirasync::actors, adopt_atom, "adopt")
CAF_ADD_ATOM(jirasync_actors, jirasync::actors, download_atom, "download")
CAF_ADD_ATOM(jirasync_actors, jirasync::actors, progress_atom, "progress")
CAF_END_TYPE_ID_BLOCK(jirasync_actors)

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jirasync::actors::api_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jirasync::actors::api_call)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jirasync::actors::api_stats)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jirasync::actors::governor_done)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jirasync::actors::governor_report)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jirasync::actors::write_job)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jirasync::actors::adopt_job)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jirasync::actors::write_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jirasync::actors::store_totals)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jirasync::actors::download_job)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jirasync::actors::download_result)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jirasync::actors::users_result)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jirasync::actors::groups_result)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jirasync::actors::projects_result)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jirasync::actors::access_result)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jirasync::actors::progress_delta)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jirasync::actors::fetch_result)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jirasync::actors::sync_report)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jirasync::protocol::jira_project)
