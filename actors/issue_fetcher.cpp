#include "actors/issue_fetcher.hpp"

#include "actors/supervision.hpp"
#include "actors/sync_env.hpp"
#include "sync/issue_scope.hpp"

#include <caf/all.hpp>

#include <chrono>
#include <deque>

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
  std::vector<sync::issue_work> issues;
  std::vector<common::error> failures;
  /// Parts still running (comment pages, downloads) + 1 while starting.
  int outstanding = 0;
};

using chunk_ptr = std::shared_ptr<chunk>;

struct fetcher_state {
  sync_env_ptr env;
  protocol::jira_project project;
  std::shared_ptr<const sync::project_access> access;
  std::unique_ptr<sync::acl_resolver> resolver;
  /// Memoised ACLs over `resolver` (one per distinct input of the project).
  std::unique_ptr<sync::acl_memo> acls;
  progress_sink_actor parent;
  caf::typed_response_promise<fetch_result> rp;
  std::string jql;
  /// bulkfetch `fields`: system fields + every custom field id.
  std::vector<std::string> fields;
  std::optional<std::string> next_token;
  bool ids_done = false;
  bool ids_in_flight = false;
  std::deque<std::string> ids;
  int chunks_in_flight = 0;
  bool finished = false;
  /// Over the batches committed so far.
  sync::project_cursor cursor;
  fetch_result result;
  static inline const char* name = "issue_fetcher";
};

using fetcher_actor = issue_fetcher_actor::stateful_base<fetcher_state>;

void pump(fetcher_actor* self);

common::error project_error(fetcher_actor* self, common::error e) {
  e.record = "project " + self->state.project.key;
  return e;
}

void fail_project(fetcher_actor* self, common::error e) {
  auto& st = self->state;
  if (st.finished)
    return;
  st.finished = true;
  st.result.failures.push_back(project_error(self, std::move(e)));
  st.result.unknown = st.resolver->unknown();
  st.rp.deliver(std::move(st.result));
}

void finish(fetcher_actor* self) {
  auto& st = self->state;
  if (st.finished)
    return;
  st.finished = true;
  auto spec = std::make_shared<storage::write_batch_spec>();
  spec->checkpoints.push_back(
    sync::make_project_checkpoint(st.project, st.cursor, st.env->filters_hash,
                                  st.result.failures.empty(), now_ms()));
  auto deliver = [=](std::optional<common::error> e) {
    auto& st = self->state;
    if (e) {
      e->record = "checkpoint of " + st.project.key;
      st.result.failures.push_back(std::move(*e));
    }
    st.result.unknown = st.resolver->unknown();
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

/// Builds the chunk's batch (sync::build_page) and writes it.
void write_chunk(fetcher_actor* self, chunk_ptr c) {
  auto& st = self->state;
  sync::page_context ctx{st.project, *st.access, *st.acls, st.env->mapping,
                         st.env->indexing.comments};
  auto page = sync::build_page(ctx, c->issues);
  for (auto& f : page.failures)
    c->failures.push_back(std::move(f));
  for (auto& w : page.warnings)
    st.result.warnings.push_back(std::move(w));
  st.result.attachments_skipped += page.attachments_skipped;
  auto cursor = st.cursor;
  cursor.advance(page.max_updated_ms, page.last_issue_id);
  page.spec.checkpoints.push_back(sync::make_project_checkpoint(
    st.project, cursor, st.env->filters_hash, false, now_ms()));
  progress_delta delta;
  delta.project_key = st.project.key;
  delta.issues = static_cast<std::int64_t>(page.issues);
  delta.comments = static_cast<std::int64_t>(page.comments);
  delta.attachments = static_cast<std::int64_t>(page.attachments);
  auto spec = std::make_shared<storage::write_batch_spec>(std::move(page.spec));
  auto written = [=](std::optional<common::error> lost) {
    auto& st = self->state;
    if (lost) {
      // The whole batch is lost: every record of the chunk failed.
      for (auto& f : sync::lost_page(c->issues, *lost))
        st.result.failures.push_back(std::move(f));
    } else {
      st.cursor = cursor;
      st.result.issues += static_cast<std::uint64_t>(delta.issues);
      st.result.comments += static_cast<std::uint64_t>(delta.comments);
      st.result.attachments += static_cast<std::uint64_t>(delta.attachments);
      self->send(st.parent, progress_atom_v, delta);
    }
    for (auto& f : c->failures)
      st.result.failures.push_back(std::move(f));
    --st.chunks_in_flight;
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
  if (--c->outstanding == 0)
    write_chunk(self, c);
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
              const protocol::jira_attachment& a) {
  const auto& env = *self->state.env;
  auto aid = a.id;
  self
    ->request(env.downloader, env.timeouts.download, download_atom_v,
              download_job{a})
    .then(
      [=](download_result& d) {
        c->issues[wi].downloads.insert_or_assign(aid, std::move(d.outcome));
        part_done(self, c);
      },
      [=](caf::error& err) {
        c->issues[wi].downloads.insert_or_assign(
          aid, request_failed("download", err));
        part_done(self, c);
      });
}

/// Starts the comment pages and downloads the chunk's issues need.
void process_issues(fetcher_actor* self, chunk_ptr c) {
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
      download(self, c, wi, a);
    }
  }
  part_done(self, c);
}

void start_chunk(fetcher_actor* self, std::vector<std::string> ids) {
  auto& st = self->state;
  ++st.chunks_in_flight;
  if (st.fields.empty()) {
    st.fields = protocol::issue_fields_needed();
    for (const auto& [id, name] : st.env->mapping.field_names)
      st.fields.push_back(id);
  }
  auto chunk_failed = [=](common::error e) {
    auto c = std::make_shared<chunk>();
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
        auto c = std::make_shared<chunk>();
        c->issues = std::move(work.issues);
        c->failures = std::move(work.failures);
        process_issues(self, c);
      },
      [=](caf::error& err) {
        chunk_failed(request_failed("bulkfetch", err));
      });
}

void fetch_ids(fetcher_actor* self) {
  auto& st = self->state;
  st.ids_in_flight = true;
  self
    ->request(
      st.env->api, st.env->timeouts.api_call,
      api_call{protocol::search_ids(st.env->target, st.jql, st.next_token,
                                    st.env->tuning.id_page_size)})
    .then(
      [=](api_reply& r) {
        auto& st = self->state;
        st.ids_in_flight = false;
        if (!r)
          return fail_project(self, prefixed("issue search", r.error()));
        auto page = r->parse(protocol::parse_search_page);
        if (page.fatal)
          return fail_project(
            self,
            common::make_error(common::errc::invalid_input,
                               "issue search: " + first_error(page.errors)));
        for (auto& i : page.value.issues)
          st.ids.push_back(std::move(i.id));
        st.next_token = page.value.next_page_token;
        st.ids_done = page.value.is_last || !st.next_token;
        pump(self);
      },
      [=](caf::error& err) {
        self->state.ids_in_flight = false;
        fail_project(self, request_failed("issue search", err));
      });
}

void pump(fetcher_actor* self) {
  auto& st = self->state;
  if (st.finished)
    return;
  auto bulk = static_cast<std::size_t>(st.env->tuning.bulk_size);
  while (st.chunks_in_flight < st.env->tuning.bulk_parallel
         && !st.ids.empty()) {
    std::vector<std::string> ids;
    while (!st.ids.empty() && ids.size() < bulk) {
      ids.push_back(std::move(st.ids.front()));
      st.ids.pop_front();
    }
    start_chunk(self, std::move(ids));
  }
  if (st.ids.empty() && !st.ids_done && !st.ids_in_flight)
    fetch_ids(self);
  else if (st.ids.empty() && st.ids_done && st.chunks_in_flight == 0)
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

issue_fetcher_actor::behavior_type
fetcher_impl(fetcher_actor* self, sync_env_ptr env,
             protocol::jira_project project,
             std::shared_ptr<const sync::project_access> access,
             std::shared_ptr<const sync::identity_directory> dir,
             progress_sink_actor parent) {
  fail_on_exception(self);
  auto& st = self->state;
  st.env = std::move(env);
  st.project = std::move(project);
  st.access = std::move(access);
  st.resolver = std::make_unique<sync::acl_resolver>(std::move(dir));
  st.acls = std::make_unique<sync::acl_memo>(*st.resolver);
  st.parent = std::move(parent);
  st.result.project_key = st.project.key;
  return {
    [=](run_atom) -> caf::result<fetch_result> {
      if (auto err = check_fault(self, self->state.env->fault))
        return err;
      auto& st = self->state;
      st.rp = self->make_response_promise<fetch_result>();
      auto q
        = sync::project_jql(st.env->filters, st.project.key, st.env->time_zone);
      if (!q.ok()) {
        fail_project(
          self, common::make_error(common::errc::invalid_argument, *q.error));
        return st.rp;
      }
      st.jql = q.jql;
      estimate(self);
      fetch_ids(self);
      return st.rp;
    },
  };
}

} // namespace

issue_fetcher_actor
spawn_issue_fetcher(caf::actor_system& sys, sync_env_ptr env,
                    protocol::jira_project project,
                    std::shared_ptr<const sync::project_access> access,
                    std::shared_ptr<const sync::identity_directory> dir,
                    progress_sink_actor parent) {
  return sys.spawn(fetcher_impl, std::move(env), std::move(project),
                   std::move(access), std::move(dir), std::move(parent));
}

} // namespace jirasync::actors
