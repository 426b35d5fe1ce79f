#pragma once
// DER public keys and certificates, accepted only where Go's crypto/x509 (which notary's
// verifiers call) accepts them: no trailing data; RSA keys with NULL algorithm parameters;
// ECDSA keys on a named P-224/P-256/P-384/P-521 curve with an uncompressed point; Ed25519 keys
// without parameters; certificates whose inner and outer signature algorithms agree.
#include <optional>
#include <string>
#include <string_view>

#include "base/ossl.h"

namespace dct::trust {

// x509.ParsePKIXPublicKey. nullptr when Go would refuse the key.
ossl::PKey parse_pkix_public_key(std::string_view der);

// x509.ParseCertificate. nullptr when Go would refuse the certificate.
ossl::X509Ptr parse_certificate(std::string_view der);

// x509.MarshalPKIXPublicKey: the DER SubjectPublicKeyInfo of a key.
std::optional<std::string> marshal_pkix_public_key(EVP_PKEY* key);

}  // namespace dct::trust
