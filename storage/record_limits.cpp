#include "storage/record_limits.hpp"

#include <boost/json.hpp>

namespace json = boost::json;

namespace jirasync::storage {

json::parse_options record_parse_options() {
  json::parse_options po;
  po.max_depth = record_read_max_depth;
  return po;
}

namespace {

// `depth` is the level of `v` (the record is 1). Stops at the first
// violation; recursion is bounded by record_max_depth + 1.
std::optional<limit_violation> check_at(const json::value& v, std::size_t depth,
                                        const std::string& path,
                                        bool exempt_arrays) {
  if (v.is_string()) {
    if (v.get_string().size() > record_max_string_bytes)
      return limit_violation{path, "string of "
                                     + std::to_string(v.get_string().size())
                                     + " bytes, longer than "
                                     + std::to_string(record_max_string_bytes)};
    return std::nullopt;
  }
  if (!v.is_array() && !v.is_object())
    return std::nullopt;
  if (depth > record_max_depth)
    return limit_violation{path, "nested deeper than "
                                   + std::to_string(record_max_depth)
                                   + " levels"};
  if (v.is_array()) {
    const auto& a = v.get_array();
    if (!exempt_arrays && a.size() > record_max_array_size)
      return limit_violation{path, "array of " + std::to_string(a.size())
                                     + " elements, more than "
                                     + std::to_string(record_max_array_size)};
    for (std::size_t i = 0; i < a.size(); ++i)
      if (auto bad = check_at(a[i], depth + 1,
                              path + "[" + std::to_string(i) + "]", false))
        return bad;
    return std::nullopt;
  }
  for (const auto& kv : v.get_object()) {
    if (kv.key().size() > record_max_string_bytes)
      return limit_violation{path, "key longer than "
                                     + std::to_string(record_max_string_bytes)
                                     + " bytes"};
    std::string sub = path.empty() ? std::string(kv.key())
                                   : path + "." + std::string(kv.key());
    // Group members: a group may have more members than any other list.
    bool exempt = depth == 1 && kv.key() == "members";
    if (auto bad = check_at(kv.value(), depth + 1, sub, exempt))
      return bad;
  }
  return std::nullopt;
}

} // namespace

std::optional<limit_violation> check_value(const json::value& v) {
  return check_at(v, 1, "", false);
}

std::string record_name(const any_record& r) {
  return std::visit(
    [](const auto& x) -> std::string {
      using T = std::decay_t<decltype(x)>;
      if constexpr (std::is_same_v<T, issue_record>)
        return "issue " + (x.key.empty() ? x.id : x.key);
      else if constexpr (std::is_same_v<T, attachment_record>)
        return "attachment " + x.id + " (" + x.filename + ")";
      else if constexpr (std::is_same_v<T, user_record>)
        return "user " + x.account_id;
      else
        return std::string(to_string(type_of(any_record{x}))) + " " + x.id;
    },
    r);
}

common::result<void> check_record(const any_record& r) {
  auto fail = [&](std::string field, std::string message) {
    return common::make_error(
      common::errc::invalid_input,
      (field.empty() ? std::string{} : field + ": ") + message, record_name(r));
  };
  json::value stored = to_stored_json(r);
  if (auto bad = check_value(stored))
    return fail(bad->field, bad->message);
  auto text = json::serialize(stored);
  if (text.size() > record_max_bytes)
    return fail("", "record of " + std::to_string(text.size())
                      + " bytes, larger than "
                      + std::to_string(record_max_bytes));
  // Reads back the way the store will read it.
  boost::system::error_code ec;
  auto back = json::parse(text, ec, {}, record_parse_options());
  if (ec)
    return fail("", "does not read back: " + ec.message());
  if (!record_from_json(back))
    return fail("", "does not read back");
  return {};
}

} // namespace jirasync::storage
