#pragma once
// Internal to the HTTP client: where a response body goes while it arrives.
// Decodes gzip/deflate incrementally (zlib), counts and limits the decoded
// size, hashes it (SHA-256, OpenSSL EVP) and appends it to memory or to a
// file. Beast-free, so it is cheap to compile and test on its own.
//
// Thread-safety: one sink belongs to one exchange at a time.

#include "protocol/http/http_client.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace jirasync::protocol::detail {

class body_sink {
public:
  /// `content_encoding` is the response's Content-Encoding ("" = identity).
  /// With `file` set, the body goes there; otherwise into memory. `limit`
  /// caps the decoded size (max_body_bytes).
  body_sink(std::string_view content_encoding,
            std::optional<std::filesystem::path> file, std::uint64_t limit);
  ~body_sink();
  body_sink(const body_sink&) = delete;
  body_sink& operator=(const body_sink&) = delete;

  /// The error of construction (unsupported encoding, file not writable).
  const std::optional<http_error>& init_error() const {
    return init_error_;
  }

  /// Feeds raw (still encoded) body bytes.
  std::optional<http_error> consume(const void* data, std::size_t size);

  /// The body ended: checks that the compressed stream ended too, flushes the
  /// file and fills body / body_bytes / sha256_hex of `out`.
  std::optional<http_error> finish(http_response& out);

  /// Failure: drops the memory body and removes the partial file.
  void abort();

  std::uint64_t decoded_bytes() const {
    return decoded_;
  }

private:
  std::optional<http_error> emit(const char* data, std::size_t size);

  struct state;
  std::unique_ptr<state> st_;
  std::optional<std::filesystem::path> file_;
  std::uint64_t limit_;
  std::uint64_t decoded_ = 0;
  std::string memory_;
  std::optional<http_error> init_error_;
  bool finished_ = false;
};

} // namespace jirasync::protocol::detail
