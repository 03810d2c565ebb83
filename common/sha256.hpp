#pragma once
// SHA-256 (OpenSSL EVP) and lower-case hex: ACL ids, blob names, filter
// fingerprints, attachment checksums.
//
// Thread-safety: free functions are pure; one `sha256_hasher` per thread.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace jirasync::common {

/// Lower-case hex of `n` bytes.
std::string to_hex(const unsigned char* data, std::size_t n);

/// Lower-case hex SHA-256 of `data` (64 characters). Throws
/// std::runtime_error only when OpenSSL itself fails (allocation failure or
/// a broken installation), never on content.
std::string sha256_hex(std::string_view data);

/// True for exactly 64 lower-case hex digits.
bool is_sha256_hex(std::string_view s);

/// Incremental SHA-256 for data that arrives in pieces (streamed bodies).
class sha256_hasher {
public:
  sha256_hasher();
  ~sha256_hasher();
  sha256_hasher(sha256_hasher&&) noexcept;
  sha256_hasher& operator=(sha256_hasher&&) noexcept;
  sha256_hasher(const sha256_hasher&) = delete;
  sha256_hasher& operator=(const sha256_hasher&) = delete;

  void update(std::string_view data);
  void update(const void* data, std::size_t n);
  /// The digest of everything fed so far as 64 hex characters; the hasher
  /// starts over afterwards.
  std::string final_hex();

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace jirasync::common
