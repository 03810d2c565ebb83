#include "protocol/http/tls_certgen.hpp"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <fstream>
#include <memory>
#include <stdexcept>
#include <sys/stat.h>

namespace jirasync::protocol {

namespace {

struct pkey_free {
  void operator()(EVP_PKEY* p) const {
    EVP_PKEY_free(p);
  }
};
struct x509_free {
  void operator()(X509* p) const {
    X509_free(p);
  }
};
struct bio_free {
  void operator()(BIO* p) const {
    BIO_free(p);
  }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, pkey_free>;
using x509_ptr = std::unique_ptr<X509, x509_free>;
using bio_ptr = std::unique_ptr<BIO, bio_free>;

void check(bool ok, const char* what) {
  if (!ok)
    throw std::runtime_error(std::string("certificate generation: ") + what);
}

pkey_ptr make_key() {
  pkey_ptr key{EVP_EC_gen("P-256")};
  check(key != nullptr, "EC key generation");
  return key;
}

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(len));
}

std::string key_pem(EVP_PKEY* key) {
  bio_ptr bio{BIO_new(BIO_s_mem())};
  check(PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr,
                                 nullptr)
          == 1,
        "write key");
  return bio_text(bio.get());
}

std::string cert_pem(X509* cert) {
  bio_ptr bio{BIO_new(BIO_s_mem())};
  check(PEM_write_bio_X509(bio.get(), cert) == 1, "write certificate");
  return bio_text(bio.get());
}

void add_ext(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  check(ext != nullptr, "extension");
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

x509_ptr make_cert(EVP_PKEY* key, const std::string& cn, X509* issuer,
                   int days) {
  x509_ptr cert{X509_new()};
  check(cert != nullptr, "X509_new");
  X509_set_version(cert.get(), 2);
  unsigned char serial[16];
  check(RAND_bytes(serial, sizeof serial) == 1, "serial");
  serial[0] &= 0x7f; // positive
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 60L * 60 * 24 * days);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(cn.c_str()),
                             -1, -1, 0);
  X509_set_issuer_name(cert.get(),
                       issuer ? X509_get_subject_name(issuer) : name);
  X509* signer = issuer ? issuer : cert.get();
  add_ext(cert.get(), signer, NID_subject_key_identifier, "hash");
  add_ext(cert.get(), signer, NID_authority_key_identifier, "keyid:always");
  return cert;
}

} // namespace

generated_tls generate_tls(const std::string& ca_name,
                           const std::vector<std::string>& dns_names,
                           const std::vector<std::string>& ip_addresses,
                           int days) {
  auto ca_key = make_key();
  auto ca = make_cert(ca_key.get(), ca_name, nullptr, days);
  add_ext(ca.get(), ca.get(), NID_basic_constraints, "critical,CA:TRUE");
  add_ext(ca.get(), ca.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
  check(X509_sign(ca.get(), ca_key.get(), EVP_sha256()) > 0, "sign CA");

  auto srv_key = make_key();
  std::string cn = dns_names.empty() ? std::string("localhost") : dns_names[0];
  auto srv = make_cert(srv_key.get(), cn, ca.get(), days);
  std::string san;
  for (const auto& d : dns_names)
    san += (san.empty() ? "" : ",") + std::string("DNS:") + d;
  for (const auto& ip : ip_addresses)
    san += (san.empty() ? "" : ",") + std::string("IP:") + ip;
  add_ext(srv.get(), ca.get(), NID_basic_constraints, "critical,CA:FALSE");
  add_ext(srv.get(), ca.get(), NID_key_usage,
          "critical,digitalSignature,keyEncipherment");
  add_ext(srv.get(), ca.get(), NID_ext_key_usage, "serverAuth");
  if (!san.empty())
    add_ext(srv.get(), ca.get(), NID_subject_alt_name, san);
  check(X509_sign(srv.get(), ca_key.get(), EVP_sha256()) > 0, "sign server");

  return generated_tls{{cert_pem(ca.get()), key_pem(ca_key.get())},
                       {cert_pem(srv.get()), key_pem(srv_key.get())}};
}

void write_pem_file(const std::filesystem::path& path,
                    const std::string& text) {
  auto tmp = path;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out)
      throw std::runtime_error("cannot write " + tmp.string());
    out << text;
    if (!out.flush())
      throw std::runtime_error("cannot write " + tmp.string());
  }
  ::chmod(tmp.c_str(), 0600);
  std::filesystem::rename(tmp, path);
}

} // namespace jirasync::protocol
