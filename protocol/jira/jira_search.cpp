#include "protocol/jira/jira_search.hpp"

namespace jirasync::protocol {

using namespace json_reader;

parsed<search_page> parse_search_page(const json::value& doc) {
  parsed<search_page> out;
  const auto* o = top_object(doc, out, "search page");
  if (!o)
    return out;
  const auto* a = page_array(*o, "issues", out, "search page");
  if (!a)
    return out;
  read_records(*a, "issue", out.value.issues, out.errors,
               [](ctx& c, const json::object& io, jira_issue& i) {
                 read_issue(c, io, "", i);
               });
  ctx c{"search page", &out.errors, 0};
  out.value.next_page_token = opt_str(c, *o, "nextPageToken", "");
  if (out.value.next_page_token && out.value.next_page_token->empty())
    out.value.next_page_token.reset();
  out.value.is_last = opt_bool(c, *o, "isLast", "")
                        .value_or(!out.value.next_page_token.has_value());
  if (c.own > 0)
    out.fatal = true;
  return out;
}

parsed<std::int64_t> parse_approximate_count(const json::value& doc) {
  return single<std::int64_t>(
    doc, "approximate count",
    [](ctx& c, const json::object& o, std::int64_t& n) {
      if (!get(o, "count"))
        c.fail("count", "missing");
      else
        n = opt_int(c, o, "count", "").value_or(0);
    });
}

parsed<bulkfetch_result> parse_bulkfetch(const json::value& doc) {
  parsed<bulkfetch_result> out;
  const auto* o = top_object(doc, out, "bulkfetch");
  if (!o)
    return out;
  ctx top{"bulkfetch", &out.errors, 0};
  if (const auto* a = opt_arr(top, *o, "issues", ""))
    read_records(*a, "issue", out.value.issues, out.errors,
                 [](ctx& c, const json::object& io, jira_issue& i) {
                   read_issue(c, io, "", i);
                 });
  if (const auto* a = opt_arr(top, *o, "issueErrors", "")) {
    for (std::size_t i = 0; i < a->size(); ++i) {
      const auto& e = (*a)[i];
      ctx c{label("issueErrors", i, e), &out.errors, 0};
      if (!e.is_object()) {
        c.fail("", "expected an object, " + got(e));
        continue;
      }
      const auto& eo = e.get_object();
      bulk_issue_error be;
      be.id = opt_id(c, eo, "id", "");
      if (auto st = opt_int(c, eo, "status", ""))
        be.status = static_cast<int>(*st);
      be.messages = str_list(c, eo, "errorMessages", "");
      if (auto m = opt_str(c, eo, "errorMessage", ""))
        be.messages.push_back(*m);
      if (const auto* errs = opt_obj(c, eo, "errors", ""))
        for (const auto& kv : *errs)
          if (kv.value().is_string())
            be.messages.push_back(std::string(kv.key()) + ": "
                                  + std::string(kv.value().get_string()));
      out.value.issue_errors.push_back(std::move(be));
    }
  }
  if (top.own > 0)
    out.fatal = true;
  return out;
}

} // namespace jirasync::protocol
