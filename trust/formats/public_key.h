#pragma once
// Public keys as notary writes them in metadata, and their TUF key IDs.
//
//   keytype      keyval.public (base64 of)
//   ecdsa        DER SubjectPublicKeyInfo
//   ecdsa-x509   PEM certificate text
//   rsa          DER SubjectPublicKeyInfo
//   rsa-x509     PEM certificate text
//   ed25519      raw 32 bytes
// What a key means cryptographically (verification, canonical IDs) is trust/crypto/keys.h.
#include <nlohmann/json.hpp>
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
  bool is_certificate() const { return type == "ecdsa-x509" || type == "rsa-x509"; }
  bool operator==(const PublicKey&) const = default;
};

// The signature method as Go compares it (strings.ToLower): ASCII upper case and the two
// non-ASCII letters whose lower case is ASCII (U+212A -> 'k', U+0130 -> 'i').
std::string normalize_signature_method(std::string_view method);

}  // namespace dct::trust
