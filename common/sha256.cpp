#include "common/sha256.hpp"

#include <openssl/evp.h>

#include <stdexcept>

namespace jirasync::common {

std::string to_hex(const unsigned char* data, std::size_t n) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (std::size_t i = 0; i < n; ++i) {
    out += digits[data[i] >> 4];
    out += digits[data[i] & 0xf];
  }
  return out;
}

std::string sha256_hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  // EVP_Digest fails only on allocation failure or a broken OpenSSL
  // installation: not an expected failure, so an exception is fine here.
  if (EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr)
      != 1)
    throw std::runtime_error("SHA-256 failed (OpenSSL EVP_Digest)");
  return to_hex(md, len);
}

bool is_sha256_hex(std::string_view s) {
  if (s.size() != 64)
    return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
      return false;
  return true;
}

struct sha256_hasher::impl {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  impl() {
    if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) != 1)
      throw std::runtime_error("SHA-256 failed (OpenSSL EVP_DigestInit_ex)");
  }
  ~impl() {
    EVP_MD_CTX_free(ctx);
  }
};

sha256_hasher::sha256_hasher() : impl_(std::make_unique<impl>()) {
  // nop
}

sha256_hasher::~sha256_hasher() = default;
sha256_hasher::sha256_hasher(sha256_hasher&&) noexcept = default;
sha256_hasher& sha256_hasher::operator=(sha256_hasher&&) noexcept = default;

void sha256_hasher::update(std::string_view data) {
  update(data.data(), data.size());
}

void sha256_hasher::update(const void* data, std::size_t n) {
  if (n > 0 && EVP_DigestUpdate(impl_->ctx, data, n) != 1)
    throw std::runtime_error("SHA-256 failed (OpenSSL EVP_DigestUpdate)");
}

std::string sha256_hasher::final_hex() {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(impl_->ctx, md, &len) != 1
      || EVP_DigestInit_ex(impl_->ctx, EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("SHA-256 failed (OpenSSL EVP_DigestFinal_ex)");
  return to_hex(md, len);
}

} // namespace jirasync::common
