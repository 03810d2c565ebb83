#include "protocol/jira/jira_errors.hpp"

#include "protocol/jira/json_reader.hpp"

namespace jirasync::protocol {

using namespace json_reader;

std::string jira_error::describe() const {
  if (http_status == 0)
    return detail();
  return "HTTP " + std::to_string(http_status) + ": " + detail();
}

std::string jira_error::detail() const {
  std::string detail;
  auto add = [&](const std::string& s) {
    if (s.empty())
      return;
    if (!detail.empty())
      detail += "; ";
    detail += s;
  };
  switch (shape) {
    case jira_error_shape::jira: {
      for (const auto& m : error_messages)
        add(m);
      std::string fields;
      for (const auto& [k, v] : errors) {
        if (!fields.empty())
          fields += "; ";
        fields += k + ": " + v;
      }
      if (!fields.empty())
        detail += detail.empty() ? fields : " (" + fields + ")";
      break;
    }
    case jira_error_shape::gateway:
      add(message);
      if (code)
        detail += " (gateway code " + std::to_string(*code) + ")";
      break;
    case jira_error_shape::oauth:
      detail = oauth_error;
      if (!oauth_error_description.empty())
        detail += ": " + oauth_error_description;
      break;
    case jira_error_shape::unknown:
      detail = raw_excerpt.empty() ? "empty body" : raw_excerpt;
      break;
  }
  if (detail.empty())
    detail = "no error message";
  return detail;
}

jira_error parse_jira_error(std::string_view body, int http_status) {
  jira_error e;
  e.http_status = http_status;
  auto doc = parse_json(body);
  if (doc.ok() && doc.value.is_object()) {
    const auto& o = doc.value.get_object();
    std::vector<parse_error> ignored;
    ctx c{"error", &ignored, 0};
    if (o.contains("errorMessages") || o.contains("errors")) {
      e.shape = jira_error_shape::jira;
      if (const auto* a = get(o, "errorMessages"); a && a->is_array())
        for (const auto& m : a->get_array())
          if (m.is_string())
            e.error_messages.emplace_back(m.get_string());
      if (const auto* eo = get(o, "errors"); eo && eo->is_object())
        for (const auto& kv : eo->get_object())
          if (kv.value().is_string())
            e.errors.emplace(std::string(kv.key()),
                             std::string(kv.value().get_string()));
      return e;
    }
    if (const auto* err = get(o, "error"); err && err->is_string()) {
      e.shape = jira_error_shape::oauth;
      e.oauth_error = std::string(err->get_string());
      e.oauth_error_description
        = opt_str(c, o, "error_description", "").value_or("");
      return e;
    }
    if (const auto* m = get(o, "message"); m && m->is_string()) {
      e.shape = jira_error_shape::gateway;
      e.message = std::string(m->get_string());
      if (const auto* code = get(o, "code"))
        if (auto n = as_int(*code))
          e.code = static_cast<int>(*n);
      return e;
    }
  }
  e.shape = jira_error_shape::unknown;
  for (char ch : body.substr(0, 200))
    e.raw_excerpt += static_cast<unsigned char>(ch) < 0x20 ? ' ' : ch;
  while (!e.raw_excerpt.empty() && e.raw_excerpt.back() == ' ')
    e.raw_excerpt.pop_back();
  return e;
}

} // namespace jirasync::protocol
