#include "app/permissions_status.hpp"

#include "sync/permissions_gaps.hpp"

#include <boost/json/parse.hpp>

#include <sstream>

namespace jirasync::app {

bool hidden_email(const storage::user_record& u) {
  return u.account_type == "atlassian" && (!u.email || u.email->empty());
}

common::result<boost::json::object> permissions_status(storage::store& db) {
  boost::json::object o;
  std::vector<sync::degraded_project> degraded;
  auto meta = db.get_meta(sync::degraded_meta_key);
  if (!meta)
    return meta.error();
  if (*meta) {
    boost::system::error_code ec;
    auto v = boost::json::parse(**meta, ec);
    if (!ec)
      degraded = sync::degraded_from_json(v);
  }
  o["degraded_projects"] = sync::degraded_to_json(degraded);
  std::uint64_t hidden = 0;
  auto users = db.for_each_user([&](const storage::user_record& u) {
    if (hidden_email(u))
      ++hidden;
    return true;
  });
  if (!users)
    return users.error();
  o["hidden_email_users"] = hidden;
  return o;
}

std::string permissions_status_text(const boost::json::object& s) {
  std::ostringstream out;
  auto degraded = sync::degraded_from_json(s.at("degraded_projects"));
  if (degraded.empty()) {
    out << "permissions: exact (no degraded project)\n";
  } else {
    out << "permissions: " << degraded.size()
        << " project(s) degraded, their ACLs narrower than Jira's (see "
           "docs/permissions.md):\n";
    for (const auto& d : degraded)
      out << "  " << sync::describe(d) << "\n";
  }
  auto* h = s.if_contains("hidden_email_users");
  std::uint64_t hidden = h && h->is_uint64() ? h->get_uint64() : 0;
  if (h && h->is_int64())
    hidden = static_cast<std::uint64_t>(h->get_int64());
  out << "hidden-email users: " << hidden;
  if (hidden > 0)
    out << " (list them: jirasync users --hidden-email)";
  out << "\n";
  return out.str();
}

} // namespace jirasync::app
