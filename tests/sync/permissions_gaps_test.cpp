#include "sync/permissions_gaps.hpp"

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

using namespace jirasync;
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

} // namespace

TEST_CASE("a refusal is a gap naming the permission - other errors are not",
          "[sync][permissions]") {
  auto forbidden = common::make_error(common::errc::permission_denied,
                                      "permission scheme of ABC: HTTP 403");
  auto flaky = common::make_error(common::errc::unavailable,
                                  "HTTP 503 after 6 attempts");
  CHECK(is_refusal(forbidden));
  CHECK_FALSE(is_refusal(flaky));
  auto g = gap_of("permission scheme", administer_projects, forbidden);
  CHECK(g.missing_permission == "Administer projects or Administer Jira");
  CHECK(g.reason == "permission scheme of ABC: HTTP 403");
  CHECK(gap_of("x", administer_jira, flaky).missing_permission.empty());
  CHECK(describe(g)
        == "permission scheme unknown (needs Administer projects or "
           "Administer Jira): permission scheme of ABC: HTTP 403");
}

TEST_CASE("site-wide gaps reach the projects they matter to",
          "[sync][permissions]") {
  identity_directory dir;
  dir.gaps.push_back({"application roles", "Administer Jira", "403"});
  project_access plain;
  plain.project_key = "A";
  plain.browse_holders = {holder(holder_type::anyone)};
  CHECK_FALSE(assess(plain, dir));
  project_access product;
  product.project_key = "B";
  product.level_members["1"]
    = {holder(holder_type::application_role, "jira-software")};
  auto d = assess(product, dir);
  REQUIRE(d);
  CHECK(d->project_key == "B");
  REQUIRE(d->gaps.size() == 1);
  CHECK(d->gaps[0].part == "application roles");
  // Groups matter everywhere; the project's own gaps come first.
  dir.gaps.push_back({"groups", "Browse users and groups", "403"});
  plain.gaps.push_back({"project roles", "Administer projects", "403"});
  auto e = assess(plain, dir);
  REQUIRE(e);
  REQUIRE(e->gaps.size() == 2);
  CHECK(e->gaps[0].part == "project roles");
  CHECK(e->gaps[1].part == "groups");
  CHECK(describe(*e)
        == "A: project roles unknown (needs Administer projects): 403; "
           "groups unknown (needs Browse users and groups): 403");
  // Gaps needing the same permission share one clause.
  degraded_project same{"C",
                        {{"permission scheme", "P", "first"},
                         {"project roles", "P", "second"},
                         {"issue security level members", "J", "third"}}};
  CHECK(describe(same)
        == "C: permission scheme, project roles unknown (needs P): first; "
           "issue security level members unknown (needs J): third");
}

TEST_CASE("the degraded list round-trips through JSON and the run report",
          "[sync][permissions]") {
  std::vector<degraded_project> ds{
    {"ABC", {{"permission scheme", "Administer projects", "HTTP 403"}}},
    {"XYZ", {{"issue security level members", "", "bad answer"}}}};
  auto back = degraded_from_json(degraded_to_json(ds));
  CHECK(back == ds);
  CHECK(degraded_from_json(boost::json::parse(R"([{"x":1},3])")).empty());

  storage::write_batch_spec spec;
  spec.sync = storage::sync_checkpoint{};
  add_permission_report(spec, 1, false, ds, 6);
  CHECK(spec.sync->counters.at("degraded_projects") == 2);
  CHECK(spec.sync->counters.at("hidden_email_users") == 6);
  CHECK(spec.sync->error
        == "1 record(s) or project(s) failed; 2 project(s) degraded "
           "(permission data not readable): ABC XYZ");
  CHECK(degraded_from_json(
          boost::json::parse(spec.meta.at(std::string{degraded_meta_key})))
        == ds);
  // A run that failed before reading permissions leaves the list alone.
  storage::write_batch_spec failed;
  add_permission_report(failed, 0, true, {}, 0);
  CHECK(failed.meta.empty());
  // A clean run clears it.
  storage::write_batch_spec clean;
  add_permission_report(clean, 0, false, {}, 0);
  CHECK(clean.meta.at(std::string{degraded_meta_key}) == "[]");
}

TEST_CASE("unknown holder types of a project are counted",
          "[sync][permissions]") {
  project_access p;
  auto odd = holder(holder_type::other);
  odd.type_raw = "sd.new.thing";
  p.browse_holders = {holder(holder_type::anyone), odd};
  p.level_members["1"] = {odd};
  auto u = unknown_holders(p);
  CHECK(u.holders == 2);
  CHECK(u.holder_example == "sd.new.thing");
}
