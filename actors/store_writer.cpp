#include "actors/store_writer.hpp"

#include "actors/supervision.hpp"

#include <caf/all.hpp>

#include <system_error>

namespace jirasync::actors {

namespace {

struct writer_state {
  std::shared_ptr<storage::store> db;
  fault_hook fault;
  store_totals totals;
  static inline const char* name = "store_writer";
};

using writer_actor = store_writer_actor::stateful_base<writer_state>;

/// The store's error as the pipeline's (store errors carry a message; the
/// code says "the store failed", whatever its own code was).
template<class StoreError>
common::error store_failure(std::string_view what, const StoreError& e) {
  return common::make_error(common::errc::io_error,
                            std::string{what} + ": " + e.message);
}

void remove_quietly(const std::filesystem::path& p) {
  std::error_code ec;
  std::filesystem::remove(p, ec); // best effort: a leftover temp file is
                                  // collected with the unreferenced blobs
}

store_writer_actor::behavior_type
writer_impl(writer_actor* self, std::shared_ptr<storage::store> db,
            fault_hook fault) {
  fail_on_exception(self);
  self->state.db = std::move(db);
  self->state.fault = std::move(fault);
  return {
    [=](write_atom, const write_job& job) -> caf::result<write_reply> {
      if (auto err = check_fault(self, self->state.fault))
        return err;
      auto& st = self->state;
      auto res = st.db->apply(*job.spec);
      if (!res)
        return write_reply{store_failure("store", res.error())};
      ++st.totals.batches;
      for (std::size_t t = 0; t < storage::record_type_count; ++t) {
        if (t == static_cast<std::size_t>(storage::record_type::acl))
          continue; // ACLs are bookkeeping, not records of the summary
        const auto& c = res->by_type[t];
        st.totals.added += c.added;
        st.totals.updated += c.updated;
        st.totals.unchanged += c.unchanged;
        st.totals.deleted += c.deleted;
      }
      return write_reply{};
    },
    [=](adopt_atom, const adopt_job& job) -> caf::result<adopt_reply> {
      if (auto err = check_fault(self, self->state.fault))
        return err;
      auto failed = [&](common::error e) {
        remove_quietly(job.tmp_path);
        return adopt_reply{std::move(e)};
      };
      auto res = self->state.db->adopt_blob(job.tmp_path, job.sha256);
      if (!res)
        return failed(store_failure("blob store", res.error()));
      // The text comes from the adopted blob, by its sha256, streamed and
      // capped: never the whole file in memory.
      std::optional<std::string> text;
      if (job.text_max_bytes) {
        auto read
          = self->state.db->read_blob_text(job.sha256, *job.text_max_bytes);
        if (!read) {
          auto e = read.error();
          e.message = "text: " + e.message;
          return adopt_reply{std::move(e)};
        }
        text = std::move(*read);
      }
      return adopt_reply{std::move(text)};
    },
    [=](read_atom, const read_job& job) -> caf::result<read_reply> {
      if (auto err = check_fault(self, self->state.fault))
        return err;
      auto res = job.fn(*self->state.db);
      if (!res)
        return read_reply{store_failure("store read", res.error())};
      return read_reply{};
    },
    [=](discard_atom, const std::filesystem::path& tmp) {
      if (check_fault(self, self->state.fault))
        return;
      remove_quietly(tmp);
    },
    [=](stats_atom) -> caf::result<store_totals> {
      if (auto err = check_fault(self, self->state.fault))
        return err;
      return self->state.totals;
    },
  };
}

} // namespace

store_writer_actor spawn_store_writer(caf::actor_system& sys,
                                      std::shared_ptr<storage::store> db,
                                      fault_hook fault) {
  return sys.spawn<caf::detached>(writer_impl, std::move(db), std::move(fault));
}

} // namespace jirasync::actors
