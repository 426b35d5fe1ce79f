#pragma once
// Keys and certificate requests for collaborators (`docker dct key generate`): ECDSA P-256 or
// RSA of at least 2048 bits, and a PKCS#10 request to send to a CA instead of a self-signed
// certificate.
#include <string>
#include <string_view>

#include "trust/crypto/private_key.h"

namespace dct::trust {

inline constexpr int kMinRsaBits = 2048;

// "ecdsa" (P-256; bits ignored) or "rsa" (bits >= 2048). Throws dct::Error(invalid_argument).
PrivateKey generate_key(std::string_view type, int rsa_bits);

// PEM "CERTIFICATE REQUEST" with subject CN = common_name, signed by the key with SHA-256.
std::string create_certificate_request(const PrivateKey& key, std::string_view common_name);

// Refuses RSA keys under 2048 bits (what notary's verifier would never accept).
void check_key_strength(const PrivateKey& key, const std::string& label);

}  // namespace dct::trust
