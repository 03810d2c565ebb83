#pragma once
// Test/simulator certificates made with the OpenSSL 3 API: a throw-away CA
// and a server certificate it signs. Used by jira-sim and by the tests; the
// connector itself never generates certificates.

#include <filesystem>
#include <string>
#include <vector>

namespace jirasync::protocol {

struct pem_pair {
  std::string cert_pem;
  std::string key_pem;
};

struct generated_tls {
  pem_pair ca;     // self-signed, CA:TRUE
  pem_pair server; // signed by ca, with the requested subjectAltNames
};

/// Makes an EC P-256 CA named `ca_name` and a server certificate signed by
/// it whose subjectAltName holds `dns_names` and `ip_addresses`. Both valid
/// from one hour ago for `days` days. Throws std::runtime_error on failure.
generated_tls generate_tls(const std::string& ca_name,
                           const std::vector<std::string>& dns_names,
                           const std::vector<std::string>& ip_addresses,
                           int days = 30);

/// Writes `text` to `path` (mode 0600), replacing it atomically.
void write_pem_file(const std::filesystem::path& path, const std::string& text);

} // namespace jirasync::protocol
