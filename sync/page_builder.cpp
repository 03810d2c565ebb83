#include "sync/page_builder.hpp"

#include "storage/record_limits.hpp"
#include "sync/attempt_assessment.hpp"
#include "sync/issue_scope.hpp"

#include <utility>

namespace jirasync::sync {

std::string issue_work::record_name() const {
  return "issue " + issue.key.value_or(issue.id);
}

issue_chunk
chunk_from_bulkfetch(protocol::bulkfetch_result answer,
                     const std::vector<protocol::parse_error>& parse_errors,
                     const config::filters_config& filters,
                     const std::string& project_key, bool take_comments) {
  issue_chunk out;
  // Records the parser had to drop are failures, not silent skips.
  for (const auto& e : parse_errors)
    out.failures.push_back(common::make_error(common::errc::invalid_input,
                                              "bulkfetch: " + e.to_string(),
                                              "project " + project_key));
  for (const auto& e : answer.issue_errors) {
    if (e.id && e.status.value_or(404) == 404) {
      out.gone.push_back(*e.id);
      continue;
    }
    std::string msg;
    for (const auto& m : e.messages)
      msg += (msg.empty() ? "" : "; ") + m;
    out.failures.push_back(
      common::make_error(errc_of_http_status(e.status.value_or(404)),
                         std::move(msg), "issue " + e.id.value_or("?")));
  }
  for (auto& i : answer.issues) {
    if (!within_filters(filters, i)) {
      out.gone.push_back(i.id);
      continue;
    }
    issue_work w;
    w.issue = std::move(i);
    auto& f = w.issue.fields;
    if (f.comment && take_comments) {
      w.comments = std::move(f.comment->comments);
      auto embedded = static_cast<std::int64_t>(w.comments.size());
      if (f.comment->total > embedded)
        w.more_comments_from = embedded;
    }
    f.comment.reset();
    out.issues.push_back(std::move(w));
  }
  return out;
}

common::error failed_bulkfetch(const std::vector<std::string>& ids,
                               const std::string& project_key,
                               common::error cause) {
  cause.record
    = "issues " + ids.front() + ".." + ids.back() + " of " + project_key;
  return cause;
}

std::string acl_collector::add(const acl_set& set) {
  auto rec = storage::make_acl(set.anyone, set.users);
  auto id = rec.id;
  acls_.emplace(id, std::move(rec));
  return id;
}

const std::string& acl_collector::add(const acl_ref& acl) {
  auto i = acls_.find(acl->id);
  if (i == acls_.end())
    i = acls_.emplace(acl->id, *acl).first;
  return i->first;
}

void acl_collector::move_into(storage::write_batch_spec& spec) {
  for (auto& [id, a] : acls_)
    spec.acls.push_back(std::move(a));
  acls_.clear();
}

namespace {

void warn(built_page& out, const std::string& record,
          mapping_diagnostics& diags) {
  for (auto& d : diags)
    out.warnings.push_back(
      common::make_error(common::errc::invalid_input, std::move(d), record));
  diags.clear();
}

} // namespace

built_page build_page(const page_context& ctx,
                      const std::vector<issue_work>& issues) {
  built_page out;
  acl_collector acls;
  mapping_diagnostics diags;
  for (const auto& w : issues) {
    if (w.error) {
      out.failures.push_back(*w.error);
      continue;
    }
    const auto& i = w.issue;
    const auto& f = i.fields;
    std::optional<std::string> reporter, assignee, level;
    if (f.reporter)
      reporter = f.reporter->account_id;
    if (f.assignee)
      assignee = f.assignee->account_id;
    if (f.security)
      level = f.security->id;
    auto issue_acl = ctx.acls.issue(ctx.access, reporter, assignee, level);
    auto rec = to_issue_record(i, ctx.mapping, "-", &diags);
    if (rec.project_key.empty()) {
      rec.project_key = ctx.project.key;
      rec.project_id = ctx.project.id;
    }
    // A record beyond the limits fails alone (with its comments and
    // attachments), before its ACL joins the batch.
    if (auto ok = storage::check_record(rec); !ok) {
      diags.clear();
      out.failures.push_back(ok.error());
      continue;
    }
    warn(out, w.record_name(), diags);
    auto issue_acl_id = acls.add(issue_acl);
    rec.acl = issue_acl_id;
    if (rec.updated_ms > out.max_updated_ms)
      out.max_updated_ms = rec.updated_ms;
    out.last_issue_id = rec.id;
    out.spec.upserts.emplace_back(std::move(rec));
    ++out.issues;
    if (ctx.comments) {
      for (const auto& cm : w.comments) {
        auto cacl = ctx.acls.comment(ctx.access, issue_acl, cm.visibility);
        auto crec = to_comment_record(cm, i.id, f.attachments, "-", &diags);
        auto name = "comment " + cm.id + " of " + w.record_name();
        if (auto ok = storage::check_record(crec); !ok) {
          diags.clear();
          auto e = ok.error();
          e.record = name;
          out.failures.push_back(std::move(e));
          continue;
        }
        warn(out, name, diags);
        crec.acl = acls.add(cacl);
        out.spec.upserts.emplace_back(std::move(crec));
        ++out.comments;
      }
    }
    for (const auto& a : f.attachments) {
      auto d = w.downloads.find(a.id);
      if (d == w.downloads.end())
        continue;
      auto name = "attachment " + a.id + " of " + w.record_name();
      if (!d->second) {
        auto e = d->second.error();
        e.record = name;
        out.failures.push_back(std::move(e));
        continue;
      }
      const auto& content = *d->second;
      if (content.skipped) {
        ++out.attachments_skipped;
        continue;
      }
      auto arec = to_attachment_record(a, i.id, content.sha256, content.text,
                                       issue_acl_id);
      if (auto ok = storage::check_record(arec); !ok) {
        auto e = ok.error();
        e.record = name;
        out.failures.push_back(std::move(e));
        continue;
      }
      out.spec.upserts.emplace_back(std::move(arec));
      ++out.attachments;
    }
  }
  acls.move_into(out.spec);
  return out;
}

std::vector<common::error> lost_page(const std::vector<issue_work>& issues,
                                     const common::error& cause) {
  std::vector<common::error> out;
  for (const auto& w : issues) {
    if (w.error)
      continue; // already reported by build_page
    auto e = cause;
    e.record = w.record_name();
    out.push_back(std::move(e));
  }
  return out;
}

storage::write_batch_spec build_project_batch(
  const std::vector<protocol::jira_project>& projects,
  const std::vector<std::shared_ptr<const project_access>>& access,
  std::shared_ptr<const identity_directory> dir) {
  acl_resolver resolver{std::move(dir)};
  acl_collector acls;
  storage::write_batch_spec spec;
  for (std::size_t i = 0; i < projects.size() && i < access.size(); ++i) {
    if (!access[i])
      continue;
    auto id = acls.add(resolver.project_acl(*access[i]));
    spec.upserts.emplace_back(to_project_record(projects[i], id));
  }
  acls.move_into(spec);
  return spec;
}

} // namespace jirasync::sync
