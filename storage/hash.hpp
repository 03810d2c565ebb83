#pragma once
// SHA-256 helpers (OpenSSL EVP) used for ACL ids and fingerprints.
//
// Thread-safety: pure functions.

#include <string>
#include <string_view>

namespace jirasync::storage {

/// Lower-case hex SHA-256 of `data` (64 characters).
std::string sha256_hex(std::string_view data);

/// True for exactly 64 lower-case hex digits.
bool is_sha256_hex(std::string_view s);

} // namespace jirasync::storage
