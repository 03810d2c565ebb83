#include "sim/limits.hpp"

#include <algorithm>
#include <cmath>
#include <ctime>

namespace jirasim {

double burst_rate(burst_class c) {
  switch (c) {
    case burst_class::get_issue:
      return 150;
    case burst_class::get_attachment_content:
      return 300;
    case burst_class::get_project_role:
      return 200;
    case burst_class::get_default:
    case burst_class::write:
      return 100;
  }
  return 100;
}

std::string iso8601_utc(std::int64_t ms) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

rate_limiter::rate_limiter(limits_options options) : opt_(std::move(options)) {
  if (opt_.window_secs <= 0)
    opt_.window_secs = 3600;
  if (opt_.burst_scale <= 0)
    opt_.burst_scale = 1.0;
}

void rate_limiter::roll_window(std::int64_t now_ms) {
  auto idx = now_ms / (opt_.window_secs * 1000);
  if (idx != window_index_) {
    window_index_ = idx;
    spent_ = 0;
  }
}

header_list rate_limiter::headers_locked(std::int64_t now_ms) const {
  header_list h;
  if (!opt_.send_headers || opt_.quota_points <= 0)
    return h;
  auto remaining = std::max<std::int64_t>(0, opt_.quota_points - spent_);
  auto window_ms = opt_.window_secs * 1000;
  auto reset_in_secs = ((window_index_ + 1) * window_ms - now_ms + 999) / 1000;
  h.emplace_back("X-RateLimit-Limit", std::to_string(opt_.quota_points));
  h.emplace_back("X-RateLimit-Remaining", std::to_string(remaining));
  // Jira sends NearLimit when less than 20% of the quota is left.
  if (remaining * 5 < opt_.quota_points)
    h.emplace_back("X-RateLimit-NearLimit", "true");
  std::string policy
    = opt_.quota_scope == "global" ? "global-app-quota" : "tenant-app-quota";
  h.emplace_back("Beta-RateLimit-Policy",
                 "\"" + policy + "\";q=" + std::to_string(opt_.quota_points)
                   + ";w=" + std::to_string(opt_.window_secs));
  h.emplace_back("Beta-RateLimit", "\"" + policy
                                     + "\";r=" + std::to_string(remaining)
                                     + ";t=" + std::to_string(reset_in_secs));
  return h;
}

limit_decision rate_limiter::admit(const std::string& bucket_key, burst_class c,
                                   std::int64_t now_ms) {
  std::lock_guard lock{mu_};
  limit_decision d;
  if (opt_.quota_points > 0) {
    roll_window(now_ms);
    if (spent_ >= opt_.quota_points) {
      auto window_ms = opt_.window_secs * 1000;
      auto reset_ms = (window_index_ + 1) * window_ms;
      d.allowed = false;
      d.retry_after_secs
        = std::max<std::int64_t>(1, (reset_ms - now_ms + 999) / 1000);
      d.reason = opt_.quota_scope == "global" ? "jira-quota-global-based"
                                              : "jira-quota-tenant-based";
      d.headers = headers_locked(now_ms);
      d.headers.emplace_back("X-RateLimit-Reset", iso8601_utc(reset_ms));
      d.headers.emplace_back("Beta-Retry-After",
                             std::to_string(d.retry_after_secs));
      return d;
    }
  }
  if (opt_.burst_enabled) {
    double rate = burst_rate(c) * opt_.burst_scale;
    auto [it, fresh] = buckets_.try_emplace(bucket_key);
    auto& b = it->second;
    if (fresh) {
      b.tokens = rate;
      b.last_ms = now_ms;
    }
    if (now_ms > b.last_ms) {
      b.tokens
        = std::min(rate, b.tokens + rate * (now_ms - b.last_ms) / 1000.0);
      b.last_ms = now_ms;
    }
    if (b.tokens < 1.0) {
      double wait_secs = (1.0 - b.tokens) / rate;
      d.allowed = false;
      d.retry_after_secs = std::max<std::int64_t>(
        1, static_cast<std::int64_t>(std::ceil(wait_secs)));
      d.reason = "jira-burst-based";
      d.headers = headers_locked(now_ms);
      d.headers.emplace_back(
        "X-RateLimit-Reset",
        iso8601_utc(now_ms + static_cast<std::int64_t>(wait_secs * 1000)));
      return d;
    }
    b.tokens -= 1.0;
  }
  d.headers = headers_locked(now_ms);
  return d;
}

void rate_limiter::spend(std::int64_t points, std::int64_t now_ms) {
  if (opt_.quota_points <= 0)
    return;
  std::lock_guard lock{mu_};
  roll_window(now_ms);
  spent_ += points;
}

header_list rate_limiter::quota_headers(std::int64_t now_ms) {
  std::lock_guard lock{mu_};
  if (opt_.quota_points > 0)
    roll_window(now_ms);
  return headers_locked(now_ms);
}

std::int64_t rate_limiter::spent(std::int64_t now_ms) {
  std::lock_guard lock{mu_};
  roll_window(now_ms);
  return spent_;
}

void rate_limiter::reset() {
  std::lock_guard lock{mu_};
  buckets_.clear();
  spent_ = 0;
}

} // namespace jirasim
