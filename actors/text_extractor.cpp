#include "actors/text_extractor.hpp"

#include "actors/supervision.hpp"
#include "common/sha256.hpp"
#include "extract/format_detect.hpp"
#include "extract/worker.hpp"

#include <caf/all.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <deque>
#include <fstream>
#include <unordered_set>

namespace jirasync::actors {

/// What a worker made of one content.
struct text_result {
  storage::attachment_text text;
  /// The store had its text already: nothing was run or written.
  bool known = false;
  std::uint64_t input_bytes = 0;
  std::int64_t child_ms = 0;
};

using text_result_reply = common::result<text_result>;
using scan_reply = common::result<std::vector<storage::attachment_record>>;

/// The store's feed position and the marker of the last complete drain.
struct texts_mark {
  std::uint64_t seq = 0;
  std::optional<std::string> marker;
};
using mark_reply = common::result<texts_mark>;

using text_worker_actor = caf::typed_actor<
  caf::replies_to<extract_atom, text_job>::with<text_result_reply>,
  caf::replies_to<scan_atom, std::size_t>::with<scan_reply>,
  caf::replies_to<done_atom>::with<mark_reply>>;

} // namespace jirasync::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jirasync::actors::text_result_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jirasync::actors::scan_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jirasync::actors::mark_reply)

namespace jirasync::actors {

namespace {

using steady = std::chrono::steady_clock;

/// How much longer than the runner's wall-clock limit the manager waits for
/// a worker: the store look-up before the child, starting and reaping it.
constexpr auto worker_grace = std::chrono::seconds(30);

/// Meta entry (storage "user." meta): the feed seq at the end of the last
/// run whose drain stored a text for every content it was given. When the
/// store's feed is still at that seq when a run starts, no attachment was
/// written since, so every stored content has its text and the first drain
/// need not look for missing ones (at 27,000 attachments that look reads
/// every stored text: ~40 s). A run killed before its drain, a store of an
/// earlier version or any write since leaves them different: the look
/// runs, as before.
constexpr std::string_view texts_complete_key = "attachment_texts_complete_at";

// --- the worker (detached: it blocks on its extraction process) -----------

struct worker_state {
  std::shared_ptr<const text_extractor_options> opts;
  /// This worker's extraction process, started at its first PDF or Office
  /// file and kept for the next (extract/worker.hpp); ended with the actor.
  std::unique_ptr<extract::extraction_worker> process;
  static inline const char* name = "text_worker";
};

using worker_actor = text_worker_actor::stateful_base<worker_state>;

text_result_reply work(const text_extractor_options& o,
                       std::unique_ptr<extract::extraction_worker>& process,
                       const text_job& job) {
  auto known = o.db->get_attachment_text(job.sha256);
  if (!known)
    return known.error();
  text_result r;
  if (*known) {
    r.known = true;
    r.text = std::move(**known);
    return r;
  }
  if (o.text_off) {
    r.text = sync::decided_text(
      job.sha256, extract::text_status::skipped,
      "text extraction is off (indexing.attachment_text_max_bytes = 0)");
    return r;
  }
  auto path = o.db->blob_path(job.sha256);
  // The magic bytes and the label decide first (extract/format_detect: a
  // pure look at the head, no format library): a content no extractor
  // takes (an image, an archive, a "PDF" without a PDF header) gets its
  // status without a child.
  {
    std::string head(4096, '\0');
    std::ifstream in{path, std::ios::binary};
    in.read(head.data(), static_cast<std::streamsize>(head.size()));
    head.resize(static_cast<std::size_t>(in.gcount()));
    std::error_code ec;
    auto size = std::filesystem::file_size(path, ec);
    if (in.bad() || ec)
      return common::make_error(common::errc::io_error,
                                "cannot read the stored content "
                                  + path.string());
    // Empty content has empty text, whatever its label: the text is kept
    // per content, so it must not depend on which attachment came first.
    if (size == 0) {
      r.text
        = sync::decided_text(job.sha256, extract::text_status::extracted, "");
      r.text.text = std::string{};
      return r;
    }
    auto guess
      = extract::detect_format(job.mime_type, job.filename, head, size);
    if (guess.format == extract::doc_format::none) {
      r.text = sync::decided_text(job.sha256, guess.status, guess.reason);
      return r;
    }
  }
  extract::extract_request req{path, job.mime_type, job.filename};
  // Plain text needs no format library: decoded here, on this detached
  // worker, bounded by the text cap (extract/runner.hpp), without the cost
  // of starting a child. Not counted in the children's throughput.
  if (auto here = extract::extract_without_child(o.runner, req)) {
    r.text = sync::to_attachment_text(job.sha256, *here);
    return r;
  }
  if (!process)
    process = std::make_unique<extract::extraction_worker>(o.runner);
  auto start = steady::now();
  auto e = process->extract(req);
  r.child_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                 steady::now() - start)
                 .count();
  r.input_bytes
    = static_cast<std::uint64_t>(std::max<std::int64_t>(0, job.size_bytes));
  r.text = sync::to_attachment_text(job.sha256, e);
  return r;
}

text_worker_actor::behavior_type
worker_impl(worker_actor* self,
            std::shared_ptr<const text_extractor_options> opts) {
  fail_on_exception(self);
  self->state.opts = std::move(opts);
  return {
    [=](extract_atom, const text_job& job) -> caf::result<text_result_reply> {
      if (auto err = check_fault(self, self->state.opts->fault))
        return err;
      return work(*self->state.opts, self->state.process, job);
    },
    [=](scan_atom, std::size_t max) -> caf::result<scan_reply> {
      if (auto err = check_fault(self, self->state.opts->fault))
        return err;
      return scan_reply{self->state.opts->db->attachments_without_text(max)};
    },
    [=](done_atom) -> caf::result<mark_reply> {
      if (auto err = check_fault(self, self->state.opts->fault))
        return err;
      auto& db = *self->state.opts->db;
      auto seq = db.last_seq();
      if (!seq)
        return mark_reply{seq.error()};
      auto marker = db.get_meta(texts_complete_key);
      if (!marker)
        return mark_reply{marker.error()};
      return mark_reply{texts_mark{*seq, std::move(*marker)}};
    },
  };
}

// --- the manager (event-based, never blocks) -------------------------------

/// A content's SHA-256 as four words (hex in text_job::sha256).
using content_digest = std::array<std::uint64_t, 4>;

struct content_digest_hash {
  std::size_t operator()(const content_digest& d) const noexcept {
    return static_cast<std::size_t>(d[0]); // already uniformly distributed
  }
};

/// The digest of a 64-hex-digit SHA-256; nullopt for anything else.
std::optional<content_digest> parse_digest(std::string_view hex) {
  if (!common::is_sha256_hex(hex))
    return std::nullopt;
  content_digest d{};
  for (std::size_t i = 0; i < d.size(); ++i) {
    auto part = hex.substr(i * 16, 16);
    std::from_chars(part.data(), part.data() + part.size(), d[i], 16);
  }
  return d;
}

struct extractor_state {
  std::shared_ptr<const text_extractor_options> opts;
  std::vector<text_worker_actor> workers;
  std::vector<std::size_t> idle;
  std::deque<text_job> queue;
  /// Contents queued in this run (a content is extracted once), by their
  /// 32-byte digest: ~60 bytes each where the hex strings in a tree took
  /// ~150 (a 200k-issue site has ~100,000 contents).
  std::unordered_set<content_digest, content_digest_hash> seen;
  int active = 0;
  /// Texts waiting for their store write, and the names they go by.
  std::vector<storage::attachment_text> pending;
  std::vector<std::string> pending_names;
  std::size_t pending_bytes = 0;
  bool writing = false;
  /// 0: the store not yet scanned for missing texts; 1: scanning; 2: done.
  int scan = 0;
  /// The store's texts were complete when the run began (texts_mark):
  /// 0 not known (yet), 1 yes, 2 no.
  int complete_at_start = 0;
  /// A drain came before that was known: the scan waits for it.
  bool scan_deferred = false;
  /// The scan found as many contents as it may take: more may be missing.
  bool scan_capped = false;
  /// 0: the completion marker not written; 1: writing; 2: written or not
  /// to be written.
  int marker = 0;
  text_report report;
  std::vector<caf::typed_response_promise<text_report>> drains;
  static inline const char* name = "text_extractor";
};

using extractor_actor = text_extractor_actor::stateful_base<extractor_state>;

void pump(extractor_actor* self);

void check_drained(extractor_actor* self);

/// Every content given to this run has its text stored: the feed's seq
/// now is written as the completion marker (texts_complete_key), then the
/// drain is answered. Any failure leaves the marker as it is (the next
/// run looks for missing texts) and is only logged: the texts are stored.
void write_marker(extractor_actor* self) {
  auto& st = self->state;
  st.marker = 1;
  auto done = [=] {
    self->state.marker = 2;
    check_drained(self);
  };
  auto w = st.workers.front();
  self->request(w, st.opts->store_timeout, done_atom_v)
    .then(
      [=](mark_reply& m) {
        auto& st = self->state;
        if (!m)
          return done();
        auto spec = std::make_shared<storage::write_batch_spec>();
        spec->meta[std::string{texts_complete_key}] = std::to_string(m->seq);
        self
          ->request(st.opts->writer, st.opts->store_timeout, write_atom_v,
                    write_job{spec})
          .then(
            [=](write_reply&) {
              done();
            },
            [=](caf::error&) {
              done();
            });
      },
      [=](caf::error&) {
        done();
      });
}

void check_drained(extractor_actor* self) {
  auto& st = self->state;
  if (st.drains.empty() || st.scan != 2 || !st.queue.empty() || st.active > 0
      || !st.pending.empty() || st.writing || st.marker == 1)
    return;
  if (st.marker == 0) {
    if (st.report.failures.empty() && !st.scan_capped)
      return write_marker(self);
    st.marker = 2;
  }
  for (auto& rp : st.drains)
    rp.deliver(st.report);
  st.drains.clear();
}

/// One store batch of the texts waiting (at most one write in flight).
void flush(extractor_actor* self, bool force) {
  auto& st = self->state;
  if (st.writing || st.pending.empty())
    return;
  if (!force && st.pending.size() < st.opts->batch
      && st.pending_bytes < st.opts->max_pending_bytes)
    return;
  auto spec = std::make_shared<storage::write_batch_spec>();
  spec->texts = std::move(st.pending);
  auto names = std::move(st.pending_names);
  st.pending.clear();
  st.pending_names.clear();
  st.pending_bytes = 0;
  st.writing = true;
  auto done = [=](std::optional<common::error> e) {
    auto& st = self->state;
    st.writing = false;
    if (e)
      for (const auto& n : names) {
        auto f = *e;
        f.message = "text not stored: " + f.message;
        f.record = n;
        st.report.failures.push_back(std::move(f));
      }
    bool idle = st.queue.empty() && st.active == 0;
    flush(self, idle);
    pump(self); // workers held back by the text in flight go on
    check_drained(self);
  };
  self
    ->request(st.opts->writer, st.opts->store_timeout, write_atom_v,
              write_job{spec})
    .then(
      [=](write_reply& w) {
        done(w ? std::nullopt : std::optional{w.error()});
      },
      [=](caf::error& err) {
        done(request_failed("store write", err));
      });
}

void finished(extractor_actor* self, std::size_t worker, const text_job& job,
              text_result_reply r) {
  auto& st = self->state;
  --st.active;
  st.idle.push_back(worker);
  if (!r) {
    // The look-up failed (a store error): the content stays without text
    // in this run; the next run's scan finds it.
    auto e = r.error();
    e.record = job.name;
    e.message = "text not extracted: " + e.message;
    st.report.failures.push_back(std::move(e));
  } else if (r->known) {
    ++st.report.tally.known;
  } else {
    st.report.tally.add(r->text, job.name, r->input_bytes, r->child_ms);
    st.pending_bytes += r->text.text ? r->text.text->size() : 0;
    st.pending.push_back(std::move(r->text));
    st.pending_names.push_back(job.name);
  }
  pump(self);
  flush(self, st.queue.empty() && st.active == 0);
  check_drained(self);
}

void pump(extractor_actor* self) {
  auto& st = self->state;
  auto wait
    = st.opts->runner.limits.wall
      + std::chrono::duration_cast<std::chrono::milliseconds>(worker_grace);
  // Backpressure: while the texts waiting for the store are over the
  // bound, no new child starts (flush writes them; its reply pumps again).
  while (!st.idle.empty() && !st.queue.empty()
         && st.pending_bytes < st.opts->max_pending_bytes) {
    auto w = st.idle.back();
    st.idle.pop_back();
    auto job = std::move(st.queue.front());
    st.queue.pop_front();
    ++st.active;
    self->request(st.workers[w], wait, extract_atom_v, job)
      .then(
        [=](text_result_reply& r) {
          finished(self, w, job, std::move(r));
        },
        [=](caf::error& err) {
          // A worker that does not answer within the runner's own limit
          // plus the grace is broken or stuck; the content fails alone and
          // is not stored (the next run tries again).
          finished(self, w, job,
                   request_failed("text extraction of " + job.name, err));
        });
  }
}

void enqueue(extractor_actor* self, text_job job) {
  auto& st = self->state;
  if (job.sha256.empty())
    return;
  // A content the store could not name by its SHA-256 is not deduplicated:
  // the worker reports it like any other.
  if (auto d = parse_digest(job.sha256); d && !st.seen.insert(*d).second)
    return;
  st.queue.push_back(std::move(job));
  pump(self);
}

/// The first drain: stored attachments whose content has no text.
void scan_store(extractor_actor* self) {
  auto& st = self->state;
  if (st.complete_at_start == 0) {
    st.scan_deferred = true; // the answer is on its way (spawn)
    return;
  }
  if (st.complete_at_start == 1) {
    st.scan = 2; // nothing written since the last complete drain
    flush(self, st.queue.empty() && st.active == 0);
    return check_drained(self);
  }
  st.scan = 1;
  self
    ->request(st.workers.front(), st.opts->store_timeout, scan_atom_v,
              st.opts->backfill_max)
    .then(
      [=](scan_reply& r) {
        auto& st = self->state;
        st.scan = 2;
        if (!r) {
          auto e = r.error();
          e.record = "attachment texts";
          st.report.failures.push_back(std::move(e));
        } else {
          st.scan_capped = r->size() >= st.opts->backfill_max;
          for (auto& a : *r)
            enqueue(self,
                    text_job{a.sha256, a.mime_type, a.filename, a.size_bytes,
                             "attachment " + a.id + " (" + a.filename + ")"});
        }
        flush(self, st.queue.empty() && st.active == 0);
        check_drained(self);
      },
      [=](caf::error& err) {
        auto& st = self->state;
        st.scan = 2;
        auto e = request_failed("looking for attachments without text", err);
        e.record = "attachment texts";
        st.report.failures.push_back(std::move(e));
        check_drained(self);
      });
}

text_extractor_actor::behavior_type
extractor_impl(extractor_actor* self,
               std::shared_ptr<const text_extractor_options> opts) {
  fail_on_exception(self);
  auto& st = self->state;
  st.opts = opts;
  auto n = std::max(1, opts->workers);
  for (int i = 0; i < n; ++i) {
    auto w = self->spawn<caf::detached + caf::linked>(worker_impl, opts);
    st.workers.push_back(w);
    st.idle.push_back(static_cast<std::size_t>(i));
  }
  // Before this run writes: was every stored content's text complete?
  // (Answered long before the first drain; a write of this run that comes
  // first only makes the answer "no", which costs the look, not a text.)
  self->request(st.workers.front(), opts->store_timeout, done_atom_v)
    .then(
      [=](mark_reply& m) {
        auto& st = self->state;
        st.complete_at_start
          = m && m->marker && *m->marker == std::to_string(m->seq) ? 1 : 2;
        if (st.scan_deferred)
          scan_store(self);
      },
      [=](caf::error&) {
        auto& st = self->state;
        st.complete_at_start = 2;
        if (st.scan_deferred)
          scan_store(self);
      });
  return {
    [=](extract_atom, const text_job& job) {
      if (check_fault(self, self->state.opts->fault))
        return;
      enqueue(self, job);
    },
    [=](drain_atom) -> caf::result<text_report> {
      if (auto err = check_fault(self, self->state.opts->fault))
        return err;
      auto& st = self->state;
      auto rp = self->make_response_promise<text_report>();
      st.drains.push_back(rp);
      if (st.scan == 0)
        scan_store(self);
      flush(self, st.queue.empty() && st.active == 0);
      check_drained(self);
      return rp;
    },
  };
}

} // namespace

text_extractor_actor spawn_text_extractor(caf::actor_system& sys,
                                          text_extractor_options opts) {
  return sys.spawn(
    extractor_impl,
    std::make_shared<const text_extractor_options>(std::move(opts)));
}

} // namespace jirasync::actors
