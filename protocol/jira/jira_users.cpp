#include "protocol/jira/jira_users.hpp"

namespace jirasync::protocol {

using namespace json_reader;

namespace {

void read_group(ctx& c, const json::object& o, std::string_view p,
                jira_group& g) {
  g.group_id = req_str(c, o, "groupId", p);
  g.name = req_str(c, o, "name", p);
}

} // namespace

namespace json_reader {

void read_user(ctx& c, const json::object& o, std::string_view p,
               jira_user& u) {
  u.account_id = req_str(c, o, "accountId", p);
  u.account_type_raw = str_or_empty(c, o, "accountType", p);
  if (u.account_type_raw == "atlassian")
    u.type = account_type::atlassian;
  else if (u.account_type_raw == "app")
    u.type = account_type::app;
  else if (u.account_type_raw == "customer")
    u.type = account_type::customer;
  else
    u.type = account_type::unknown;
  u.email = opt_str(c, o, "emailAddress", p);
  if (u.email && u.email->empty())
    u.email.reset(); // "" = hidden, like null
  u.display_name = str_or_empty(c, o, "displayName", p);
  u.active = opt_bool(c, o, "active", p).value_or(true);
  u.time_zone = opt_str(c, o, "timeZone", p);
  u.locale = opt_str(c, o, "locale", p);
}

std::optional<jira_user> user_field(ctx& c, const json::object& o,
                                    std::string_view key, std::string_view p) {
  const auto* uo = opt_obj(c, o, key, p);
  if (!uo)
    return std::nullopt;
  jira_user u;
  read_user(c, *uo, join(p, key), u);
  return u;
}

} // namespace json_reader

std::string_view to_string(account_type type) {
  switch (type) {
    case account_type::atlassian:
      return "atlassian";
    case account_type::app:
      return "app";
    case account_type::customer:
      return "customer";
    case account_type::unknown:
      return "unknown";
  }
  return "unknown";
}

parsed<std::vector<jira_user>> parse_users(const json::value& doc) {
  parsed<std::vector<jira_user>> out;
  if (const auto* a = top_array(doc, out, "users"))
    read_records(*a, "users", out.value, out.errors,
                 [](ctx& c, const json::object& o, jira_user& u) {
                   read_user(c, o, "", u);
                 });
  return out;
}

parsed<jira_user> parse_user(const json::value& doc, std::string_view record) {
  return single<jira_user>(doc, record,
                           [](ctx& c, const json::object& o, jira_user& u) {
                             read_user(c, o, "", u);
                           });
}

parsed<jira_user> parse_myself(const json::value& doc) {
  return parse_user(doc, "myself");
}

parsed<jira_page<jira_group>> parse_group_page(const json::value& doc) {
  parsed<jira_page<jira_group>> out;
  const auto* o = top_object(doc, out, "group page");
  if (!o)
    return out;
  const auto* a = page_array(*o, "values", out, "group page");
  if (!a)
    return out;
  read_records(*a, "groups", out.value.values, out.errors,
               [](ctx& c, const json::object& g, jira_group& v) {
                 read_group(c, g, "", v);
               });
  out.value.page = page_fields(*o, a->size(), out, "group page");
  return out;
}

parsed<jira_page<jira_user>> parse_group_member_page(const json::value& doc) {
  parsed<jira_page<jira_user>> out;
  const auto* o = top_object(doc, out, "group member page");
  if (!o)
    return out;
  const auto* a = page_array(*o, "values", out, "group member page");
  if (!a)
    return out;
  read_records(*a, "members", out.value.values, out.errors,
               [](ctx& c, const json::object& u, jira_user& v) {
                 read_user(c, u, "", v);
               });
  out.value.page = page_fields(*o, a->size(), out, "group member page");
  return out;
}

} // namespace jirasync::protocol
