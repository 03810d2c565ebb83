// GET /applicationrole in the shape of Atlassian's REST v3 reference
// ("Application roles - Get all application roles"); no real capture of it
// exists in tests/fixtures.
#include <catch2/catch.hpp>

#include "protocol/jira/application_role.hpp"

using namespace jirasync::protocol;

namespace {

parsed<std::vector<application_role>> roles(std::string_view text) {
  return parse_text(text, parse_application_roles);
}

} // namespace

TEST_CASE("application roles: groupDetails, groups, defaults", "[jira]") {
  auto r = roles(R"([
    {"key": "jira-software", "name": "Jira Software",
     "groups": ["jira-software-users", "jira-testers"],
     "groupDetails": [
       {"name": "jira-software-users", "groupId": "g-1", "self": "x"},
       {"name": "jira-testers", "groupId": "g-2", "self": "y"}],
     "defaultGroups": ["jira-software-users"], "selectedByDefault": false,
     "defined": false, "numberOfSeats": 10, "remainingSeats": 5,
     "userCount": 5, "userCountDescription": "5 developers",
     "hasUnlimitedSeats": false, "platform": false},
    {"key": "jira-core", "groups": ["jira-core-users"]}])");
  REQUIRE(r.ok());
  REQUIRE(r.value.size() == 2);
  const auto& sw = r.value[0];
  CHECK(sw.key == "jira-software");
  CHECK(sw.name == "Jira Software");
  REQUIRE(sw.group_details);
  REQUIRE(sw.group_details->size() == 2);
  CHECK((*sw.group_details)[0].group_id == "g-1");
  CHECK((*sw.group_details)[0].name == "jira-software-users");
  CHECK((*sw.group_details)[1].group_id == "g-2");
  CHECK(sw.group_names
        == std::vector<std::string>{"jira-software-users", "jira-testers"});
  const auto& core = r.value[1];
  CHECK(core.key == "jira-core");
  CHECK_FALSE(core.group_details);
  CHECK(core.group_names == std::vector<std::string>{"jira-core-users"});
}

TEST_CASE("application roles: bad records are named and left out", "[jira]") {
  auto r = roles(R"([
    7,
    {"name": "no key"},
    {"key": "jira-servicedesk",
     "groupDetails": [{"name": "no id"}, {"groupId": "g-9"}, "x"],
     "groups": ["agents", 3]},
    {"key": "jira-product-discovery", "groupDetails": {"oops": 1},
     "groups": ["jpd-users"]}])");
  CHECK_FALSE(r.fatal);
  REQUIRE(r.value.size() == 2);
  const auto& sd = r.value[0];
  CHECK(sd.key == "jira-servicedesk");
  REQUIRE(sd.group_details);
  REQUIRE(sd.group_details->size() == 1);
  CHECK((*sd.group_details)[0].group_id == "g-9");
  CHECK(sd.group_names == std::vector<std::string>{"agents"});
  // A groupDetails that is not an array is unusable: callers fall back to
  // the names.
  const auto& jpd = r.value[1];
  CHECK_FALSE(jpd.group_details);
  CHECK(jpd.group_names == std::vector<std::string>{"jpd-users"});
  std::vector<std::string> errs;
  for (const auto& e : r.errors)
    errs.push_back(e.to_string());
  CHECK(errs
        == std::vector<std::string>{
          "applicationRole[0]: expected an object",
          "applicationRole[1]: key: expected a non-empty string",
          "applicationRole[2] (key jira-servicedesk): groupDetails[0].groupId: "
          "expected a non-empty string",
          "applicationRole[2] (key jira-servicedesk): groupDetails[2]: "
          "expected an object",
          "applicationRole[2] (key jira-servicedesk): groups[1]: expected a "
          "string",
          "applicationRole[3] (key jira-product-discovery): groupDetails: "
          "expected an array"});
}

TEST_CASE("application roles: a non-array document is fatal", "[jira]") {
  auto r = roles(R"({"key": "jira-software"})");
  CHECK(r.fatal);
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].to_string() == "application roles: expected an array");
  CHECK(roles("not json").fatal);
}
