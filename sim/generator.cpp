// generate(): builds a workspace deterministically from workspace_params.
// Sizes and rates are chosen to look like a real mid-size Jira Cloud site.

#include <algorithm>
#include <cmath>
#include <numeric>

#include "sim/generator_rng.hpp"
#include "sim/served_documents.hpp"
#include "sim/workspace.hpp"

namespace jirasim {

namespace {

using detail::rng;
using detail::salt;

constexpr const char* first_names[]
  = {"Mia",    "Noah",  "Olivia", "Liam",  "Emma",   "Lucas", "Ava",  "Mateo",
     "Sofia",  "Ethan", "Chloé",  "Jonas", "Aiko",   "Ravi",  "Zoë",  "Björn",
     "Fatima", "Chen",  "Priya",  "Diego", "Ingrid", "Kwame", "Lena", "Omar",
     "Sakura", "Tomás", "Yara",   "Pavel", "Nadia",  "Arjun", "Elif", "Hugo"};
constexpr const char* last_names[]
  = {"Krystof",  "Smith",   "Nguyen",  "Müller",    "García", "Rossi",
     "Kowalski", "Tanaka",  "Okafor",  "Johansson", "Dubois", "Silva",
     "Patel",    "O'Brien", "Novak",   "Haddad",    "Kim",    "Larsen",
     "Moreau",   "Fischer", "Ivanova", "Costa",     "Yilmaz", "Schmidt"};
constexpr const char* time_zones[]
  = {"America/Los_Angeles", "America/New_York",  "Europe/London",
     "Europe/Berlin",       "Asia/Tokyo",        "Asia/Kolkata",
     "Australia/Sydney",    "America/Sao_Paulo", "UTC",
     "Europe/Paris",        "America/Chicago",   "Pacific/Auckland"};
constexpr const char* team_groups[] = {
  "engineering",   "qa",      "design", "support",   "finance", "contractors",
  "security-team", "product", "sales",  "marketing", "ops",     "data",
  "legal",         "hr",      "mobile", "platform"};
constexpr const char* project_names[]
  = {"Platform", "Mobile App", "Customer Support", "Data Pipeline", "Website",
     "Security", "Billing",    "Infrastructure",   "Marketing",     "Research"};
constexpr const char* project_keys[]
  = {"PLAT", "MOB", "SUP", "DATA", "WEB", "SEC", "BILL", "INFRA", "MKT", "RES"};
constexpr const char* summary_verbs[]
  = {"Fix",      "Add",      "Investigate", "Update",  "Remove",
     "Refactor", "Document", "Improve",     "Migrate", "Support"};
constexpr const char* summary_objects[]
  = {"login timeout on Safari",
     "CSV export for large reports",
     "flaky integration test",
     "dashboard totals",
     "password reset email",
     "rate limiting on the public API",
     "dark mode colors",
     "search ranking",
     "invoice PDF layout",
     "webhook retries",
     "audit log pagination",
     "S3 bucket policy",
     "memory leak in worker",
     "onboarding checklist",
     "timezone handling in reports",
     "\"quoted\" titles & <angle> brackets",
     "Unicode: naïve café — 日本語",
     "SSO with Okta",
     "mobile push tokens",
     "backup restore drill"};
constexpr const char* label_pool[]
  = {"backend",  "frontend",   "urgent",       "tech-debt",
     "customer", "regression", "security",     "performance",
     "ux",       "docs",       "needs-triage", "q3"};

struct mime_kind {
  const char* mime;
  const char* ext;
  const char* stems[4];
};
constexpr mime_kind mime_kinds[] = {
  {"text/plain", ".txt", {"notes", "README", "error", "server"}},
  {"text/plain", ".log", {"app", "worker-3", "nginx-access", "crash"}},
  {"text/markdown",
   ".md",
   {"design-notes", "RUNBOOK", "meeting minutes", "changelog"}},
  {"application/pdf",
   ".pdf",
   {"invoice-2024", "Résumé final", "contract", "spec v2"}},
  {"image/png", ".png", {"screenshot", "image", "diagram", "Bildschirmfoto"}},
  {"application/json",
   ".json",
   {"payload", "response", "config", "har-export"}},
};

std::string account_id(rng& r) {
  switch (r.below(3)) {
    case 0:
      return "712020:" + r.uuid();
    case 1:
      return "557058:" + r.uuid();
    default:
      return r.hex(24);
  }
}

std::string lower_ascii(std::string s) {
  std::string out;
  for (unsigned char c : s) {
    if (c >= 'A' && c <= 'Z')
      out.push_back(static_cast<char>(c - 'A' + 'a'));
    else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.')
      out.push_back(static_cast<char>(c));
    else if (c >= 0x80)
      continue; // drop non-ASCII bytes from emails
  }
  return out;
}

holder make_holder(std::string type, std::string parameter = {},
                   std::string value = {}) {
  return holder{std::move(type), std::move(parameter), std::move(value)};
}

holder group_holder(const group& g) {
  return make_holder("group", g.name, g.group_id);
}

holder role_holder(int64_t role_id) {
  auto s = std::to_string(role_id);
  return make_holder("projectRole", s, s);
}

holder user_holder(const user& u) {
  return make_holder("user", u.account_id, u.account_id);
}

// Role ids, as on a real site.
constexpr int64_t role_admins = 10002;
constexpr int64_t role_addons = 10003;
constexpr int64_t role_developers = 10100;
constexpr int64_t role_users = 10101;
constexpr int64_t role_viewers = 10102;
constexpr int64_t role_service_desk = 10103;

class generator {
public:
  explicit generator(const workspace_params& p) : p_(p) {
    ws_.params = p;
    ws_.now_ms = p.now_ms;
  }

  workspace run() {
    site();
    users();
    groups();
    catalog();
    roles();
    schemes();
    projects();
    issues();
    documents();
    audit();
    rebuild_indices(ws_);
    return std::move(ws_);
  }

private:
  rng r(uint64_t kind, uint64_t a = 0, uint64_t b = 0) const {
    return rng{salt(p_.seed, kind, a, b)};
  }

  void site() {
    auto g = r(detail::k_site);
    ws_.site.name = p_.site_name;
    ws_.site.cloud_id = g.uuid();
  }

  void users() {
    auto g = r(detail::k_users);
    auto humans = std::max<uint32_t>(2, p_.users);
    auto add = [&](user u) {
      ws_.users.push_back(std::move(u));
    };
    user api;
    api.account_id = account_id(g);
    api.display_name = "Sim Admin";
    api.email = p_.api_user_email;
    api.time_zone = p_.api_user_time_zone;
    add(std::move(api));
    ws_.api_user = 0;
    std::vector<std::string> used_emails{p_.api_user_email};
    for (uint32_t i = 1; i < humans; ++i) {
      user u;
      u.account_id = account_id(g);
      std::string first = g.pick(first_names);
      std::string last = g.pick(last_names);
      u.display_name = first + " " + last;
      auto base = lower_ascii(first) + "." + lower_ascii(last);
      auto email = base + "@example.com";
      for (int n = 2; std::find(used_emails.begin(), used_emails.end(), email)
                      != used_emails.end();
           ++n)
        email = base + std::to_string(n) + "@example.com";
      used_emails.push_back(email);
      u.email = email;
      u.time_zone = g.pick(time_zones);
      u.locale = g.chance(0.8) ? "en_US" : "de_DE";
      add(std::move(u));
    }
    // Exact shares (rounded) of hidden emails and inactive users among the
    // humans other than the API user, drawn without replacement.
    std::vector<user_ix> others(humans - 1);
    std::iota(others.begin(), others.end(), 1);
    auto shuffle = [&](std::vector<user_ix>& v) {
      for (size_t i = v.size(); i > 1; --i)
        std::swap(v[i - 1], v[g.below(i)]);
    };
    shuffle(others);
    auto hidden
      = static_cast<size_t>(std::lround(p_.hidden_email_ratio * humans));
    for (size_t i = 0; i < hidden && i < others.size(); ++i)
      ws_.users[others[i]].email_hidden = true;
    shuffle(others);
    auto inactive
      = static_cast<size_t>(std::lround(p_.inactive_ratio * humans));
    if (inactive == 0 && p_.inactive_ratio > 0 && humans >= 10)
      inactive = 1;
    for (size_t i = 0; i < inactive && i < others.size(); ++i)
      ws_.users[others[i]].active = false;
    humans_ = humans;
    static constexpr const char* apps[]
      = {"Automation for Jira", "Slack", "GitHub for Jira", "Jira Outlook",
         "Tempo"};
    for (uint32_t i = 0; i < p_.app_accounts; ++i) {
      user u;
      u.account_id = g.hex(24);
      u.display_name = apps[i % 5];
      u.type = account_type::app;
      u.email_hidden = true;
      u.time_zone = "UTC";
      add(std::move(u));
    }
    for (uint32_t i = 0; i < p_.customer_accounts; ++i) {
      user u;
      u.account_id = "qm:" + g.uuid() + ":" + g.uuid();
      u.display_name = "Customer " + std::to_string(i + 1);
      u.email = "customer" + std::to_string(i + 1) + "@client.example.org";
      u.type = account_type::customer;
      u.time_zone = g.pick(time_zones);
      add(std::move(u));
    }
  }

  // Humans are users [0, humans_).
  std::vector<user_ix> sample_humans(rng& g, double share) {
    std::vector<user_ix> out;
    for (user_ix u = 0; u < humans_; ++u)
      if (g.chance(share))
        out.push_back(u);
    return out;
  }

  group& new_group(rng& g, std::string name) {
    group x;
    x.group_id = g.uuid();
    x.name = std::move(name);
    ws_.groups.push_back(std::move(x));
    return ws_.groups.back();
  }

  void groups() {
    auto g = r(detail::k_groups);
    // Built-in groups of a Cloud site.
    // The admin groups hold "Administer Jira"; a non-admin API user is in
    // neither (user 1 is the admin then).
    {
      auto& x = new_group(g, "site-admins");
      if (p_.api_user_admin)
        x.members = {0};
      if (humans_ > 2 || !p_.api_user_admin)
        x.members.push_back(1);
    }
    {
      auto& x = new_group(g, "jira-admins-" + p_.site_name);
      x.members = {p_.api_user_admin ? user_ix{0} : user_ix{1}};
    }
    {
      // Licensed Jira Software users: most humans.
      auto& x = new_group(g, "jira-software-users");
      x.members = sample_humans(g, 0.85);
      x.members.push_back(0);
    }
    {
      auto& x = new_group(g, "jira-servicemanagement-users");
      x.members = sample_humans(g, 0.2);
    }
    {
      // Many users in many groups: the catch-all group.
      auto& x = new_group(g, "jira-users");
      x.members = sample_humans(g, 0.95);
    }
    constexpr size_t n_teams = sizeof(team_groups) / sizeof(team_groups[0]);
    for (uint32_t i = 0; i < p_.groups; ++i) {
      std::string name = team_groups[i % n_teams];
      if (i >= n_teams)
        name += "-" + std::to_string(i / n_teams + 1);
      auto& x = new_group(g, name);
      // Skewed sizes: one large group, a few tiny ones, one empty.
      double share = i == 0 ? 0.5 : (i % 5 == 4 ? 0.03 : 0.15);
      if (i == 3)
        share = 0; // an empty group
      x.members = sample_humans(g, share);
      // App accounts sit in some groups too (never in ACLs though).
      if (i == 1)
        for (user_ix u = humans_; u < humans_ + p_.app_accounts; ++u)
          x.members.push_back(u);
    }
    for (auto& x : ws_.groups) {
      std::sort(x.members.begin(), x.members.end());
      x.members.erase(std::unique(x.members.begin(), x.members.end()),
                      x.members.end());
    }
    // Global permissions as a Cloud site grants them by default: Administer
    // Jira to the admin groups, Browse users and groups to them and to the
    // product access groups (unless the site keeps it to admins).
    for (auto admin :
         {std::string{"site-admins"}, "jira-admins-" + p_.site_name})
      for (auto* perm : {"ADMINISTER", "USER_PICKER"})
        ws_.global_grants.push_back({perm, admin});
    if (!p_.browse_users_admins_only)
      for (auto* product :
           {"jira-software-users", "jira-servicemanagement-users"})
        ws_.global_grants.push_back({"USER_PICKER", product});
    ws_.application_roles = {
      {"jira-software", "Jira Software", {"jira-software-users"}},
      {"jira-servicedesk",
       "Jira Service Management",
       {"jira-servicemanagement-users"}},
    };
  }

  const group& group_named(const std::string& name) const {
    for (auto& x : ws_.groups)
      if (x.name == name)
        return x;
    return ws_.groups.front();
  }

  // Team group number i (wrapping), or a built-in if there are none.
  const group& team(size_t i) const {
    auto n = ws_.groups.size() - 5;
    if (n == 0)
      return ws_.groups[2];
    return ws_.groups[5 + i % n];
  }

  void catalog() {
    ws_.statuses = {
      {10000, "To Do", "new", 2, "To Do", "blue-gray"},
      {10001, "Backlog", "new", 2, "To Do", "blue-gray"},
      {3, "In Progress", "indeterminate", 4, "In Progress", "yellow"},
      {10002, "In Review", "indeterminate", 4, "In Progress", "yellow"},
      {10003, "Done", "done", 3, "Done", "green"},
      {6, "Closed", "done", 3, "Done", "green"},
    };
    ws_.priorities
      = {{1, "Highest"}, {2, "High"}, {3, "Medium"}, {4, "Low"}, {5, "Lowest"}};
    ws_.issue_types = {{10000, "Epic", false, 1},
                       {10001, "Story", false, 0},
                       {10002, "Task", false, 0},
                       {10003, "Bug", false, 0},
                       {10004, "Subtask", true, -1}};
    auto sys = [&](std::string id, std::string name, std::string type,
                   std::string items, std::vector<std::string> clauses) {
      field_def f;
      f.id = f.key = id;
      f.name = std::move(name);
      f.schema_type = std::move(type);
      f.schema_items = std::move(items);
      f.schema_system = id;
      f.clause_names = std::move(clauses);
      ws_.fields.push_back(std::move(f));
    };
    sys("summary", "Summary", "string", "", {"summary"});
    sys("description", "Description", "string", "", {"description"});
    sys("status", "Status", "status", "", {"status"});
    sys("priority", "Priority", "priority", "", {"priority"});
    sys("labels", "Labels", "array", "string", {"labels"});
    sys("issuetype", "Issue Type", "issuetype", "", {"issuetype", "type"});
    sys("project", "Project", "project", "", {"project"});
    sys("reporter", "Reporter", "user", "", {"reporter"});
    sys("assignee", "Assignee", "user", "", {"assignee"});
    sys("creator", "Creator", "user", "", {"creator"});
    sys("created", "Created", "datetime", "", {"created", "createdDate"});
    sys("updated", "Updated", "datetime", "", {"updated", "updatedDate"});
    sys("security", "Security Level", "securitylevel", "", {"level"});
    sys("parent", "Parent", "", "", {"parent"});
    sys("comment", "Comment", "comments-page", "", {"comment"});
    sys("attachment", "Attachment", "array", "attachment", {"attachments"});
    sys("issuekey", "Key", "", "", {"id", "issue", "issuekey", "key"});
    auto custom = [&](int64_t n, std::string name, std::string type,
                      std::string items, std::string plugin,
                      std::vector<std::pair<int64_t, std::string>> opts = {}) {
      field_def f;
      f.id = f.key = "customfield_" + std::to_string(n);
      f.custom = true;
      f.name = std::move(name);
      f.schema_type = std::move(type);
      f.schema_items = std::move(items);
      f.schema_custom
        = "com.atlassian.jira.plugin.system.customfieldtypes:" + plugin;
      if (plugin == "lexo-rank")
        f.schema_custom = "com.pyxis.greenhopper.jira:gh-lexo-rank";
      f.schema_custom_id = n;
      f.clause_names = {"cf[" + std::to_string(n) + "]", f.name};
      f.options = std::move(opts);
      ws_.fields.push_back(std::move(f));
    };
    custom(10016, "Story Points", "number", "", "float");
    custom(10017, "Team", "option", "", "select",
           {{10020, "Red"}, {10021, "Blue"}, {10022, "Green"}});
    custom(10018, "Customer Reference", "string", "", "textfield");
    custom(10019, "Reviewers", "array", "user", "multiuserpicker");
    custom(10020, "Due Review", "date", "", "datepicker");
    custom(
      10021, "Components Affected", "array", "option", "multiselect",
      {{10030, "API"}, {10031, "UI"}, {10032, "Database"}, {10033, "Billing"}});
    custom(10022, "Rank", "any", "", "lexo-rank");
  }

  void roles() {
    ws_.roles = {
      {role_admins, "Administrators",
       "A project role that represents "
       "administrators in a project"},
      {role_addons, "atlassian-addons-project-access",
       "A project role that represents Connect add-ons declaring a scope "
       "that requires more than read access"},
      {role_developers, "Developers", "Developers of the project"},
      {role_users, "Users", "Users of the project"},
      {role_viewers, "Viewers", "Read-only access"},
      {role_service_desk, "Service Desk Team", "Agents"},
    };
  }

  permission_grant grant(std::string perm, holder h) {
    return permission_grant{ws_.next_grant_id++, std::move(perm), std::move(h)};
  }

  void schemes() {
    auto g = r(detail::k_schemes);
    // Scheme 10000: licensed users of Jira Software plus roles.
    permission_scheme s1{10000,
                         "Default software scheme",
                         "Licensed Jira Software users can browse",
                         {}};
    s1.grants.push_back(grant("BROWSE_PROJECTS",
                              make_holder("applicationRole", "jira-software")));
    s1.grants.push_back(grant("BROWSE_PROJECTS", role_holder(role_admins)));
    s1.grants.push_back(grant("BROWSE_PROJECTS", role_holder(role_addons)));
    s1.grants.push_back(
      grant("CREATE_ISSUES", make_holder("applicationRole", "jira-software")));
    s1.grants.push_back(grant("ADMINISTER_PROJECTS", role_holder(role_admins)));
    s1.grants.push_back(grant("ADD_COMMENTS", role_holder(role_developers)));
    // Scheme 10001: restricted, every issue-/user-bound holder type.
    permission_scheme s2{
      10001, "Restricted scheme", "Only named teams and people", {}};
    s2.grants.push_back(grant("BROWSE_PROJECTS", group_holder(team(0))));
    s2.grants.push_back(grant("BROWSE_PROJECTS", role_holder(role_developers)));
    s2.grants.push_back(grant("BROWSE_PROJECTS", role_holder(role_users)));
    auto named = static_cast<user_ix>(1 + g.below(humans_ - 1));
    s2.grants.push_back(
      grant("BROWSE_PROJECTS", user_holder(ws_.users[named])));
    s2.grants.push_back(grant("BROWSE_PROJECTS", make_holder("projectLead")));
    s2.grants.push_back(grant("BROWSE_PROJECTS", make_holder("reporter")));
    s2.grants.push_back(grant("BROWSE_PROJECTS", make_holder("assignee")));
    s2.grants.push_back(grant("CREATE_ISSUES", role_holder(role_developers)));
    s2.grants.push_back(grant("EDIT_ISSUES", make_holder("assignee")));
    s2.grants.push_back(
      grant("ADMINISTER_PROJECTS", make_holder("projectLead")));
    // Scheme 10002: public.
    permission_scheme s3{10002, "Open scheme", "Public project", {}};
    s3.grants.push_back(grant("BROWSE_PROJECTS", make_holder("anyone")));
    s3.grants.push_back(
      grant("BROWSE_PROJECTS", make_holder("applicationRole")));
    s3.grants.push_back(grant("CREATE_ISSUES", make_holder("applicationRole")));
    // Scheme 10003: service desk.
    permission_scheme s4{
      10003, "Service desk scheme", "Agents and customers' own requests", {}};
    s4.grants.push_back(
      grant("BROWSE_PROJECTS", role_holder(role_service_desk)));
    s4.grants.push_back(
      grant("BROWSE_PROJECTS",
            group_holder(group_named("jira-servicemanagement-users"))));
    s4.grants.push_back(grant("BROWSE_PROJECTS", make_holder("reporter")));
    s4.grants.push_back(
      grant("BROWSE_PROJECTS", make_holder("sd.customer.portal.only")));
    s4.grants.push_back(grant(
      "BROWSE_PROJECTS", make_holder("applicationRole", "jira-servicedesk")));
    s4.grants.push_back(grant("CREATE_ISSUES", make_holder("reporter")));
    ws_.permission_schemes
      = {std::move(s1), std::move(s2), std::move(s3), std::move(s4)};

    auto member = [&](holder h) {
      return security_level_member{ws_.next_level_member_id++, std::move(h)};
    };
    issue_security_scheme a{
      10000, "Standard security", "Internal levels", 0, {}};
    security_level internal{10100, "Internal", "Staff only", {}};
    internal.members.push_back(member(role_holder(role_developers)));
    internal.members.push_back(
      member(group_holder(group_named("site-admins"))));
    internal.members.push_back(member(make_holder("reporter")));
    security_level ra{
      10101, "Reporter and assignee", "Only the reporter and the assignee", {}};
    ra.members.push_back(member(make_holder("reporter")));
    ra.members.push_back(member(make_holder("assignee")));
    ra.members.push_back(member(make_holder("projectLead")));
    security_level conf{10102, "Confidential", "Security team", {}};
    conf.members.push_back(member(group_holder(team(6))));
    auto named2 = static_cast<user_ix>(1 + g.below(humans_ - 1));
    conf.members.push_back(member(user_holder(ws_.users[named2])));
    a.levels = {std::move(internal), std::move(ra), std::move(conf)};
    issue_security_scheme b{
      10001, "Service desk security", "Agents only", 0, {}};
    security_level staff{10200, "Staff only", "Agents and admins", {}};
    staff.members.push_back(member(role_holder(role_service_desk)));
    staff.members.push_back(member(role_holder(role_admins)));
    security_level licensed{
      10201, "Licensed users", "Anyone with Jira Software", {}};
    licensed.members.push_back(
      member(make_holder("applicationRole", "jira-software")));
    licensed.members.push_back(member(make_holder("applicationRole")));
    b.levels = {std::move(staff), std::move(licensed)};
    ws_.security_schemes = {std::move(a), std::move(b)};
  }

  void projects() {
    auto g = r(detail::k_projects);
    auto n = std::max<uint32_t>(1, p_.projects);
    constexpr size_t n_names = sizeof(project_keys) / sizeof(project_keys[0]);
    // Scheme per project (cycle): every holder type appears with >= 4
    // projects; restricted projects are the common case.
    static constexpr int64_t scheme_cycle[]
      = {10000, 10001, 10002, 10003, 10001, 10000};
    static constexpr int64_t security_cycle[] = {0, 10000, 0, 10001, 10000, 0};
    for (uint32_t i = 0; i < n; ++i) {
      project p;
      p.id = 10000 + i;
      p.key = project_keys[i % n_names];
      p.name = project_names[i % n_names];
      if (i >= n_names) {
        p.key
          += std::string(1, static_cast<char>('A' + (i / n_names - 1) % 26));
        p.name += " " + std::to_string(i / n_names + 1);
      }
      p.description = "The " + p.name + " project.";
      p.permission_scheme_id = scheme_cycle[i % 6];
      p.issue_security_scheme_id = security_cycle[i % 6];
      p.project_type_key = p.permission_scheme_id == 10003
                             ? "service_desk"
                             : (i % 4 == 2 ? "business" : "software");
      p.lead = static_cast<user_ix>(g.below(humans_));
      // Role actors.
      auto add_users = [&](role_actors& ra, size_t k) {
        for (size_t j = 0; j < k; ++j)
          ra.user_account_ids.push_back(
            ws_.users[static_cast<user_ix>(g.below(humans_))].account_id);
        std::sort(ra.user_account_ids.begin(), ra.user_account_ids.end());
        ra.user_account_ids.erase(
          std::unique(ra.user_account_ids.begin(), ra.user_account_ids.end()),
          ra.user_account_ids.end());
      };
      role_actors admins{role_admins, {}, {}};
      admins.user_account_ids.push_back(ws_.users[p.lead].account_id);
      admins.group_ids.push_back(group_named("site-admins").group_id);
      role_actors addons{role_addons, {}, {}};
      for (user_ix u = humans_; u < humans_ + p_.app_accounts; ++u)
        addons.user_account_ids.push_back(ws_.users[u].account_id);
      role_actors devs{role_developers, {}, {}};
      devs.group_ids.push_back(team(1 + i).group_id);
      add_users(devs, 2);
      role_actors users_role{role_users, {}, {}};
      users_role.group_ids.push_back(team(2 + i * 3).group_id);
      if (i % 3 == 0)
        users_role.group_ids.push_back(group_named("jira-users").group_id);
      role_actors viewers{role_viewers, {}, {}};
      add_users(viewers, 3);
      p.roles = {admins, addons, devs, users_role, viewers};
      if (p.project_type_key == "service_desk") {
        role_actors agents{role_service_desk, {}, {}};
        agents.group_ids.push_back(
          group_named("jira-servicemanagement-users").group_id);
        add_users(agents, 2);
        p.roles.push_back(std::move(agents));
      }
      ws_.projects.push_back(std::move(p));
    }
  }

  std::string summary(rng& g) {
    return std::string{g.pick(summary_verbs)} + " " + g.pick(summary_objects);
  }

  // A reporter/author: mostly active humans, sometimes inactive ones,
  // sometimes an app (automation) or - in service desks - a customer.
  user_ix pick_person(rng& g, const project& p) {
    if (p_.app_accounts > 0 && g.chance(0.04))
      return static_cast<user_ix>(humans_ + g.below(p_.app_accounts));
    if (p.project_type_key == "service_desk" && p_.customer_accounts > 0
        && g.chance(0.5))
      return static_cast<user_ix>(humans_ + p_.app_accounts
                                  + g.below(p_.customer_accounts));
    return static_cast<user_ix>(g.below(humans_));
  }

  void issues() {
    auto n = p_.issues;
    ws_.issues.reserve(n);
    const millis span = static_cast<millis>(p_.history_days) * 86400000;
    const millis start = p_.now_ms - span;
    // Project weights: skewed (the first project is the big one).
    std::vector<double> cum;
    double total = 0;
    for (size_t i = 0; i < ws_.projects.size(); ++i) {
      total += 1.0 / static_cast<double>(i + 1);
      cum.push_back(total);
    }
    // Heavy-comment issues: spread over the id range.
    std::vector<uint32_t> heavy;
    auto n_heavy = std::min<uint32_t>(p_.heavy_comment_issues, n / 10);
    for (uint32_t k = 0; k < n_heavy; ++k)
      heavy.push_back(
        static_cast<uint32_t>((2 * k + 1) * uint64_t{n} / (2 * n_heavy)));
    uint32_t large_left = p_.large_attachments;
    std::vector<std::vector<int64_t>> epics(ws_.projects.size());
    std::vector<std::vector<int64_t>> standard(ws_.projects.size());
    const millis step = n > 0 ? std::max<millis>(1, span / n) : 1;
    for (uint32_t k = 0; k < n; ++k) {
      issue is;
      is.id = ws_.next_issue_id++;
      auto ig = r(detail::k_issues, static_cast<uint64_t>(is.id));
      auto pick = ig.unit() * total;
      size_t pi = 0;
      while (pi + 1 < cum.size() && cum[pi] < pick)
        ++pi;
      auto& p = ws_.projects[pi];
      is.project_id = p.id;
      is.key = p.key + "-" + std::to_string(p.next_issue_number++);
      // Monotone in id: creation order = id order.
      is.created_ms
        = start + static_cast<millis>(k) * step
          + static_cast<millis>(ig.below(static_cast<uint64_t>(step)));
      auto age = p_.now_ms - is.created_ms;
      is.updated_ms = ig.chance(0.35)
                        ? is.created_ms + static_cast<millis>(ig.below(600000))
                        : is.created_ms
                            + static_cast<millis>(ig.below(
                              static_cast<uint64_t>(std::max<millis>(1, age))));
      is.updated_ms = std::min(is.updated_ms, p_.now_ms);
      is.summary = summary(ig);
      is.description.null = ig.chance(0.15);
      // Type and parent.
      auto t = ig.below(100);
      if (t < 5) {
        is.issue_type_id = 10000; // epic
        epics[pi].push_back(is.id);
      } else if (t < 15 && !standard[pi].empty()) {
        is.issue_type_id = 10004; // subtask
        is.parent_id = standard[pi][ig.below(standard[pi].size())];
      } else {
        is.issue_type_id = t < 45 ? 10001 : (t < 75 ? 10002 : 10003);
        standard[pi].push_back(is.id);
        if (!epics[pi].empty() && ig.chance(0.4))
          is.parent_id = epics[pi][ig.below(epics[pi].size())];
      }
      static constexpr int64_t status_ids[]
        = {10000, 10001, 3, 10002, 10003, 6};
      is.status_id = status_ids[ig.below(6)];
      is.priority_id = 1 + static_cast<int64_t>(ig.below(5));
      auto nl = ig.below(4);
      for (uint64_t l = 0; l < nl; ++l) {
        std::string lab = ig.pick(label_pool);
        if (std::find(is.labels.begin(), is.labels.end(), lab)
            == is.labels.end())
          is.labels.push_back(lab);
      }
      is.reporter = pick_person(ig, p);
      is.creator = ig.chance(0.9) ? is.reporter : pick_person(ig, p);
      is.assignee
        = ig.chance(0.25) ? no_user : static_cast<user_ix>(ig.below(humans_));
      if (p.issue_security_scheme_id != 0
          && ig.chance(p_.secured_issue_ratio)) {
        auto* s = find_security_scheme(ws_, p.issue_security_scheme_id);
        is.security_level_id = s->levels[ig.below(s->levels.size())].id;
      }
      is.indexed_at_ms = 0;
      attachments(is, p, ig, large_left);
      bool is_heavy = std::binary_search(heavy.begin(), heavy.end(), k);
      comments(is, p, ig, is_heavy);
      ws_.issues.push_back(std::move(is));
    }
  }

  void attachments(issue& is, const project& p, rng& ig, uint32_t& large_left) {
    if (!ig.chance(p_.attachment_issue_ratio))
      return;
    auto na = 1 + ig.below(4);
    for (uint64_t a = 0; a < na; ++a) {
      attachment at;
      at.id = ws_.next_attachment_id++;
      auto& mk
        = mime_kinds[ig.below(sizeof(mime_kinds) / sizeof(mime_kinds[0]))];
      std::string stem = mk.stems[ig.below(4)];
      at.filename = stem + mk.ext;
      // Unique filenames within an issue (media nodes resolve by name).
      for (int dup = 2;; ++dup) {
        bool clash = false;
        for (auto& o : is.attachments)
          clash = clash || o.filename == at.filename;
        if (!clash)
          break;
        at.filename = stem + " (" + std::to_string(dup) + ")" + mk.ext;
      }
      at.mime_type = mk.mime;
      auto bucket = ig.below(100);
      if (large_left > 0) {
        at.size_bytes = 5 * 1024 * 1024 + ig.below(3 * 1024 * 1024);
        --large_left;
      } else if (bucket < 3) {
        at.size_bytes = ig.below(3); // 0..2 bytes, incl. empty files
      } else if (bucket < 10) {
        at.size_bytes = ig.below(200);
      } else if (bucket < 97) {
        // log-uniform 200 B .. 64 KiB
        at.size_bytes
          = static_cast<uint64_t>(200.0 * std::pow(327.68, ig.unit()));
      } else {
        at.size_bytes = 1024 * 1024 + ig.below(3 * 1024 * 1024);
      }
      at.created_ms
        = is.created_ms
          + static_cast<millis>(
            ig.below(static_cast<uint64_t>(is.updated_ms - is.created_ms) + 1));
      at.author = pick_person(ig, p);
      at.media_id = ig.uuid();
      is.attachments.push_back(std::move(at));
    }
  }

  /// The real documents, one per issue on the first issues without a
  /// security level (any API user sees them).
  void documents() {
    if (!p_.documents)
      return;
    const auto& set = served_documents();
    std::size_t next = 0;
    for (auto& is : ws_.issues) {
      if (next == set.size())
        break;
      if (is.security_level_id != 0)
        continue;
      const auto& d = set[next++];
      attachment at;
      at.id = ws_.next_attachment_id++;
      at.filename = d.filename;
      at.mime_type = d.mime_type;
      at.size_bytes = d.bytes->size();
      at.created_ms = is.created_ms;
      at.author = is.reporter;
      at.media_id = "00000000-0000-4000-8000-"
                    + std::string(12 - std::to_string(at.id).size(), '0')
                    + std::to_string(at.id);
      at.document = d.bytes;
      at.known_text = d.known_text;
      at.text_status = d.text_status;
      is.attachments.push_back(std::move(at));
    }
  }

  void comments(issue& is, const project& p, rng& ig, bool heavy) {
    uint64_t nc;
    auto x = ig.below(100);
    if (heavy)
      nc = p_.heavy_comment_count + ig.below(20);
    else if (x < 35)
      nc = 0;
    else if (x < 95)
      nc = 1 + ig.below(5);
    else
      nc = 6 + ig.below(25);
    if (nc == 0)
      return;
    auto cg = r(detail::k_comments, static_cast<uint64_t>(is.id));
    auto window = static_cast<uint64_t>(is.updated_ms - is.created_ms) + 1;
    std::vector<millis> times(nc);
    for (auto& t : times)
      t = is.created_ms + static_cast<millis>(cg.below(window));
    std::sort(times.begin(), times.end());
    is.comments.reserve(nc);
    for (uint64_t c = 0; c < nc; ++c) {
      comment cm;
      cm.id = ws_.next_comment_id++;
      cm.author = pick_person(cg, p);
      cm.update_author = cm.author;
      cm.created_ms = times[c];
      cm.updated_ms
        = cg.chance(0.1)
            ? std::min(is.updated_ms,
                       cm.created_ms + static_cast<millis>(cg.below(86400000)))
            : cm.created_ms;
      if (cg.chance(p_.restricted_comment_ratio)) {
        if (cg.chance(0.5)) {
          auto& gr = ws_.groups[cg.below(ws_.groups.size())];
          cm.visibility = {visibility_type::group, gr.name, gr.group_id};
        } else {
          static constexpr int64_t rs[]
            = {role_admins, role_developers, role_users};
          auto rid = rs[cg.below(3)];
          cm.visibility = {visibility_type::role, find_role(ws_, rid)->name,
                           std::to_string(rid)};
        }
      }
      is.comments.push_back(std::move(cm));
    }
  }

  void audit() {
    auto g = r(detail::k_audit);
    const millis span = static_cast<millis>(p_.history_days) * 86400000;
    const millis start = p_.now_ms - span - 86400000;
    std::vector<audit_record> recs;
    auto admin = ws_.users[0].account_id;
    auto at = [&](double frac) {
      return start + static_cast<millis>(frac * static_cast<double>(span))
             + static_cast<millis>(g.below(1000));
    };
    // One event at a random time in [lo, lo + width) of the history,
    // authored by the admin unless the system wrote it.
    auto event
      = [&](const char* summary, const char* category, audit_item object,
            double lo, double width, bool by_admin = true) -> audit_record& {
      auto& a = recs.emplace_back(audit_event(summary, category, object));
      a.created_ms = at(lo + width * g.unit());
      if (by_admin)
        a.author_account_id = admin;
      return a;
    };
    for (auto& u : ws_.users) {
      auto& a = event("User created", "user management", user_audit_item(u),
                      0.02, 0.3, false);
      a.changed_values.push_back(
        {"Active / Inactive", std::nullopt, std::string{"Active"}});
      a.associated_items.push_back(a.object_item);
      if (!u.active)
        event("User deactivated", "user management", user_audit_item(u), 0.5,
              0.45)
          .changed_values.push_back({"Active / Inactive", std::string{"Active"},
                                     std::string{"Inactive"}});
    }
    for (auto& gr : ws_.groups) {
      event("Group created", "group management", group_audit_item(gr), 0.01,
            0.05);
      // A sample of membership events.
      for (size_t k = 0; k < gr.members.size() && k < 5; ++k)
        event("User added to group", "group management", group_audit_item(gr),
              0.35, 0.2)
          .associated_items.push_back(
            user_audit_item(ws_.users[gr.members[k]]));
    }
    for (auto& s : ws_.permission_schemes)
      event("Permission scheme created", "permissions", scheme_audit_item(s),
            0.06, 0.02)
        .changed_values.push_back({"Name", std::nullopt, s.name});
    for (auto& p : ws_.projects) {
      auto& a = event("Project created", "projects", project_audit_item(p), 0.0,
                      0.01);
      a.changed_values.push_back({"Key", std::nullopt, p.key});
      a.changed_values.push_back({"Name", std::nullopt, p.name});
      event("Permission scheme added to project", "permissions",
            project_audit_item(p), 0.08, 0.01)
        .associated_items.push_back(scheme_audit_item(
          *find_permission_scheme(ws_, p.permission_scheme_id)));
      auto& c
        = event("Project roles changed", "projects",
                role_audit_item(*find_role(ws_, role_developers)), 0.1, 0.3);
      c.changed_values.push_back({"Users", std::string{}, std::string{}});
      c.associated_items.push_back(project_audit_item(p));
    }
    auto& w = recs.emplace_back(
      audit_event("Workflow updated", "workflows",
                  {"Software Simplified Workflow",
                   "Software Simplified Workflow", "WORKFLOW", "", ""}));
    w.created_ms = at(0.7);
    w.author_account_id = admin;
    std::stable_sort(recs.begin(), recs.end(),
                     [](const audit_record& a, const audit_record& b) {
                       return a.created_ms < b.created_ms;
                     });
    for (auto& a : recs) {
      a.id = ws_.next_audit_id++;
      if (a.remote_address.empty() && !a.author_account_id.empty())
        a.remote_address = "203.0.113." + std::to_string(1 + g.below(250));
    }
    ws_.audit = std::move(recs);
  }

  const workspace_params& p_;
  workspace ws_;
  uint32_t humans_ = 0;
};

} // namespace

workspace generate(const workspace_params& params) {
  return generator{params}.run();
}

} // namespace jirasim
