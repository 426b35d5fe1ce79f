#pragma once
// PKCS#8 private keys as notary writes them (tuf/utils/pkcs8.go), and as it and OpenSSL read
// them.
//
// Written, byte for byte as notary does:
//   ecdsa    SEQUENCE{ INTEGER 1, SEQUENCE{ ecPublicKey, <curve OID> }, OCTET STRING <SEC1> }
//   rsa      SEQUENCE{ INTEGER 0, SEQUENCE{ rsaEncryption } (no NULL), OCTET STRING <PKCS#1> }
//   ed25519  SEQUENCE{ INTEGER 0, SEQUENCE{ 1.3.6.1.4.1.11591.15.1 }, OCTET STRING <96 bytes> }
// and encrypted: PBES2, PBKDF2-HMAC-SHA1 with an 8-byte salt and 2048 iterations (no key
// length, no PRF written), AES-256-CBC with a 16-byte IV, PKCS#7 padding.
//
// Read: the above, and standard PKCS#8 (OpenSSL's), plain or encrypted with any scheme
// OpenSSL supports.
#include <string>
#include <string_view>

#include "base/wipe.h"
#include "trust/crypto/private_key.h"

namespace dct::trust {

Secret notary_pkcs8(const PrivateKey& key);

// Random salt and IV.
std::string encrypt_pkcs8(std::string_view pkcs8, std::string_view passphrase);
// Given salt (8 bytes) and IV (16 bytes), for reproducible output.
std::string encrypt_pkcs8(std::string_view pkcs8, std::string_view passphrase,
                          std::string_view salt, std::string_view iv);

// True when `der` is an EncryptedPrivateKeyInfo.
bool is_encrypted_pkcs8(std::string_view der);

// Throws dct::Error(invalid_argument) when it is not a usable key.
PrivateKey parse_pkcs8(std::string_view der);
// Throws IncorrectPassphrase when the passphrase does not decrypt it, dct::Error otherwise.
PrivateKey decrypt_pkcs8(std::string_view der, std::string_view passphrase);

}  // namespace dct::trust
