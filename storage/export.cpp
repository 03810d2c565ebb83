#include "storage/export.hpp"

#include "storage/record_limits.hpp"

#include <boost/json.hpp>

#include <set>
#include <unordered_set>

namespace json = boost::json;

namespace jirasync::storage {

namespace {

// Emits records and the ACL lines they need; remembers the first error and
// whether the sink asked to stop.
class snapshot_writer {
public:
  snapshot_writer(store& db, const export_filters& f, const line_sink& out)
      : db_(db), f_(f), out_(out) {
    // nop
  }

  bool ok() const {
    return !err_ && !stopped_;
  }

  std::optional<common::error>& error() {
    return err_;
  }

  export_stats stats;

  bool line(std::string_view l) {
    ++stats.lines;
    if (!out_(l))
      stopped_ = true;
    return !stopped_;
  }

  bool acl(const std::string& id) {
    if (emitted_acls_.count(id))
      return true;
    auto a = db_.get_acl(id);
    if (!a) {
      err_ = a.error();
      return false;
    }
    if (!*a) {
      err_ = common::make_error(common::errc::corruption,
                                "record names missing ACL " + id);
      return false;
    }
    emitted_acls_.insert(id);
    return line(to_line(**a));
  }

  template<class T>
  bool record(const T& r) {
    if constexpr (!std::is_same_v<
                    T, user_record> && !std::is_same_v<T, group_record>)
      if (!acl(r.acl))
        return false;
    return line(json::serialize(to_json(r)));
  }

  bool issue(const issue_record& i) {
    if (f_.issues) {
      if (!record(i))
        return false;
    } else {
      ++stats.filtered;
    }
    if (f_.comments) {
      auto cs = db_.comments_of_issue(i.id);
      if (!cs) {
        err_ = cs.error();
        return false;
      }
      for (const auto& c : *cs)
        if (!record(c))
          return false;
    }
    if (f_.attachments) {
      auto as = db_.attachments_of_issue(i.id);
      if (!as) {
        err_ = as.error();
        return false;
      }
      for (const auto& a : *as) {
        if (a.size_bytes > f_.attachment_max_bytes) {
          ++stats.filtered;
          continue;
        }
        if (!record(a))
          return false;
      }
    }
    return true;
  }

  bool issues_of(const std::string& project_id) {
    auto r = db_.for_each_issue_of_project(project_id,
                                           [this](const issue_record& i) {
                                             return issue(i);
                                           });
    if (!r && !err_)
      err_ = r.error();
    return ok();
  }

private:
  store& db_;
  const export_filters& f_;
  const line_sink& out_;
  std::unordered_set<std::string> emitted_acls_;
  std::optional<common::error> err_;
  bool stopped_ = false;
};

// Runs a for_each_* call and folds its error into the writer.
template<class R>
bool check(snapshot_writer& w, const R& r) {
  if (!r && !w.error())
    w.error() = r.error();
  return w.ok();
}

} // namespace

common::result<export_stats> export_snapshot(store& db, const export_filters& f,
                                             const line_sink& out) {
  snapshot_writer w{db, f, out};
  auto finish = [&w]() -> common::result<export_stats> {
    if (w.error())
      return *w.error();
    return w.stats;
  };
  if (!check(w, db.for_each_user([&w](const user_record& u) {
        return w.record(u);
      })))
    return finish();
  if (!check(w, db.for_each_group([&w](const group_record& g) {
        return w.record(g);
      })))
    return finish();
  // Project ids are few: remembering them costs little and finds orphans.
  std::set<std::string> seen_projects;
  if (!check(w, db.for_each_project([&](const project_record& p) {
        seen_projects.insert(p.id);
        return w.record(p) && w.issues_of(p.id);
      })))
    return finish();
  auto with_issues = db.project_ids_with_issues();
  if (!with_issues)
    return with_issues.error();
  for (const auto& pid : *with_issues)
    if (!seen_projects.count(pid) && !w.issues_of(pid))
      break;
  return finish();
}

common::result<export_stats> export_feed(store& db, std::uint64_t since_seq,
                                         const export_filters& f,
                                         const line_sink& out) {
  export_stats stats;
  bool filtering = !f.issues || !f.comments || !f.attachments;
  bool size_limit = f.attachments;
  std::optional<common::error> err;
  auto r = db.for_each_feed(since_seq, [&](std::uint64_t,
                                           std::string_view line) {
    // Parse only when a filter could apply to this line.
    bool maybe_filtered
      = filtering
        || (size_limit
            && line.find("\"type\":\"attachment\"") != std::string_view::npos);
    if (maybe_filtered) {
      boost::system::error_code ec;
      // A feed line holds its record one level down.
      auto po = record_parse_options();
      po.max_depth += 1;
      auto v = json::parse(line, ec, {}, po);
      const json::object* rec = nullptr;
      if (!ec && v.is_object())
        if (auto* x = v.get_object().if_contains("record"); x && x->is_object())
          rec = &x->get_object();
      if (!rec) {
        err = common::make_error(common::errc::corruption,
                                 "unreadable feed entry");
        return false;
      }
      auto* t = rec->if_contains("type");
      auto type = t && t->is_string() ? parse_record_type(t->get_string())
                                      : std::nullopt;
      bool skip = false;
      if (type == record_type::issue)
        skip = !f.issues;
      else if (type == record_type::comment)
        skip = !f.comments;
      else if (type == record_type::attachment) {
        skip = !f.attachments;
        if (auto* sz = rec->if_contains("size"); !skip && sz && sz->is_int64())
          skip = sz->get_int64() > f.attachment_max_bytes;
      }
      if (skip) {
        ++stats.filtered;
        return true;
      }
    }
    ++stats.lines;
    return out(line);
  });
  if (err)
    return *err;
  if (!r)
    return r.error();
  return stats;
}

} // namespace jirasync::storage
