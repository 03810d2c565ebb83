#include "actors/store_writer.hpp"

#include <caf/all.hpp>

namespace jirasync::actors {

namespace {

struct writer_state {
  std::shared_ptr<storage::store> db;
  store_totals totals;
  static inline const char* name = "store_writer";
};

using writer_actor = caf::stateful_actor<writer_state>;

caf::behavior writer_impl(writer_actor* self,
                          std::shared_ptr<storage::store> db) {
  self->state.db = std::move(db);
  return {
    [=](write_atom, const write_job& job) -> write_reply {
      auto& st = self->state;
      auto res = st.db->apply(*job.spec);
      if (!res)
        return write_reply{false, "store: " + res.error().message};
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
      return write_reply{true, {}};
    },
    [=](adopt_atom, const adopt_job& job) -> write_reply {
      auto res = self->state.db->adopt_blob(job.tmp_path, job.sha256);
      if (!res)
        return write_reply{false, "blob store: " + res.error().message};
      return write_reply{true, {}};
    },
    [=](stats_atom) -> store_totals {
      return self->state.totals;
    },
  };
}

} // namespace

caf::actor spawn_store_writer(caf::actor_system& sys,
                              std::shared_ptr<storage::store> db) {
  return sys.spawn(writer_impl, std::move(db));
}

} // namespace jirasync::actors
