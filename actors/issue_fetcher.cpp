#include "actors/issue_fetcher.hpp"

#include "actors/supervision.hpp"
#include "actors/sync_env.hpp"
#include "sync/acl_refresh.hpp"
#include "sync/id_ranges.hpp"
#include "sync/issue_scope.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <set>

namespace jirasync::actors {

namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

std::string first_error(const std::vector<protocol::parse_error>& errs) {
  return errs.empty() ? std::string{"unusable response"}
                      : errs.front().to_string();
}

/// One bulkfetch's issues while their comments and attachments arrive.
struct chunk {
  /// Position in the order of commits (= listing order).
  std::uint64_t seq = 0;
  /// The chunk's last listing entry moves the low-water mark when it
  /// commits (false for reconciliation chunks: missed and gone ids).
  bool marks = false;
  std::int64_t end_updated_ms = 0;
  std::string end_id;
  std::vector<sync::issue_work> issues;
  std::vector<common::error> failures;
  /// Ids to remove (404, outside the filters).
  std::vector<std::string> gone;
  /// Parts still running (comment pages, downloads) + 1 while starting.
  int outstanding = 0;
};

using chunk_ptr = std::shared_ptr<chunk>;

/// One id of a listing, waiting to be cut into a chunk.
struct listed {
  std::string id;
  /// `updated` as the listing gave it (incremental listing), else 0.
  std::int64_t updated_ms = 0;
  bool marks = false;
};

/// Which listing the fetcher is walking.
enum class pass {
  full,      // every issue, ORDER BY id (also the reconciliation)
  changes,   // incremental: updated >= mark - overlap
  reconcile, // incremental: ids only, ORDER BY id, diffed with the store,
             // in id ranges listed at the same time (sync/id_ranges.hpp)
};

/// One nextPageToken chain of the listing being walked: the whole listing,
/// or one id range of the reconciliation.
struct id_chain {
  std::string jql;
  std::optional<std::string> token;
  bool in_flight = false;
  bool done = false;
};

struct fetcher_state {
  sync_env_ptr env;
  protocol::jira_project project;
  std::shared_ptr<const sync::scope_map> scope;
  /// The fingerprint of the project's access now, and the one the
  /// checkpoints carry: the stored one until the ACL refresh of this run
  /// (if any) completed.
  std::string access_hash;
  std::string checkpoint_access_hash;
  std::shared_ptr<const sync::identity_directory> dir;
  std::unique_ptr<sync::acl_resolver> resolver;
  /// Memoised ACLs over `resolver` (one per distinct input of the project).
  std::unique_ptr<sync::acl_memo> acls;
  progress_sink_actor parent;
  caf::typed_response_promise<fetch_result> rp;
  sync::project_plan plan;
  pass current = pass::full;
  /// The current pass's JQL (for a ranged reconciliation: the whole
  /// project's, its ranges are in `chains`).
  std::string jql;
  /// bulkfetch `fields`: system fields + every custom field id.
  std::vector<std::string> fields;
  /// The listing's chains: one, or one per id range (reconciliation).
  std::vector<id_chain> chains;
  /// Bumped when `chains` are replaced: answers to the old ones are
  /// dropped.
  std::uint64_t chains_gen = 0;
  /// The stored ids are being read for an id-ordered pass (its chains
  /// start when they are in).
  bool reading_stored = false;
  /// Reconciliation: the listing over id ranges, compared with `stored`;
  /// deletion candidates are queued only once every range completed.
  std::unique_ptr<sync::id_listing> ranged;
  /// The listing could not be completed (a failed search): no full pass
  /// is complete and nothing more is listed.
  bool listing_failed = false;
  std::deque<listed> queue;
  /// The project's stored issue ids (sorted by id_less) and how far the
  /// id-ordered listing got through them.
  std::vector<std::string> stored;
  std::size_t stored_pos = 0;
  /// Chunks cut and not yet written (fetching, or waiting for their turn).
  int chunks_in_flight = 0;
  std::uint64_t next_seq = 0;
  std::uint64_t next_write = 0;
  bool write_in_flight = false;
  std::map<std::uint64_t, chunk_ptr> ready;
  /// High-water mark of a full pass (max `updated` when it began).
  std::int64_t pass_started_ms = 0;
  /// The full pass completed in this run (a resumed one is followed by
  /// the changes since it began): checkpoints say full_sync_done.
  bool full_pass_done = false;
  std::unique_ptr<sync::low_water_mark> mark;
  bool finished = false;
  bool refreshed = false;
  fetch_result result;
  static inline const char* name = "issue_fetcher";
};

using fetcher_actor = issue_fetcher_actor::stateful_base<fetcher_state>;

void pump(fetcher_actor* self);
void write_next(fetcher_actor* self);

/// Every chain of the listing took its last page (or the listing failed).
bool ids_done(const fetcher_state& st) {
  return std::all_of(st.chains.begin(), st.chains.end(), [](const id_chain& c) {
    return c.done;
  });
}

/// A listing page (or the stored ids it is compared with) is awaited.
bool ids_in_flight(const fetcher_state& st) {
  return st.reading_stored
         || std::any_of(st.chains.begin(), st.chains.end(),
                        [](const id_chain& c) {
                          return c.in_flight;
                        });
}

spdlog::logger& logger(const fetcher_state& st) {
  return st.env->log ? *st.env->log : *spdlog::default_logger();
}

common::error project_error(fetcher_actor* self, common::error e) {
  e.record = "project " + self->state.project.key;
  return e;
}

/// A failure of the project as a whole (its plan, its listing): nothing
/// more is listed; chunks already cut are still written, then the
/// project's checkpoint (which stays where the committed prefix ended).
void fail_listing(fetcher_actor* self, common::error e) {
  auto& st = self->state;
  st.result.failures.push_back(project_error(self, std::move(e)));
  st.listing_failed = true;
  for (auto& c : st.chains)
    c.done = true;
  st.queue.clear();
  pump(self);
}

bool full_pass_complete(const fetcher_state& st) {
  return st.full_pass_done
         || (st.current == pass::full && !st.listing_failed
             && !st.mark->stopped());
}

void finish(fetcher_actor* self) {
  auto& st = self->state;
  if (st.finished)
    return;
  st.finished = true;
  auto spec = std::make_shared<storage::write_batch_spec>();
  bool full_done
    = st.plan.mode == sync::sync_mode::incremental || full_pass_complete(st);
  spec->checkpoints.push_back(sync::make_project_checkpoint(
    st.project, st.mark->cursor(), st.env->filters_hash, full_done, now_ms(),
    st.checkpoint_access_hash));
  auto deliver = [=](std::optional<common::error> e) {
    auto& st = self->state;
    if (e) {
      e->record = "checkpoint of " + st.project.key;
      st.result.failures.push_back(std::move(*e));
    }
    st.result.unknown.merge(st.resolver->unknown());
    st.rp.deliver(std::move(st.result));
  };
  self
    ->request(st.env->writer, st.env->timeouts.store, write_atom_v,
              write_job{spec})
    .then(
      [=](write_reply& w) {
        deliver(w ? std::nullopt : std::optional{w.error()});
      },
      [=](caf::error& err) {
        deliver(request_failed("store write", err));
      });
}

/// Where an issue of a bulkfetch answer belongs: its own project when that
/// is in the scope of the run (an issue moved between two synced projects
/// is written with its new project's ACL), else nowhere (removed).
const sync::scoped_project* target_of(const fetcher_state& st,
                                      const protocol::jira_issue& i) {
  const auto& f = i.fields;
  std::string key = f.project ? f.project->key : st.project.key;
  auto it = st.scope->find(key);
  return it == st.scope->end() ? nullptr : &it->second;
}

/// Builds the chunk's batch: records per target project (sync::build_page),
/// removals, the stored comments and attachments the issues no longer
/// have, and the checkpoint this batch moves the low-water mark to.
std::shared_ptr<storage::write_batch_spec>
build_batch(fetcher_actor* self, chunk& c, progress_delta& delta, bool& clean) {
  auto& st = self->state;
  auto spec = std::make_shared<storage::write_batch_spec>();
  std::map<std::string, std::vector<sync::issue_work>> by_target;
  for (auto& w : c.issues) {
    if (auto* t = target_of(st, w.issue))
      by_target[t->project.key].push_back(std::move(w));
    else
      c.gone.push_back(w.issue.id);
  }
  for (auto& [key, works] : by_target) {
    const auto& t = st.scope->at(key);
    sync::page_context ctx{t.project, *t.access, *st.acls, st.env->mapping,
                           st.env->indexing.comments};
    auto page = sync::build_page(ctx, works);
    for (auto& f : page.failures)
      c.failures.push_back(std::move(f));
    for (auto& w : page.warnings)
      st.result.warnings.push_back(std::move(w));
    st.result.attachments_skipped += page.attachments_skipped;
    delta.issues += static_cast<std::int64_t>(page.issues);
    delta.comments += static_cast<std::int64_t>(page.comments);
    delta.attachments += static_cast<std::int64_t>(page.attachments);
    for (auto& r : page.spec.upserts)
      spec->upserts.push_back(std::move(r));
    for (auto& a : page.spec.acls)
      spec->acls.push_back(std::move(a));
    // The issue's children in this batch are all of them, except the
    // attachments whose download failed (reported, kept for now).
    for (const auto& w : works) {
      if (w.error)
        continue;
      storage::write_batch_spec::exact_children x;
      x.issue_id = w.issue.id;
      for (const auto& [aid, d] : w.downloads)
        if (!d)
          x.keep.push_back(aid);
      spec->exact_children_of.push_back(std::move(x));
    }
    c.issues.clear();
    for (auto& w : works)
      c.issues.push_back(std::move(w)); // kept for lost_page()
  }
  for (const auto& id : c.gone)
    spec->deletes.push_back({storage::record_type::issue, id});
  clean = c.failures.empty();
  auto cursor = c.marks
                  ? st.mark->if_committed(c.end_updated_ms, c.end_id, clean)
                  : st.mark->cursor();
  bool full_done
    = st.plan.mode == sync::sync_mode::incremental || st.full_pass_done;
  spec->checkpoints.push_back(sync::make_project_checkpoint(
    st.project, cursor, st.env->filters_hash, full_done, now_ms(),
    st.checkpoint_access_hash));
  return spec;
}

/// Writes the next chunk in listing order once it is ready and the write
/// before it has answered: batches commit strictly in order, so the
/// checkpoint in each is the end of a committed prefix.
void write_next(fetcher_actor* self) {
  auto& st = self->state;
  if (st.write_in_flight)
    return;
  auto it = st.ready.find(st.next_write);
  if (it == st.ready.end())
    return;
  auto c = it->second;
  st.ready.erase(it);
  st.write_in_flight = true;
  progress_delta delta;
  delta.project_key = st.project.key;
  bool clean = true;
  auto spec = build_batch(self, *c, delta, clean);
  std::uint64_t removed = 0;
  for (const auto& id : c->gone)
    if (std::binary_search(st.stored.begin(), st.stored.end(), id,
                           [](const auto& a, const auto& b) {
                             return sync::id_less(a, b);
                           }))
      ++removed;
  auto written = [=](std::optional<common::error> lost) {
    auto& st = self->state;
    st.write_in_flight = false;
    ++st.next_write;
    if (lost) {
      // The whole batch is lost: every record of the chunk failed.
      for (auto& f : sync::lost_page(c->issues, *lost))
        st.result.failures.push_back(std::move(f));
      if (c->marks)
        st.mark->lost();
    } else {
      if (c->marks)
        st.mark->committed(c->end_updated_ms, c->end_id, clean);
      st.result.issues += static_cast<std::uint64_t>(delta.issues);
      st.result.comments += static_cast<std::uint64_t>(delta.comments);
      st.result.attachments += static_cast<std::uint64_t>(delta.attachments);
      st.result.issues_removed += removed;
      self->send(st.parent, progress_atom_v, delta);
    }
    for (auto& f : c->failures)
      st.result.failures.push_back(std::move(f));
    --st.chunks_in_flight;
    write_next(self);
    pump(self);
  };
  self
    ->request(st.env->writer, st.env->timeouts.store, write_atom_v,
              write_job{spec})
    .then(
      [=](write_reply& w) {
        written(w ? std::nullopt : std::optional{w.error()});
      },
      [=](caf::error& err) {
        written(request_failed("store write", err));
      });
}

void part_done(fetcher_actor* self, const chunk_ptr& c) {
  if (--c->outstanding == 0) {
    self->state.ready.emplace(c->seq, c);
    write_next(self);
  }
}

void fetch_more_comments(fetcher_actor* self, chunk_ptr c, std::size_t wi,
                         std::int64_t start) {
  const auto& env = *self->state.env;
  const auto& id = c->issues[wi].issue.id;
  auto comment_failed = [=](common::error e) {
    auto& w = c->issues[wi];
    e.message = "comments: " + e.message;
    e.record = w.record_name();
    w.error = std::move(e);
    part_done(self, c);
  };
  self
    ->request(env.api, env.timeouts.api_call,
              api_call{protocol::get_comments(env.target, id, start,
                                              env.tuning.comment_page_size)})
    .then(
      [=](api_reply& r) {
        if (!r)
          return comment_failed(r.error());
        auto page = r->parse(protocol::parse_comment_page);
        if (page.fatal)
          return comment_failed(common::make_error(common::errc::invalid_input,
                                                   first_error(page.errors)));
        auto& w = c->issues[wi];
        // A comment the parser had to drop is a failure naming it (the
        // issue and its other comments are still written).
        for (const auto& e : page.errors)
          c->failures.push_back(common::make_error(
            common::errc::invalid_input, "comment page: " + e.to_string(),
            "comments of " + w.record_name()));
        auto n = page.value.received;
        for (auto& cm : page.value.comments)
          w.comments.push_back(std::move(cm));
        if (n > 0 && start + n < page.value.total)
          return fetch_more_comments(self, c, wi, start + n);
        part_done(self, c);
      },
      [=](caf::error& err) {
        comment_failed(request_failed("comment page", err));
      });
}

void download(fetcher_actor* self, chunk_ptr c, std::size_t wi,
              const protocol::jira_attachment& a,
              std::optional<std::string> stored_sha256) {
  const auto& env = *self->state.env;
  auto aid = a.id;
  self
    ->request(env.downloader, env.timeouts.download, download_atom_v,
              download_job{a, std::move(stored_sha256)})
    .then(
      [=](download_result& d) {
        if (d.outcome && d.outcome->reused)
          ++self->state.result.attachments_reused;
        c->issues[wi].downloads.insert_or_assign(aid, std::move(d.outcome));
        part_done(self, c);
      },
      [=](caf::error& err) {
        c->issues[wi].downloads.insert_or_assign(
          aid, request_failed("download", err));
        part_done(self, c);
      });
}

/// attachment id -> sha256 of the content the store holds for it.
using stored_contents = std::map<std::string, std::string>;

/// Starts the comment pages and downloads the chunk's issues need.
void process_issues(fetcher_actor* self, chunk_ptr c,
                    const stored_contents& stored) {
  // +1 guards against completing while parts are still being started.
  c->outstanding = 1;
  for (std::size_t wi = 0; wi < c->issues.size(); ++wi) {
    auto& w = c->issues[wi];
    if (w.more_comments_from) {
      ++c->outstanding;
      fetch_more_comments(self, c, wi, *w.more_comments_from);
    }
    for (const auto& a : w.issue.fields.attachments) {
      ++c->outstanding;
      auto s = stored.find(a.id);
      download(self, c, wi, a,
               s == stored.end() ? std::nullopt
                                 : std::optional<std::string>{s->second});
    }
  }
  part_done(self, c);
}

/// Looks up which of the chunk's attachments the store holds already (an
/// attachment of an issue that changed, seen again by an incremental run:
/// its content cannot have changed, sync::attachment_content::reused),
/// then processes the chunk. The store's record must name a stored blob of
/// the size Jira gives now; anything else, or a failed read, downloads.
void find_stored_contents(fetcher_actor* self, chunk_ptr c) {
  auto wanted
    = std::make_shared<std::vector<std::pair<std::string, std::int64_t>>>();
  for (const auto& w : c->issues)
    for (const auto& a : w.issue.fields.attachments)
      if (a.size_known)
        wanted->emplace_back(a.id, a.size_bytes);
  if (wanted->empty())
    return process_issues(self, c, {});
  auto found = std::make_shared<stored_contents>();
  read_job job{[wanted, found](storage::store& db) -> common::result<void> {
    for (const auto& [id, size] : *wanted) {
      auto r = db.get_attachment(id);
      if (!r || !*r)
        continue;
      const auto& rec = **r;
      if (rec.content_stored && !rec.sha256.empty() && rec.size_bytes == size
          && db.has_blob(rec.sha256))
        found->emplace(id, rec.sha256);
    }
    return {};
  }};
  const auto& env = *self->state.env;
  self->request(env.writer, env.timeouts.store, read_atom_v, job)
    .then(
      [=](read_reply&) {
        process_issues(self, c, *found);
      },
      [=](caf::error&) {
        process_issues(self, c, {}); // download them all
      });
}

void start_chunk(fetcher_actor* self, chunk_ptr c,
                 std::vector<std::string> ids) {
  auto& st = self->state;
  ++st.chunks_in_flight;
  if (st.fields.empty()) {
    st.fields = protocol::issue_fields_needed();
    for (const auto& [id, name] : st.env->mapping.field_names)
      st.fields.push_back(id);
  }
  auto chunk_failed = [=](common::error e) {
    c->failures.push_back(
      sync::failed_bulkfetch(ids, self->state.project.key, std::move(e)));
    c->outstanding = 1;
    part_done(self, c);
  };
  self
    ->request(st.env->api, st.env->timeouts.api_call,
              api_call{protocol::bulkfetch(st.env->target, ids, st.fields)})
    .then(
      [=](api_reply& r) {
        if (!r)
          return chunk_failed(r.error());
        auto res = r->parse(protocol::parse_bulkfetch);
        if (res.fatal)
          return chunk_failed(
            common::make_error(common::errc::invalid_input,
                               "bulkfetch: " + first_error(res.errors)));
        auto& st = self->state;
        auto work = sync::chunk_from_bulkfetch(std::move(res.value), res.errors,
                                               st.env->filters, st.project.key,
                                               st.env->indexing.comments);
        c->issues = std::move(work.issues);
        c->failures = std::move(work.failures);
        c->gone = std::move(work.gone);
        find_stored_contents(self, c);
      },
      [=](caf::error& err) {
        chunk_failed(request_failed("bulkfetch", err));
      });
}

/// Queues one listing page of chain `chain`: what to fetch, and
/// (id-ordered listings) the stored ids the listing no longer returns, to
/// confirm - in the reconciliation only once every id range completed.
void take_page(fetcher_actor* self, std::size_t chain,
               std::vector<protocol::jira_issue> issues, bool last_page) {
  auto& st = self->state;
  if (st.current == pass::changes) {
    for (auto& i : issues)
      st.queue.push_back(
        {std::move(i.id), i.fields.updated_ms.value_or(0), true});
    return;
  }
  std::vector<std::string> ids;
  for (auto& i : issues)
    ids.push_back(std::move(i.id));
  if (st.current == pass::reconcile && st.ranged) {
    for (auto& id : st.ranged->take_page(chain, std::move(ids), last_page))
      st.queue.push_back({std::move(id), 0, false});
    if (last_page && st.ranged->complete()) {
      if (auto n = st.ranged->stray(); n > 0)
        logger(st).warn("project {}: the id-range listing returned {} id(s) "
                        "outside their range (ignored there; each range "
                        "lists its own)",
                        st.project.key, n);
      for (auto& id : st.ranged->gone())
        st.queue.push_back({std::move(id), 0, false});
    }
    return;
  }
  auto diff = sync::diff_listing_page(st.stored, st.stored_pos, ids, last_page);
  if (st.current == pass::full) {
    // Everything after the resume point, and what an interrupted pass
    // committed but the store no longer has (or never had).
    std::set<std::string> missing(diff.missing.begin(), diff.missing.end());
    std::sort(ids.begin(), ids.end(), [](const auto& a, const auto& b) {
      return sync::id_less(a, b);
    });
    for (auto& id : ids)
      if (st.plan.resume_after_id.empty()
          || sync::id_less(st.plan.resume_after_id, id) || missing.count(id))
        st.queue.push_back({std::move(id), 0, true});
  } else {
    for (auto& id : diff.missing)
      st.queue.push_back({std::move(id), 0, false});
  }
  for (auto& id : diff.gone)
    st.queue.push_back({std::move(id), 0, false});
}

/// The site refused a range of the reconciliation (HTTP 400 and other
/// plain 4xx: errc::invalid_argument): the project is listed again in one
/// chain, as without ranges, instead of failing. Said once in the log.
void list_in_one_chain(fetcher_actor* self, const common::error& why) {
  auto& st = self->state;
  logger(st).warn("project {}: the site refused the id-range listing ({}); "
                  "listing its {} stored ids in one chain instead",
                  st.project.key, why.message, st.stored.size());
  st.ranged = std::make_unique<sync::id_listing>(st.ranged->as_single_range());
  ++st.chains_gen;
  st.chains.assign(1, id_chain{st.jql, std::nullopt, false, false});
  pump(self);
}

void fetch_ids(fetcher_actor* self, std::size_t i) {
  auto& st = self->state;
  auto& c = st.chains[i];
  c.in_flight = true;
  auto gen = st.chains_gen;
  auto req = st.current == pass::changes
               ? protocol::search_issues(
                 st.env->target, c.jql, c.token,
                 std::min<std::int64_t>(st.env->tuning.id_page_size, 1000),
                 {"updated"})
               : protocol::search_ids(st.env->target, c.jql, c.token,
                                      st.env->tuning.id_page_size);
  // An answer to a chain replaced meanwhile (range fallback) is dropped;
  // once the listing failed, the other chains' answers are not used.
  auto current = [=]() -> id_chain* {
    auto& st = self->state;
    if (gen != st.chains_gen || i >= st.chains.size())
      return nullptr;
    st.chains[i].in_flight = false;
    return st.listing_failed ? nullptr : &st.chains[i];
  };
  self->request(st.env->api, st.env->timeouts.api_call, api_call{req})
    .then(
      [=](api_reply& r) {
        auto* c = current();
        if (!c)
          return pump(self);
        auto& st = self->state;
        if (!r) {
          if (st.ranged && st.ranged->ranges() > 1
              && r.error().code == common::errc::invalid_argument)
            return list_in_one_chain(self, r.error());
          return fail_listing(self, prefixed("issue search", r.error()));
        }
        auto page = r->parse(protocol::parse_search_page);
        if (page.fatal)
          return fail_listing(
            self,
            common::make_error(common::errc::invalid_input,
                               "issue search: " + first_error(page.errors)));
        c->token = page.value.next_page_token;
        c->done = page.value.is_last || !c->token;
        take_page(self, i, std::move(page.value.issues), c->done);
        pump(self);
      },
      [=](caf::error& err) {
        if (!current())
          return pump(self);
        fail_listing(self, request_failed("issue search", err));
      });
}

/// Reads the project's stored issue ids (after this fetcher's own writes),
/// then `next`.
void read_stored(fetcher_actor* self, std::function<void()> next) {
  auto& st = self->state;
  auto ids = std::make_shared<std::vector<std::string>>();
  auto pid = st.project.id;
  read_job job{[ids, pid](storage::store& db) -> common::result<void> {
    auto r = db.issue_ids_of_project(pid);
    if (!r)
      return r.error();
    *ids = std::move(*r);
    return {};
  }};
  st.reading_stored = true;
  self->request(st.env->writer, st.env->timeouts.store, read_atom_v, job)
    .then(
      [=](read_reply& r) {
        self->state.reading_stored = false;
        if (!r)
          return fail_listing(self, prefixed("stored issues", r.error()));
        auto& st = self->state;
        st.stored = std::move(*ids);
        std::sort(st.stored.begin(), st.stored.end(),
                  [](const auto& a, const auto& b) {
                    return sync::id_less(a, b);
                  });
        st.stored_pos = 0;
        next();
      },
      [=](caf::error& err) {
        self->state.reading_stored = false;
        fail_listing(self, request_failed("stored issues", err));
      });
}

/// The reconciliation's chains: one per id range of the stored ids
/// (sync::plan_id_ranges; a single range is the whole project's listing).
void plan_ranges(fetcher_actor* self) {
  auto& st = self->state;
  auto ranges = sync::plan_id_ranges(
    st.stored, static_cast<std::size_t>(st.env->reconcile_range_ids));
  std::vector<id_chain> chains;
  for (const auto& r : ranges) {
    auto q = sync::project_range_jql(st.env->filters, st.project.key,
                                     st.env->time_zone, r);
    if (!q.ok())
      return fail_listing(
        self, common::make_error(common::errc::invalid_argument, *q.error));
    chains.push_back(id_chain{q.jql, std::nullopt, false, false});
  }
  if (chains.size() > 1)
    logger(st).info("project {}: listing its ids in {} id ranges at once "
                    "({} stored ids)",
                    st.project.key, chains.size(), st.stored.size());
  st.ranged = std::make_unique<sync::id_listing>(st.stored, std::move(ranges));
  st.chains = std::move(chains);
}

/// Starts walking `p`'s listing.
void start_pass(fetcher_actor* self, pass p) {
  auto& st = self->state;
  st.current = p;
  ++st.chains_gen;
  st.chains.clear();
  st.ranged.reset();
  auto q
    = p == pass::changes
        ? sync::incremental_jql(st.env->filters, st.project.key,
                                st.env->time_zone, st.plan.since_ms,
                                st.env->overlap_minutes)
        : sync::project_jql(st.env->filters, st.project.key, st.env->time_zone);
  if (!q.ok())
    return fail_listing(
      self, common::make_error(common::errc::invalid_argument, *q.error));
  st.jql = q.jql;
  if (p == pass::changes) {
    st.chains.assign(1, id_chain{st.jql, std::nullopt, false, false});
    return pump(self);
  }
  read_stored(self, [=] {
    auto& st = self->state;
    if (st.current == pass::reconcile)
      plan_ranges(self);
    else
      st.chains.assign(1, id_chain{st.jql, std::nullopt, false, false});
    pump(self);
  });
}

/// The project's permissions changed: every stored record's ACL is
/// recomputed from the store (on the store writer's thread, which reads
/// after this fetcher's writes) and the changed ones are written.
void refresh_acls(fetcher_actor* self) {
  auto& st = self->state;
  st.refreshed = true;
  auto spec = std::make_shared<storage::write_batch_spec>();
  auto changed = std::make_shared<std::uint64_t>(0);
  auto unknown = std::make_shared<sync::unknown_kinds>();
  auto access = st.scope->at(st.project.key).access;
  auto dir = st.dir;
  auto pid = st.project.id;
  read_job job{[=](storage::store& db) -> common::result<void> {
    sync::acl_resolver resolver{dir};
    sync::acl_collector acls;
    std::optional<common::error> failed;
    auto r = db.for_each_issue_of_project(pid, [&](const auto& issue) {
      auto comments = db.comments_of_issue(issue.id);
      auto attachments = db.attachments_of_issue(issue.id);
      if (!comments || !attachments) {
        failed = !comments ? comments.error() : attachments.error();
        return false;
      }
      *changed += sync::refresh_issue_acls(*access, resolver, issue, *comments,
                                           *attachments, acls, *spec);
      return true;
    });
    if (!r)
      return r.error();
    *unknown = resolver.unknown();
    if (failed)
      return *failed;
    acls.move_into(*spec);
    return {};
  }};
  auto failed = [=](common::error e) {
    auto& st = self->state;
    e.record = "ACLs of project " + st.project.key;
    st.result.failures.push_back(std::move(e));
    finish(self);
  };
  self->request(st.env->writer, st.env->timeouts.store, read_atom_v, job)
    .then(
      [=](read_reply& r) {
        if (!r)
          return failed(prefixed("recomputing ACLs", r.error()));
        auto& st = self->state;
        st.result.unknown.merge(*unknown);
        // The new fingerprint goes with the last of the changed records.
        st.checkpoint_access_hash = st.access_hash;
        spec->checkpoints.push_back(sync::make_project_checkpoint(
          st.project, st.mark->cursor(), st.env->filters_hash, true, now_ms(),
          st.checkpoint_access_hash));
        self
          ->request(st.env->writer, st.env->timeouts.store, write_atom_v,
                    write_job{spec})
          .then(
            [=](write_reply& w) {
              if (!w) {
                self->state.checkpoint_access_hash.clear();
                return failed(prefixed("recomputing ACLs", w.error()));
              }
              self->state.result.acls_refreshed += *changed;
              finish(self);
            },
            [=](caf::error& err) {
              self->state.checkpoint_access_hash.clear();
              failed(request_failed("store write", err));
            });
      },
      [=](caf::error& err) {
        failed(request_failed("recomputing ACLs", err));
      });
}

/// Asked to stop: takes no new chunk or id page; once the chunks in flight
/// are written, answers what was done (no final checkpoint: the project's
/// full sync is not done, the next run resumes it).
bool stop_when_drained(fetcher_actor* self) {
  auto& st = self->state;
  if (!st.env->stop.stop_requested())
    return false;
  if (st.chunks_in_flight == 0 && !ids_in_flight(st) && !st.finished) {
    st.finished = true;
    st.rp.deliver(std::move(st.result));
  }
  return true;
}

void pump(fetcher_actor* self) {
  auto& st = self->state;
  if (st.finished || stop_when_drained(self))
    return;
  auto bulk = static_cast<std::size_t>(st.env->tuning.bulk_size);
  while (st.chunks_in_flight < st.env->tuning.bulk_parallel
         && !st.queue.empty()) {
    auto c = std::make_shared<chunk>();
    c->seq = st.next_seq++;
    c->marks = st.queue.front().marks;
    std::vector<std::string> ids;
    while (!st.queue.empty() && ids.size() < bulk
           && st.queue.front().marks == c->marks) {
      auto& e = st.queue.front();
      c->end_updated_ms = e.updated_ms;
      c->end_id = e.id;
      ids.push_back(std::move(e.id));
      st.queue.pop_front();
    }
    start_chunk(self, std::move(c), std::move(ids));
  }
  if (!st.queue.empty() || st.reading_stored)
    return;
  // The next page of each chain that is not waiting for one: the ranges
  // of a reconciliation are listed at the same time.
  for (std::size_t i = 0; i < st.chains.size(); ++i)
    if (!st.chains[i].done && !st.chains[i].in_flight)
      fetch_ids(self, i);
  if (!ids_done(st) || st.chunks_in_flight > 0)
    return;
  if (st.current == pass::full && !st.plan.resume_after_id.empty()
      && full_pass_complete(st)) {
    // The resumed pass skipped what the interrupted one had committed;
    // whatever of it changed since that pass began (before this run, too)
    // is read now, as an incremental run would: the run ends where an
    // uninterrupted full run would, not one run later. No reconciliation
    // after it: the full pass just listed every id.
    st.full_pass_done = true;
    st.plan.since_ms = st.pass_started_ms;
    st.result.mode_reason += "; then the changes since it began";
    return start_pass(self, pass::changes);
  }
  if (st.current == pass::changes && !st.listing_failed && !st.full_pass_done)
    return start_pass(self, pass::reconcile);
  if (st.plan.refresh_acls && !st.refreshed && !st.listing_failed)
    return refresh_acls(self);
  finish(self);
}

/// The issue count for the progress bar; a failure only loses the estimate.
void estimate(fetcher_actor* self) {
  auto& st = self->state;
  self
    ->request(st.env->api, st.env->timeouts.api_call,
              api_call{protocol::approximate_count(st.env->target, st.jql)})
    .then(
      [=](api_reply& r) {
        if (!r)
          return;
        auto n = r->parse(protocol::parse_approximate_count);
        if (n.fatal)
          return;
        progress_delta d;
        d.project_key = self->state.project.key;
        d.estimated = n.value;
        self->send(self->state.parent, progress_atom_v, d);
      },
      [](caf::error&) {
        // nop: only an estimate for the progress bar
      });
}

/// A new full pass starts from the project's high-water mark: the most
/// recent `updated` Jira lists now. Whatever changes while the pass runs
/// is newer, so the first incremental run after it sees it.
void take_high_water(fetcher_actor* self, std::function<void()> next) {
  auto& st = self->state;
  auto q
    = sync::high_water_jql(st.env->filters, st.project.key, st.env->time_zone);
  if (!q.ok())
    return fail_listing(
      self, common::make_error(common::errc::invalid_argument, *q.error));
  self
    ->request(st.env->api, st.env->timeouts.api_call,
              api_call{protocol::search_issues(st.env->target, q.jql,
                                               std::nullopt, 1, {"updated"})})
    .then(
      [=](api_reply& r) {
        if (!r)
          return fail_listing(self, prefixed("high-water mark", r.error()));
        auto page = r->parse(protocol::parse_search_page);
        if (page.fatal)
          return fail_listing(
            self,
            common::make_error(common::errc::invalid_input,
                               "high-water mark: " + first_error(page.errors)));
        auto& st = self->state;
        if (!page.value.issues.empty())
          st.pass_started_ms
            = page.value.issues.front().fields.updated_ms.value_or(0);
        st.mark = std::make_unique<sync::low_water_mark>(
          sync::project_cursor{st.pass_started_ms, ""});
        next();
      },
      [=](caf::error& err) {
        fail_listing(self, request_failed("high-water mark", err));
      });
}

void start(fetcher_actor* self) {
  auto& st = self->state;
  std::optional<storage::project_checkpoint> cp;
  if (st.env->plan) {
    if (auto i = st.env->plan->checkpoints.find(st.project.key);
        i != st.env->plan->checkpoints.end())
      cp = i->second;
  }
  bool forced = st.env->plan && st.env->plan->forced_full;
  st.plan
    = sync::plan_project(cp, st.env->filters_hash, st.access_hash, forced);
  st.result.mode = std::string{sync::to_string(st.plan.mode)};
  if (st.plan.refresh_acls && cp)
    st.checkpoint_access_hash = cp->access_hash;
  st.result.mode_reason = st.plan.reason;
  if (st.plan.mode == sync::sync_mode::incremental) {
    st.mark = std::make_unique<sync::low_water_mark>(
      sync::project_cursor{st.plan.since_ms, cp ? cp->last_issue_id : ""});
    return start_pass(self, pass::changes);
  }
  auto go = [=] {
    auto& st = self->state;
    auto q
      = sync::project_jql(st.env->filters, st.project.key, st.env->time_zone);
    if (q.ok()) {
      st.jql = q.jql;
      estimate(self);
    }
    start_pass(self, pass::full);
  };
  if (st.plan.pass_started_updated_ms > 0 || !st.plan.resume_after_id.empty()) {
    st.pass_started_ms = st.plan.pass_started_updated_ms;
    st.mark = std::make_unique<sync::low_water_mark>(
      sync::project_cursor{st.pass_started_ms, st.plan.resume_after_id});
    return go();
  }
  take_high_water(self, go);
}

issue_fetcher_actor::behavior_type
fetcher_impl(fetcher_actor* self, sync_env_ptr env,
             protocol::jira_project project,
             std::shared_ptr<const sync::scope_map> scope,
             std::shared_ptr<const sync::identity_directory> dir,
             progress_sink_actor parent) {
  fail_on_exception(self);
  auto& st = self->state;
  st.env = std::move(env);
  st.project = std::move(project);
  st.scope = std::move(scope);
  const auto& own = st.scope->at(st.project.key);
  st.access_hash = own.access_hash;
  st.checkpoint_access_hash = own.access_hash;
  st.dir = dir;
  st.resolver = std::make_unique<sync::acl_resolver>(std::move(dir));
  st.acls = std::make_unique<sync::acl_memo>(*st.resolver);
  st.parent = std::move(parent);
  st.result.project_key = st.project.key;
  // Until a plan exists, a failure leaves the mark where it was.
  st.mark = std::make_unique<sync::low_water_mark>(sync::project_cursor{});
  return {
    [=](run_atom) -> caf::result<fetch_result> {
      if (auto err = check_fault(self, self->state.env->fault))
        return err;
      auto& st = self->state;
      st.rp = self->make_response_promise<fetch_result>();
      start(self);
      return st.rp;
    },
  };
}

} // namespace

issue_fetcher_actor
spawn_issue_fetcher(caf::actor_system& sys, sync_env_ptr env,
                    protocol::jira_project project,
                    std::shared_ptr<const sync::scope_map> scope,
                    std::shared_ptr<const sync::identity_directory> dir,
                    progress_sink_actor parent) {
  return sys.spawn(fetcher_impl, std::move(env), std::move(project),
                   std::move(scope), std::move(dir), std::move(parent));
}

} // namespace jirasync::actors
