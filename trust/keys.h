#pragma once
// Public keys as notary writes them in metadata, their IDs, and signature verification.
//
//   keytype      keyval.public (base64 of)        signature method
//   ecdsa        DER SubjectPublicKeyInfo         ecdsa: raw r||s over SHA-256
//   ecdsa-x509   PEM certificate text             ecdsa
//   rsa          DER SubjectPublicKeyInfo         rsapss: PSS, SHA-256, MGF1-SHA-256, salt 32
//   rsa-x509     PEM certificate text             rsapss (and rsapkcs1v15 when verifying)
//   ed25519      raw 32 bytes                     eddsa
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace dct::trust {

struct PublicKey {
  std::string type;          // unknown types are kept, opaque: they verify nothing
  std::string public_bytes;  // decoded keyval.public

  // "keytype" string, "keyval" object with a base64 "public" (decoded as Go does: '\r' and
  // '\n' skipped, trailing bits ignored). A "private" member, null or base64, is ignored as
  // Go ignores it. Throws dct::Error(malformed_metadata).
  static PublicKey from_json(const nlohmann::json& key);
  nlohmann::json to_json() const;  // {"keytype":..,"keyval":{"private":null,"public":..}}
  // TUF key ID: hex SHA-256 of the canonical JSON of to_json().
  std::string id() const;
  // Notary's canonical ID: for *-x509 keys, the ID of the plain key inside the certificate
  // (what private key files are named after); otherwise id().
  std::string canonical_id() const;
  bool is_certificate() const { return type == "ecdsa-x509" || type == "rsa-x509"; }
  bool operator==(const PublicKey&) const = default;
};

// What a key is, whatever its encoding: the DER SubjectPublicKeyInfo of the public key it
// verifies with (a certificate's key, a PEM-wrapped RSA key, a bare key). Two key IDs with the
// same identity are one key, and count once towards a threshold. nullopt for keys that verify
// nothing (unknown types, unparsable bytes).
std::optional<std::string> key_identity(const PublicKey& key);

// The signature method as Go compares it (strings.ToLower): ASCII upper case and the two
// non-ASCII letters whose lower case is ASCII (U+212A -> 'k', U+0130 -> 'i').
std::string normalize_signature_method(std::string_view method);

// `message` is the exact signed bytes (canonical JSON). Methods are normalized as above:
//   ecdsa                ecdsa, ecdsa-x509 keys; raw r||s, exactly 2 x curve bytes; SHA-256
//   rsapss               rsa, rsa-x509; PSS, SHA-256, MGF1-SHA-256, salt 32
//   rsapkcs1v15          rsa, rsa-x509; PKCS#1 v1.5, SHA-256
//   pycrypto-pkcs#1 pss  rsa keys whose public bytes are PEM; as rsapss
//   eddsa                ed25519; 32-byte key, 64-byte signature
// RSA needs a modulus of at least 2048 bits and a signature of exactly the modulus length.
// Keys are parsed as Go's crypto/x509 parses them (see pkix.h); x509 keys use the first PEM
// block. Never throws for a bad signature or an unusable key: returns false.
bool verify_signature(const PublicKey& key, std::string_view method, std::string_view message,
                      std::string_view signature);

}  // namespace dct::trust
