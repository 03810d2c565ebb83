// Attachment endpoints: /attachment/content/{id} (303 to a signed media URL,
// or the bytes with redirect=false; Range), /attachment/meta,
// /attachment/{id}; and the media path itself (/_media/..., no auth).
#include "sim/server_handlers.hpp"

#include "common/sha256.hpp"
#include "sim/server_http.hpp"
#include "sim/server_internals.hpp"

#include <openssl/rand.h>

#include <cstdio>
#include <variant>

namespace jirasim {

std::string jira_app::internals::random_secret() {
  unsigned char raw[32];
  RAND_bytes(raw, sizeof raw);
  return std::string(reinterpret_cast<char*>(raw), sizeof raw);
}

std::string media_signature(const jira_app& app, std::int64_t attachment_id,
                            std::int64_t expires_ms) {
  auto& in = const_cast<jira_app&>(app).in();
  std::string msg = in.media_secret + "|" + std::to_string(attachment_id) + "|"
                    + std::to_string(expires_ms);
  return jirasync::common::sha256_hex(msg);
}

namespace {

/// Serves the attachment's bytes (whole, or the Range asked for).
http_response serve_bytes(const workspace& ws, const attachment& a,
                          const http_request& r) {
  http_response res;
  auto size = a.size_bytes;
  std::uint64_t from = 0, to = size ? size - 1 : 0;
  bool partial = false;
  if (auto range = r.header("Range")) {
    unsigned long long x = 0, y = 0;
    std::string rs(*range);
    if (std::sscanf(rs.c_str(), "bytes=%llu-%llu", &x, &y) == 2) {
      from = x;
      to = std::min<std::uint64_t>(y, size ? size - 1 : 0);
      partial = true;
    } else if (std::sscanf(rs.c_str(), "bytes=%llu-", &x) == 1) {
      from = x;
      partial = true;
    } else if (std::sscanf(rs.c_str(), "bytes=-%llu", &y) == 1) {
      from = y >= size ? 0 : size - y;
      partial = true;
    }
    if (partial && (from >= size || from > to)) {
      res.status = 416;
      res.set("Content-Range", "bytes */" + std::to_string(size));
      return res;
    }
  }
  res.status = partial ? 206 : 200;
  res.set("Content-Type", a.mime_type);
  res.set("Content-Disposition", "attachment; filename=\"" + a.filename + "\"");
  res.set("Accept-Ranges", "bytes");
  if (partial)
    res.set("Content-Range", "bytes " + std::to_string(from) + "-"
                               + std::to_string(to) + "/"
                               + std::to_string(size));
  auto len = size == 0 ? 0 : to - from + 1;
  res.body.resize(len);
  auto n = attachment_content(ws, a, from, res.body.data(), len);
  res.body.resize(n);
  return res;
}

/// The attachment in args[0] and its issue, or Jira's 404 / 403 answer.
std::variant<std::pair<const issue*, const attachment*>, api_result>
visible_attachment(api_call& c) {
  const attachment* a = nullptr;
  char* end = nullptr;
  auto id = std::strtoll(c.args[0].c_str(), &end, 10);
  auto* i = *end == '\0' ? find_attachment(c.ws, id, &a) : nullptr;
  if (!i || !a)
    return error_result(404, "The attachment with id '" + c.args[0]
                               + "' does not exist.");
  if (!can_see_attachment(c.ws, c.me().account_id, *i, *a))
    return error_result(
      403,
      "You do not have permission to view attachment with id: " + c.args[0]);
  return std::pair{i, a};
}

} // namespace

api_result attachment_content(api_call& c) {
  auto found = visible_attachment(c);
  if (auto* err = std::get_if<api_result>(&found))
    return std::move(*err);
  auto* a = std::get<0>(found).second;
  api_result out;
  out.core = 1;
  if (c.req.param("redirect") == std::optional<std::string_view>("false")) {
    out.res = serve_bytes(c.ws, *a, c.req);
    return out;
  }
  auto exp = c.now_ms + c.app.in().media_ttl_secs * 1000;
  if (c.app.in().media_expired_left.fetch_sub(1) > 0)
    exp = c.now_ms - 1000; // --media-expired-first
  std::string loc = c.app.base_url() + "/_media/file/" + a->media_id
                    + "/binary?token=" + media_signature(c.app, a->id, exp)
                    + "&id=" + std::to_string(a->id) + "&exp="
                    + std::to_string(exp) + "&name=" + url_encode(a->filename);
  out.res.status = 303;
  out.res.set("Location", loc);
  return out;
}

api_result attachment_meta(api_call&) {
  json::object o;
  o["enabled"] = true;
  o["uploadLimit"] = 10485760;
  return json_result(200, o);
}

api_result attachment_by_id(api_call& c) {
  auto found = visible_attachment(c);
  if (auto* err = std::get_if<api_result>(&found))
    return std::move(*err);
  return json_result(200, attachment_json(c, *std::get<0>(found).second), 1, 0);
}

http_response handle_media(jira_app& app, const workspace& ws, http_request& r,
                           std::int64_t now_ms) {
  if (r.method != "GET")
    return jira_error(405, "Method not allowed");
  auto token = r.param("token");
  auto id_s = r.param("id");
  auto exp_s = r.param("exp");
  if (!token || !id_s || !exp_s)
    return json_response(401, R"({"error":"Unauthorized: missing token"})");
  auto id = std::strtoll(std::string(*id_s).c_str(), nullptr, 10);
  auto exp = std::strtoll(std::string(*exp_s).c_str(), nullptr, 10);
  if (media_signature(app, id, exp) != *token)
    return json_response(401, R"({"error":"Unauthorized: invalid token"})");
  if (exp < now_ms)
    return json_response(401, R"({"error":"Unauthorized: token expired"})");
  const attachment* a = nullptr;
  auto* i = find_attachment(ws, id, &a);
  if (!i || !a)
    return json_response(404, R"({"error":"File not found"})");
  return serve_bytes(ws, *a, r);
}

} // namespace jirasim
