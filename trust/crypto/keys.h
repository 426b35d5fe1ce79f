#pragma once
// What public keys mean cryptographically: signature verification, canonical key IDs and
// key identity.
//
//   keytype      keyval.public (base64 of)        signature method
//   ecdsa        DER SubjectPublicKeyInfo         ecdsa: raw r||s over SHA-256
//   ecdsa-x509   PEM certificate text             ecdsa
//   rsa          DER SubjectPublicKeyInfo         rsapss: PSS, SHA-256, MGF1-SHA-256, salt 32
//   rsa-x509     PEM certificate text             rsapss (and rsapkcs1v15 when verifying)
//   ed25519      raw 32 bytes                     eddsa
#include <optional>
#include <string>
#include <string_view>

#include "trust/formats/public_key.h"

namespace dct::trust {

// Notary's canonical key ID: for *-x509 keys, the ID of the plain key inside the certificate
// (what private key files are named after); otherwise the key's own ID.
std::string canonical_key_id(const PublicKey& key);

// What a key is, whatever its encoding: the DER SubjectPublicKeyInfo of the public key it
// verifies with (a certificate's key, a PEM-wrapped RSA key, a bare key). Two key IDs with the
// same identity are one key, and count once towards a threshold. nullopt for keys that verify
// nothing (unknown types, unparsable bytes).
std::optional<std::string> key_identity(const PublicKey& key);

// `message` is the exact signed bytes (canonical JSON). Methods are normalized as
// normalize_signature_method (trust/formats/public_key.h) does:
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
