#include "sim/workspace.hpp"

#include "common/sha256.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstring>

#include "sim/adf_gen.hpp"
#include "sim/generator_rng.hpp"
#include "sim/parse_int.hpp"
#include "sim/sim_time.hpp"

namespace jirasim {

using detail::salt;

std::string_view to_string(account_type t) {
  switch (t) {
    case account_type::atlassian:
      return "atlassian";
    case account_type::app:
      return "app";
    case account_type::customer:
      return "customer";
  }
  return "atlassian";
}

// --- lookups
// -------------------------------------------------------------------

namespace {

template<class Vec>
auto find_by_id(Vec& v, int64_t id) -> decltype(&v[0]) {
  for (auto& x : v)
    if (x.id == id)
      return &x;
  return nullptr;
}

} // namespace

std::optional<user_ix> find_user_ix(const workspace& ws,
                                    std::string_view account_id) {
  auto i = ws.user_by_account_id.find(std::string{account_id});
  if (i == ws.user_by_account_id.end())
    return std::nullopt;
  return i->second;
}

const user* find_user(const workspace& ws, std::string_view account_id) {
  auto ix = find_user_ix(ws, account_id);
  return ix ? &ws.users[*ix] : nullptr;
}

const group* find_group_by_id(const workspace& ws, std::string_view id) {
  if (!ws.group_by_id.empty() && ws.group_by_id.size() == ws.groups.size()) {
    auto it = ws.group_by_id.find(std::string{id});
    if (it != ws.group_by_id.end() && it->second < ws.groups.size()
        && ws.groups[it->second].group_id == id)
      return &ws.groups[it->second];
  }
  for (auto& g : ws.groups)
    if (g.group_id == id)
      return &g;
  return nullptr;
}

const group* find_group_by_name(const workspace& ws, std::string_view name) {
  for (auto& g : ws.groups)
    if (g.name == name)
      return &g;
  return nullptr;
}

const project* find_project(const workspace& ws, int64_t id) {
  return find_by_id(ws.projects, id);
}

const project* find_project_by_key(const workspace& ws, std::string_view key) {
  for (auto& p : ws.projects)
    if (p.key == key)
      return &p;
  return nullptr;
}

const project* find_project_by_id_or_key(const workspace& ws,
                                         std::string_view id_or_key) {
  if (auto id = parse_i64(id_or_key))
    return find_project(ws, *id);
  return find_project_by_key(ws, id_or_key);
}

const permission_scheme* find_permission_scheme(const workspace& ws,
                                                int64_t id) {
  return find_by_id(ws.permission_schemes, id);
}

const issue_security_scheme* find_security_scheme(const workspace& ws,
                                                  int64_t id) {
  return find_by_id(ws.security_schemes, id);
}

const security_level* find_security_level(const workspace& ws,
                                          int64_t level_id) {
  for (auto& s : ws.security_schemes)
    for (auto& l : s.levels)
      if (l.id == level_id)
        return &l;
  return nullptr;
}

const project_role* find_role(const workspace& ws, int64_t role_id) {
  return find_by_id(ws.roles, role_id);
}

const status_def* find_status(const workspace& ws, int64_t id) {
  return find_by_id(ws.statuses, id);
}

const priority_def* find_priority(const workspace& ws, int64_t id) {
  return find_by_id(ws.priorities, id);
}

const issue_type_def* find_issue_type(const workspace& ws, int64_t id) {
  return find_by_id(ws.issue_types, id);
}

const field_def* find_field(const workspace& ws, std::string_view id) {
  for (auto& f : ws.fields)
    if (f.id == id)
      return &f;
  return nullptr;
}

const issue* find_issue(const workspace& ws, int64_t id) {
  auto it = std::lower_bound(ws.issues.begin(), ws.issues.end(), id,
                             [](const issue& i, int64_t v) {
                               return i.id < v;
                             });
  if (it == ws.issues.end() || it->id != id)
    return nullptr;
  return &*it;
}

issue* find_issue(workspace& ws, int64_t id) {
  return const_cast<issue*>(find_issue(std::as_const(ws), id));
}

const issue* find_issue_by_id_or_key(const workspace& ws,
                                     std::string_view id_or_key) {
  if (auto id = parse_i64(id_or_key))
    return find_issue(ws, *id);
  std::string k{id_or_key};
  if (auto i = ws.issue_id_by_key.find(k); i != ws.issue_id_by_key.end())
    return find_issue(ws, i->second);
  if (auto i = ws.moved_keys.find(k); i != ws.moved_keys.end())
    return find_issue(ws, i->second);
  return nullptr;
}

const issue* find_comment(const workspace& ws, int64_t comment_id,
                          const comment** out) {
  auto i = ws.comment_issue.find(comment_id);
  if (i == ws.comment_issue.end())
    return nullptr;
  auto* is = find_issue(ws, i->second);
  if (!is)
    return nullptr;
  for (auto& c : is->comments)
    if (c.id == comment_id) {
      if (out)
        *out = &c;
      return is;
    }
  return nullptr;
}

const issue* find_attachment(const workspace& ws, int64_t attachment_id,
                             const attachment** out) {
  auto i = ws.attachment_issue.find(attachment_id);
  if (i == ws.attachment_issue.end())
    return nullptr;
  auto* is = find_issue(ws, i->second);
  if (!is)
    return nullptr;
  for (auto& a : is->attachments)
    if (a.id == attachment_id) {
      if (out)
        *out = &a;
      return is;
    }
  return nullptr;
}

const role_actors* find_role_actors(const project& p, int64_t role_id) {
  for (auto& r : p.roles)
    if (r.role_id == role_id)
      return &r;
  return nullptr;
}

bool is_member(const group& g, user_ix u) {
  return std::binary_search(g.members.begin(), g.members.end(), u);
}

// --- audit shapes
// --------------------------------------------------------------------

audit_item user_audit_item(const user& u) {
  return {u.account_id, u.account_id, "USER", "10000", "IDP Directory"};
}

audit_item group_audit_item(const group& g) {
  return {"", g.name, "GROUP", "10000",
          "com.atlassian.crowd.directory.IdentityPlatformRemoteDirectory"};
}

audit_item project_audit_item(const project& p) {
  return {std::to_string(p.id), p.name, "PROJECT", "", ""};
}

audit_item scheme_audit_item(const permission_scheme& s) {
  return {std::to_string(s.id), s.name, "SCHEME", "", ""};
}

audit_item role_audit_item(const project_role& r) {
  return {std::to_string(r.id), r.name, "PROJECT_ROLE", "", ""};
}

audit_item security_level_audit_item(const security_level& l) {
  return {std::to_string(l.id), l.name, "SECURITY_LEVEL", "", ""};
}

audit_record audit_event(std::string summary, std::string category,
                         audit_item object) {
  audit_record r;
  r.summary = std::move(summary);
  r.category = std::move(category);
  r.object_item = std::move(object);
  return r;
}

// --- credentials
// ---------------------------------------------------------------------

std::string api_token_for(const workspace& ws, std::string_view account_id) {
  // Looks like an Atlassian API token; derived, never stored.
  auto h = jirasync::common::sha256_hex("jira-sim-token/"
                                        + std::to_string(ws.params.seed) + "/"
                                        + std::string{account_id});
  return "ATATT3xFfGF0" + h.substr(0, 48);
}

std::optional<user_ix> authenticate_basic(const workspace& ws,
                                          std::string_view email,
                                          std::string_view api_token) {
  for (user_ix u = 0; u < ws.users.size(); ++u) {
    auto& x = ws.users[u];
    if (x.email == email && !x.email.empty()) {
      if (api_token_for(ws, x.account_id) == api_token)
        return u;
      return std::nullopt;
    }
  }
  return std::nullopt;
}

// --- lazy content
// ----------------------------------------------------------------------

namespace {

std::string site_url_of(const workspace& ws) {
  if (!ws.site.base_url.empty())
    return ws.site.base_url;
  return "https://" + ws.site.name + ".atlassian.net";
}

adf_context body_context(const workspace& ws, const issue& i, uint64_t s) {
  adf_context ctx;
  ctx.seed = ws.params.seed;
  ctx.salt = s;
  ctx.site_url = site_url_of(ws);
  for (auto& a : i.attachments)
    ctx.attachments.push_back({a.filename, a.media_id});
  // A few users to mention: chosen from the body's own salt.
  detail::rng r{salt(ws.params.seed, s, 77)};
  if (!ws.users.empty())
    for (int k = 0; k < 3; ++k) {
      auto& u = ws.users[r.below(ws.users.size())];
      ctx.mentions.push_back({u.account_id, u.display_name});
    }
  return ctx;
}

} // namespace

boost::json::value issue_description(const workspace& ws, const issue& i) {
  if (i.description.explicit_doc)
    return *i.description.explicit_doc;
  if (i.description.null)
    return nullptr;
  auto ctx
    = body_context(ws, i,
                   salt(detail::k_description, static_cast<uint64_t>(i.id),
                        i.description.revision));
  ctx.max_blocks = 7;
  return generate_adf(ctx);
}

boost::json::value comment_body(const workspace& ws, const issue& i,
                                const comment& c) {
  if (c.body.explicit_doc)
    return *c.body.explicit_doc;
  auto ctx = body_context(
    ws, i,
    salt(detail::k_comment_body, static_cast<uint64_t>(c.id), c.body.revision));
  ctx.max_blocks = 3;
  ctx.richness = 0.15;
  return generate_adf(ctx);
}

boost::json::object issue_custom_fields(const workspace& ws, const issue& i) {
  boost::json::object out;
  detail::rng r{salt(ws.params.seed, detail::k_custom,
                     static_cast<uint64_t>(i.id), i.custom_revision)};
  for (auto& f : ws.fields) {
    if (!f.custom)
      continue;
    // Draw the same number of values for every field so that adding a
    // field never shifts the others.
    auto present = r.chance(0.6);
    auto a = r.next();
    auto b = r.next();
    if (!present) {
      out[f.id] = nullptr;
      continue;
    }
    if (f.schema_type == "number") {
      static constexpr double pts[] = {0.5, 1, 2, 3, 5, 8, 13, 21};
      out[f.id] = pts[a % 8];
    } else if (f.schema_type == "option" && !f.options.empty()) {
      auto& o = f.options[a % f.options.size()];
      out[f.id]
        = {{"self", ""}, {"value", o.second}, {"id", std::to_string(o.first)}};
    } else if (f.schema_type == "array" && f.schema_items == "option"
               && !f.options.empty()) {
      boost::json::array arr;
      for (size_t k = 0; k < f.options.size(); ++k)
        if ((a >> k) & 1)
          arr.push_back(
            boost::json::object{{"self", ""},
                                {"value", f.options[k].second},
                                {"id", std::to_string(f.options[k].first)}});
      out[f.id] = std::move(arr);
    } else if (f.schema_type == "array" && f.schema_items == "user") {
      boost::json::array arr;
      auto n = 1 + a % 3;
      for (uint64_t k = 0; k < n && !ws.users.empty(); ++k) {
        auto& u = ws.users[(b + k * 7919) % ws.users.size()];
        if (u.type != account_type::atlassian)
          continue;
        arr.push_back(boost::json::object{{"accountId", u.account_id}});
      }
      out[f.id] = std::move(arr);
    } else if (f.schema_type == "date") {
      // Within a year after creation.
      auto day = i.created_ms + static_cast<int64_t>(a % 365) * 86400000;
      out[f.id] = format_utc_date(day);
    } else if (f.schema_custom.find("lexo-rank") != std::string::npos) {
      char buf[24];
      std::snprintf(buf, sizeof buf,
                    "0|i%05lld:", static_cast<long long>(i.id % 100000));
      out[f.id] = buf;
    } else {
      static constexpr const char* refs[]
        = {"ACME-", "CUST-", "SF-", "ticket #", "PO "};
      out[f.id] = std::string{refs[a % 5]} + std::to_string(b % 100000);
    }
  }
  return out;
}

// --- attachment content
// ------------------------------------------------------------------

namespace {

constexpr size_t block_bytes = 64;

enum class content_kind { text, json, png, pdf, binary };

content_kind kind_of(std::string_view mime) {
  if (mime.substr(0, 5) == "text/")
    return content_kind::text;
  if (mime == "application/json")
    return content_kind::json;
  if (mime == "image/png")
    return content_kind::png;
  if (mime == "application/pdf")
    return content_kind::pdf;
  return content_kind::binary;
}

constexpr std::string_view png_prefix{"\x89PNG\r\n\x1a\n", 8};
constexpr std::string_view pdf_prefix = "%PDF-1.4\n";
constexpr std::string_view pdf_suffix = "\n%%EOF\n";
constexpr std::string_view json_prefix = "{\"lines\":[\n";
constexpr std::string_view json_suffix = "\"\"]}\n";

constexpr const char* words[]
  = {"error",   "request", "timeout", "user",   "retry",     "cache",
     "deploy",  "build",   "server",  "client", "latency",   "ticket",
     "the",     "a",       "of",      "to",     "and",       "in",
     "failed",  "ok",      "warning", "debug",  "info",      "session",
     "token",   "queue",   "worker",  "index",  "payload",   "response",
     "status",  "200",     "404",     "500",    "migration", "schema",
     "release", "branch",  "commit",  "review", "customer",  "invoice",
     "report",  "metric",  "alert",   "node",   "cluster",   "region"};
constexpr size_t n_words = sizeof(words) / sizeof(words[0]);

// A line of exactly `width` printable ASCII chars (words and spaces).
void fill_words(detail::rng& r, char* out, size_t width) {
  size_t pos = 0;
  while (pos < width) {
    const char* w = words[r.below(n_words)];
    auto len = std::strlen(w);
    if (pos + len > width)
      len = width - pos;
    std::memcpy(out + pos, w, len);
    pos += len;
    if (pos < width)
      out[pos++] = ' ';
  }
}

void fill_block(content_kind k, uint64_t s, uint64_t index, char* out) {
  detail::rng r{detail::salt(s, index)};
  switch (k) {
    case content_kind::text:
      fill_words(r, out, block_bytes - 1);
      out[block_bytes - 1] = '\n';
      break;
    case content_kind::json:
      out[0] = '"';
      fill_words(r, out + 1, block_bytes - 4);
      out[block_bytes - 3] = '"';
      out[block_bytes - 2] = ',';
      out[block_bytes - 1] = '\n';
      break;
    default:
      for (size_t i = 0; i < block_bytes; i += 8) {
        auto v = r.next();
        std::memcpy(out + i, &v, 8);
      }
  }
}

struct layout {
  std::string_view prefix;
  std::string_view suffix;
};

layout layout_of(content_kind k, uint64_t size) {
  layout l;
  switch (k) {
    case content_kind::png:
      l.prefix = png_prefix;
      break;
    case content_kind::pdf:
      l.prefix = pdf_prefix;
      l.suffix = pdf_suffix;
      break;
    case content_kind::json:
      l.prefix = json_prefix;
      l.suffix = json_suffix;
      break;
    default:
      break;
  }
  if (l.prefix.size() + l.suffix.size() > size)
    return {};
  return l;
}

} // namespace

size_t attachment_content(const workspace& ws, const attachment& a,
                          uint64_t offset, char* out, size_t len) {
  if (offset >= a.size_bytes)
    return 0;
  len = static_cast<size_t>(std::min<uint64_t>(len, a.size_bytes - offset));
  if (a.document) {
    len = static_cast<size_t>(std::min<uint64_t>(
      len, a.document->size() > offset ? a.document->size() - offset : 0));
    std::memcpy(out, a.document->data() + offset, len);
    return len;
  }
  auto k = kind_of(a.mime_type);
  auto l = layout_of(k, a.size_bytes);
  auto s = salt(ws.params.seed, detail::k_content, static_cast<uint64_t>(a.id));
  auto middle = a.size_bytes - l.prefix.size() - l.suffix.size();
  // JSON: the last partial block is spaces so the document stays valid.
  auto full_blocks_bytes = middle / block_bytes * block_bytes;
  char block[block_bytes];
  uint64_t cached = UINT64_MAX;
  for (size_t n = 0; n < len; ++n) {
    auto pos = offset + n;
    char c;
    if (pos < l.prefix.size()) {
      c = l.prefix[pos];
    } else if (pos >= l.prefix.size() + middle) {
      c = l.suffix[pos - l.prefix.size() - middle];
    } else {
      auto m = pos - l.prefix.size();
      if (k == content_kind::json && m >= full_blocks_bytes) {
        c = ' ';
      } else {
        auto bi = m / block_bytes;
        if (bi != cached) {
          fill_block(k, s, bi, block);
          cached = bi;
        }
        c = block[m % block_bytes];
      }
    }
    out[n] = c;
  }
  return len;
}

std::string attachment_content_string(const workspace& ws,
                                      const attachment& a) {
  std::string s(a.size_bytes, '\0');
  attachment_content(ws, a, 0, s.data(), s.size());
  return s;
}

std::string attachment_sha256(const workspace& ws, const attachment& a) {
  jirasync::common::sha256_hasher h;
  std::vector<char> buf(1 << 16);
  uint64_t off = 0;
  while (off < a.size_bytes) {
    auto n = attachment_content(ws, a, off, buf.data(), buf.size());
    h.update(buf.data(), n);
    off += n;
  }
  return h.final_hex();
}

// --- indices
// -----------------------------------------------------------------------------

void rebuild_indices(workspace& ws) {
  ws.user_by_account_id.clear();
  for (user_ix u = 0; u < ws.users.size(); ++u)
    ws.user_by_account_id[ws.users[u].account_id] = u;
  ws.group_by_id.clear();
  for (size_t k = 0; k < ws.groups.size(); ++k)
    ws.group_by_id[ws.groups[k].group_id] = k;
  for (auto& g : ws.groups) {
    std::sort(g.members.begin(), g.members.end());
    g.members.erase(std::unique(g.members.begin(), g.members.end()),
                    g.members.end());
  }
  std::sort(ws.issues.begin(), ws.issues.end(),
            [](const issue& a, const issue& b) {
              return a.id < b.id;
            });
  ws.issue_id_by_key.clear();
  ws.comment_issue.clear();
  ws.attachment_issue.clear();
  ws.issue_id_by_key.reserve(ws.issues.size());
  for (auto& i : ws.issues) {
    ws.issue_id_by_key[i.key] = i.id;
    for (auto& c : i.comments)
      ws.comment_issue[c.id] = i.id;
    for (auto& a : i.attachments)
      ws.attachment_issue[a.id] = i.id;
    ws.next_issue_id = std::max(ws.next_issue_id, i.id + 1);
  }
}

} // namespace jirasim
