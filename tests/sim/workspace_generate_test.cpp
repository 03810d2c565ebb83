// Generation: size, timing, variety and determinism of the workspace.

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <map>
#include <set>

#include <boost/json.hpp>
#include <openssl/evp.h>

#include "sim/adf_gen.hpp"
#include "sim/jql.hpp"
#include "sim/sim_time.hpp"
#include "sim/truth.hpp"
#include "sim/workspace.hpp"

using namespace jirasim;

namespace {

const workspace& demo() {
  static const workspace ws = generate(workspace_params{});
  return ws;
}

std::string sha256_of(const std::string& s) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(s.data(), s.size(), md, &len, EVP_sha256(), nullptr);
  std::string hex;
  char buf[3];
  for (unsigned i = 0; i < len; ++i) {
    std::snprintf(buf, sizeof buf, "%02x", md[i]);
    hex += buf;
  }
  return hex;
}

} // namespace

TEST_CASE("default workspace has the documented size", "[sim][workspace]") {
  auto& ws = demo();
  CHECK(ws.issues.size() == 2000);
  CHECK(ws.projects.size() == 6);
  CHECK(ws.issues.front().id == 10000);
  CHECK(ws.issues.back().id == 11999);
  // 60 humans + 3 apps + 3 customers.
  CHECK(ws.users.size() == 66);
  CHECK(ws.groups.size() == 12 + 5);
  for (size_t i = 1; i < ws.issues.size(); ++i) {
    CHECK(ws.issues[i - 1].id < ws.issues[i].id);
    CHECK(ws.issues[i - 1].created_ms <= ws.issues[i].created_ms);
  }
  for (auto& i : ws.issues) {
    CHECK(i.created_ms <= i.updated_ms);
    CHECK(i.updated_ms <= ws.now_ms);
    CHECK(find_issue_by_id_or_key(ws, i.key) == &i);
  }
  // ~2 years of history.
  auto span_days
    = (ws.issues.back().created_ms - ws.issues.front().created_ms) / 86400000;
  CHECK(span_days > 700);
  CHECK(span_days <= 730);
}

TEST_CASE("every holder type appears among BROWSE_PROJECTS grants",
          "[sim][workspace]") {
  auto& ws = demo();
  std::set<std::string> types;
  bool app_with_param = false, app_without = false;
  for (auto& p : ws.projects) {
    auto* s = find_permission_scheme(ws, p.permission_scheme_id);
    REQUIRE(s);
    for (auto& g : s->grants) {
      if (g.permission != "BROWSE_PROJECTS")
        continue;
      types.insert(g.holder.type);
      if (g.holder.type == "applicationRole")
        (g.holder.parameter.empty() ? app_without : app_with_param) = true;
      if (g.holder.type == "group") {
        auto* gr = find_group_by_name(ws, g.holder.parameter);
        REQUIRE(gr);
        CHECK(gr->group_id == g.holder.value);
      }
    }
  }
  for (auto* t : {"anyone", "applicationRole", "group", "projectRole", "user",
                  "projectLead", "reporter", "assignee"})
    CHECK(types.count(t) == 1);
  CHECK(app_with_param);
  CHECK(app_without);
  // Schemes are shared by several projects.
  std::map<int64_t, int> uses;
  for (auto& p : ws.projects)
    ++uses[p.permission_scheme_id];
  CHECK(std::any_of(uses.begin(), uses.end(), [](auto& kv) {
    return kv.second >= 2;
  }));
}

TEST_CASE("users, groups and accounts have realistic variety",
          "[sim][workspace]") {
  auto& ws = demo();
  size_t humans = 0, hidden = 0, inactive = 0, apps = 0, customers = 0,
         colon_ids = 0, hex_ids = 0;
  std::set<std::string> zones;
  for (auto& u : ws.users) {
    if (u.type == account_type::app)
      ++apps;
    if (u.type == account_type::customer)
      ++customers;
    if (u.type != account_type::atlassian)
      continue;
    ++humans;
    hidden += u.email_hidden;
    inactive += !u.active;
    zones.insert(u.time_zone);
    if (u.account_id.find(':') != std::string::npos)
      ++colon_ids;
    else if (u.account_id.size() == 24)
      ++hex_ids;
  }
  CHECK(humans == 60);
  CHECK(hidden == 12);  // 20 %
  CHECK(inactive == 3); // 5 %
  CHECK(apps == 3);
  CHECK(customers == 3);
  CHECK(colon_ids > 0);
  CHECK(hex_ids > 0);
  CHECK(zones.size() > 4);
  auto& api = ws.users[ws.api_user];
  CHECK(api.active);
  CHECK(api.time_zone == "America/Los_Angeles");
  CHECK(api.email == "sim-admin@example.com");
  CHECK_FALSE(api.email_hidden);
  // Groups: a large one, an empty one, users in many groups.
  size_t largest = 0, empty = 0;
  for (auto& g : ws.groups) {
    largest = std::max(largest, g.members.size());
    empty += g.members.empty();
  }
  CHECK(largest >= 45);
  CHECK(empty >= 1);
  CHECK(find_group_by_name(ws, "jira-software-users"));
}

TEST_CASE("issues have skewed comments, restricted comments, secured issues "
          "and varied attachments",
          "[sim][workspace]") {
  auto& ws = demo();
  size_t heavy = 0, few = 0, group_restricted = 0, role_restricted = 0;
  size_t in_secured_projects = 0, secured = 0, unassigned = 0, null_desc = 0;
  size_t subtasks = 0, epic_children = 0;
  size_t big_att = 0, empty_att = 0;
  std::set<std::string> mimes;
  for (auto& i : ws.issues) {
    heavy += i.comments.size() >= 200;
    few += i.comments.size() <= 5;
    for (auto& c : i.comments) {
      group_restricted += c.visibility.type == visibility_type::group;
      role_restricted += c.visibility.type == visibility_type::role;
      CHECK(c.created_ms >= i.created_ms);
      CHECK(c.updated_ms <= i.updated_ms);
    }
    auto* p = find_project(ws, i.project_id);
    if (p->issue_security_scheme_id != 0) {
      ++in_secured_projects;
      secured += i.security_level_id != 0;
    } else {
      CHECK(i.security_level_id == 0);
    }
    unassigned += i.assignee == no_user;
    null_desc += i.description.null;
    if (i.parent_id) {
      auto* parent = find_issue(ws, i.parent_id);
      REQUIRE(parent);
      CHECK(parent->project_id == i.project_id);
      (i.issue_type_id == 10004 ? subtasks : epic_children)++;
    }
    std::set<std::string> names;
    for (auto& a : i.attachments) {
      big_att += a.size_bytes > 5 * 1024 * 1024;
      empty_att += a.size_bytes == 0;
      mimes.insert(a.mime_type);
      CHECK(names.insert(a.filename).second);
      CHECK(a.media_id.size() == 36);
      CHECK(a.media_id != std::to_string(a.id));
    }
  }
  CHECK(heavy >= 3);
  CHECK(few > ws.issues.size() * 8 / 10);
  CHECK(group_restricted > 0);
  CHECK(role_restricted > 0);
  REQUIRE(in_secured_projects > 0);
  auto share = static_cast<double>(secured) / in_secured_projects;
  CHECK(share > 0.05);
  CHECK(share < 0.15);
  CHECK(unassigned > 0);
  CHECK(null_desc > 0);
  CHECK(subtasks > 0);
  CHECK(epic_children > 0);
  CHECK(big_att == 2);
  CHECK(empty_att > 0);
  // The generated kinds plus the served documents (served_documents.hpp).
  CHECK(mimes
        == std::set<std::string>{
          "application/json", "application/pdf", "image/png", "text/markdown",
          "text/plain",
          "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
          "application/vnd.openxmlformats-officedocument.wordprocessingml."
          "document"});
  CHECK(ws.audit.size() > 100);
  for (size_t k = 1; k < ws.audit.size(); ++k) {
    CHECK(ws.audit[k - 1].id < ws.audit[k].id);
    CHECK(ws.audit[k - 1].created_ms <= ws.audit[k].created_ms);
  }
}

TEST_CASE("credentials work for any user", "[sim][workspace]") {
  auto& ws = demo();
  auto& api = ws.users[ws.api_user];
  auto token = api_token_for(ws, api.account_id);
  CHECK(token.rfind("ATATT", 0) == 0);
  CHECK(authenticate_basic(ws, api.email, token) == ws.api_user);
  CHECK_FALSE(authenticate_basic(ws, api.email, token + "x"));
  auto& other = ws.users[5];
  auto t2 = api_token_for(ws, other.account_id);
  CHECK(t2 != token);
  CHECK(authenticate_basic(ws, other.email, t2) == user_ix{5});
  CHECK_FALSE(authenticate_basic(ws, other.email, token));
  // Depends on the seed.
  workspace_params p;
  p.seed = 2;
  p.issues = 10;
  auto ws2 = generate(p);
  CHECK(api_token_for(ws2, api.account_id) != token);
}

TEST_CASE("attachment content is deterministic, random-access and hashed",
          "[sim][workspace]") {
  auto& ws = demo();
  const attachment* text = nullptr;
  const attachment* json_att = nullptr;
  const attachment* png = nullptr;
  for (auto& i : ws.issues)
    for (auto& a : i.attachments) {
      if (!text && a.mime_type == "text/plain" && a.size_bytes > 500)
        text = &a;
      if (!json_att && a.mime_type == "application/json" && a.size_bytes > 500)
        json_att = &a;
      if (!png && a.mime_type == "image/png" && a.size_bytes > 100)
        png = &a;
    }
  REQUIRE(text);
  REQUIRE(json_att);
  REQUIRE(png);
  for (auto* a : {text, json_att, png}) {
    auto whole = attachment_content_string(ws, *a);
    CHECK(whole.size() == a->size_bytes);
    CHECK(attachment_sha256(ws, *a) == sha256_of(whole));
    // Range reads equal slices of the whole.
    std::string part(100, '\0');
    auto n = attachment_content(ws, *a, 37, part.data(), part.size());
    CHECK(n == 100);
    CHECK(part == whole.substr(37, 100));
    // Reading past the end is clamped.
    CHECK(attachment_content(ws, *a, a->size_bytes - 3, part.data(), 100) == 3);
    CHECK(attachment_content(ws, *a, a->size_bytes, part.data(), 100) == 0);
  }
  auto t = attachment_content_string(ws, *text);
  CHECK(std::all_of(t.begin(), t.end(), [](char c) {
    return c == '\n' || (c >= 0x20 && c < 0x7f);
  }));
  auto j = attachment_content_string(ws, *json_att);
  auto parsed = boost::json::parse(j);
  CHECK(parsed.as_object().at("lines").as_array().size() > 1);
  CHECK(attachment_content_string(ws, *png).substr(1, 3) == "PNG");
}

TEST_CASE("lazy bodies are stable and exercise the ADF node set",
          "[sim][workspace]") {
  auto& ws = demo();
  std::set<std::string> nodes, marks;
  size_t with_media_alt_match = 0;
  for (auto& i : ws.issues) {
    auto d1 = issue_description(ws, i);
    auto d2 = issue_description(ws, i);
    CHECK(d1 == d2);
    if (i.description.null) {
      CHECK(d1.is_null());
      continue;
    }
    // Walk.
    std::vector<const boost::json::value*> st{&d1};
    while (!st.empty()) {
      auto* v = st.back();
      st.pop_back();
      if (auto* a = v->if_array()) {
        for (auto& x : *a)
          st.push_back(&x);
        continue;
      }
      auto* o = v->if_object();
      if (!o)
        continue;
      if (auto* t = o->if_contains("type"))
        nodes.insert(std::string{t->as_string()});
      if (auto* m = o->if_contains("marks"))
        for (auto& x : m->as_array())
          marks.insert(std::string{x.as_object().at("type").as_string()});
      if (o->contains("type") && o->at("type") == "media"
          && o->at("attrs").as_object().at("type") == "file") {
        auto alt = o->at("attrs").as_object().at("alt").as_string();
        for (auto& a : i.attachments)
          if (a.filename == alt) {
            ++with_media_alt_match;
            CHECK(o->at("attrs").as_object().at("id").as_string()
                  == a.media_id);
          }
      }
      if (auto* c = o->if_contains("content"))
        st.push_back(c);
      if (auto* a = o->if_contains("attrs"))
        (void)a;
    }
  }
  for (auto* n : {"doc",
                  "paragraph",
                  "text",
                  "heading",
                  "bulletList",
                  "orderedList",
                  "listItem",
                  "codeBlock",
                  "blockquote",
                  "panel",
                  "rule",
                  "hardBreak",
                  "mention",
                  "emoji",
                  "date",
                  "status",
                  "inlineCard",
                  "blockCard",
                  "mediaSingle",
                  "media",
                  "mediaGroup",
                  "mediaInline",
                  "table",
                  "tableRow",
                  "tableHeader",
                  "tableCell",
                  "expand",
                  "taskList",
                  "taskItem",
                  "decisionList",
                  "decisionItem",
                  "layoutSection",
                  "layoutColumn",
                  "extension",
                  "bodiedExtension",
                  "inlineExtension",
                  "caption",
                  "placeholder"}) {
    INFO(n);
    CHECK(nodes.count(n) == 1);
  }
  for (auto* m : {"strong", "em", "strike", "code", "link", "underline",
                  "subsup", "textColor"}) {
    INFO(m);
    CHECK(marks.count(m) == 1);
  }
  CHECK(with_media_alt_match > 0);
}

TEST_CASE("text_nodes lists text in document order", "[sim][workspace]") {
  auto doc = boost::json::parse(R"({"type":"doc","content":[
    {"type":"heading","attrs":{"level":1},"content":[{"type":"text","text":"A"}]},
    {"type":"bulletList","content":[{"type":"listItem","content":[
      {"type":"paragraph","content":[{"type":"text","text":"B"},
        {"type":"mention","attrs":{"id":"x","text":"@X"}},
        {"type":"text","text":"C"}]}]}]},
    {"type":"table","content":[{"type":"tableRow","content":[
      {"type":"tableCell","content":[{"type":"paragraph","content":[
        {"type":"text","text":"D"}]}]}]}]}]})");
  CHECK(text_nodes(doc) == std::vector<std::string>{"A", "B", "C", "D"});
  CHECK(text_nodes(boost::json::value(nullptr)).empty());
}

TEST_CASE("time helpers format UTC and zones", "[sim][workspace]") {
  CHECK(format_rfc3339_utc(1704190272123) == "2024-01-02T10:11:12.123Z");
  CHECK(format_jira_time(1654817371871, "America/Los_Angeles")
        == "2022-06-09T16:29:31.871-0700");
  CHECK(format_jira_time(1654817371871, "Asia/Kolkata")
        == "2022-06-10T04:59:31.871+0530");
  CHECK(format_jira_time(-1, "UTC") == "1969-12-31T23:59:59.999+0000");
}

TEST_CASE("200k issues generate in bounded time and memory",
          "[sim][workspace]") {
  workspace_params p;
  p.issues = 200000;
  p.projects = 20;
  p.users = 1000;
  p.groups = 40;
  auto t0 = std::chrono::steady_clock::now();
  auto ws = generate(p);
  auto secs
    = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
        .count();
  std::cerr << "generate(200000 issues): " << secs << " s\n";
  CHECK(ws.issues.size() == 200000);
  CHECK(secs < 60);
  size_t comments = 0;
  for (auto& i : ws.issues) {
    comments += i.comments.size();
    // Bodies are lazy: nothing stored per issue.
    CHECK_FALSE(i.description.explicit_doc);
  }
  std::cerr << "  comments: " << comments << "\n";
  CHECK(comments > 200000);
  // JQL over 200k issues (printed, loosely bounded).
  {
    auto t1 = std::chrono::steady_clock::now();
    auto q = compile_jql(ws,
                         "project in (PLAT, MOB) AND updated >= \"2025/06/01 "
                         "00:00\" ORDER BY key ASC",
                         "America/Los_Angeles");
    REQUIRE(std::holds_alternative<jql_compiled>(q));
    auto ids = run_jql(ws, std::get<jql_compiled>(q), ws.now_ms);
    auto jsecs
      = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1)
          .count();
    std::cerr << "  run_jql over 200000 issues: " << jsecs << " s, "
              << ids.size() << " hits\n";
    CHECK(ids.size() > 1000);
    CHECK(jsecs < 30);
  }
  // Same seed, same first and last issues.
  auto again = generate(p);
  CHECK(again.issues.back().key == ws.issues.back().key);
  CHECK(again.issues.back().updated_ms == ws.issues.back().updated_ms);
  CHECK(issue_description(again, again.issues[12345])
        == issue_description(ws, ws.issues[12345]));
}

TEST_CASE("truth export streams at a reasonable rate", "[sim][truth]") {
  workspace_params p;
  p.issues = 20000;
  auto ws = generate(p);
  struct counting_buf : std::streambuf {
    size_t bytes = 0, lines = 0;
    int overflow(int c) override {
      ++bytes;
      lines += c == '\n';
      return c;
    }
    std::streamsize xsputn(const char* s, std::streamsize n) override {
      bytes += static_cast<size_t>(n);
      lines += static_cast<size_t>(std::count(s, s + n, '\n'));
      return n;
    }
  } sink_buf;
  std::ostream sink(&sink_buf);
  truth_options o;
  o.attachments = false;
  auto t0 = std::chrono::steady_clock::now();
  write_truth(ws, sink, o);
  auto secs
    = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
        .count();
  std::cerr << "write_truth(20000 issues, no attachments): " << secs << " s, "
            << sink_buf.lines << " lines, " << sink_buf.bytes << " bytes\n";
  size_t comments = 0;
  for (auto& i : ws.issues)
    comments += i.comments.size();
  CHECK(sink_buf.lines > ws.issues.size() + comments);
  CHECK(secs < 300);
}
