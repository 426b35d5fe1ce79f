#pragma once
// ECDSA signatures in the ASN.1 DER form (SEQUENCE{ INTEGER r, INTEGER s }) that sigstore's
// cosign stores, rather than notary's raw r||s.
#include <string>
#include <string_view>

#include "trust/crypto/private_key.h"

namespace dct::trust {

// True for an ECDSA key on NIST P-256.
bool is_p256_key(const PrivateKey& key);

// The DER ECDSA signature of SHA-256(message). Throws dct::Error(invalid_argument) unless the
// key is ECDSA P-256.
std::string sign_ecdsa_p256_der(const PrivateKey& key, std::string_view message);

// Whether `der` is a valid signature of SHA-256(message) by `key`'s public half.
bool verify_ecdsa_der(const PrivateKey& key, std::string_view message, std::string_view der);

}  // namespace dct::trust
