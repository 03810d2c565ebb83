#include "sim/limits.hpp"

#include "common/time_format.hpp"

#include <algorithm>
#include <cmath>

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

std::string iso8601_utc(std::int64_t ms, bool minutes) {
  std::int64_t unit = minutes ? 60'000 : 1000;
  auto up = (ms + unit - 1) / unit * unit;
  // "YYYY-MM-DDTHH:MM:SS.mmmZ" cut to the precision wanted.
  auto full = jirasync::common::format_rfc3339_ms(up);
  return full.substr(0, minutes ? 16 : 19) + "Z";
}

namespace {

std::int64_t ceil_secs(std::int64_t ms) {
  return (ms + 999) / 1000;
}

/// Below 20 % of the budget: Jira's NearLimit threshold (docs: "true when
/// < 20% of a budget is left").
bool near_limit(std::int64_t remaining, std::int64_t limit) {
  return remaining * 5 < limit;
}

} // namespace

rate_limiter::rate_limiter(limits_options options) : opt_(std::move(options)) {
  if (opt_.window_secs <= 0)
    opt_.window_secs = 3600;
  if (opt_.burst_scale <= 0)
    opt_.burst_scale = 1.0;
}

bool rate_limiter::quota_applies(traffic t) const {
  return opt_.quota_points > 0 && (t == traffic::oauth || opt_.quota_for_all);
}

void rate_limiter::roll_window(std::int64_t now_ms) {
  auto idx = now_ms / (opt_.window_secs * 1000);
  if (idx != window_index_) {
    window_index_ = idx;
    spent_ = 0;
  }
}

std::int64_t rate_limiter::window_end_ms() const {
  return (window_index_ + 1) * opt_.window_secs * 1000;
}

admission rate_limiter::admit(const std::string& bucket_key, burst_class c,
                              traffic t, std::int64_t now_ms) {
  std::lock_guard lock{mu_};
  admission a;
  double rate = burst_rate(c) * opt_.burst_scale;
  bucket* b = nullptr;
  if (opt_.burst_enabled) {
    auto [it, fresh] = buckets_.try_emplace(bucket_key);
    b = &it->second;
    if (fresh) {
      b->tokens = rate;
      b->last_ms = now_ms;
    }
    if (now_ms > b->last_ms) {
      b->tokens
        = std::min(rate, b->tokens + rate * (now_ms - b->last_ms) / 1000.0);
      b->last_ms = now_ms;
    }
    a.burst_limit = std::max<std::int64_t>(1, std::llround(rate));
  }
  auto bucket_state = [&] {
    if (b)
      a.burst_remaining = std::clamp<std::int64_t>(
        static_cast<std::int64_t>(std::floor(b->tokens)), 0, a.burst_limit);
  };
  if (quota_applies(t)) {
    roll_window(now_ms);
    if (spent_ >= opt_.quota_points) {
      // Everything is denied until the window resets.
      a.allowed = false;
      a.reset_ms = window_end_ms();
      a.retry_after_secs
        = std::max<std::int64_t>(1, ceil_secs(a.reset_ms - now_ms));
      a.reason = opt_.quota_scope == "global" ? "jira-quota-global-based"
                                              : "jira-quota-tenant-based";
      bucket_state();
      return a;
    }
  }
  if (b) {
    if (b->tokens < 1.0) {
      // That bucket only: slow down this endpoint.
      double wait_secs = (1.0 - b->tokens) / rate;
      a.allowed = false;
      a.reset_ms
        = now_ms + static_cast<std::int64_t>(std::ceil(wait_secs * 1000));
      a.retry_after_secs = std::max<std::int64_t>(
        1, static_cast<std::int64_t>(std::ceil(wait_secs)));
      a.reason = "jira-burst-based";
      bucket_state();
      return a;
    }
    b->tokens -= 1.0;
  }
  bucket_state();
  return a;
}

void rate_limiter::spend(std::int64_t points, traffic t, std::int64_t now_ms) {
  if (!quota_applies(t))
    return;
  std::lock_guard lock{mu_};
  roll_window(now_ms);
  spent_ += points;
}

void rate_limiter::quota_headers(header_list& h, std::int64_t now_ms) const {
  auto remaining = std::max<std::int64_t>(0, opt_.quota_points - spent_);
  auto end = window_end_ms();
  auto reset_in = ceil_secs(end - now_ms);
  std::string prefix = opt_.unprefixed_quota_headers ? "" : "Beta-";
  std::string policy
    = opt_.quota_scope == "global" ? "global-app-quota" : "tenant-app-quota";
  bool spent_out = remaining == 0;
  // The capture's inconsistencies once r=0: the policy header is gone, t=
  // says ~46 min where the window has ~35 left (about a fifth of a window
  // too long), and the reset names the window's START, in the past.
  bool quirky = opt_.quirks && spent_out;
  if (!quirky)
    h.emplace_back(prefix + "RateLimit-Policy",
                   "\"" + policy + "\";q=" + std::to_string(opt_.quota_points)
                     + ";w=" + std::to_string(opt_.window_secs));
  auto t = quirky ? reset_in + opt_.window_secs / 5 : reset_in;
  h.emplace_back(prefix + "RateLimit", "\"" + policy
                                         + "\";r=" + std::to_string(remaining)
                                         + ";t=" + std::to_string(t));
  // The capture sends the reason with NearLimit and with r=0, the reset
  // (minute precision) with r=0.
  bool near = near_limit(remaining, opt_.quota_points);
  if (near)
    h.emplace_back("X-Beta-RateLimit-Reason", opt_.quota_scope == "global"
                                                ? "jira-quota-global-based"
                                                : "jira-quota-tenant-based");
  if (near && !spent_out)
    h.emplace_back("X-Beta-RateLimit-NearLimit", "true");
  if (spent_out)
    h.emplace_back(
      "X-Beta-RateLimit-Reset",
      iso8601_utc(quirky ? end - opt_.window_secs * 1000 : end, true));
}

header_list rate_limiter::headers(const admission& a, traffic t,
                                  std::int64_t now_ms) {
  std::lock_guard lock{mu_};
  header_list h;
  if (!a.allowed) {
    h.emplace_back("Retry-After", std::to_string(a.retry_after_secs));
    h.emplace_back("RateLimit-Reason", a.reason);
    h.emplace_back("X-RateLimit-Reset", iso8601_utc(a.reset_ms));
  }
  if (!opt_.send_headers)
    return h;
  if (a.burst_limit > 0) {
    h.emplace_back("X-RateLimit-Limit", std::to_string(a.burst_limit));
    h.emplace_back("X-RateLimit-Remaining", std::to_string(a.burst_remaining));
    if (near_limit(a.burst_remaining, a.burst_limit))
      h.emplace_back("X-RateLimit-NearLimit", "true");
  }
  if (opt_.quota_points > 0
      && (t == traffic::oauth || opt_.quota_headers_for_all)) {
    roll_window(now_ms);
    quota_headers(h, now_ms);
  }
  return h;
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
