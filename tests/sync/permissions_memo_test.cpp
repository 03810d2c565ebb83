#include "sync/permissions_memo.hpp"

#include <catch2/catch.hpp>

using namespace jirasync::protocol;
using namespace jirasync::sync;

namespace {

permission_holder holder(holder_type t, std::optional<std::string> param = {}) {
  permission_holder h;
  h.type = t;
  h.type_raw = std::string{to_string(t)};
  h.parameter = std::move(param);
  return h;
}

std::shared_ptr<identity_directory> make_dir() {
  auto d = std::make_shared<identity_directory>();
  d->universe = {"u1", "u2", "u3", "u4"};
  d->group_members["g-a"] = {"u1", "u2"};
  d->group_id_by_name["a"] = "g-a";
  return d;
}

} // namespace

TEST_CASE("memoised ACLs equal the resolver's and are shared",
          "[sync][permissions]") {
  auto dir = make_dir();
  acl_resolver plain{dir};
  acl_resolver resolver{dir};
  acl_memo memo{resolver};
  project_access p;
  p.project_id = "1";
  p.browse_holders = {holder(holder_type::anyone)};
  p.level_members["5"]
    = {holder(holder_type::group, "a"), holder(holder_type::reporter)};
  using opt = std::optional<std::string>;
  // Unsecured issues of an "anyone" project: one record whatever the
  // reporter or assignee (the scheme does not use them).
  p.browse_holders.push_back(holder(holder_type::reporter));
  CHECK_FALSE(resolver.uses_reporter(p, std::nullopt));
  CHECK(resolver.uses_reporter(p, std::string{"5"}));
  auto a = memo.issue(p, opt{"u1"}, opt{"u2"}, std::nullopt);
  auto b = memo.issue(p, opt{"u3"}, opt{"u4"}, std::nullopt);
  CHECK(a.get() == b.get());
  auto want = plain.issue_acl(p, opt{"u1"}, opt{"u2"}, std::nullopt);
  CHECK(a->anyone == want.anyone);
  CHECK(a->users == want.users);
  CHECK(a->id == jirasync::storage::make_acl(want.anyone, want.users).id);
  // The level uses the reporter: different reporters, different keys.
  auto s1 = memo.issue(p, opt{"u3"}, std::nullopt, opt{"5"});
  auto s2 = memo.issue(p, opt{"u4"}, std::nullopt, opt{"5"});
  CHECK(s1->users == std::vector<std::string>{"u1", "u2", "u3"});
  CHECK(s2->users == std::vector<std::string>{"u1", "u2", "u4"});
  // ... but the same set is one record: u1 is in the group anyway.
  auto s3 = memo.issue(p, opt{"u1"}, std::nullopt, opt{"5"});
  auto s4 = memo.issue(p, opt{"u2"}, std::nullopt, opt{"5"});
  CHECK(s3.get() == s4.get());
  CHECK(memo.distinct() == 4);
  // Comments: no visibility = the issue's record; a group narrows.
  CHECK(memo.comment(p, a, std::nullopt).get() == a.get());
  comment_visibility g{"group", "a", std::nullopt};
  auto c1 = memo.comment(p, a, g);
  CHECK(c1->users == std::vector<std::string>{"u1", "u2"});
  CHECK_FALSE(c1->anyone);
  CHECK(memo.comment(p, a, g).get() == c1.get());
  // Same set as s3: shared.
  CHECK(c1.get() == s3.get());
}
