#pragma once
// Page/chunk building: what one store batch of a sync holds. A chunk of
// issues (one bulkfetch) with their comments, downloaded attachments and
// the project's access becomes ONE write_batch_spec (records + the ACLs
// they name), plus a named failure for every record that could not be
// built. The project records of step 4 are built here too.
//
// Nothing is lost silently: an issue whose comments failed, an attachment
// whose download failed, an issue Jira refused in a bulkfetch, a record
// the parser had to drop - each comes back as a common::error naming it.
//
// Thread-safety: pure functions; acl_collector and the acl_memo passed in
// are single-threaded objects.

#include "common/error.hpp"
#include "config/config.hpp"
#include "protocol/jira/jira_models.hpp"
#include "storage/store.hpp"
#include "sync/permissions.hpp"
#include "sync/permissions_memo.hpp"
#include "sync/record_mapping.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace jirasync::sync {

/// What the attachment downloader made of one attachment.
struct attachment_content {
  /// Not downloaded: over indexing.attachment_max_bytes, or attachments
  /// are not indexed. Not an error; the attachment is not emitted.
  /// Default: false.
  bool skipped = false;
  /// Lower-case hex SHA-256 of the content (the blob's name; its text is
  /// extracted after the download, keyed by it).
  std::string sha256;
  /// The store held this attachment's content already (same id and size):
  /// no request was made. Jira never changes the content of an attachment
  /// id — its REST API only adds (POST /issue/{id}/attachments) and
  /// deletes (DELETE /attachment/{id}) attachments. Default: false.
  bool reused = false;
};

using download_outcome = common::result<attachment_content>;

/// One issue of a chunk with what the pipeline gathered for it.
struct issue_work {
  protocol::jira_issue issue;
  /// The embedded comment page plus any further pages.
  std::vector<protocol::jira_comment> comments;
  /// Offset of the next comment page when the embedded page is not all of
  /// the issue's comments; nullopt when nothing more is to be fetched.
  std::optional<std::int64_t> more_comments_from;
  /// attachment id -> what its download gave.
  std::map<std::string, download_outcome> downloads;
  /// Set when something the issue needs failed (a comment page): the issue
  /// is not written and this error is reported instead.
  std::optional<common::error> error;

  /// "issue ABC-1" (the key, else the id): how failures name the issue.
  std::string record_name() const;
};

/// A bulkfetch answer turned into work.
struct issue_chunk {
  /// The issues within the filters' exact bounds, in answer order.
  std::vector<issue_work> issues;
  /// Issues Jira refused (issueErrors other than 404) and records the
  /// parser dropped.
  std::vector<common::error> failures;
  /// Ids to remove from the store: answered 404 (deleted, or no longer
  /// visible to the API user - Jira does not tell them apart; an id the
  /// search listed while its index lagged behind a deletion ends here, not
  /// as a failure), or outside the filters' exact date bounds.
  std::vector<std::string> gone;
};

/// Splits a parsed bulkfetch answer (`parse_errors` = the non-fatal errors
/// of the parse) of project `project_key`. With `take_comments` the
/// embedded comment pages move into issue_work::comments and
/// more_comments_from says where the rest starts.
issue_chunk
chunk_from_bulkfetch(protocol::bulkfetch_result answer,
                     const std::vector<protocol::parse_error>& parse_errors,
                     const config::filters_config& filters,
                     const std::string& project_key, bool take_comments);

/// The one failure of a bulkfetch that failed as a whole: it names the id
/// range, e.g. record "issues 10001..10100 of ABC". `ids` is not empty.
common::error failed_bulkfetch(const std::vector<std::string>& ids,
                               const std::string& project_key,
                               common::error cause);

/// The distinct ACLs of one batch (content-addressed: an equal set gives
/// the same id, stored once).
class acl_collector {
public:
  /// The id of `set`'s ACL record, which is kept for the batch.
  std::string add(const acl_set& set);
  /// The id of a memoised ACL record (no sorting or hashing again).
  const std::string& add(const acl_ref& acl);
  /// Appends the collected ACLs to `spec.acls` and forgets them.
  void move_into(storage::write_batch_spec& spec);

private:
  std::map<std::string, storage::acl_record> acls_;
};

/// What build_page needs besides the issues.
struct page_context {
  const protocol::jira_project& project;
  const project_access& access;
  /// Memoised ACLs (acl_memo wraps the run's acl_resolver).
  acl_memo& acls;
  const mapping_context& mapping;
  /// indexing.comments: emit comment records. Default: true.
  bool comments = true;
};

/// One chunk's batch and what it counts.
struct built_page {
  /// The records and the ACLs they name (the caller adds the checkpoint).
  storage::write_batch_spec spec;
  /// Issues with an error, attachments whose download failed, records
  /// beyond the limits of storage/record_limits.hpp (an issue that fails
  /// takes its comments and attachments with it; a comment or an
  /// attachment fails alone).
  std::vector<common::error> failures;
  /// What the ADF converter cut or rendered leniently, one entry per
  /// diagnostic, naming the record ("issue ABC-1", "comment 7 of issue
  /// ABC-1") with the field ("description: adf: nesting deeper than ...").
  /// The records are written; these are not failures.
  std::vector<common::error> warnings;
  std::uint64_t issues = 0;
  std::uint64_t comments = 0;
  std::uint64_t attachments = 0;
  /// Attachments skipped as over attachment_max_bytes (not failures).
  std::uint64_t attachments_skipped = 0;
  /// Max `updated` over the issues in the batch; 0 when none.
  std::int64_t max_updated_ms = 0;
  /// Id of the batch's last issue; "" when none.
  std::string last_issue_id;
};

/// Builds the batch of a chunk: per issue its record with the issue ACL
/// (BROWSE_PROJECTS ∩ security level, reporter/assignee included), its
/// comments with the ACL narrowed by their visibility, its downloaded
/// attachments with the issue ACL.
built_page build_page(const page_context& ctx,
                      const std::vector<issue_work>& issues);

/// When a chunk's batch could not be committed, every issue of it failed
/// with `cause` (its comments and attachments with it).
std::vector<common::error> lost_page(const std::vector<issue_work>& issues,
                                     const common::error& cause);

/// Step 4's batch: a record and an ACL for each project whose access could
/// be read (`access[i]` null = that project failed and is left out).
storage::write_batch_spec build_project_batch(
  const std::vector<protocol::jira_project>& projects,
  const std::vector<std::shared_ptr<const project_access>>& access,
  std::shared_ptr<const identity_directory> dir);

} // namespace jirasync::sync
