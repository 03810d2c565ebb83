// Loading and validating the TOML config. Every problem becomes one
// "FILE:LINE: KEY: REASON" message; we keep going after an error so that a
// user sees all of them in one run.
#include "config/config.hpp"

#include "common/file_mode.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <toml++/toml.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace jirasync::config {

namespace fs = std::filesystem;

env_lookup process_env() {
  return [](const std::string& name) -> std::optional<std::string> {
    if (const char* value = std::getenv(name.c_str()))
      return std::string{value};
    return std::nullopt;
  };
}

namespace {

using line_t = std::uint32_t;

constexpr std::string_view loopback_hint
  = "plain http is allowed only for loopback hosts (127.0.0.0/8, ::1, "
    "localhost)";

/// "a string", "an integer", ... for type errors.
std::string_view type_name(toml::node_type t) {
  switch (t) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::table:
      return "a table";
    default:
      return "nothing";
  }
}

line_t line_of(const toml::source_region& r) {
  return r.begin.line == 0 ? 1 : r.begin.line;
}

std::string dq(std::string_view s) {
  std::string out = "\"";
  out += s;
  out += '"';
  return out;
}

/// Levenshtein distance, for "did you mean" hints on unknown keys.
size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j)
    row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min(
        {row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size()
         && s.substr(s.size() - suffix.size()) == suffix;
}

/// Keys that look like an inline secret (api_token, client_secret, password,
/// token, ...). The *_env / *_file indirections are fine.
bool is_secret_key(std::string key) {
  std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) {
    return std::tolower(c);
  });
  if (ends_with(key, "_env") || ends_with(key, "_file"))
    return false;
  for (std::string_view s : {"token", "secret", "password", "passwd", "apikey",
                             "api_key", "private_key"})
    if (ends_with(key, s))
      return true;
  return false;
}

bool valid_env_name(std::string_view name) {
  // Long names are refused (and not echoed): a token pasted into *_env by
  // mistake must not end up in an error message.
  constexpr size_t max_len = 64;
  if (name.empty() || name.size() > max_len)
    return false;
  if (name[0] >= '0' && name[0] <= '9')
    return false;
  return std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '_';
  });
}

bool valid_project_key(std::string_view k) {
  if (k.empty() || k[0] < 'A' || k[0] > 'Z')
    return false;
  return std::all_of(k.begin(), k.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

/// What a URL-valued key accepts.
enum class url_rule {
  /// site, auth_url, api_gateway: https, or http to a loopback host when
  /// allow_insecure_http is set; no query or fragment; normalized, no
  /// trailing slash.
  base,
  /// redirect_uri: https, or http to a loopback host (a local callback);
  /// kept verbatim since it must match the registered URI exactly.
  callback,
};

struct url_check {
  std::optional<std::string> normalized;
  std::string reason;
};

url_check check_url(std::string_view text, url_rule rule,
                    bool allow_insecure_http) {
  namespace urls = boost::urls;
  // Messages never echo the URL: it might carry user info (credentials).
  auto parsed = urls::parse_absolute_uri(text);
  if (!parsed)
    return {
      std::nullopt,
      "not an absolute URL (expected e.g. \"https://acme.atlassian.net\")"};
  urls::url u{*parsed};
  u.normalize_scheme();
  if (u.scheme_id() != urls::scheme::https
      && u.scheme_id() != urls::scheme::http)
    return {std::nullopt, "scheme \"" + std::string{u.scheme()}
                            + "\" is not supported; use https"};
  if (!u.has_authority() || u.encoded_host().empty())
    return {std::nullopt, "URL has no host"};
  if (u.has_userinfo())
    return {std::nullopt, "URL must not contain user info"};
  if (u.has_fragment())
    return {std::nullopt, "URL must not have a fragment"};
  if (rule == url_rule::base && u.has_query())
    return {std::nullopt, "URL must not have a query"};
  if (u.has_port()) {
    auto p = u.port();
    bool ok = !p.empty() && p.size() <= 5
              && std::all_of(p.begin(), p.end(),
                             [](char c) {
                               return c >= '0' && c <= '9';
                             })
              && std::stoul(std::string{p}) <= 65535;
    if (!ok)
      return {std::nullopt, "URL has an invalid port"};
  }
  if (u.scheme_id() == urls::scheme::http) {
    bool loopback = false;
    switch (u.host_type()) {
      case urls::host_type::ipv4:
        loopback = (u.host_ipv4_address().to_uint() >> 24) == 127;
        break;
      case urls::host_type::ipv6:
        loopback = u.host_ipv6_address().is_loopback();
        break;
      case urls::host_type::name: {
        std::string host = u.host();
        std::transform(host.begin(), host.end(), host.begin(),
                       [](unsigned char c) {
                         return std::tolower(c);
                       });
        loopback = host == "localhost";
        break;
      }
      default:
        break;
    }
    if (rule == url_rule::base && !allow_insecure_http)
      return {std::nullopt, "plain http is not allowed; use https (or set "
                            "jira.allow_insecure_http = true for a loopback "
                            "host)"};
    if (!loopback)
      return {std::nullopt, std::string{loopback_hint}};
  }
  if (rule == url_rule::callback)
    return {std::string{text}, {}};
  u.normalize();
  std::string path{u.encoded_path()};
  while (!path.empty() && path.back() == '/')
    path.pop_back();
  u.set_encoded_path(path);
  return {std::string{u.buffer()}, {}};
}

/// Splits "host:port" / "[v6]:port".
struct host_port {
  std::string host;
  std::uint16_t port = 0;
};

/// 127.0.0.0/8, ::1 or "localhost" (any case): reachable from this host
/// only.
bool is_loopback_host(const std::string& host) {
  if (auto v4 = boost::urls::parse_ipv4_address(host))
    return (v4->to_uint() >> 24) == 127;
  if (auto v6 = boost::urls::parse_ipv6_address(host))
    return v6->is_loopback();
  std::string lower = host;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) {
                   return std::tolower(c);
                 });
  return lower == "localhost";
}

std::optional<host_port> parse_listen(std::string_view s) {
  std::string_view host;
  std::string_view port;
  if (!s.empty() && s[0] == '[') {
    auto close = s.find("]:");
    if (close == std::string_view::npos)
      return std::nullopt;
    host = s.substr(1, close - 1);
    port = s.substr(close + 2);
    auto v6 = boost::urls::parse_ipv6_address(host);
    if (!v6)
      return std::nullopt;
  } else {
    auto colon = s.rfind(':');
    if (colon == std::string_view::npos)
      return std::nullopt;
    host = s.substr(0, colon);
    port = s.substr(colon + 1);
    bool ok = std::all_of(host.begin(), host.end(), [](unsigned char c) {
      return std::isalnum(c) || c == '.' || c == '-' || c == '_';
    });
    if (!ok)
      return std::nullopt;
  }
  if (host.empty() || port.empty() || port.size() > 5)
    return std::nullopt;
  if (!std::all_of(port.begin(), port.end(), [](char c) {
        return c >= '0' && c <= '9';
      }))
    return std::nullopt;
  auto n = std::stoul(std::string{port});
  if (n > 65535)
    return std::nullopt;
  return host_port{std::string{host}, static_cast<std::uint16_t>(n)};
}

/// Reads a whole file; nullopt + reason on failure.
std::optional<std::string> read_file(const fs::path& p, std::string& reason) {
  std::error_code ec;
  if (fs::is_directory(p, ec)) {
    reason = "is a directory";
    return std::nullopt;
  }
  std::ifstream in{p, std::ios::binary};
  if (!in) {
    reason = std::strerror(errno);
    return std::nullopt;
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) {
    reason = "read error";
    return std::nullopt;
  }
  return std::move(buf).str();
}

/// One table (or the root) being read: its name, line and which keys we
/// accept; every accessor reports problems itself and returns nullopt.
class loader;

class table_reader {
public:
  table_reader(loader& ld, const toml::table* tbl, std::string name,
               line_t line, std::vector<std::string_view> known)
      : ld_(ld), tbl_(tbl), name_(std::move(name)), line_(line),
        known_(std::move(known)) {
    // nop
  }

  void reject_unknown();

  const toml::node* node(std::string_view key) const {
    return tbl_ ? tbl_->get(key) : nullptr;
  }

  line_t line_of_key(std::string_view key) const {
    if (auto* n = node(key))
      return line_of(n->source());
    return line_;
  }

  line_t table_line() const {
    return line_;
  }

  std::string path(std::string_view key) const {
    return name_.empty() ? std::string{key} : name_ + "." + std::string{key};
  }

  std::optional<std::string> get_string(std::string_view key);
  std::optional<bool> get_bool(std::string_view key);
  std::optional<std::int64_t> get_int(std::string_view key);

  template<class Enum, size_t N>
  std::optional<Enum> get_enum(std::string_view key,
                               const std::array<Enum, N>& values);

  std::optional<std::vector<std::string>>
  get_string_array(std::string_view key);

  /// The bound, or nullopt when unset ("") or invalid (reported).
  std::optional<date_bound> get_date(std::string_view key);

  void wrong_type(std::string_view key, const toml::node& n,
                  std::string_view expected);

private:
  loader& ld_;
  const toml::table* tbl_;
  std::string name_;
  line_t line_;
  std::vector<std::string_view> known_;
};

class loader {
public:
  loader(std::string source_name, const env_lookup& env)
      : source_name_(std::move(source_name)), env_(env) {
    std::error_code ec;
    auto cwd = fs::current_path(ec);
    fs::path parent = fs::path{source_name_}.parent_path();
    base_dir_ = parent.is_absolute() ? parent : (cwd / parent);
    base_dir_ = base_dir_.lexically_normal();
    cwd_ = cwd;
  }

  void error(line_t line, std::string_view key, std::string_view reason) {
    std::string msg = source_name_ + ":" + std::to_string(line) + ": ";
    msg += key;
    msg += ": ";
    msg += reason;
    errors_.push_back({line, std::move(msg)});
  }

  void warning(line_t line, std::string_view key, std::string_view reason) {
    warnings_.push_back(source_name_ + ":" + std::to_string(line) + ": "
                        + std::string{key} + ": " + std::string{reason});
  }

  load_result run(std::string_view text);

private:
  void read_jira(table_reader& t, jira_config& out);
  void read_filters(table_reader& t, filters_config& out);
  void read_indexing(table_reader& t, indexing_config& out);
  void read_sync(table_reader& t, sync_config& out);
  void read_storage(table_reader& t, storage_config& out);
  void read_service(table_reader& t, service_config& out);

  /// Checks the *_env / *_file pair; resolves it when `required`.
  void resolve_secret(table_reader& t, std::string_view env_key,
                      std::string_view file_key, const std::string& env_name,
                      fs::path& file, bool required, std::string_view mode,
                      secret& out);

  fs::path resolve_relative(const fs::path& p) const {
    return (p.is_absolute() ? p : base_dir_ / p).lexically_normal();
  }

  std::string source_name_;
  const env_lookup& env_;
  fs::path base_dir_;
  fs::path cwd_;
  std::vector<std::pair<line_t, std::string>> errors_;
  std::vector<std::string> warnings_;
};

void table_reader::reject_unknown() {
  if (!tbl_)
    return;
  for (auto&& [k, v] : *tbl_) {
    std::string_view key = k.str();
    if (std::find(known_.begin(), known_.end(), key) != known_.end())
      continue;
    auto line = line_of(k.source());
    if (is_secret_key(std::string{key})) {
      bool oauth = key.find("client") != std::string_view::npos;
      ld_.error(line, path(key),
                oauth ? "secrets must not be written in the config file; use "
                        "client_secret_env or client_secret_file"
                      : "secrets must not be written in the config file; use "
                        "api_token_env or api_token_file");
      continue;
    }
    if (name_.empty() && v.is_table()) {
      ld_.error(line, path(key), "unknown table");
      continue;
    }
    std::string reason = "unknown key";
    std::string_view best;
    size_t best_dist = 3; // suggest only close matches
    for (auto cand : known_) {
      auto d = edit_distance(key, cand);
      if (d < best_dist) {
        best_dist = d;
        best = cand;
      }
    }
    if (!best.empty())
      reason += " (did you mean \"" + std::string{best} + "\"?)";
    ld_.error(line, path(key), reason);
  }
}

void table_reader::wrong_type(std::string_view key, const toml::node& n,
                              std::string_view expected) {
  ld_.error(line_of(n.source()), path(key),
            "expected " + std::string{expected} + ", got "
              + std::string{type_name(n.type())});
}

std::optional<std::string> table_reader::get_string(std::string_view key) {
  auto* n = node(key);
  if (!n)
    return std::nullopt;
  if (auto* s = n->as_string())
    return s->get();
  wrong_type(key, *n, "a string");
  return std::nullopt;
}

std::optional<bool> table_reader::get_bool(std::string_view key) {
  auto* n = node(key);
  if (!n)
    return std::nullopt;
  if (auto* b = n->as_boolean())
    return b->get();
  wrong_type(key, *n, "a boolean");
  return std::nullopt;
}

std::optional<std::int64_t> table_reader::get_int(std::string_view key) {
  auto* n = node(key);
  if (!n)
    return std::nullopt;
  if (auto* i = n->as_integer())
    return i->get();
  wrong_type(key, *n, "an integer");
  return std::nullopt;
}

template<class Enum, size_t N>
std::optional<Enum> table_reader::get_enum(std::string_view key,
                                           const std::array<Enum, N>& values) {
  auto text = get_string(key);
  if (!text)
    return std::nullopt;
  for (auto v : values)
    if (to_string(v) == *text)
      return v;
  std::string reason = "invalid value " + dq(*text) + "; allowed: ";
  for (size_t i = 0; i < N; ++i) {
    if (i > 0)
      reason += ", ";
    reason += dq(to_string(values[i]));
  }
  ld_.error(line_of_key(key), path(key), reason);
  return std::nullopt;
}

std::optional<std::vector<std::string>>
table_reader::get_string_array(std::string_view key) {
  auto* n = node(key);
  if (!n)
    return std::nullopt;
  auto* arr = n->as_array();
  if (!arr) {
    wrong_type(key, *n, "an array of strings");
    return std::nullopt;
  }
  std::vector<std::string> out;
  bool ok = true;
  for (size_t i = 0; i < arr->size(); ++i) {
    const auto& elem = *arr->get(i);
    auto elem_key = std::string{key} + "[" + std::to_string(i) + "]";
    if (auto* s = elem.as_string()) {
      out.push_back(s->get());
    } else {
      wrong_type(elem_key, elem, "a string");
      ok = false;
    }
  }
  if (!ok)
    return std::nullopt;
  return out;
}

std::optional<date_bound> table_reader::get_date(std::string_view key) {
  auto* n = node(key);
  if (!n)
    return std::nullopt;
  auto line = line_of(n->source());
  if (auto* s = n->as_string()) {
    if (s->get().empty())
      return std::nullopt;
    if (auto b = parse_date_bound(s->get()))
      return b;
    ld_.error(line, path(key),
              "invalid date " + dq(s->get())
                + "; expected \"YYYY-MM-DD\" or RFC 3339 such as "
                  "\"2024-01-02T10:11:12Z\" or \"2024-01-02T10:11:12+02:00\"");
    return std::nullopt;
  }
  // Native TOML dates are accepted too: a local date, or an offset date-time.
  if (auto* d = n->as_date()) {
    std::ostringstream os;
    os << d->get();
    if (auto b = parse_date_bound(os.str()))
      return b;
  } else if (auto* dt = n->as_date_time()) {
    if (!dt->get().offset) {
      ld_.error(line, path(key),
                "a date-time needs an offset (\"Z\" or \"+hh:mm\")");
      return std::nullopt;
    }
    std::ostringstream os;
    os << dt->get();
    if (auto b = parse_date_bound(os.str()))
      return b;
  }
  wrong_type(key, *n, "a date string");
  return std::nullopt;
}

void loader::resolve_secret(table_reader& t, std::string_view env_key,
                            std::string_view file_key,
                            const std::string& env_name, fs::path& file,
                            bool required, std::string_view mode, secret& out) {
  if (!env_name.empty() && !file.empty()) {
    error(t.line_of_key(file_key), t.path(file_key),
          "set only one of " + t.path(env_key) + " and " + t.path(file_key));
    return;
  }
  if (!env_name.empty() && !valid_env_name(env_name)) {
    // The value is not shown: it may be a secret pasted in by mistake.
    error(t.line_of_key(env_key), t.path(env_key),
          "not a valid environment variable name (letters, digits and _, "
          "at most 64 characters; the value is not shown)");
    return;
  }
  if (!file.empty())
    file = resolve_relative(file);
  if (!required)
    return;
  if (env_name.empty() && file.empty()) {
    error(t.table_line(), t.path(env_key),
          "required when jira.auth = " + dq(mode) + ": set " + t.path(env_key)
            + " or " + t.path(file_key));
    return;
  }
  if (!env_name.empty()) {
    auto value = env_(env_name);
    if (!value)
      error(t.line_of_key(env_key), t.path(env_key),
            "environment variable " + env_name + " is not set");
    else if (value->empty())
      error(t.line_of_key(env_key), t.path(env_key),
            "environment variable " + env_name + " is empty");
    else
      out = secret{std::move(*value)};
    return;
  }
  std::string reason;
  auto content = read_file(file, reason);
  if (!content) {
    error(t.line_of_key(file_key), t.path(file_key),
          "cannot read secret file " + file.string() + ": " + reason);
    return;
  }
  // Another local user must not be able to read the token (the store's
  // own files are 0600 for the same reason).
  std::error_code perm_ec;
  auto file_mode
    = static_cast<unsigned>(fs::status(file, perm_ec).permissions());
  if (!perm_ec && common::shared_with_others(file_mode))
    warning(
      t.line_of_key(file_key), t.path(file_key),
      "secret file " + file.string() + " may be read by group or others (mode "
        + common::mode_text(file_mode) + "); run: chmod 600 " + file.string());
  // Editors add a trailing newline; tokens never end in whitespace.
  while (!content->empty()
         && std::isspace(static_cast<unsigned char>(content->back())))
    content->pop_back();
  if (content->empty()) {
    error(t.line_of_key(file_key), t.path(file_key),
          "secret file " + file.string() + " is empty");
    return;
  }
  out = secret{std::move(*content)};
}

void loader::read_jira(table_reader& t, jira_config& out) {
  t.reject_unknown();
  auto site = t.get_string("site");
  if (auto v = t.get_enum(
        "auth", std::array{auth_method::api_token, auth_method::oauth}))
    out.auth = *v;
  if (auto v = t.get_string("email"))
    out.email = *v;
  if (auto v = t.get_string("api_token_env"))
    out.api_token_env = *v;
  if (auto v = t.get_string("api_token_file"))
    out.api_token_file = *v;
  if (auto v = t.get_string("client_id"))
    out.client_id = *v;
  if (auto v = t.get_string("client_secret_env"))
    out.client_secret_env = *v;
  if (auto v = t.get_string("client_secret_file"))
    out.client_secret_file = *v;
  auto redirect = t.get_string("redirect_uri");
  auto auth_url = t.get_string("auth_url");
  auto gateway = t.get_string("api_gateway");
  if (auto v = t.get_string("ca_file"))
    out.ca_file = *v;
  if (auto v = t.get_bool("allow_insecure_http"))
    out.allow_insecure_http = *v;

  auto check = [&](std::string_view key, const std::string& value,
                   url_rule rule, std::string& dst) {
    auto r = check_url(value, rule, out.allow_insecure_http);
    if (r.normalized)
      dst = std::move(*r.normalized);
    else
      error(t.line_of_key(key), t.path(key), r.reason);
  };
  if (!site) {
    if (!t.node("site")) // else: wrong type, already reported
      error(t.table_line(), "jira.site", "required key is missing");
  } else if (site->empty()) {
    error(t.line_of_key("site"), "jira.site", "must not be empty");
  } else {
    check("site", *site, url_rule::base, out.site);
  }
  if (auth_url)
    check("auth_url", *auth_url, url_rule::base, out.auth_url);
  if (gateway)
    check("api_gateway", *gateway, url_rule::base, out.api_gateway);

  bool token_mode = out.auth == auth_method::api_token;
  bool oauth_mode = out.auth == auth_method::oauth;
  auto mode = to_string(out.auth);
  auto required = [&](std::string_view key, const std::string& value) {
    if (value.empty() && (!t.node(key) || t.node(key)->is_string()))
      error(t.node(key) ? t.line_of_key(key) : t.table_line(), t.path(key),
            "required when jira.auth = " + dq(mode));
  };
  if (token_mode) {
    required("email", out.email);
    if (!out.email.empty() && out.email.find('@') == std::string::npos)
      error(t.line_of_key("email"), "jira.email", "not an e-mail address");
  }
  resolve_secret(t, "api_token_env", "api_token_file", out.api_token_env,
                 out.api_token_file, token_mode, mode, out.api_token);
  if (oauth_mode) {
    required("client_id", out.client_id);
    std::string redirect_value = redirect.value_or("");
    required("redirect_uri", redirect_value);
  }
  if (redirect && !redirect->empty())
    check("redirect_uri", *redirect, url_rule::callback, out.redirect_uri);
  resolve_secret(t, "client_secret_env", "client_secret_file",
                 out.client_secret_env, out.client_secret_file, oauth_mode,
                 mode, out.client_secret);

  if (!out.ca_file.empty()) {
    out.ca_file = resolve_relative(out.ca_file);
    std::error_code ec;
    auto line = t.line_of_key("ca_file");
    if (!fs::exists(out.ca_file, ec))
      error(line, "jira.ca_file",
            "file " + out.ca_file.string() + " does not exist");
    else if (!fs::is_regular_file(out.ca_file, ec))
      error(line, "jira.ca_file",
            out.ca_file.string() + " is not a regular file");
    else if (std::ifstream probe{out.ca_file}; !probe)
      error(line, "jira.ca_file",
            "cannot read file " + out.ca_file.string() + ": "
              + std::strerror(errno));
  }
}

void loader::read_filters(table_reader& t, filters_config& out) {
  t.reject_unknown();
  if (auto keys = t.get_string_array("project_keys")) {
    auto* arr = t.node("project_keys")->as_array();
    for (size_t i = 0; i < keys->size(); ++i) {
      const auto& k = (*keys)[i];
      auto key_path = "filters.project_keys[" + std::to_string(i) + "]";
      auto line = line_of(arr->get(i)->source());
      if (!valid_project_key(k)) {
        error(line, key_path,
              "invalid project key " + dq(k)
                + " (an upper-case letter, then upper-case letters, digits "
                  "or _)");
      } else if (std::find(out.project_keys.begin(), out.project_keys.end(), k)
                 != out.project_keys.end()) {
        error(line, key_path, "duplicate project key " + dq(k));
      } else {
        out.project_keys.push_back(k);
      }
    }
  }
  if (auto v
      = t.get_enum("project_keys_op", std::array{keys_op::in, keys_op::not_in}))
    out.project_keys_op = *v;
  out.modified_after = t.get_date("modified_after");
  out.modified_before = t.get_date("modified_before");
  out.created_after = t.get_date("created_after");
  out.created_before = t.get_date("created_before");
  auto ordered =
    [&](std::string_view after_key, const std::optional<date_bound>& after,
        std::string_view before_key, const std::optional<date_bound>& before) {
      if (after && before && after->utc_ms > before->utc_ms)
        error(t.line_of_key(after_key), t.path(after_key),
              "must not be later than " + t.path(before_key));
    };
  ordered("modified_after", out.modified_after, "modified_before",
          out.modified_before);
  ordered("created_after", out.created_after, "created_before",
          out.created_before);
}

void loader::read_indexing(table_reader& t, indexing_config& out) {
  t.reject_unknown();
  if (auto v = t.get_bool("issues"))
    out.issues = *v;
  if (auto v = t.get_bool("comments"))
    out.comments = *v;
  if (auto v = t.get_bool("attachments"))
    out.attachments = *v;
  if (auto v = t.get_int("attachment_max_bytes")) {
    if (*v < 0)
      error(t.line_of_key("attachment_max_bytes"),
            "indexing.attachment_max_bytes", "must be >= 0");
    else
      out.attachment_max_bytes = *v;
  }
  if (auto v = t.get_int("attachment_text_max_bytes")) {
    if (*v < 0)
      error(t.line_of_key("attachment_text_max_bytes"),
            "indexing.attachment_text_max_bytes", "must be >= 0");
    else
      out.attachment_text_max_bytes = *v;
  }
  if (auto v = t.get_int("attachment_text_workers")) {
    if (*v < 1 || *v > 64)
      error(t.line_of_key("attachment_text_workers"),
            "indexing.attachment_text_workers", "must be between 1 and 64");
    else
      out.attachment_text_workers = *v;
  }
}

void loader::read_sync(table_reader& t, sync_config& out) {
  t.reject_unknown();
  if (auto v = t.get_enum("strategy", std::array{sync_strategy::scheduled,
                                                 sync_strategy::manual}))
    out.strategy = *v;
  if (auto v = t.get_int("interval_minutes")) {
    // The cap keeps interval arithmetic in milliseconds far from overflow.
    constexpr std::int64_t max_minutes = 525600; // one year
    if (*v < 1)
      error(t.line_of_key("interval_minutes"), "sync.interval_minutes",
            "must be >= 1");
    else if (*v > max_minutes)
      error(t.line_of_key("interval_minutes"), "sync.interval_minutes",
            "must be <= 525600 (one year)");
    else
      out.interval_minutes = *v;
  }
  if (auto v = t.get_int("max_unexplained_wait_secs")) {
    // A wait nobody explains must stay short: an hour at most.
    constexpr std::int64_t max_secs = 3600;
    if (*v < 1)
      error(t.line_of_key("max_unexplained_wait_secs"),
            "sync.max_unexplained_wait_secs", "must be >= 1");
    else if (*v > max_secs)
      error(t.line_of_key("max_unexplained_wait_secs"),
            "sync.max_unexplained_wait_secs", "must be <= 3600 (one hour)");
    else
      out.max_unexplained_wait_secs = *v;
  }
  if (auto v = t.get_int("overlap_minutes")) {
    // More than a day of overlap would make every incremental run re-read a
    // day of changes: a typo, not a setting.
    constexpr std::int64_t max_minutes = 1440;
    if (*v < 0)
      error(t.line_of_key("overlap_minutes"), "sync.overlap_minutes",
            "must be >= 0");
    else if (*v > max_minutes)
      error(t.line_of_key("overlap_minutes"), "sync.overlap_minutes",
            "must be <= 1440 (one day)");
    else
      out.overlap_minutes = *v;
  }
  if (auto v = t.get_int("reconcile_range_ids")) {
    // Below 50 a project would be listed in thousands of tiny ranges (a
    // request each); above a million it never splits anything.
    constexpr std::int64_t min_ids = 50;
    constexpr std::int64_t max_ids = 1'000'000;
    if (*v < min_ids)
      error(t.line_of_key("reconcile_range_ids"), "sync.reconcile_range_ids",
            "must be >= 50");
    else if (*v > max_ids)
      error(t.line_of_key("reconcile_range_ids"), "sync.reconcile_range_ids",
            "must be <= 1000000");
    else
      out.reconcile_range_ids = *v;
  }
  if (auto v = t.get_int("download_bytes_in_flight")) {
    // Below 1 MiB every download would wait for the one before; above
    // 64 GiB it bounds nothing a machine running this has.
    constexpr std::int64_t min_bytes = std::int64_t{1} << 20;
    constexpr std::int64_t max_bytes = std::int64_t{64} << 30;
    if (*v < min_bytes)
      error(t.line_of_key("download_bytes_in_flight"),
            "sync.download_bytes_in_flight", "must be >= 1048576 (1 MiB)");
    else if (*v > max_bytes)
      error(t.line_of_key("download_bytes_in_flight"),
            "sync.download_bytes_in_flight", "must be <= 68719476736 (64 GiB)");
    else
      out.download_bytes_in_flight = *v;
  }
}

void loader::read_storage(table_reader& t, storage_config& out) {
  t.reject_unknown();
  if (auto v = t.get_string("path")) {
    if (v->empty())
      error(t.line_of_key("path"), "storage.path", "must not be empty");
    else
      out.path = *v;
  }
  // Relative to the working directory (like a command-line path), unlike
  // ca_file and the secret files which belong with the config file.
  if (out.path.is_relative())
    out.path = cwd_ / out.path;
  out.path = out.path.lexically_normal();
}

void loader::read_service(table_reader& t, service_config& out) {
  t.reject_unknown();
  if (auto v = t.get_string("listen")) {
    if (auto hp = parse_listen(*v)) {
      out.listen = *v;
      out.listen_host = hp->host;
      out.listen_port = hp->port;
    } else {
      error(t.line_of_key("listen"), "service.listen",
            "expected host:port such as \"127.0.0.1:8080\" or \"[::1]:8080\"");
    }
  }
  out.listen_loopback = is_loopback_host(out.listen_host);
  auto bounded = [&](std::string_view key, std::int64_t lo, std::int64_t hi,
                     std::int64_t& field) {
    if (auto v = t.get_int(key)) {
      if (*v < lo || *v > hi)
        error(t.line_of_key(key), t.path(key),
              "must be in " + std::to_string(lo)
                + " ..= " + std::to_string(hi));
      else
        field = *v;
    }
  };
  bounded("shutdown_timeout_secs", 1, 3600, out.shutdown_timeout_secs);
  bounded("retry_initial_secs", 1, 86400, out.retry_initial_secs);
  bounded("retry_max_secs", 1, 86400, out.retry_max_secs);
  if (out.retry_max_secs < out.retry_initial_secs)
    error(t.line_of_key("retry_max_secs"), "service.retry_max_secs",
          "must be >= service.retry_initial_secs");
  if (auto v = t.get_string("admin_token_env"))
    out.admin_token_env = *v;
  if (auto v = t.get_string("admin_token_file"))
    out.admin_token_file = *v;
  bool given = !out.admin_token_env.empty() || !out.admin_token_file.empty();
  resolve_secret(t, "admin_token_env", "admin_token_file", out.admin_token_env,
                 out.admin_token_file, given, "", out.admin_token);
  if (!given && !out.listen_loopback)
    error(t.line_of_key("listen"), "service.admin_token_env",
          "required when service.listen is not a loopback address (the admin "
          "endpoints then need a bearer token): set service.admin_token_env "
          "or service.admin_token_file");
}

load_result loader::run(std::string_view text) {
  toml::table root;
  try {
    root = toml::parse(text, source_name_);
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    std::string msg = source_name_ + ":" + std::to_string(line_of(e.source()))
                      + ": syntax: " + std::string{e.description()}
                      + " (column " + std::to_string(where.column) + ")";
    return load_result{std::nullopt, {std::move(msg)}, {}};
  }
  config cfg;
  cfg.source_file = source_name_;
  constexpr std::array<std::string_view, 6> tables{
    "jira", "filters", "indexing", "sync", "storage", "service"};
  table_reader top{*this, &root, "", 1, {tables.begin(), tables.end()}};
  top.reject_unknown();
  auto sub = [&](std::string_view name,
                 std::vector<std::string_view> known) -> table_reader {
    const toml::node* n = root.get(name);
    if (n && !n->is_table()) {
      top.wrong_type(name, *n, "a table");
      n = nullptr;
    }
    line_t line = n ? line_of(n->source()) : 1;
    return table_reader{*this, n ? n->as_table() : nullptr, std::string{name},
                        line, std::move(known)};
  };
  auto jira = sub("jira", {"site", "auth", "email", "api_token_env",
                           "api_token_file", "client_id", "client_secret_env",
                           "client_secret_file", "redirect_uri", "auth_url",
                           "api_gateway", "ca_file", "allow_insecure_http"});
  read_jira(jira, cfg.jira);
  auto filters
    = sub("filters", {"project_keys", "project_keys_op", "modified_after",
                      "modified_before", "created_after", "created_before"});
  read_filters(filters, cfg.filters);
  auto indexing = sub(
    "indexing", {"issues", "comments", "attachments", "attachment_max_bytes",
                 "attachment_text_max_bytes", "attachment_text_workers"});
  read_indexing(indexing, cfg.indexing);
  auto sync = sub("sync", {"strategy", "interval_minutes",
                           "max_unexplained_wait_secs", "overlap_minutes",
                           "download_bytes_in_flight", "reconcile_range_ids"});
  read_sync(sync, cfg.sync);
  auto storage = sub("storage", {"path"});
  read_storage(storage, cfg.storage);
  auto service = sub("service", {"listen", "admin_token_env",
                                 "admin_token_file", "shutdown_timeout_secs",
                                 "retry_initial_secs", "retry_max_secs"});
  read_service(service, cfg.service);

  if (errors_.empty())
    return load_result{std::move(cfg), {}, std::move(warnings_)};
  std::stable_sort(errors_.begin(), errors_.end(),
                   [](const auto& a, const auto& b) {
                     return a.first < b.first;
                   });
  load_result result;
  for (auto& [line, msg] : errors_)
    result.errors.push_back(std::move(msg));
  return result;
}

} // namespace

std::string_view to_string(auth_method x) {
  return x == auth_method::api_token ? "api_token" : "oauth";
}

std::string_view to_string(keys_op x) {
  return x == keys_op::in ? "in" : "not_in";
}

std::string_view to_string(sync_strategy x) {
  return x == sync_strategy::scheduled ? "scheduled" : "manual";
}

load_result load_config_from_string(std::string_view text,
                                    const std::string& source_name,
                                    const env_lookup& env) {
  loader ld{source_name, env};
  return ld.run(text);
}

load_result load_config(const fs::path& file, const env_lookup& env) {
  std::string reason;
  auto text = read_file(file, reason);
  if (!text)
    return load_result{std::nullopt,
                       {file.string() + ": cannot read file (" + reason + ")"},
                       {}};
  return load_config_from_string(*text, file.string(), env);
}

} // namespace jirasync::config
