#include "actors/attachment_downloader.hpp"

#include "actors/supervision.hpp"
#include "actors/sync_env.hpp"
#include "sync/attachment_checks.hpp"

#include <caf/all.hpp>

#include <deque>

namespace jirasync::actors {

namespace {

using download_promise = caf::typed_response_promise<download_result>;

struct queued_job {
  download_promise promise;
  protocol::jira_attachment attachment;
};

struct downloader_state {
  sync_env_ptr env;
  std::deque<queued_job> queue;
  int active = 0;
  std::uint64_t counter = 0;
  static inline const char* name = "attachment_downloader";
};

using downloader_actor
  = attachment_downloader_actor::stateful_base<downloader_state>;

/// A 200 whose body is not the attachment (cut off, or an error page from
/// a proxy) is retried this often; sync::content_mismatch tells.
constexpr int max_size_mismatches = 5;

void pump(downloader_actor* self);

void complete(downloader_actor* self, download_promise rp,
              const std::string& id, sync::download_outcome outcome) {
  if (!outcome)
    outcome.error().record = "attachment " + id;
  rp.deliver(download_result{id, std::move(outcome)});
  --self->state.active;
  pump(self);
}

/// Has the writer remove a temp file that will not be adopted (file
/// system work stays off the scheduler threads).
void discard(downloader_actor* self, const std::filesystem::path& tmp) {
  self->send(self->state.env->writer, discard_atom_v, tmp);
}

void adopt(downloader_actor* self, download_promise rp, std::string id,
           std::filesystem::path tmp, std::string sha256, bool want_text) {
  const auto& env = *self->state.env;
  adopt_job job{tmp, sha256, std::nullopt};
  if (want_text && env.indexing.attachment_text_max_bytes > 0)
    job.text_max_bytes
      = static_cast<std::uint64_t>(env.indexing.attachment_text_max_bytes);
  self->request(env.writer, env.timeouts.store, adopt_atom_v, std::move(job))
    .then(
      [=](adopt_reply& w) {
        if (!w)
          return complete(self, rp, id, w.error()); // tmp removed by writer
        complete(self, rp, id,
                 sync::attachment_content{false, sha256, std::move(*w)});
      },
      [=](caf::error& err) {
        discard(self, tmp);
        complete(self, rp, id, request_failed("blob adoption", err));
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
  req.http.max_body_bytes = static_cast<std::uint64_t>(max > 0 ? max : 1);
  auto rp = job.promise;
  auto id = a.id;
  bool want_text = sync::is_text_mime(a.mime_type);
  self
    ->request(st.env->api, st.env->timeouts.api_call, api_call{std::move(req)})
    .then(
      [=](api_reply& r) {
        if (!r) {
          discard(self, tmp);
          return complete(self, rp, id, r.error());
        }
        if (r->sha256_hex.empty()) {
          discard(self, tmp);
          return complete(
            self, rp, id,
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
          return complete(self, rp, id,
                          common::make_error(common::errc::invalid_input,
                                             *bad + " after "
                                               + std::to_string(attempt)
                                               + " attempt(s)"));
        }
        adopt(self, rp, id, tmp, r->sha256_hex, want_text);
      },
      [=](caf::error& err) {
        discard(self, tmp);
        complete(self, rp, id, request_failed("download", err));
      });
}

void pump(downloader_actor* self) {
  auto& st = self->state;
  while (st.active < st.env->tuning.downloads_parallel && !st.queue.empty()) {
    auto job = std::move(st.queue.front());
    st.queue.pop_front();
    start(self, std::move(job), 1);
  }
}

attachment_downloader_actor::behavior_type
downloader_impl(downloader_actor* self, sync_env_ptr env) {
  fail_on_exception(self);
  self->state.env = std::move(env);
  return {
    [=](download_atom,
        const download_job& job) -> caf::result<download_result> {
      if (auto err = check_fault(self, self->state.env->fault))
        return err;
      const auto& a = job.attachment;
      const auto& indexing = self->state.env->indexing;
      if (!indexing.attachments || a.size_bytes > indexing.attachment_max_bytes)
        return download_result{a.id, sync::attachment_content{true, "", {}}};
      auto rp = self->make_response_promise<download_result>();
      self->state.queue.push_back(queued_job{rp, a});
      pump(self);
      return rp;
    },
  };
}

} // namespace

attachment_downloader_actor spawn_attachment_downloader(caf::actor_system& sys,
                                                        sync_env_ptr env) {
  return sys.spawn(downloader_impl, std::move(env));
}

} // namespace jirasync::actors
