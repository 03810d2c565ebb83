#include "actors/attachment_downloader.hpp"

#include <caf/all.hpp>

#include <deque>
#include <fstream>
#include <sstream>
#include <system_error>

namespace jirasync::actors {

namespace {

struct queued_job {
  caf::response_promise promise;
  protocol::jira_attachment attachment;
};

struct downloader_state {
  sync_env_ptr env;
  std::deque<queued_job> queue;
  int active = 0;
  std::uint64_t counter = 0;
  static inline const char* name = "attachment_downloader";
};

using downloader_actor = caf::stateful_actor<downloader_state>;

void pump(downloader_actor* self);

void complete(downloader_actor* self, caf::response_promise rp,
              download_result res) {
  rp.deliver(std::move(res));
  --self->state.active;
  pump(self);
}

/// A 200 whose body is not the attachment (cut off, or an error page from
/// a proxy) is retried this often; the size from the metadata tells.
constexpr int max_size_mismatches = 5;

void start(downloader_actor* self, queued_job job, int attempt = 1);

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
  self->request(st.env->api, caf::infinite, api_call{std::move(req)})
    .then([=](api_reply& r) {
      download_result res;
      res.attachment_id = id;
      std::error_code ec;
      if (!r.ok || r.sha256_hex.empty()) {
        std::filesystem::remove(tmp, ec);
        res.error = r.ok ? "attachment " + id + ": no content hash" : r.error;
        complete(self, rp, std::move(res));
        return;
      }
      if (r.body_bytes != static_cast<std::uint64_t>(job.attachment.size_bytes)
          && job.attachment.size_bytes > 0) {
        std::filesystem::remove(tmp, ec);
        if (attempt < max_size_mismatches)
          return start(self, job, attempt + 1);
        res.error = "attachment " + id + ": got " + std::to_string(r.body_bytes)
                    + " bytes, expected "
                    + std::to_string(job.attachment.size_bytes) + " after "
                    + std::to_string(attempt) + " attempt(s)";
        complete(self, rp, std::move(res));
        return;
      }
      res.sha256 = r.sha256_hex;
      if (want_text) {
        std::ifstream in{tmp, std::ios::binary};
        std::ostringstream buf;
        buf << in.rdbuf();
        res.text = buf.str();
      }
      self
        ->request(self->state.env->writer, caf::infinite, adopt_atom_v,
                  adopt_job{tmp, res.sha256})
        .then([=](write_reply& w) mutable {
          if (!w.ok) {
            std::error_code ec2;
            std::filesystem::remove(tmp, ec2);
            res.error = "attachment " + id + ": " + w.error;
          } else {
            res.ok = true;
          }
          complete(self, rp, std::move(res));
        });
    });
}

void pump(downloader_actor* self) {
  auto& st = self->state;
  while (st.active < st.env->tuning.downloads_parallel && !st.queue.empty()) {
    auto job = std::move(st.queue.front());
    st.queue.pop_front();
    start(self, std::move(job));
  }
}

caf::behavior downloader_impl(downloader_actor* self, sync_env_ptr env) {
  self->state.env = std::move(env);
  return {
    [=](download_atom,
        const download_job& job) -> caf::result<download_result> {
      const auto& a = job.attachment;
      auto max = self->state.env->indexing.attachment_max_bytes;
      if (!self->state.env->indexing.attachments || a.size_bytes > max) {
        download_result res;
        res.attachment_id = a.id;
        res.skipped = true;
        return res;
      }
      auto rp = self->make_response_promise();
      self->state.queue.push_back(queued_job{rp, a});
      pump(self);
      return rp;
    },
  };
}

} // namespace

caf::actor spawn_attachment_downloader(caf::actor_system& sys,
                                       sync_env_ptr env) {
  return sys.spawn(downloader_impl, std::move(env));
}

} // namespace jirasync::actors
