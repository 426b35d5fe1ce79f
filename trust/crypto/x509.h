#pragma once
// Facts about X.509 certificates as notary reads root and delegation keys, and notary's rules
// for root certificates (trustpinning/certs.go, tuf/utils/x509.go ValidateCertificate).
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace dct::trust {

struct CertificateFacts {
  std::string common_name;  // the last CN of the subject, as Go's pkix.Name keeps it
  std::chrono::system_clock::time_point not_before, not_after;
  bool is_ca = false;  // basicConstraints cA
  bool sha1_signature = false;
  std::string key_type;  // "ecdsa", "rsa", "ed25519", another OpenSSL name, or "" (unknown)
  int key_bits = 0;
  std::string spki_der;          // DER SubjectPublicKeyInfo, as Go re-marshals it
  std::size_t chain_length = 0;  // certificates in the bundle
  std::size_t leaf_count = 0;    // non-CA certificates in the bundle
};

// Facts of the first certificate of a PEM bundle, read as notary reads root keys
// (LoadCertBundleFromPEM): every PEM block must be a "CERTIFICATE" that Go would parse.
// nullopt when that fails or the bundle holds no certificate.
std::optional<CertificateFacts> certificate_facts(std::string_view pem_bundle);

// Go's MatchCNToGun: equal, or the CN ends in '*' and the GUN starts with the CN stripped of
// all its trailing '*'.
bool common_name_matches_gun(std::string_view common_name, std::string_view gun);

// ValidateCertificate: validity window not inverted, no SHA-1 signature, RSA >= 2048 bits,
// and with check_expiry: not_before <= now + 1 day and now <= not_after.
// Returns why the certificate is refused, or nullopt.
std::optional<std::string> check_certificate(const CertificateFacts& facts,
                                             std::chrono::system_clock::time_point now,
                                             bool check_expiry);

// Everything notary requires of a root key's certificate bundle: exactly one non-CA
// certificate, first in the bundle; CN matching the GUN; then check_certificate.
// Returns why the key is refused, or nullopt.
std::optional<std::string> check_root_certificate(const CertificateFacts& facts,
                                                  std::string_view gun,
                                                  std::chrono::system_clock::time_point now,
                                                  bool check_expiry);

// notary warns when a valid certificate expires within six months.
bool expires_within_six_months(const CertificateFacts& facts,
                               std::chrono::system_clock::time_point now);

}  // namespace dct::trust
