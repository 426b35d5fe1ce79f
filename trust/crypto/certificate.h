#pragma once
// Self-signed certificates as notary makes them for root keys (cryptoservice
// GenerateCertificate, utils.NewCertificate): subject and issuer CN only (PrintableString when
// possible, else UTF8String, as Go chooses), random 128-bit serial, KeyUsage digitalSignature +
// keyEncipherment (critical), ExtKeyUsage codeSigning, BasicConstraints CA:FALSE (critical),
// signed with SHA-256 (RSA PKCS#1 v1.5, ECDSA; SHA-384/512 for P-384/P-521 keys).
#include <chrono>
#include <string>
#include <string_view>

#include "trust/crypto/keys.h"
#include "trust/crypto/private_key.h"

namespace dct::trust {

// PEM of a self-signed certificate for an ECDSA or RSA key. Throws dct::Error(invalid_argument)
// for other keys.
std::string create_certificate(const PrivateKey& key, std::string_view common_name,
                               std::chrono::system_clock::time_point not_before,
                               std::chrono::system_clock::time_point not_after);

// The TUF key ("ecdsa-x509" / "rsa-x509") wrapping a certificate of `key`.
PublicKey certificate_key(const PrivateKey& key, std::string certificate_pem);

// What `notary init` puts in root.json for a root key: a certificate for the GUN valid from
// `now` for 10 x 365 days.
PublicKey root_certificate_key(const PrivateKey& key, std::string_view gun,
                               std::chrono::system_clock::time_point now);

}  // namespace dct::trust
