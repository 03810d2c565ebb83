#include "service/service.hpp"

#include "common/child_process.hpp"
#include "common/log.hpp"
#include "common/time_format.hpp"
#include "protocol/http/http_server.hpp"
#include "service/admin_api.hpp"
#include "service/metrics.hpp"
#include "service/scheduler.hpp"
#include "service/service_state.hpp"
#include "service/signals.hpp"
#include "service/systemd_notify.hpp"
#include "storage/export.hpp"

#include <boost/json/serialize.hpp>
#include <spdlog/spdlog.h>

#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdlib>
#include <deque>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

namespace jirasync::service {

namespace {

using namespace std::chrono_literals;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

/// The longest long-poll: below the server's response_timeout (120 s).
constexpr std::chrono::seconds max_feed_wait{60};
/// How often the loop wakes without a reason (long-polls see new entries
/// at least this fast even between progress reports).
constexpr auto idle_wake = 500ms;
/// How often the store's size on disk is measured.
constexpr std::int64_t store_size_every_ms = 60'000;
/// Bytes of feed lines handed to the socket at once (backpressure unit).
constexpr std::size_t feed_chunk_bytes = 64 * 1024;
/// A feed chunk that is not written within this long ends the stream.
constexpr auto feed_write_limit = 60s;

schedule_options schedule_of(const config::config& cfg) {
  schedule_options o;
  o.scheduled = cfg.sync.strategy == config::sync_strategy::scheduled;
  o.interval = std::chrono::minutes(cfg.sync.interval_minutes);
  o.retry_initial = std::chrono::seconds(cfg.service.retry_initial_secs);
  o.retry_max = std::chrono::seconds(cfg.service.retry_max_secs);
  return o;
}

storage::export_filters export_filters_of(const config::config& cfg) {
  storage::export_filters f;
  f.issues = cfg.indexing.issues;
  f.comments = cfg.indexing.comments;
  f.attachments = cfg.indexing.attachments;
  f.attachment_max_bytes = cfg.indexing.attachment_max_bytes;
  return f;
}

run_outcome outcome_of(const actors::sync_report& r) {
  if (r.error && r.error->code == common::errc::cancelled)
    return run_outcome::cancelled;
  if (r.error && r.error->code == common::errc::unauthenticated)
    return run_outcome::reauth_required;
  switch (r.result()) {
    case sync::run_result::ok:
      return run_outcome::ok;
    case sync::run_result::partial:
      return run_outcome::partial;
    case sync::run_result::failed:
      return run_outcome::failed;
  }
  return run_outcome::failed;
}

std::uint64_t directory_bytes(const std::filesystem::path& dir) {
  std::uint64_t total = 0;
  std::error_code ec;
  for (std::filesystem::recursive_directory_iterator
         it{dir, std::filesystem::directory_options::skip_permission_denied,
            ec},
       end;
       !ec && it != end; it.increment(ec)) {
    std::error_code fec;
    if (it->is_regular_file(fec))
      total += it->file_size(fec);
  }
  return total;
}

protocol::server_response json_response(int status,
                                        const boost::json::object& body) {
  protocol::server_response r;
  r.status = status;
  r.headers.push_back({"Content-Type", "application/json"});
  r.headers.push_back({"Cache-Control", "no-store"});
  r.body = boost::json::serialize(body) + "\n";
  return r;
}

protocol::server_response error_response(int status, std::string message) {
  return json_response(status, {{"error", std::move(message)}});
}

struct feed_job {
  feed_query query;
  protocol::responder out;
  /// A long-poll waits until this time (UTC ms); 0 = answer now.
  std::int64_t deadline_ms = 0;
};

class service_runner {
public:
  service_runner(config::config cfg, service_options opts)
      : cfg_(std::move(cfg)), opts_(std::move(opts)) {
    // nop
  }

  int run();

private:
  // --- the loop (main thread) ---
  void loop();
  void start_run(run_ticket t);
  void join_finished_run();
  void refresh_state(std::int64_t now);
  void release_feed_waiters(std::int64_t now);
  void reload();
  int shut_down();
  /// A copy of the state under the lock, with the store's last seq.
  service_state state_snapshot();

  // --- the worker thread ---
  void run_one(run_ticket t, std::string id, config::config cfg,
               std::stop_token stop);
  void on_progress(const std::string& id, const actors::progress_snapshot& p);

  // --- server threads ---
  void handle(protocol::server_request req, protocol::responder out);
  void handle_feed(const protocol::server_request& req,
                   protocol::responder out);

  // --- the feed thread ---
  void feed_loop();
  void stream_feed(feed_job job);

  // --- the signal thread ---
  void on_signal(int sig);

  config::config cfg_;
  service_options opts_;
  std::shared_ptr<storage::store> db_;
  systemd_notifier notifier_;
  std::unique_ptr<protocol::http_server> server_;

  std::mutex mtx_;
  std::condition_variable cv_;
  service_state state_;
  std::optional<scheduler> sched_;
  std::stop_source run_stop_;
  std::thread worker_;
  bool worker_busy_ = false;
  bool worker_done_ = false;
  bool shutdown_ = false;
  int stop_signals_ = 0;
  bool reload_ = false;
  /// A filter change: the next run is full.
  bool next_full_ = false;
  std::vector<feed_job> waiters_;
  std::string last_status_line_;

  std::mutex feed_mtx_;
  std::condition_variable feed_cv_;
  std::deque<feed_job> feed_jobs_;
  bool feed_stop_ = false;
  std::thread feed_thread_;
};

int service_runner::run() {
  block_signals();
  auto log = spdlog::default_logger();
  auto opened = storage::store::open(cfg_.storage.path);
  if (!opened) {
    log->error("cannot open the store at {}: {}", cfg_.storage.path.string(),
               opened.error().message);
    return 1;
  }
  db_ = std::shared_ptr<storage::store>{std::move(opened.value())};
  protocol::http_server_options so;
  so.host = cfg_.service.listen_host;
  so.port = cfg_.service.listen_port;
  so.threads = 2;
  auto server = protocol::http_server::start(
    so, [this](protocol::server_request req, protocol::responder out) {
      handle(std::move(req), std::move(out));
    });
  if (!server) {
    log->error("cannot listen on {}: {}", cfg_.service.listen,
               server.error().message);
    return 1;
  }
  server_ = std::move(server.value());
  auto now = now_ms();
  {
    std::lock_guard lk{mtx_};
    sched_.emplace(schedule_of(cfg_), now);
    state_.strategy = std::string{to_string(cfg_.sync.strategy)};
    state_.interval_minutes = cfg_.sync.interval_minutes;
    state_.store_path = cfg_.storage.path.string();
    state_.started_ms = now;
    state_.store_bytes = directory_bytes(cfg_.storage.path);
    state_.state = "idle";
  }
  feed_thread_ = std::thread([this] {
    feed_loop();
  });
  signal_watcher signals{[this](int sig) {
    on_signal(sig);
  }};
  log->info("jirasync serve: store {}, strategy {}{}, admin endpoint "
            "http://{}",
            cfg_.storage.path.string(), to_string(cfg_.sync.strategy),
            cfg_.sync.strategy == config::sync_strategy::scheduled
              ? " every " + std::to_string(cfg_.sync.interval_minutes) + " min"
              : std::string{},
            server_->local_address());
  notifier_.ready();
  loop();
  return shut_down();
}

void service_runner::loop() {
  std::int64_t next_size_ms = now_ms() + store_size_every_ms;
  std::int64_t next_watchdog_ms = 0;
  std::unique_lock lk{mtx_};
  for (;;) {
    if (shutdown_)
      return;
    if (reload_) {
      reload_ = false;
      lk.unlock();
      reload();
      lk.lock();
      continue;
    }
    if (worker_done_) {
      lk.unlock();
      join_finished_run();
      lk.lock();
      continue;
    }
    auto now = now_ms();
    if (!worker_busy_)
      if (auto t = sched_->take_due(now)) {
        t->full = t->full || next_full_;
        next_full_ = false;
        start_run(*t);
      }
    release_feed_waiters(now);
    refresh_state(now);
    // sd_notify may block (a full notification socket): never under the
    // lock, which the server and the actors' progress reports need.
    auto line = status_line(state_);
    bool status_changed = line != last_status_line_;
    if (status_changed)
      last_status_line_ = line;
    auto every = notifier_.watchdog_interval();
    bool ping = every && now >= next_watchdog_ms;
    if (ping)
      next_watchdog_ms = now + every->count();
    if (status_changed || ping) {
      lk.unlock();
      if (status_changed)
        notifier_.status(line);
      if (ping)
        notifier_.watchdog();
      lk.lock();
    }
    if (now >= next_size_ms) {
      lk.unlock();
      auto bytes = directory_bytes(cfg_.storage.path);
      lk.lock();
      state_.store_bytes = bytes;
      next_size_ms = now + store_size_every_ms;
    }
    auto wake = now + std::chrono::milliseconds(idle_wake).count();
    if (auto due = sched_->next_due_ms())
      wake = std::min(wake, std::max(*due, now));
    if (notifier_.watchdog_interval())
      wake = std::min(wake, next_watchdog_ms);
    cv_.wait_until(lk, std::chrono::system_clock::time_point{
                         std::chrono::milliseconds(wake)});
  }
}

void service_runner::refresh_state(std::int64_t) {
  state_.next_run_ms = sched_->next_due_ms();
  state_.next_run_is_retry = sched_->retry_pending();
  state_.queued = sched_->queued();
  state_.consecutive_failures = sched_->consecutive_failures();
}

void service_runner::start_run(run_ticket t) {
  auto id = common::make_run_id();
  run_stop_ = std::stop_source{};
  current_run cr;
  cr.id = id;
  cr.reason = t.reason;
  cr.full = t.full;
  cr.started_ms = now_ms();
  state_.run = cr;
  state_.state = "running";
  worker_busy_ = true;
  worker_
    = std::thread([this, t, id, cfg = cfg_, stop = run_stop_.get_token()] {
        run_one(t, id, cfg, stop);
      });
}

void service_runner::run_one(run_ticket t, std::string id, config::config cfg,
                             std::stop_token stop) {
  auto log = common::run_logger(id);
  log->info("run started ({}{})", to_string(t.reason), t.full ? ", full" : "");
  auto o = opts_.run;
  o.full = t.full;
  o.stop = stop;
  o.log = log;
  o.progress = [this, id](const actors::progress_snapshot& p) {
    on_progress(id, p);
  };
  std::int64_t started = now_ms();
  actors::sync_report report;
  try {
    report = actors::run_sync(cfg, db_, o);
  } catch (const std::exception& e) {
    // run_sync reports failures as values; this is a bug, not a reason to
    // end the service.
    report.error = common::make_error(common::errc::internal,
                                      std::string{"run failed: "} + e.what());
  }
  finished_run fr;
  fr.id = id;
  fr.reason = t.reason;
  fr.full = t.full;
  fr.outcome = outcome_of(report);
  fr.started_ms = started;
  fr.finished_ms = now_ms();
  fr.report = std::move(report);
  std::lock_guard lk{mtx_};
  if (state_.run && state_.run->id == fr.id) {
    // The final figures are asked of the governor and the api client at
    // the end of a run; when that failed (an actor down), the last live
    // ones stand in, so the /metrics counters never go backwards.
    const auto& live = state_.run->progress;
    auto& rep = fr.report;
    if (rep.governor.stats.granted < live.governor.granted)
      rep.governor.stats = live.governor;
    if (rep.api.requests < live.requests)
      rep.api.requests = live.requests;
  }
  sched_->finished(fr.outcome, fr.finished_ms);
  state_.totals.add(fr);
  if (fr.outcome == run_outcome::ok || fr.outcome == run_outcome::partial)
    state_.last_success_ms = fr.finished_ms;
  if (fr.outcome == run_outcome::reauth_required)
    log->error("the credentials were refused ({}): no run until a person "
               "acts; after `jirasync auth login` or a new API token, "
               "send SIGHUP or POST /sync",
               fr.report.error ? fr.report.error->message : "");
  if (fr.outcome == run_outcome::failed) {
    auto next = sched_->next_due_ms();
    log->warn("the run failed; retry {} (failure {} in a row)",
              next ? "at " + common::format_rfc3339_ms(*next)
                   : std::string{"on request"},
              sched_->consecutive_failures());
  }
  state_.last_run = std::move(fr);
  state_.run.reset();
  state_.state = shutdown_ ? "stopping" : "idle";
  worker_done_ = true;
  cv_.notify_all();
}

void service_runner::on_progress(const std::string& id,
                                 const actors::progress_snapshot& p) {
  std::lock_guard lk{mtx_};
  if (state_.run && state_.run->id == id)
    state_.run->progress = p;
  cv_.notify_all();
}

void service_runner::join_finished_run() {
  if (worker_.joinable())
    worker_.join();
  std::lock_guard lk{mtx_};
  worker_done_ = false;
  worker_busy_ = false;
}

void service_runner::release_feed_waiters(std::int64_t now) {
  if (waiters_.empty())
    return;
  auto last = db_->last_seq();
  std::vector<feed_job> ready;
  std::erase_if(waiters_, [&](feed_job& w) {
    if (!w.out.open())
      return true; // the client went away
    if ((last && *last > w.query.since) || now >= w.deadline_ms) {
      ready.push_back(std::move(w));
      return true;
    }
    return false;
  });
  if (ready.empty())
    return;
  std::lock_guard lk{feed_mtx_};
  for (auto& j : ready)
    feed_jobs_.push_back(std::move(j));
  feed_cv_.notify_one();
}

service_state service_runner::state_snapshot() {
  service_state copy;
  {
    std::lock_guard lk{mtx_};
    copy = state_;
  }
  if (auto seq = db_->last_seq())
    copy.last_seq = *seq;
  return copy;
}

void service_runner::reload() {
  auto log = spdlog::default_logger();
  log->info("SIGHUP: reloading {}", opts_.config_path.string());
  auto r = config::load_config(opts_.config_path);
  if (!r) {
    for (const auto& e : r.errors)
      log->error("config: {}", e);
    log->error("the new configuration is invalid: keeping the running one");
    return;
  }
  for (const auto& w : r.warnings)
    log->warn("config: {}", w);
  auto next = std::move(*r.cfg);
  std::lock_guard lk{mtx_};
  if (next.storage.path != cfg_.storage.path) {
    log->warn("storage.path changed: takes effect after a restart");
    next.storage = cfg_.storage;
  }
  if (next.service.listen != cfg_.service.listen) {
    log->warn("service.listen changed: takes effect after a restart");
    next.service.listen = cfg_.service.listen;
    next.service.listen_host = cfg_.service.listen_host;
    next.service.listen_port = cfg_.service.listen_port;
    next.service.listen_loopback = cfg_.service.listen_loopback;
  }
  if (next.service.listen_loopback == false && next.service.admin_token.empty())
    next.service.admin_token = cfg_.service.admin_token;
  if (config::filters_hash(next.filters)
      != config::filters_hash(cfg_.filters)) {
    next_full_ = true;
    log->info("the sync filters changed: the next run is full");
  }
  cfg_ = std::move(next);
  sched_->set_options(schedule_of(cfg_), now_ms());
  state_.strategy = std::string{to_string(cfg_.sync.strategy)};
  state_.interval_minutes = cfg_.sync.interval_minutes;
  log->info("configuration reloaded (strategy {}, interval {} min)",
            state_.strategy, state_.interval_minutes);
  cv_.notify_all();
}

int service_runner::shut_down() {
  auto log = spdlog::default_logger();
  notifier_.stopping(); // not under the lock (sd_notify may block)
  auto limit = std::chrono::seconds(cfg_.service.shutdown_timeout_secs);
  std::unique_lock lk{mtx_};
  state_.state = "stopping";
  if (state_.run)
    state_.run->stopping = true;
  run_stop_.request_stop();
  bool busy = worker_busy_;
  if (busy)
    log->info("stopping: waiting up to {} s for the run to write what is in "
              "flight",
              limit.count());
  bool done = cv_.wait_for(lk, limit, [this] {
    return !worker_busy_ || worker_done_;
  });
  if (!done) {
    log->error("the run did not stop within service.shutdown_timeout_secs "
               "({} s): exiting anyway (every committed batch is in the "
               "store; the next run resumes)",
               limit.count());
    spdlog::default_logger()->flush();
    std::_Exit(1);
  }
  lk.unlock();
  if (worker_.joinable())
    worker_.join();
  // Pending long-polls get their (empty or new) answer now.
  lk.lock();
  for (auto& w : waiters_)
    w.deadline_ms = 0;
  release_feed_waiters(now_ms());
  lk.unlock();
  {
    std::lock_guard flk{feed_mtx_};
    feed_stop_ = true;
    feed_cv_.notify_all();
  }
  if (feed_thread_.joinable())
    feed_thread_.join();
  server_->stop(2s);
  server_.reset();
  db_.reset();
  log->info("stopped");
  return 0;
}

void service_runner::on_signal(int sig) {
  auto log = spdlog::default_logger();
  std::lock_guard lk{mtx_};
  if (sig == SIGHUP) {
    reload_ = true;
    cv_.notify_all();
    return;
  }
  if (++stop_signals_ >= 2) {
    log->warn("{} again: exiting now (the store keeps every committed batch)",
              common::signal_name(sig));
    log->flush();
    std::_Exit(130);
  }
  log->info("{}: stopping (a second signal exits at once)",
            common::signal_name(sig));
  shutdown_ = true;
  run_stop_.request_stop();
  cv_.notify_all();
}

void service_runner::handle(protocol::server_request req,
                            protocol::responder out) {
  spdlog::debug("{} {} from {}", req.method, req.path, req.peer);
  const auto& path = req.path;
  bool get = req.method == "GET" || req.method == "HEAD";
  bool post = req.method == "POST";
  auto wrong_method = [&](const char* allow) {
    auto r = error_response(405, "method not allowed");
    r.headers.push_back({"Allow", allow});
    out.send(std::move(r));
  };
  if (path == "/healthz") {
    if (!get)
      return wrong_method("GET");
    out.send(json_response(200, {{"status", "ok"}}));
    return;
  }
  if (path == "/readyz") {
    if (!get)
      return wrong_method("GET");
    readiness r;
    {
      std::lock_guard lk{mtx_};
      r = ready_of(state_);
    }
    out.send(r.ready
               ? json_response(200, {{"ready", true}})
               : json_response(503, {{"ready", false}, {"reason", r.reason}}));
    return;
  }
  std::string token;
  {
    std::lock_guard lk{mtx_};
    token = cfg_.service.admin_token.reveal();
  }
  if (!token.empty() && !bearer_matches(req.header("Authorization"), token)) {
    auto r = error_response(401, "a bearer token is required "
                                 "(Authorization: Bearer TOKEN)");
    r.headers.push_back({"WWW-Authenticate", "Bearer"});
    out.send(std::move(r));
    return;
  }
  if (path == "/status") {
    if (!get)
      return wrong_method("GET");
    auto copy = state_snapshot();
    out.send(json_response(200, status_json(copy)));
    return;
  }
  if (path == "/metrics") {
    if (!get)
      return wrong_method("GET");
    auto copy = state_snapshot();
    protocol::server_response r;
    r.headers.push_back({"Content-Type", "text/plain; version=0.0.4"});
    r.body = metrics_text(copy);
    out.send(std::move(r));
    return;
  }
  if (path == "/sync") {
    if (!post)
      return wrong_method("POST");
    auto full = parse_full_flag(req.query);
    if (!full)
      return (void)out.send(error_response(400, full.error().message));
    std::lock_guard lk{mtx_};
    if (shutdown_)
      return (void)out.send(error_response(503, "the service is stopping"));
    auto r = sched_->trigger(*full);
    spdlog::info("POST /sync{}: {}", *full ? " (full)" : "",
                 r == trigger_result::due_now  ? "starting a run"
                 : r == trigger_result::queued ? "queued after the run in "
                                                 "progress"
                                               : "a run is queued already");
    cv_.notify_all();
    out.send(json_response(
      202, {{"accepted", true},
            {"full", *full},
            {"started", r == trigger_result::due_now},
            {"queued", r != trigger_result::due_now},
            {"already_queued", r == trigger_result::already_queued}}));
    return;
  }
  if (path == "/sync/cancel") {
    if (!post)
      return wrong_method("POST");
    std::lock_guard lk{mtx_};
    bool running = sched_->cancel();
    if (running) {
      run_stop_.request_stop();
      if (state_.run)
        state_.run->stopping = true;
    }
    spdlog::info("POST /sync/cancel: {}",
                 running ? "stopping the run in progress" : "no run to stop");
    cv_.notify_all();
    out.send(json_response(202, {{"cancelled", running}}));
    return;
  }
  if (path == "/feed") {
    if (!get)
      return wrong_method("GET");
    return handle_feed(req, std::move(out));
  }
  out.send(error_response(404, "no such endpoint (see docs/service.md)"));
}

void service_runner::handle_feed(const protocol::server_request& req,
                                 protocol::responder out) {
  auto q = parse_feed_query(req.query, max_feed_wait);
  if (!q) {
    out.send(error_response(400, q.error().message));
    return;
  }
  auto last = db_->last_seq();
  if (!last) {
    out.send(
      error_response(500, "cannot read the feed: " + last.error().message));
    return;
  }
  feed_job job{*q, out, 0};
  if (*last <= q->since && q->wait.count() > 0) {
    job.deadline_ms = now_ms() + std::chrono::milliseconds(q->wait).count();
    std::lock_guard lk{mtx_};
    if (!shutdown_) {
      waiters_.push_back(std::move(job));
      cv_.notify_all();
      return;
    }
  }
  std::lock_guard lk{feed_mtx_};
  feed_jobs_.push_back(std::move(job));
  feed_cv_.notify_one();
}

void service_runner::feed_loop() {
  std::unique_lock lk{feed_mtx_};
  for (;;) {
    feed_cv_.wait(lk, [this] {
      return feed_stop_ || !feed_jobs_.empty();
    });
    if (feed_jobs_.empty() && feed_stop_)
      return;
    auto job = std::move(feed_jobs_.front());
    feed_jobs_.pop_front();
    lk.unlock();
    stream_feed(std::move(job));
    lk.lock();
  }
}

void service_runner::stream_feed(feed_job job) {
  storage::export_filters filters;
  {
    std::lock_guard lk{mtx_};
    filters = export_filters_of(cfg_);
  }
  auto& out = job.out;
  if (!out.start_stream(200, {{"Content-Type", "application/x-ndjson"},
                              {"Cache-Control", "no-store"}}))
    return;
  std::string buffer;
  bool broken = false;
  auto flush = [&] {
    if (buffer.empty() || broken)
      return !broken;
    auto done = std::make_shared<std::promise<bool>>();
    auto written = done->get_future();
    if (!out.write(std::move(buffer), [done](bool ok) {
          done->set_value(ok);
        })) {
      broken = true;
      return false;
    }
    buffer.clear();
    if (written.wait_for(feed_write_limit) != std::future_status::ready
        || !written.get())
      broken = true;
    return !broken;
  };
  std::uint64_t lines = 0;
  auto r = storage::export_feed(
    *db_, job.query.since, filters, [&](std::string_view line) {
      buffer.append(line);
      buffer.push_back('\n');
      ++lines;
      if (buffer.size() >= feed_chunk_bytes && !flush())
        return false;
      return job.query.limit == 0 || lines < job.query.limit;
    });
  if (!r) {
    spdlog::error("GET /feed?since={}: {}", job.query.since, r.error().message);
    return; // the stream stays unfinished: the client sees it cut
  }
  if (flush())
    out.finish();
}

} // namespace

int run_service(config::config cfg, service_options options) {
  service_runner runner{std::move(cfg), std::move(options)};
  return runner.run();
}

} // namespace jirasync::service
