#pragma once
// Every message the sync pipeline's actors exchange and the single CAF
// type-ID block (atoms). Payload structs are local-only (never sent over a
// network): they are whitelisted with CAF_ALLOW_UNSAFE_MESSAGE_TYPE instead
// of being made serializable, and big or shared payloads travel as
// shared_ptr.
//
// Expected failures travel as values: replies are common::result<T> (or
// carry common::error lists), never a bool + string. A caf::error reaching a
// requester means the request itself failed (no answer within its timeout,
// receiver gone); every request handles it.
//
// Each actor's typed interface (its handle type, the contract of each
// message and a spawn function) is in its own header:
//   rate_governor.hpp, api_client.hpp, store_writer.hpp,
//   attachment_downloader.hpp, users_actor.hpp, groups_actor.hpp,
//   projects_actor.hpp, roles_actor.hpp, issue_fetcher.hpp,
//   sync_coordinator.hpp.

#include "common/error.hpp"
#include "protocol/http/http_client.hpp"
#include "protocol/jira/jira_api.hpp"
#include "protocol/jira/jira_models.hpp"
#include "protocol/jira/json_reader.hpp"
#include "storage/store.hpp"
#include "sync/checkpoints.hpp"
#include "sync/governor.hpp"
#include "sync/page_builder.hpp"
#include "sync/permissions.hpp"
#include "sync/permissions_gaps.hpp"
#include "sync/text_tally.hpp"

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/type_id.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace jirasync::actors {

/// What every actor of one run shares (sync_env.hpp).
struct sync_env;
using sync_env_ptr = std::shared_ptr<const sync_env>;

// --- api_client -------------------------------------------------------------

struct api_call {
  protocol::api_request request;
};

/// A successful (2xx) answer of api_client, after permits and retries.
struct api_response {
  /// HTTP status of the final attempt.
  int status = 0;
  /// The body as received (empty for body_file downloads).
  std::string body;
  /// The body parsed, once, by api_client (it checks every JSON answer
  /// that way); null for downloads and empty bodies.
  std::shared_ptr<const boost::json::value> json;
  protocol::header_list headers;
  /// Set for body_file downloads.
  std::string sha256_hex;
  std::uint64_t body_bytes = 0;
  int attempts = 0;

  /// Applies one of protocol's parse_* functions to the parsed body
  /// (parse_text's result for a body that was not parsed).
  template<class T>
  protocol::parsed<T>
  parse(protocol::parsed<T> (*fn)(const boost::json::value&)) const {
    if (json)
      return fn(*json);
    return protocol::parse_text(body, fn);
  }
};

/// An api_call's answer. Errors name the request and why it gave up, e.g.
/// "bulkfetch: HTTP 503 after 6 attempt(s) (retries exhausted)", with the
/// code of the final status (unauthenticated for 401, not_found for 404,
/// unavailable after retries or transport failures) or timeout when no
/// rate-limit permit came in time.
using api_reply = common::result<api_response>;

/// api_client counters.
struct api_stats {
  /// HTTP requests sent (retries and media downloads included).
  std::uint64_t requests = 0;
  std::uint64_t retries = 0;
  std::uint64_t responses_429 = 0;
  std::uint64_t failures = 0; // calls that gave up
};

// --- token_keeper (OAuth mode) ----------------------------------------------

/// The Authorization header to send one request with.
struct bearer_grant {
  /// "Bearer <access token>". Secret: never log it.
  std::string authorization;
  /// The session generation of that token: a 401 to it is reported with
  /// it, so that a token refreshed meanwhile is not refreshed again.
  std::uint64_t generation = 0;
  /// How long from its delivery the token may still be put on a request
  /// (the session's refresh point less now, >= 0): a request that waited
  /// longer for its rate-limit permit asks again rather than send a token
  /// that is about to expire.
  std::int64_t valid_for_ms = 0;
};

/// A token, or why there is none (errc::unauthenticated with "re-authenticate
/// with `jirasync auth login`", errc::unavailable after transient refresh
/// failures, ...). Never contains a token in the error.
using bearer_reply = common::result<bearer_grant>;

/// token_keeper counters.
struct token_stats {
  /// Refreshes whose rotated tokens were stored and put to use.
  std::uint64_t refreshes = 0;
  /// refresh_token grants sent (retries included).
  std::uint64_t grants_sent = 0;
  /// HTTP 401 answers reported by api_client.
  std::uint64_t unauthorized = 0;
  /// The session's state: "valid", "reauth_required", ...
  std::string state;
};

// --- rate_governor ----------------------------------------------------------

/// A permit for one request of `cls`, estimated at `cost` points.
struct permit_request {
  /// Default: unknown.
  protocol::endpoint_class cls = protocol::endpoint_class::unknown;
  std::int64_t cost = 0;
};

/// The governor's state, for the progress line and the summary.
struct governor_report {
  /// Counters (requests, 429s by reason, time waited by reason, peaks per
  /// class, the longest wait and why).
  sync::governor_stats stats;
  /// The wait that matters most right now (reason none: nothing held).
  sync::wait_info current;
};

// --- store_writer -----------------------------------------------------------

struct write_job {
  std::shared_ptr<storage::write_batch_spec> spec;
};

/// A batch committed, or why not (nothing of it was written).
using write_reply = common::result<void>;

/// A read of the store run on the store writer's thread, after the writes
/// already sent to it (a fetcher reads what it wrote). `fn` fills what it
/// captured; it must only read.
struct read_job {
  std::function<common::result<void>(storage::store&)> fn;
};

using read_reply = common::result<void>;

struct adopt_job {
  /// A fully written temp file under the store's blob_tmp_dir().
  std::filesystem::path tmp_path;
  std::string sha256;
};

/// The blob is in the store (its text is extracted afterwards, by the
/// text_extractor). On failure the temp file is removed.
/// (The same type as write_reply: allowed as a message once, there.)
using adopt_reply = common::result<void>;

/// Totals over every apply() of the run.
struct store_totals {
  std::uint64_t added = 0;
  std::uint64_t updated = 0;
  std::uint64_t unchanged = 0;
  std::uint64_t deleted = 0;
  std::uint64_t batches = 0;
};

// --- attachment_downloader --------------------------------------------------

struct download_job {
  protocol::jira_attachment attachment;
  /// The sha256 of this attachment's content when the store holds it
  /// already under the same id and size (sync::attachment_content::reused):
  /// answered without a download. nullopt: downloaded.
  std::optional<std::string> stored_sha256;
};

struct download_result {
  std::string attachment_id;
  /// Content (or skipped), else the error naming the attachment.
  sync::download_outcome outcome;
};

/// The downloader's byte budget (sync::download_budget).
struct download_stats {
  /// sync.download_bytes_in_flight.
  std::uint64_t capacity_bytes = 0;
  /// Reserved now by downloads in flight.
  std::uint64_t in_flight_bytes = 0;
  /// The most reserved at once in the run: at most capacity_bytes, or the
  /// size of one attachment larger than it that ran alone.
  std::uint64_t peak_bytes = 0;
  /// Times a download waited for bytes to be released.
  std::uint64_t waits = 0;
};

// --- the steps --------------------------------------------------------------

/// Users of the site (step 1).
struct users_result {
  /// Sorted accountIds of active atlassian users (the ACL universe).
  std::vector<std::string> universe;
  std::uint64_t count = 0;
  /// Every accountId users/search listed (to remove the others).
  std::vector<std::string> seen_ids;
  /// Users the parser had to drop, each named (they get no access: the
  /// safe direction). Default: {}.
  std::vector<common::error> failures;
  /// Atlassian accounts whose email Jira hides.
  std::uint64_t hidden_email = 0;
  /// Set when users/search was refused (403): the universe is then the API
  /// user alone and every project is degraded.
  std::optional<sync::access_gap> gap;
};

using users_reply = common::result<users_result>;

/// Groups, memberships, application roles (step 2).
struct groups_result {
  std::shared_ptr<const sync::identity_directory> directory;
  std::uint64_t count = 0;
  /// Every group id written (to remove the others).
  std::vector<std::string> seen_ids;
  /// Groups and members the parser had to drop, each named (they grant
  /// nothing: the safe direction). Default: {}.
  std::vector<common::error> failures;
};

using groups_reply = common::result<groups_result>;

/// Projects in scope after the sync filters (step 3).
struct projects_result {
  std::vector<protocol::jira_project> projects;
};

using projects_reply = common::result<projects_result>;

/// Roles, permission scheme and issue security of one project (step 4).
using access_reply
  = common::result<std::shared_ptr<const sync::project_access>>;

/// Progress a fetcher reports to the coordinator (deltas).
struct progress_delta {
  std::string project_key;
  std::int64_t estimated = 0; // approximate-count (sent once)
  std::int64_t issues = 0;
  std::int64_t comments = 0;
  std::int64_t attachments = 0;
};

/// The outcome of one project's issue pipeline (step 5).
struct fetch_result {
  std::string project_key;
  std::uint64_t issues = 0;
  std::uint64_t comments = 0;
  std::uint64_t attachments = 0;
  std::uint64_t attachments_skipped = 0;
  /// Attachments whose content the store held already (not downloaded).
  std::uint64_t attachments_reused = 0;
  /// Records that failed, each naming its record ("issue ABC-1",
  /// "attachment 5 of issue ABC-1"); a project that failed as a whole
  /// (its id search failed) names "project ABC".
  std::vector<common::error> failures;
  /// How the project was synced ("full" / "incremental") and why.
  std::string mode;
  std::string mode_reason;
  /// Issues removed from the store: deleted in Jira, no longer visible, or
  /// out of the scope (moved to a project outside it, outside the date
  /// filters).
  std::uint64_t issues_removed = 0;
  /// Stored records whose ACL was recomputed and changed (permissions
  /// changed without the issues changing).
  std::uint64_t acls_refreshed = 0;
  /// Content cut or rendered leniently (ADF converter diagnostics), each
  /// naming its record; the records were written.
  std::vector<common::error> warnings;
  /// Comment visibility types the ACL resolver did not know.
  sync::unknown_kinds unknown;
};

// --- the run ----------------------------------------------------------------

/// The outcome of a whole sync run.
struct sync_report {
  /// Why the run failed as a whole (bad credentials: unauthenticated; an
  /// actor that crashed or stopped: internal; the run's deadline: timeout);
  /// nullopt when it ran to its end.
  std::optional<common::error> error;
  std::uint64_t users = 0;
  std::uint64_t groups = 0;
  std::uint64_t projects = 0;
  std::uint64_t issues = 0;
  std::uint64_t comments = 0;
  std::uint64_t attachments = 0;
  std::uint64_t attachments_skipped = 0;
  /// Attachments whose content the store held already (not downloaded).
  std::uint64_t attachments_reused = 0;
  store_totals store;
  api_stats api;
  governor_report governor;
  std::int64_t duration_ms = 0;
  /// Failed projects and records, each naming what failed.
  std::vector<common::error> failures;
  /// "full" | "incremental" and why (sync::run_plan).
  std::string mode = "full";
  std::string mode_reason;
  /// Issues removed (fetch_result::issues_removed summed); projects, users
  /// and groups removed because they left Jira or the scope.
  std::uint64_t issues_removed = 0;
  std::uint64_t projects_removed = 0;
  std::uint64_t users_removed = 0;
  std::uint64_t groups_removed = 0;
  std::uint64_t acls_refreshed = 0;
  /// Project key -> "full (reason)" / "incremental (reason)".
  std::map<std::string, std::string> project_modes;
  /// Records written with content cut or rendered leniently (ADF converter
  /// diagnostics), each naming its record. Not failures.
  std::vector<common::error> warnings;
  /// Projects synced with narrower ACLs because permission data could not
  /// be read (docs/permissions.md), each with the parts and permissions.
  std::vector<sync::degraded_project> degraded;
  /// Atlassian accounts whose email Jira hides (`jirasync users
  /// --hidden-email`).
  std::uint64_t hidden_email_users = 0;
  /// Holder and comment visibility types not understood (granting
  /// nothing).
  sync::unknown_kinds unknown;
  /// The most attachment bytes in flight at once (download_stats): at most
  /// sync.download_bytes_in_flight, or one larger attachment alone.
  std::uint64_t download_peak_bytes = 0;
  /// Attachment blob files removed at the end of the run because no stored
  /// attachment names their content any more.
  std::uint64_t blobs_removed = 0;
  /// Attachment texts extracted in the run (text_extractor.hpp); contents
  /// left without text are listed there, not in `failures`.
  sync::text_tally texts;

  /// failed when `error` is set, partial when records failed or projects
  /// are degraded, else ok.
  sync::run_result result() const {
    return sync::result_of(error, failures.size() + degraded.size());
  }
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
CAF_ADD_ATOM(jirasync_actors, jirasync::actors, discard_atom, "discard")
CAF_ADD_ATOM(jirasync_actors, jirasync::actors, download_atom, "download")
CAF_ADD_ATOM(jirasync_actors, jirasync::actors, progress_atom, "progress")
CAF_ADD_ATOM(jirasync_actors, jirasync::actors, deadline_atom, "deadline")
CAF_ADD_ATOM(jirasync_actors, jirasync::actors, extract_atom, "extract")
CAF_ADD_ATOM(jirasync_actors, jirasync::actors, drain_atom, "drain")
CAF_ADD_ATOM(jirasync_actors, jirasync::actors, scan_atom, "scan")
CAF_ADD_ATOM(jirasync_actors, jirasync::actors, read_atom, "read")
CAF_ADD_ATOM(jirasync_actors, jirasync::actors, token_atom, "token")
CAF_ADD_ATOM(jirasync_actors, jirasync::actors, auth_atom, "auth")
CAF_END_TYPE_ID_BLOCK(jirasync_actors)

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jirasync::actors::api_call)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jirasync::actors::api_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jirasync::actors::api_stats)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jirasync::actors::bearer_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jirasync::actors::token_stats)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jirasync::common::error)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jirasync::actors::permit_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jirasync::sync::response_report)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jirasync::actors::governor_report)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jirasync::actors::write_job)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jirasync::actors::write_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jirasync::actors::adopt_job)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jirasync::actors::read_job)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jirasync::actors::store_totals)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jirasync::actors::download_job)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jirasync::actors::download_result)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jirasync::actors::download_stats)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jirasync::actors::users_result)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jirasync::actors::users_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jirasync::actors::groups_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jirasync::actors::projects_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jirasync::actors::access_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jirasync::actors::progress_delta)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jirasync::actors::fetch_result)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jirasync::actors::sync_report)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jirasync::protocol::jira_project)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jirasync::protocol::http_result)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::filesystem::path)
