#include "extract/runner.hpp"

#include "common/utf8.hpp"
#include "extract/formats.hpp"
#include "extract/worker.hpp"

#include <new>

#if defined(__SANITIZE_ADDRESS__)
#define JIRASYNC_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define JIRASYNC_ASAN 1
#endif
#endif

namespace jirasync::extract {

namespace {

extraction no_text(text_status s, std::string reason) {
  extraction e;
  e.status = s;
  e.reason = std::move(reason);
  return e;
}

} // namespace

bool sanitized_build() {
#ifdef JIRASYNC_ASAN
  return true;
#else
  return false;
#endif
}

std::string status_line(const extract_outcome& o) {
  std::string reason = o.reason;
  for (auto& c : reason)
    if (c == '\n' || c == '\r')
      c = ' ';
  return std::string{to_string(o.status)} + ": " + reason;
}

std::string cut_reason(std::size_t max_bytes) {
  return "text cut at the " + std::to_string(max_bytes) + "-byte cap";
}

extraction run_extraction(const runner_options& opts,
                          const extract_request& req) {
  extraction_worker w{opts, 1};
  return w.extract(req);
}

std::optional<extraction> extract_without_child(const runner_options& opts,
                                                const extract_request& req) {
  try {
    if (guess_file_format(req).format != doc_format::text)
      return std::nullopt;
    const auto cap = opts.limits.extract.max_text_bytes;
    std::string out;
    text_sink sink{cap, [&out](std::string_view s) {
                     out.append(s);
                   }};
    // What the worker does (extract/worker_serve.cpp), without a process.
    auto o = extract_plain_text(req.file, sink);
    if (!o.extracted())
      return no_text(o.status, o.reason);
    sink.finish();
    extraction e;
    e.status = text_status::extracted;
    std::string text;
    common::append_valid_utf8(text, out); // as the worker's caller does
    e.text = std::move(text);
    if (sink.full()) {
      e.truncated = true;
      e.reason = cut_reason(cap);
    }
    return e;
  } catch (const std::bad_alloc&) {
    return no_text(text_status::too_large,
                   "out of memory while extracting plain text");
  } catch (const std::exception& ex) {
    return no_text(text_status::failed,
                   std::string{"internal error: "} + ex.what());
  }
}

} // namespace jirasync::extract
