#include "storage/hash.hpp"

#include <openssl/evp.h>

#include <stdexcept>

namespace jirasync::storage {

std::string sha256_hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  // EVP_Digest fails only on allocation failure or a broken OpenSSL
  // installation: not an expected failure, so an exception is fine here.
  if (EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr)
      != 1)
    throw std::runtime_error("EVP_Digest(SHA-256) failed");
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (unsigned int i = 0; i < len; ++i) {
    out += hex[md[i] >> 4];
    out += hex[md[i] & 0xF];
  }
  return out;
}

bool is_sha256_hex(std::string_view s) {
  if (s.size() != 64)
    return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
      return false;
  return true;
}

} // namespace jirasync::storage
