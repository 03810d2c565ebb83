#include "actors/attachment_downloader.hpp"

#include "actors/supervision.hpp"
#include "actors/sync_env.hpp"
#include "sync/attachment_checks.hpp"
#include "sync/download_budget.hpp"

#include <caf/all.hpp>

#include <deque>

namespace jirasync::actors {

namespace {

using download_promise = caf::typed_response_promise<download_result>;

struct queued_job {
  download_promise promise;
  protocol::jira_attachment attachment;
  /// Bytes of the budget it holds once started (sync::download_budget).
  std::uint64_t reserved = 0;
};

struct downloader_state {
  sync_env_ptr env;
  std::deque<queued_job> queue;
  int active = 0;
  std::uint64_t counter = 0;
  /// Bytes in flight across all downloads (sync.download_bytes_in_flight).
  sync::download_budget budget{1};
  static inline const char* name = "attachment_downloader";
};

using downloader_actor
  = attachment_downloader_actor::stateful_base<downloader_state>;

/// A 200 whose body is not the attachment (cut off, or an error page from
/// a proxy) is retried this often; sync::content_mismatch tells.
constexpr int max_size_mismatches = 5;

void pump(downloader_actor* self);

/// The one end of every started download: answers, gives its bytes back to
/// the budget, starts what now fits.
void complete(downloader_actor* self, const queued_job& job,
              sync::download_outcome outcome) {
  const auto& id = job.attachment.id;
  if (!outcome)
    outcome.error().record = "attachment " + id;
  auto rp = job.promise;
  rp.deliver(download_result{id, std::move(outcome)});
  --self->state.active;
  self->state.budget.release(job.reserved);
  pump(self);
}

/// Has the writer remove a temp file that will not be adopted (file
/// system work stays off the scheduler threads).
void discard(downloader_actor* self, const std::filesystem::path& tmp) {
  self->send(self->state.env->writer, discard_atom_v, tmp);
}

void adopt(downloader_actor* self, queued_job job, std::filesystem::path tmp,
           std::string sha256) {
  const auto& env = *self->state.env;
  self
    ->request(env.writer, env.timeouts.store, adopt_atom_v,
              adopt_job{tmp, sha256})
    .then(
      [=](adopt_reply& w) {
        if (!w)
          return complete(self, job, w.error()); // tmp removed by writer
        // The blob is durable: its text is extracted out of process, once
        // per content, while the record goes its own way (text and record
        // meet in the store, whichever comes first).
        const auto& a = job.attachment;
        if (const auto& x = self->state.env->extractor)
          self->send(x, extract_atom_v,
                     text_job{sha256, a.mime_type, a.filename, a.size_bytes,
                              "attachment " + a.id + " (" + a.filename + ")"});
        complete(self, job, sync::attachment_content{false, sha256});
      },
      [=](caf::error& err) {
        discard(self, tmp);
        complete(self, job, request_failed("blob adoption", err));
      });
}

void start(downloader_actor* self, queued_job job, int attempt) {
  auto& st = self->state;
  if (attempt == 1)
    ++st.active;
  const auto& a = job.attachment;
  auto tmp = st.env->db->blob_tmp_dir()
             / ("dl-" + a.id + "-" + std::to_string(++st.counter));
  auto req = protocol::get_attachment_content(st.env->target, a.id);
  req.http.body_file = tmp;
  auto max = st.env->indexing.attachment_max_bytes;
  // The body may not outgrow its reservation: the budget then bounds the
  // bytes received, not only the bytes announced (a longer body is not the
  // attachment Jira sized anyway).
  req.http.max_body_bytes
    = std::min(static_cast<std::uint64_t>(max > 0 ? max : 1), job.reserved);
  self
    ->request(st.env->api, st.env->timeouts.api_call, api_call{std::move(req)})
    .then(
      [=](api_reply& r) {
        if (!r) {
          discard(self, tmp);
          return complete(self, job, r.error());
        }
        if (r->sha256_hex.empty()) {
          discard(self, tmp);
          return complete(
            self, job,
            common::make_error(common::errc::internal, "no content hash"));
        }
        // Always checked, 0-byte attachments included: a 200 from a proxy
        // or a failing media host may be an error page or cut off.
        auto ct = protocol::find_header(r->headers, "content-type");
        if (auto bad = sync::content_mismatch(job.attachment, r->body_bytes,
                                              ct.value_or(""))) {
          discard(self, tmp);
          if (attempt < max_size_mismatches)
            return start(self, job, attempt + 1);
          return complete(self, job,
                          common::make_error(common::errc::invalid_input,
                                             *bad + " after "
                                               + std::to_string(attempt)
                                               + " attempt(s)"));
        }
        adopt(self, job, tmp, r->sha256_hex);
      },
      [=](caf::error& err) {
        discard(self, tmp);
        complete(self, job, request_failed("download", err));
      });
}

/// Starts queued downloads in order while a slot is free and the next one's
/// bytes fit the budget. In order: a download that does not fit holds the
/// queue until enough is released, so one larger than the whole budget
/// gets its turn alone instead of being overtaken forever.
void pump(downloader_actor* self) {
  auto& st = self->state;
  const auto max_body = static_cast<std::uint64_t>(
    std::max<std::int64_t>(st.env->indexing.attachment_max_bytes, 0));
  while (st.active < st.env->tuning.downloads_parallel && !st.queue.empty()) {
    const auto& a = st.queue.front().attachment;
    auto need = sync::download_budget::reservation(a.size_bytes, a.size_known,
                                                   max_body);
    if (!st.budget.try_reserve(need))
      return; // a running download's completion pumps again
    auto job = std::move(st.queue.front());
    st.queue.pop_front();
    job.reserved = need;
    start(self, std::move(job), 1);
  }
}

attachment_downloader_actor::behavior_type
downloader_impl(downloader_actor* self, sync_env_ptr env) {
  fail_on_exception(self);
  self->state.env = std::move(env);
  self->state.budget
    = sync::download_budget{self->state.env->download_bytes_in_flight};
  return {
    [=](download_atom,
        const download_job& job) -> caf::result<download_result> {
      if (auto err = check_fault(self, self->state.env->fault))
        return err;
      const auto& a = job.attachment;
      const auto& indexing = self->state.env->indexing;
      if (!indexing.attachments || a.size_bytes > indexing.attachment_max_bytes)
        return download_result{a.id, sync::attachment_content{true, ""}};
      if (job.stored_sha256)
        return download_result{
          a.id, sync::attachment_content{false, *job.stored_sha256, true}};
      auto rp = self->make_response_promise<download_result>();
      self->state.queue.push_back(queued_job{rp, a});
      pump(self);
      return rp;
    },
    [=](stats_atom) -> download_stats {
      const auto& b = self->state.budget;
      return download_stats{b.capacity(), b.in_flight(), b.peak(), b.waits()};
    },
  };
}

} // namespace

attachment_downloader_actor spawn_attachment_downloader(caf::actor_system& sys,
                                                        sync_env_ptr env) {
  return sys.spawn(downloader_impl, std::move(env));
}

} // namespace jirasync::actors
