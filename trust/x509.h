#pragma once
// Facts about an X.509 certificate (the first of a PEM bundle), for notary's root and
// delegation certificate rules.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace dct::trust {

struct CertificateFacts {
  std::string common_name;
  std::chrono::system_clock::time_point not_before, not_after;
  bool is_ca = false;
  bool sha1_signature = false;
  std::string key_type;  // "ecdsa", "rsa", "ed25519" or the OpenSSL name
  int key_bits = 0;
  std::string spki_der;      // SubjectPublicKeyInfo of the certificate's key
  std::size_t chain_length = 0;  // certificates in the bundle
};

std::optional<CertificateFacts> certificate_facts(std::string_view pem_bundle);

}  // namespace dct::trust
