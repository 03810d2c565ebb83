#include "protocol/jira/application_role.hpp"

#include <boost/json.hpp>

namespace json = boost::json;

namespace jirasync::protocol {

namespace {

void add_error(std::vector<parse_error>& errs, std::string record,
               std::string field, std::string message) {
  errs.push_back({std::move(record), std::move(field), std::move(message)});
}

/// groupDetails[j]: {name, groupId}; an entry without a string groupId is
/// left out (a group we cannot name by id grants nobody: the safe side).
void read_group_details(const json::array& a, const std::string& record,
                        std::vector<jira_group>& out,
                        std::vector<parse_error>& errs) {
  for (std::size_t j = 0; j < a.size(); ++j) {
    auto field = "groupDetails[" + std::to_string(j) + "]";
    const auto* o = a[j].if_object();
    if (!o) {
      add_error(errs, record, field, "expected an object");
      continue;
    }
    const auto* id = o->if_contains("groupId");
    if (!id || !id->is_string() || id->as_string().empty()) {
      add_error(errs, record, field + ".groupId",
                "expected a non-empty string");
      continue;
    }
    jira_group g;
    g.group_id = std::string{id->as_string()};
    if (const auto* n = o->if_contains("name"); n && n->is_string())
      g.name = std::string{n->as_string()};
    out.push_back(std::move(g));
  }
}

void read_group_names(const json::array& a, const std::string& record,
                      std::vector<std::string>& out,
                      std::vector<parse_error>& errs) {
  for (std::size_t j = 0; j < a.size(); ++j) {
    if (!a[j].is_string()) {
      add_error(errs, record, "groups[" + std::to_string(j) + "]",
                "expected a string");
      continue;
    }
    out.emplace_back(a[j].as_string());
  }
}

} // namespace

parsed<std::vector<application_role>>
parse_application_roles(const json::value& doc) {
  parsed<std::vector<application_role>> out;
  const auto* roles = doc.if_array();
  if (!roles) {
    add_error(out.errors, "application roles", "", "expected an array");
    out.fatal = true;
    return out;
  }
  for (std::size_t i = 0; i < roles->size(); ++i) {
    std::string record = "applicationRole[" + std::to_string(i) + "]";
    const auto* o = (*roles)[i].if_object();
    if (!o) {
      add_error(out.errors, record, "", "expected an object");
      continue;
    }
    const auto* key = o->if_contains("key");
    if (!key || !key->is_string() || key->as_string().empty()) {
      add_error(out.errors, record, "key", "expected a non-empty string");
      continue;
    }
    application_role role;
    role.key = std::string{key->as_string()};
    record += " (key " + role.key + ")";
    if (const auto* n = o->if_contains("name"); n && n->is_string())
      role.name = std::string{n->as_string()};
    if (const auto* det = o->if_contains("groupDetails");
        det && !det->is_null()) {
      if (const auto* a = det->if_array())
        read_group_details(*a, record, role.group_details.emplace(),
                           out.errors);
      else
        add_error(out.errors, record, "groupDetails", "expected an array");
    }
    if (const auto* names = o->if_contains("groups");
        names && !names->is_null()) {
      if (const auto* a = names->if_array())
        read_group_names(*a, record, role.group_names, out.errors);
      else
        add_error(out.errors, record, "groups", "expected an array");
    }
    out.value.push_back(std::move(role));
  }
  return out;
}

} // namespace jirasync::protocol
