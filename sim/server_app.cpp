// Request dispatch of the simulated site: control API, media, OAuth, and
// the REST API with authentication, rate limits, faults and latency.
#include "sim/server_app.hpp"

#include "sim/server_handlers.hpp"
#include "sim/server_http.hpp"
#include "sim/server_internals.hpp"

#include <atomic>
#include <cctype>
#include <cstdio>

namespace jirasim {

namespace {

std::atomic<std::uint64_t> next_serial{1};

bool starts_with(std::string_view s, std::string_view p) {
  return s.substr(0, p.size()) == p;
}

visibility_cache& thread_cache(std::uint64_t serial) {
  thread_local std::uint64_t cached_serial = 0;
  thread_local std::unique_ptr<visibility_cache> cache;
  if (!cache || cached_serial != serial) {
    cache = std::make_unique<visibility_cache>();
    cached_serial = serial;
  }
  return *cache;
}

http_response unauthorized_basic() {
  http_response res;
  res.status = 401;
  res.set("Content-Type", "text/plain;charset=UTF-8");
  res.set("WWW-Authenticate", "Basic realm=\"protected-area\"");
  res.body = "Client must be authenticated to access this resource.";
  return res;
}

http_response unauthorized_gateway() {
  return json_response(
    401, R"({"code":401,"message":"Unauthorized; scope does not match"})");
}

} // namespace

bool api_call::is_admin() const {
  return has_global_permission(ws, caller, "ADMINISTER");
}

jira_app::jira_app(sim_options options)
    : opt_(std::move(options)),
      ws_(std::make_unique<workspace>(generate(opt_.workspace))),
      in_(std::make_unique<internals>(opt_)) {
  index_lag_ms_ = opt_.index_lag_ms;
  in_->serial = next_serial++;
  set_base_url("https://127.0.0.1");
}

jira_app::~jira_app() = default;

void jira_app::set_base_url(const std::string& base_url) {
  base_url_ = base_url;
  std::unique_lock lock{ws_mu_};
  ws_->site.base_url = base_url;
}

void jira_app::read(const std::function<void(const workspace&)>& f) const {
  std::shared_lock lock{ws_mu_};
  f(*ws_);
}

void jira_app::write(const std::function<void(workspace&)>& f) {
  std::unique_lock lock{ws_mu_};
  ws_->now_ms = clock_.now_ms();
  ws_->index_lag_ms = index_lag_ms_.load();
  f(*ws_);
}

sim_stats jira_app::stats() const {
  std::lock_guard lock{in_->stats_mu};
  return in_->stats;
}

void jira_app::reset_stats() {
  {
    std::lock_guard lock{in_->stats_mu};
    in_->stats = sim_stats{};
  }
  std::lock_guard lock{in_->ra_mu};
  in_->retry_after.clear();
}

std::string jira_app::api_user_email() const {
  std::shared_lock lock{ws_mu_};
  return ws_->users[ws_->api_user].email;
}

std::string jira_app::api_user_token() const {
  std::shared_lock lock{ws_mu_};
  return api_token_for(*ws_, ws_->users[ws_->api_user].account_id);
}

std::string jira_app::cloud_id() const {
  std::shared_lock lock{ws_mu_};
  return ws_->site.cloud_id;
}

void jira_app::internals::count(const std::string& endpoint) {
  std::lock_guard lock{stats_mu};
  ++stats.requests_by_endpoint[endpoint];
}

void jira_app::internals::note_retry_after(const std::string& scope,
                                           std::int64_t now_ms,
                                           std::int64_t secs) {
  std::lock_guard lock{ra_mu};
  auto& w = retry_after[scope];
  auto until = now_ms + secs * 1000;
  if (until > w.until_ms) {
    w.until_ms = until;
    w.issued_ms = now_ms;
  }
}

bool jira_app::internals::in_retry_after(const std::string& scope,
                                         std::int64_t now_ms) {
  std::lock_guard lock{ra_mu};
  auto it = retry_after.find(scope);
  if (it == retry_after.end())
    return false;
  return now_ms < it->second.until_ms
         && now_ms > it->second.issued_ms + grace_ms;
}

http_response jira_app::handle(http_request& r) {
  auto now = clock_.now_ms();
  std::string_view path = r.path;
  if (starts_with(path, "/_sim/"))
    return handle_control(*this, r);
  if (starts_with(path, "/_media/")) {
    in_->count("GET /_media");
    std::shared_lock lock{ws_mu_};
    return handle_media(*this, *ws_, r, now);
  }
  if (path == "/authorize" || starts_with(path, "/oauth/") || path == "/me") {
    std::shared_lock lock{ws_mu_};
    return handle_oauth(*this, *ws_, r, now);
  }

  // --- the REST API ------------------------------------------------------
  bool bearer_area = false;
  std::string base = base_url_;
  std::string_view rest = path;
  if (starts_with(path, "/ex/jira/")) {
    bearer_area = true;
    auto tail = path.substr(9);
    auto slash = tail.find('/');
    auto cid = tail.substr(0, slash);
    if (slash == std::string_view::npos || cid != cloud_id())
      return json_response(404, R"({"code":404,"message":"Not Found"})");
    base += "/ex/jira/" + std::string(cid);
    rest = tail.substr(slash);
  }
  if (!starts_with(rest, "/rest/api/3/"))
    return jira_error(404, "null for uri: " + base_url_ + r.target);

  std::shared_lock lock{ws_mu_};
  const workspace& ws = *ws_;
  // Authentication.
  user_ix caller = no_user;
  auto auth = r.header("Authorization");
  if (bearer_area) {
    if (auth && starts_with(*auth, "Bearer ")) {
      auto grant
        = in_->oauth.check_access_token(std::string(auth->substr(7)), now);
      if (grant) {
        auto u = find_user_ix(ws, grant->account_id);
        if (u && ws.users[*u].active)
          caller = *u;
      }
    }
    if (caller == no_user) {
      std::lock_guard sl{in_->stats_mu};
      ++in_->stats.status_401;
      return unauthorized_gateway();
    }
  } else {
    if (auth && starts_with(*auth, "Basic ")) {
      if (auto plain = base64_decode(auth->substr(6), base64_std)) {
        auto colon = plain->find(':');
        if (colon != std::string::npos) {
          auto u
            = authenticate_basic(ws, std::string_view(*plain).substr(0, colon),
                                 std::string_view(*plain).substr(colon + 1));
          if (u && ws.users[*u].active)
            caller = *u;
        }
      }
    }
    if (caller == no_user) {
      std::lock_guard sl{in_->stats_mu};
      ++in_->stats.status_401;
      return unauthorized_basic();
    }
  }

  // Routing.
  constexpr std::string_view api_prefix = "/rest/api/3";
  auto segs = split_nonempty(rest.substr(api_prefix.size()), '/');
  const route* rt = nullptr;
  std::vector<std::string> args;
  for (auto& candidate : api_routes())
    if (candidate.match(r.method, segs, args)) {
      rt = &candidate;
      break;
    }
  if (!rt) {
    in_->count(r.method + " (unknown)");
    return jira_error(404, "null for uri: " + base + std::string(rest));
  }
  in_->count(rt->name);
  {
    std::lock_guard sl{in_->stats_mu};
    ++in_->stats.api_requests;
  }
  if (in_->in_retry_after(rt->name, now) || in_->in_retry_after("", now)) {
    std::lock_guard sl{in_->stats_mu};
    ++in_->stats.arrived_during_retry_after;
  }

  // Rate limits.
  auto kind = bearer_area ? traffic::oauth : traffic::api_token;
  auto admitted = in_->limiter.admit(rt->name, rt->burst, kind, now);
  if (!admitted.allowed) {
    auto res = json_response(429, "");
    for (auto& h : in_->limiter.headers(admitted, kind, now))
      res.headers.push_back(h);
    bool burst = admitted.reason == "jira-burst-based";
    in_->note_retry_after(burst ? rt->name : "", now,
                          admitted.retry_after_secs);
    std::lock_guard sl{in_->stats_mu};
    ++in_->stats.rate_limited_by_reason[admitted.reason];
    return res;
  }

  // Faults decided before the handler runs.
  auto fault = in_->faults.next(r.path);
  auto count_fault = [&] {
    std::lock_guard sl{in_->stats_mu};
    ++in_->stats.faults_by_kind[std::string(to_string(fault))];
  };
  if (fault == fault_kind::status_500) {
    count_fault();
    return jira_error(500, "Internal server error");
  }
  if (fault == fault_kind::status_503_retry_after) {
    count_fault();
    auto res = jira_error(503, "Service Unavailable");
    auto secs = in_->faults.options().retry_after_secs;
    res.set("Retry-After", std::to_string(secs));
    in_->note_retry_after("", now, secs);
    return res;
  }
  if (fault == fault_kind::connection_reset) {
    count_fault();
    http_response res;
    res.fault = transport_fault::connection_reset;
    return res;
  }

  api_call call{ws,
                *this,
                r,
                caller,
                base,
                std::move(args),
                now,
                ws.users[caller].time_zone,
                &thread_cache(in_->serial)};
  if (call.tz.empty())
    call.tz = "UTC";
  auto denied = forbidden(*rt, call);
  api_result out = denied ? std::move(*denied) : rt->fn(call);
  lock.unlock();

  auto points = static_cast<std::int64_t>(1 + out.core + 2 * out.identity);
  in_->limiter.spend(points, kind, now);
  {
    std::lock_guard sl{in_->stats_mu};
    in_->stats.points_spent += static_cast<std::uint64_t>(points);
  }
  auto& res = out.res;
  for (auto& h : in_->limiter.headers(admitted, kind, now))
    res.headers.push_back(h);
  res.set("X-AREQUESTID", std::to_string(now));
  res.delay += in_->latency.delay_for(out.core + out.identity);
  switch (fault) {
    case fault_kind::truncated_body:
      count_fault();
      res.fault = transport_fault::truncated_body;
      break;
    case fault_kind::slow_headers:
      count_fault();
      res.delay += std::chrono::milliseconds(in_->faults.options().slow_ms);
      break;
    case fault_kind::invalid_json:
      count_fault();
      res.status = 200;
      res.body = res.body.substr(0, res.body.size() / 2) + "<html>oops";
      break;
    case fault_kind::deep_json:
      if (res.status == 200
          && std::string_view(r.path).ends_with("/issue/bulkfetch")
          && spoil_deep_json(res.body))
        count_fault();
      break;
    case fault_kind::malformed_comment:
      if (res.status == 200 && std::string_view(r.path).ends_with("/comment")
          && spoil_comment(res.body))
        count_fault();
      break;
    case fault_kind::html_attachment:
      if (starts_with(rest, "/rest/api/3/attachment/content/")) {
        count_fault();
        res.status = 200;
        std::erase_if(res.headers, [](const auto& h) {
          auto n = h.first;
          for (auto& ch : n)
            ch
              = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
          return n == "location" || n == "content-type";
        });
        res.set("Content-Type", "text/html");
        res.body = "<html>oops</html>";
        res.body_file.reset();
      }
      break;
    default:
      break;
  }
  if (opt_.log_level == "debug")
    std::fprintf(stderr, "%s %s -> %d\n", r.method.c_str(), r.path.c_str(),
                 res.status);
  return std::move(res);
}

} // namespace jirasim
