#pragma once
// Shared helpers of the storage tests: store openers and record makers.

#include "storage/records.hpp"
#include "storage/store.hpp"
#include "test_util/catch_result.hpp"
#include "test_util/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

namespace jirasync::storage::test {

using jirasync::test::temp_dir;

inline std::unique_ptr<store> open_store(const std::filesystem::path& p,
                                         open_options o = {}) {
  o.sync_writes = false; // tests check atomicity, not power loss
  auto r = store::open(p, o);
  if (!r)
    FAIL("open failed: " << r.error().message);
  return std::move(r).value();
}

inline apply_summary apply_ok(store& s, const write_batch_spec& spec) {
  auto r = s.apply(spec);
  if (!r)
    FAIL("apply failed: " << r.error().message);
  return *r;
}

inline user_ref alice_ref() {
  return user_ref{"5b10a2844c20165700ede21g", "alice@example.com", "Alice"};
}

inline issue_record make_issue(std::string id, std::string key, std::string acl,
                               std::string project_id = "10000") {
  issue_record i;
  i.id = std::move(id);
  i.key = std::move(key);
  i.project_key = "ABC";
  i.project_id = std::move(project_id);
  i.summary = "Summary of " + i.key;
  i.markdown = "Body";
  i.status = "To Do";
  i.status_category = "new";
  i.issue_type = "Task";
  i.created_ms = 1704190272123; // 2024-01-02T10:11:12.123Z
  i.updated_ms = 1704190272123;
  i.url = "https://acme.atlassian.net/browse/" + i.key;
  i.acl = std::move(acl);
  return i;
}

inline comment_record make_comment(std::string id, std::string issue_id,
                                   std::string acl) {
  comment_record c;
  c.id = std::move(id);
  c.issue_id = std::move(issue_id);
  c.markdown = "A comment";
  c.created_ms = 1704190272123;
  c.updated_ms = 1704190272123;
  c.acl = std::move(acl);
  return c;
}

inline attachment_record make_attachment(std::string id, std::string issue_id,
                                         std::string acl,
                                         std::int64_t size = 10) {
  attachment_record a;
  a.id = std::move(id);
  a.issue_id = std::move(issue_id);
  a.filename = "a.txt";
  a.mime_type = "text/plain";
  a.size_bytes = size;
  a.sha256 = std::string(64, 'a');
  a.created_ms = 1704190272123;
  a.acl = std::move(acl);
  return a;
}

inline project_record make_project(std::string id, std::string key,
                                   std::string acl) {
  project_record p;
  p.id = std::move(id);
  p.key = std::move(key);
  p.name = "Project " + p.key;
  p.acl = std::move(acl);
  return p;
}

} // namespace jirasync::storage::test
