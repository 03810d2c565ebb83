#include "actors/issue_fetcher.hpp"

#include "protocol/jira/jql.hpp"

#include <caf/all.hpp>

#include <chrono>
#include <deque>
#include <map>

namespace jirasync::actors {

protocol::jql_result project_jql(const config::filters_config& f,
                                 const std::string& key,
                                 const std::string& tz) {
  protocol::jql_query q;
  q.project_keys = {key};
  if (f.modified_after)
    q.updated_from_ms = f.modified_after->utc_ms;
  if (f.modified_before)
    q.updated_to_ms = f.modified_before->utc_ms;
  if (f.created_after)
    q.created_from_ms = f.created_after->utc_ms;
  if (f.created_before)
    q.created_to_ms = f.created_before->utc_ms;
  q.time_zone = tz;
  q.order = protocol::jql_order::id;
  return protocol::build_jql(q);
}

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

/// JQL minute literals widen the window; drop what lies outside the exact
/// bounds.
bool within_filters(const config::filters_config& f,
                    const protocol::jira_issue& i) {
  auto created = i.fields.created_ms.value_or(0);
  auto updated = i.fields.updated_ms.value_or(created);
  if (f.modified_after && updated < f.modified_after->utc_ms)
    return false;
  if (f.modified_before && updated > f.modified_before->utc_ms)
    return false;
  if (f.created_after && created < f.created_after->utc_ms)
    return false;
  if (f.created_before && created > f.created_before->utc_ms)
    return false;
  return true;
}

/// One issue of a chunk while its comments and attachments arrive.
struct issue_work {
  protocol::jira_issue issue;
  std::vector<protocol::jira_comment> comments;
  std::map<std::string, download_result> downloads;
  std::string error;
};

struct chunk {
  std::vector<issue_work> issues;
  int outstanding = 0;
  std::vector<std::string> failures;
};

using chunk_ptr = std::shared_ptr<chunk>;

struct fetcher_state {
  sync_env_ptr env;
  protocol::jira_project project;
  std::shared_ptr<const sync::project_access> access;
  std::unique_ptr<sync::acl_resolver> resolver;
  caf::actor parent;
  caf::response_promise rp;
  std::string jql;
  /// bulkfetch `fields`: system fields + every custom field id.
  std::vector<std::string> fields;
  std::optional<std::string> next_token;
  bool ids_done = false;
  bool ids_in_flight = false;
  std::deque<std::string> ids;
  int chunks_in_flight = 0;
  bool finished = false;
  std::int64_t max_updated_ms = 0;
  std::string last_issue_id;
  fetch_result result;
  static inline const char* name = "issue_fetcher";
};

using fetcher_actor = caf::stateful_actor<fetcher_state>;

void pump(fetcher_actor* self);

storage::project_checkpoint make_checkpoint(fetcher_state& st, bool done) {
  storage::project_checkpoint cp;
  cp.project_key = st.project.key;
  cp.project_id = st.project.id;
  cp.last_updated_ms = st.max_updated_ms;
  cp.last_issue_id = st.last_issue_id;
  cp.filters_hash = st.env->filters_hash;
  cp.full_sync_done = done;
  cp.synced_at_ms = now_ms();
  return cp;
}

void fail_project(fetcher_actor* self, std::string reason) {
  auto& st = self->state;
  if (st.finished)
    return;
  st.finished = true;
  st.result.ok = false;
  st.result.error = std::move(reason);
  st.rp.deliver(std::move(st.result));
}

void finish(fetcher_actor* self) {
  auto& st = self->state;
  if (st.finished)
    return;
  st.finished = true;
  auto spec = std::make_shared<storage::write_batch_spec>();
  spec->checkpoints.push_back(make_checkpoint(st, st.result.failures.empty()));
  self->request(st.env->writer, caf::infinite, write_atom_v, write_job{spec})
    .then([=](write_reply& w) {
      auto& st = self->state;
      st.result.ok = true;
      if (!w.ok)
        st.result.failures.push_back("checkpoint of " + st.project.key + ": "
                                     + w.error);
      st.rp.deliver(std::move(st.result));
    });
}

/// Builds the chunk's records and writes them in one batch.
void write_chunk(fetcher_actor* self, chunk_ptr c) {
  auto& st = self->state;
  auto& acc = *st.access;
  auto spec = std::make_shared<storage::write_batch_spec>();
  std::map<std::string, storage::acl_record> acls;
  auto acl_id = [&](const sync::acl_set& s) {
    auto rec = storage::make_acl(s.anyone, s.users);
    auto id = rec.id;
    acls.emplace(id, std::move(rec));
    return id;
  };
  progress_delta delta;
  delta.project_key = st.project.key;
  for (auto& w : c->issues) {
    const auto& i = w.issue;
    if (!w.error.empty()) {
      c->failures.push_back(w.error);
      continue;
    }
    const auto& f = i.fields;
    std::optional<std::string> reporter, assignee, level;
    if (f.reporter)
      reporter = f.reporter->account_id;
    if (f.assignee)
      assignee = f.assignee->account_id;
    if (f.security)
      level = f.security->id;
    auto issue_acl = st.resolver->issue_acl(acc, reporter, assignee, level);
    auto issue_acl_id = acl_id(issue_acl);
    auto rec = sync::to_issue_record(i, st.env->mapping, issue_acl_id);
    if (rec.project_key.empty()) {
      rec.project_key = st.project.key;
      rec.project_id = st.project.id;
    }
    if (rec.updated_ms > st.max_updated_ms)
      st.max_updated_ms = rec.updated_ms;
    st.last_issue_id = rec.id;
    spec->upserts.emplace_back(std::move(rec));
    ++delta.issues;
    if (st.env->indexing.comments) {
      for (const auto& cm : w.comments) {
        auto cacl = st.resolver->comment_acl(acc, issue_acl, cm.visibility);
        spec->upserts.emplace_back(
          sync::to_comment_record(cm, i.id, f.attachments, acl_id(cacl)));
        ++delta.comments;
      }
    }
    for (const auto& a : f.attachments) {
      auto d = w.downloads.find(a.id);
      if (d == w.downloads.end())
        continue;
      if (d->second.skipped) {
        ++st.result.attachments_skipped;
        continue;
      }
      if (!d->second.ok) {
        c->failures.push_back("attachment " + a.id + " of issue "
                              + i.key.value_or(i.id) + ": " + d->second.error);
        continue;
      }
      spec->upserts.emplace_back(sync::to_attachment_record(
        a, i.id, d->second.sha256, d->second.text, issue_acl_id));
      ++delta.attachments;
    }
  }
  for (auto& [id, a] : acls)
    spec->acls.push_back(std::move(a));
  spec->checkpoints.push_back(make_checkpoint(st, false));
  self->request(st.env->writer, caf::infinite, write_atom_v, write_job{spec})
    .then([=](write_reply& wr) {
      auto& st = self->state;
      if (!wr.ok) {
        // The whole batch is lost: every record of the chunk failed.
        for (const auto& w : c->issues)
          st.result.failures.push_back(
            "issue " + w.issue.key.value_or(w.issue.id) + ": " + wr.error);
      } else {
        st.result.issues += delta.issues;
        st.result.comments += delta.comments;
        st.result.attachments += delta.attachments;
        self->send(st.parent, progress_atom_v, delta);
      }
      for (auto& f : c->failures)
        st.result.failures.push_back(std::move(f));
      --st.chunks_in_flight;
      pump(self);
    });
}

void part_done(fetcher_actor* self, const chunk_ptr& c) {
  if (--c->outstanding == 0)
    write_chunk(self, c);
}

void fetch_more_comments(fetcher_actor* self, chunk_ptr c, std::size_t wi,
                         std::int64_t start) {
  auto& env = *self->state.env;
  const auto& id = c->issues[wi].issue.id;
  self
    ->request(env.api, caf::infinite,
              api_call{protocol::get_comments(env.target, id, start,
                                              env.tuning.comment_page_size)})
    .then([=](api_reply& r) {
      auto& w = c->issues[wi];
      auto label = "issue " + w.issue.key.value_or(w.issue.id);
      if (!r.ok) {
        w.error = label + ": comments: " + r.error;
        return part_done(self, c);
      }
      auto page = protocol::parse_text(r.body, protocol::parse_comment_page);
      if (page.fatal) {
        w.error = label + ": comments: " + first_error(page.errors);
        return part_done(self, c);
      }
      auto n = static_cast<std::int64_t>(page.value.comments.size());
      for (auto& cm : page.value.comments)
        w.comments.push_back(std::move(cm));
      if (n > 0 && start + n < page.value.total)
        return fetch_more_comments(self, c, wi, start + n);
      part_done(self, c);
    });
}

void process_issues(fetcher_actor* self, chunk_ptr c) {
  auto& st = self->state;
  // +1 guards against completing while parts are still being started.
  c->outstanding = 1;
  for (std::size_t wi = 0; wi < c->issues.size(); ++wi) {
    auto& w = c->issues[wi];
    auto& f = w.issue.fields;
    if (f.comment && st.env->indexing.comments) {
      w.comments = std::move(f.comment->comments);
      auto embedded = static_cast<std::int64_t>(w.comments.size());
      if (f.comment->total > embedded) {
        ++c->outstanding;
        fetch_more_comments(self, c, wi, embedded);
      }
      f.comment.reset();
    }
    for (const auto& a : f.attachments) {
      ++c->outstanding;
      auto aid = a.id;
      self
        ->request(st.env->downloader, caf::infinite, download_atom_v,
                  download_job{a})
        .then([=](download_result& d) {
          c->issues[wi].downloads[aid] = std::move(d);
          part_done(self, c);
        });
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
  const auto& fields = st.fields;
  self
    ->request(st.env->api, caf::infinite,
              api_call{protocol::bulkfetch(st.env->target, ids, fields)})
    .then([=](api_reply& r) {
      auto& st = self->state;
      auto c = std::make_shared<chunk>();
      if (!r.ok) {
        c->failures.push_back("issues " + ids.front() + ".." + ids.back()
                              + " of " + st.project.key + ": " + r.error);
        c->outstanding = 1;
        return part_done(self, c);
      }
      auto res = protocol::parse_text(r.body, protocol::parse_bulkfetch);
      if (res.fatal) {
        c->failures.push_back("issues " + ids.front() + ".." + ids.back()
                              + " of " + st.project.key
                              + ": bulkfetch: " + first_error(res.errors));
        c->outstanding = 1;
        return part_done(self, c);
      }
      // Records the parser had to drop are failures, not silent skips.
      for (const auto& e : res.errors)
        c->failures.push_back(st.project.key + ": bulkfetch: " + e.to_string());
      for (const auto& e : res.value.issue_errors) {
        std::string msg;
        for (const auto& m : e.messages)
          msg += (msg.empty() ? "" : "; ") + m;
        c->failures.push_back("issue " + e.id.value_or("?") + ": " + msg);
      }
      for (auto& i : res.value.issues) {
        if (!within_filters(st.env->filters, i))
          continue;
        issue_work w;
        w.issue = std::move(i);
        c->issues.push_back(std::move(w));
      }
      process_issues(self, c);
    });
}

void fetch_ids(fetcher_actor* self) {
  auto& st = self->state;
  st.ids_in_flight = true;
  self
    ->request(
      st.env->api, caf::infinite,
      api_call{protocol::search_ids(st.env->target, st.jql, st.next_token,
                                    st.env->tuning.id_page_size)})
    .then([=](api_reply& r) {
      auto& st = self->state;
      st.ids_in_flight = false;
      if (!r.ok)
        return fail_project(self,
                            st.project.key + ": issue search: " + r.error);
      auto page = protocol::parse_text(r.body, protocol::parse_search_page);
      if (page.fatal)
        return fail_project(
          self, st.project.key + ": issue search: " + first_error(page.errors));
      for (auto& i : page.value.issues)
        st.ids.push_back(std::move(i.id));
      st.next_token = page.value.next_page_token;
      st.ids_done = page.value.is_last || !st.next_token;
      pump(self);
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

caf::behavior fetcher_impl(fetcher_actor* self, sync_env_ptr env,
                           protocol::jira_project project,
                           std::shared_ptr<const sync::project_access> access,
                           std::shared_ptr<const sync::identity_directory> dir,
                           caf::actor parent) {
  auto& st = self->state;
  st.env = std::move(env);
  st.project = std::move(project);
  st.access = std::move(access);
  st.resolver = std::make_unique<sync::acl_resolver>(std::move(dir));
  st.parent = std::move(parent);
  st.result.project_key = st.project.key;
  return {
    [=](run_atom) -> caf::result<fetch_result> {
      auto& st = self->state;
      st.rp = self->make_response_promise();
      auto q = project_jql(st.env->filters, st.project.key, st.env->time_zone);
      if (!q.ok()) {
        fail_project(self, st.project.key + ": " + *q.error);
        return st.rp;
      }
      st.jql = q.jql;
      self
        ->request(st.env->api, caf::infinite,
                  api_call{protocol::approximate_count(st.env->target, q.jql)})
        .then([=](api_reply& r) {
          if (!r.ok)
            return; // only an estimate for the progress bar
          auto n
            = protocol::parse_text(r.body, protocol::parse_approximate_count);
          if (n.fatal)
            return;
          progress_delta d;
          d.project_key = self->state.project.key;
          d.estimated = n.value;
          self->send(self->state.parent, progress_atom_v, d);
        });
      fetch_ids(self);
      return st.rp;
    },
  };
}

} // namespace

caf::actor spawn_issue_fetcher(
  caf::actor_system& sys, sync_env_ptr env, protocol::jira_project project,
  std::shared_ptr<const sync::project_access> access,
  std::shared_ptr<const sync::identity_directory> dir, caf::actor parent) {
  return sys.spawn(fetcher_impl, std::move(env), std::move(project),
                   std::move(access), std::move(dir), std::move(parent));
}

} // namespace jirasync::actors
