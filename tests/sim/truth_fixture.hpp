#pragma once

// A tiny hand-built workspace whose visibility answers are known by
// construction (used by the truth, mutation and JQL tests).
//
// users: 0 admin (API user), 1 alice, 2 bob, 3 carol, 4 dave (INACTIVE),
//        5 bot (app), 6 cust (customer), 7 erin (lead of P), 8 frank
// groups: g-dev {alice, dave}; jira-software-users {alice, bob, carol, dave};
//         g-role {carol}; g-empty {}
// roles: 10002 Administrators, 10100 Developers
// project P (id 1, key "P", lead erin): Developers = user bob + group g-role
// project Q (id 2, key "Q", lead admin): no role actors
// scheme 100 (P and Q): initially BROWSE_PROJECTS -> anyone
// security scheme 200 (P only): level 300 {group g-dev, reporter}
// issues: 10000 "P-1" reporter frank, assignee bob, no level;
//         10001 "P-2" reporter frank, assignee bob, level 300;
//         10002 "Q-1" reporter alice, unassigned

#include "sim/workspace.hpp"

namespace jirasim::test {

inline user make_user(std::string id, std::string name, bool active = true,
                      account_type t = account_type::atlassian) {
  user u;
  u.account_id = std::move(id);
  u.display_name = name;
  u.email = name + "@example.com";
  u.active = active;
  u.type = t;
  u.time_zone = "UTC";
  return u;
}

inline workspace tiny_workspace() {
  workspace ws;
  ws.params.seed = 7;
  ws.site.name = "tiny";
  ws.now_ms = 1700000000000;
  ws.users = {make_user("a0", "admin"),
              make_user("a1", "alice"),
              make_user("a2", "bob"),
              make_user("a3", "carol"),
              make_user("a4", "dave", false),
              make_user("a5", "bot", true, account_type::app),
              make_user("a6", "cust", true, account_type::customer),
              make_user("a7", "erin"),
              make_user("a8", "frank")};
  ws.users[0].time_zone = "America/Los_Angeles";
  ws.api_user = 0;
  ws.groups = {{"gid-dev", "g-dev", {1, 4}},
               {"gid-jsw", "jira-software-users", {1, 2, 3, 4}},
               {"gid-role", "g-role", {3}},
               {"gid-empty", "g-empty", {}}};
  ws.application_roles
    = {{"jira-software", "Jira Software", {"jira-software-users"}}};
  ws.roles = {{10002, "Administrators", ""}, {10100, "Developers", ""}};
  ws.permission_schemes
    = {{100, "S", "", {{1, "BROWSE_PROJECTS", holder{"anyone", "", ""}}}}};
  ws.security_schemes = {{200,
                          "Sec",
                          "",
                          0,
                          {{300,
                            "L",
                            "",
                            {{1, holder{"group", "g-dev", "gid-dev"}},
                             {2, holder{"reporter", "", ""}}}}}}};
  project p;
  p.id = 1;
  p.key = "P";
  p.name = "Project P";
  p.lead = 7;
  p.project_type_key = "software";
  p.permission_scheme_id = 100;
  p.issue_security_scheme_id = 200;
  p.roles = {{10100, {"a2"}, {"gid-role"}}};
  p.next_issue_number = 3;
  project q;
  q.id = 2;
  q.key = "Q";
  q.name = "Project Q";
  q.lead = 0;
  q.project_type_key = "software";
  q.permission_scheme_id = 100;
  q.next_issue_number = 2;
  ws.projects = {p, q};
  ws.statuses = {{10000, "To Do", "new", 2, "To Do", "blue-gray"}};
  ws.priorities = {{3, "Medium"}};
  ws.issue_types = {{10002, "Task", false, 0}, {10004, "Subtask", true, -1}};
  auto mk = [&](int64_t id, int64_t pid, std::string key, user_ix rep,
                user_ix asg, int64_t level, millis created) {
    issue i;
    i.id = id;
    i.project_id = pid;
    i.key = std::move(key);
    i.summary = "Issue " + i.key;
    i.status_id = 10000;
    i.priority_id = 3;
    i.issue_type_id = 10002;
    i.reporter = i.creator = rep;
    i.assignee = asg;
    i.security_level_id = level;
    i.created_ms = i.updated_ms = created;
    return i;
  };
  ws.issues = {mk(10000, 1, "P-1", 8, 2, 0, 1690000000000),
               mk(10001, 1, "P-2", 8, 2, 300, 1690000100000),
               mk(10002, 2, "Q-1", 1, no_user, 0, 1690000200000)};
  ws.next_issue_id = 10003;
  rebuild_indices(ws);
  return ws;
}

} // namespace jirasim::test
