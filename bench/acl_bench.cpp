// acl_bench: the ACL work of a sync per 10,000 issues in a project anyone
// may browse, before and after memoisation, in the same run.
//
// - before: what build_page did per record: acl_resolver::issue_acl /
//   comment_acl (copying the whole user list), then the batch's
//   acl_collector makes the record (sorting and SHA-256 hashing it);
// - after: acl_memo (one record per distinct input) and the collector
//   taking the memoised record by id.
// Both paths run over the same generated issues (reporter, assignee, 2
// comments on average, 10 % of them restricted to a group) in batches of
// 100 issues (one bulkfetch), and must produce the same ACL ids (checked).
//
//   acl_bench [--users N] [--issues N] [--rounds R]
//       (defaults: 2000 users, 10000 issues, 3 rounds; best round reported)
#include "sync/page_builder.hpp"
#include "sync/permissions.hpp"
#include "sync/permissions_memo.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace {

using namespace jirasync;

struct fake_issue {
  std::optional<std::string> reporter, assignee;
  std::vector<std::optional<protocol::comment_visibility>> comments;
};

struct workload {
  std::shared_ptr<sync::identity_directory> dir;
  sync::project_access access;
  std::vector<fake_issue> issues;
};

workload make_workload(int users, int issues) {
  workload w;
  w.dir = std::make_shared<sync::identity_directory>();
  for (int i = 0; i < users; ++i) {
    char id[32];
    std::snprintf(id, sizeof id, "5b10a2844c20165700ede%05d", i);
    w.dir->universe.emplace_back(id);
  }
  std::sort(w.dir->universe.begin(), w.dir->universe.end());
  w.dir->api_user = w.dir->universe.front();
  for (int g = 0; g < 5; ++g) {
    auto gid = "group-" + std::to_string(g);
    w.dir->group_id_by_name["team-" + std::to_string(g)] = gid;
    auto& m = w.dir->group_members[gid];
    for (int i = g; i < users; i += 7)
      m.push_back(w.dir->universe[static_cast<std::size_t>(i)]);
    std::sort(m.begin(), m.end());
  }
  w.access.project_id = "10000";
  w.access.project_key = "ANY";
  protocol::permission_holder anyone;
  anyone.type = protocol::holder_type::anyone;
  anyone.type_raw = "anyone";
  protocol::permission_holder reporter;
  reporter.type = protocol::holder_type::reporter;
  reporter.type_raw = "reporter";
  w.access.browse_holders = {anyone, reporter};
  std::mt19937_64 rng{7};
  auto pick_user = [&] {
    return w.dir->universe[rng() % w.dir->universe.size()];
  };
  for (int i = 0; i < issues; ++i) {
    fake_issue f;
    f.reporter = pick_user();
    if (rng() % 4 != 0)
      f.assignee = pick_user();
    auto n = static_cast<int>(rng() % 5); // 0..4, 2 on average
    for (int c = 0; c < n; ++c) {
      if (rng() % 10 == 0)
        f.comments.push_back(protocol::comment_visibility{
          "group", "team-" + std::to_string(rng() % 5), std::nullopt});
      else
        f.comments.push_back(std::nullopt);
    }
    w.issues.push_back(std::move(f));
  }
  return w;
}

constexpr std::size_t batch = 100;

/// The per-record path. Returns a checksum of the ids.
std::size_t run_before(const workload& w, std::vector<std::string>& ids) {
  sync::acl_resolver r{w.dir};
  std::size_t records = 0;
  for (std::size_t b = 0; b < w.issues.size(); b += batch) {
    sync::acl_collector acls;
    for (std::size_t i = b; i < std::min(b + batch, w.issues.size()); ++i) {
      const auto& f = w.issues[i];
      auto issue = r.issue_acl(w.access, f.reporter, f.assignee, std::nullopt);
      ids.push_back(acls.add(issue));
      for (const auto& v : f.comments) {
        ids.push_back(acls.add(r.comment_acl(w.access, issue, v)));
        ++records;
      }
      ++records;
    }
    storage::write_batch_spec spec;
    acls.move_into(spec);
  }
  return records;
}

std::size_t run_after(const workload& w, std::vector<std::string>& ids) {
  sync::acl_resolver r{w.dir};
  sync::acl_memo memo{r};
  std::size_t records = 0;
  for (std::size_t b = 0; b < w.issues.size(); b += batch) {
    sync::acl_collector acls;
    for (std::size_t i = b; i < std::min(b + batch, w.issues.size()); ++i) {
      const auto& f = w.issues[i];
      auto issue = memo.issue(w.access, f.reporter, f.assignee, std::nullopt);
      ids.push_back(acls.add(issue));
      for (const auto& v : f.comments) {
        ids.push_back(acls.add(memo.comment(w.access, issue, v)));
        ++records;
      }
      ++records;
    }
    storage::write_batch_spec spec;
    acls.move_into(spec);
  }
  return records;
}

template<class F>
double best_ms(int rounds, F&& f) {
  double best = 1e300;
  for (int i = 0; i < rounds; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    f();
    auto t1 = std::chrono::steady_clock::now();
    best = std::min(best,
                    std::chrono::duration<double, std::milli>(t1 - t0).count());
  }
  return best;
}

} // namespace

int main(int argc, char** argv) {
  int users = 2000, issues = 10000, rounds = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--users"))
      users = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--issues"))
      issues = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--rounds"))
      rounds = std::atoi(argv[i + 1]);
  }
  if (users < 1 || issues < 1 || rounds < 1) {
    std::fprintf(stderr, "usage: acl_bench [--users N] [--issues N] "
                         "[--rounds R]\n");
    return 2;
  }
  auto w = make_workload(users, issues);
  std::vector<std::string> before_ids, after_ids;
  std::size_t records = 0;
  auto before = best_ms(rounds, [&] {
    before_ids.clear();
    records = run_before(w, before_ids);
  });
  auto after = best_ms(rounds, [&] {
    after_ids.clear();
    run_after(w, after_ids);
  });
  if (before_ids != after_ids) {
    std::fprintf(stderr, "acl_bench: memoised ACL ids differ\n");
    return 1;
  }
  double per10k = 10000.0 / issues;
  std::printf("acl_bench: %d users, %d issues (+%zu comments), project "
              "browsable by anyone (+ reporter), batches of %zu\n",
              users, issues, records - static_cast<std::size_t>(issues), batch);
  std::printf("  before (per record):  %9.1f ms per 10k issues\n",
              before * per10k);
  std::printf("  after  (memoised):    %9.1f ms per 10k issues\n",
              after * per10k);
  std::printf("  speed-up: %.1fx; identical ACL ids for all %zu records\n",
              before / after, records);
  return 0;
}
