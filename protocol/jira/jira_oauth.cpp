#include "protocol/jira/jira_oauth.hpp"

namespace jirasync::protocol {

using namespace json_reader;

parsed<oauth_token_response> parse_oauth_token(const json::value& doc) {
  return single<oauth_token_response>(
    doc, "oauth token",
    [](ctx& c, const json::object& o, oauth_token_response& t) {
      t.access_token = req_str(c, o, "access_token", "");
      t.refresh_token = opt_str(c, o, "refresh_token", "");
      if (t.refresh_token && t.refresh_token->empty())
        t.refresh_token.reset();
      t.expires_in_secs = opt_int(c, o, "expires_in", "").value_or(3600);
      t.scope = str_or_empty(c, o, "scope", "");
      t.token_type = str_or_empty(c, o, "token_type", "");
    });
}

parsed<std::vector<accessible_resource>>
parse_accessible_resources(const json::value& doc) {
  parsed<std::vector<accessible_resource>> out;
  if (const auto* a = top_array(doc, out, "accessible resources"))
    read_records(*a, "resources", out.value, out.errors,
                 [](ctx& c, const json::object& o, accessible_resource& r) {
                   r.id = req_str(c, o, "id", "");
                   r.name = str_or_empty(c, o, "name", "");
                   r.url = str_or_empty(c, o, "url", "");
                   r.scopes = str_list(c, o, "scopes", "");
                   r.avatar_url = opt_str(c, o, "avatarUrl", "");
                 });
  return out;
}

} // namespace jirasync::protocol
