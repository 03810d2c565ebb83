#include "protocol/http/http_body.hpp"

#include "common/sha256.hpp"

#include <zlib.h>

#include <cctype>
#include <cstdio>
#include <system_error>

namespace jirasync::protocol::detail {

namespace {

constexpr std::size_t inflate_chunk_bytes = 64 * 1024;

std::string lower_trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
    s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
    s.remove_suffix(1);
  std::string out;
  for (char c : s)
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

http_error err(http_errc code, std::string msg) {
  return http_error{code, std::move(msg)};
}

} // namespace

struct body_sink::state {
  enum class coding { identity, gzip, deflate } kind = coding::identity;
  z_stream zs{};
  bool z_init = false;
  bool z_done = false;
  // "deflate" is meant to be zlib-wrapped, but some servers send it raw:
  // when the zlib header check fails on the first bytes we restart raw.
  bool raw_retry_possible = false;
  std::string pending_first; // raw bytes kept for that restart
  common::sha256_hasher md;
  std::FILE* fp = nullptr;
  std::string out_buf;

  ~state() {
    if (z_init)
      inflateEnd(&zs);
    if (fp)
      std::fclose(fp);
  }
};

body_sink::body_sink(std::string_view content_encoding,
                     std::optional<std::filesystem::path> file,
                     std::uint64_t limit)
    : st_(std::make_unique<state>()), file_(std::move(file)), limit_(limit) {
  auto enc = lower_trim(content_encoding);
  if (enc.empty() || enc == "identity") {
    st_->kind = state::coding::identity;
  } else if (enc == "gzip" || enc == "x-gzip") {
    st_->kind = state::coding::gzip;
  } else if (enc == "deflate") {
    st_->kind = state::coding::deflate;
    st_->raw_retry_possible = true;
  } else {
    init_error_ = err(http_errc::protocol,
                      "body: unsupported Content-Encoding '" + enc + "'");
    return;
  }
  if (st_->kind != state::coding::identity) {
    // 15 + 16: gzip wrapper only; 15: zlib wrapper.
    int bits = st_->kind == state::coding::gzip ? 15 + 16 : 15;
    if (inflateInit2(&st_->zs, bits) != Z_OK) {
      init_error_ = err(http_errc::io, "body: zlib initialisation failed");
      return;
    }
    st_->z_init = true;
  }
  if (file_) {
    st_->fp = std::fopen(file_->c_str(), "wb");
    if (!st_->fp) {
      std::error_code ec{errno, std::generic_category()};
      init_error_ = err(http_errc::io,
                        "body file " + file_->string() + ": " + ec.message());
      file_.reset(); // nothing of ours to remove
    }
  }
}

body_sink::~body_sink() {
  if (!finished_)
    abort();
}

std::optional<http_error> body_sink::emit(const char* data, std::size_t size) {
  if (size == 0)
    return std::nullopt;
  decoded_ += size;
  if (decoded_ > limit_)
    return err(http_errc::body_too_large, "body: larger than max_body_bytes ("
                                            + std::to_string(limit_) + ")");
  st_->md.update(data, size);
  if (st_->fp) {
    if (std::fwrite(data, 1, size, st_->fp) != size) {
      std::error_code ec{errno, std::generic_category()};
      return err(http_errc::io,
                 "body file " + file_->string() + ": " + ec.message());
    }
  } else {
    memory_.append(data, size);
  }
  return std::nullopt;
}

std::optional<http_error> body_sink::consume(const void* data,
                                             std::size_t size) {
  if (init_error_)
    return init_error_;
  auto* bytes = static_cast<const char*>(data);
  if (st_->kind == state::coding::identity)
    return emit(bytes, size);
  if (st_->z_done) {
    // Trailing garbage after the compressed stream: ignore whitespace-free
    // padding would be lenient; we are strict instead.
    if (size > 0)
      return err(http_errc::protocol, "body: data after the end of the "
                                      "compressed stream");
    return std::nullopt;
  }
  if (st_->raw_retry_possible)
    st_->pending_first.append(bytes, size);
  auto& zs = st_->zs;
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes));
  zs.avail_in = static_cast<uInt>(size);
  st_->out_buf.resize(inflate_chunk_bytes);
  while (zs.avail_in > 0) {
    zs.next_out = reinterpret_cast<Bytef*>(st_->out_buf.data());
    zs.avail_out = static_cast<uInt>(st_->out_buf.size());
    int rc = inflate(&zs, Z_NO_FLUSH);
    if (rc == Z_DATA_ERROR && st_->raw_retry_possible) {
      // Restart as raw deflate with everything seen so far.
      st_->raw_retry_possible = false;
      inflateEnd(&zs);
      st_->z_init = false;
      zs = z_stream{};
      if (inflateInit2(&zs, -15) != Z_OK)
        return err(http_errc::io, "body: zlib initialisation failed");
      st_->z_init = true;
      std::string again = std::move(st_->pending_first);
      st_->pending_first.clear();
      return consume(again.data(), again.size());
    }
    if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR)
      return err(http_errc::protocol,
                 std::string("body: cannot decode compressed body: ")
                   + (zs.msg ? zs.msg : "zlib error"));
    std::size_t produced = st_->out_buf.size() - zs.avail_out;
    if (produced > 0) {
      // Once output appeared the wrapper guess was right.
      st_->raw_retry_possible = false;
      st_->pending_first.clear();
    }
    if (auto e = emit(st_->out_buf.data(), produced))
      return e;
    if (rc == Z_STREAM_END) {
      st_->z_done = true;
      if (zs.avail_in > 0)
        return err(http_errc::protocol, "body: data after the end of the "
                                        "compressed stream");
      break;
    }
    if (rc == Z_BUF_ERROR && produced == 0)
      break; // needs more input
  }
  return std::nullopt;
}

std::optional<http_error> body_sink::finish(http_response& out) {
  if (init_error_)
    return init_error_;
  if (st_->kind != state::coding::identity && !st_->z_done
      && (decoded_ > 0 || st_->zs.total_in > 0))
    return err(http_errc::protocol, "body: compressed stream truncated");
  if (st_->fp) {
    bool ok = std::fflush(st_->fp) == 0;
    ok = std::fclose(st_->fp) == 0 && ok;
    st_->fp = nullptr;
    if (!ok) {
      std::error_code ec{errno, std::generic_category()};
      return err(http_errc::io,
                 "body file " + file_->string() + ": " + ec.message());
    }
  }
  finished_ = true;
  out.sha256_hex = st_->md.final_hex();
  out.body_bytes = decoded_;
  out.body = std::move(memory_);
  return std::nullopt;
}

void body_sink::abort() {
  finished_ = true;
  memory_.clear();
  if (st_ && st_->fp) {
    std::fclose(st_->fp);
    st_->fp = nullptr;
  }
  if (file_) {
    std::error_code ec;
    std::filesystem::remove(*file_, ec);
    file_.reset();
  }
}

} // namespace jirasync::protocol::detail
