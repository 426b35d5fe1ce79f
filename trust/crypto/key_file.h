#pragma once
// Private key files (PEM) as notary stores them in <trust_dir>/private/<key ID>.key and as
// `notary key generate -o` / `docker trust key generate` write public keys.
//
// Written: "ENCRYPTED PRIVATE KEY" (notary's encrypted PKCS#8, see pkcs8.h), or "PRIVATE KEY"
// when the passphrase is empty, with headers "gun: " (when not empty) then "role: " (when not
// empty), a blank line and 64-character base64 lines.
// Read (first PEM block, as notary): those two types with notary's or standard PKCS#8, plain or
// encrypted; and the legacy "EC PRIVATE KEY" (SEC1), "RSA PRIVATE KEY" (PKCS#1) and
// "ED25519 PRIVATE KEY" (notary's 96 bytes), optionally encrypted the old OpenSSL way
// ("Proc-Type: 4,ENCRYPTED", "DEK-Info: AES-256-CBC,<hex IV>", MD5 EVP_BytesToKey).
#include <optional>
#include <string>
#include <string_view>

#include "base/wipe.h"
#include "trust/crypto/keys.h"
#include "trust/crypto/private_key.h"

namespace dct::trust {

struct KeyFileInfo {
  std::string pem_type;
  std::string role;  // the "role" header
  std::string gun;   // the "gun" header
  bool encrypted = false;
};

// The first PEM block's facts, when it is a private key type notary reads (else nullopt).
std::optional<KeyFileInfo> key_file_info(std::string_view pem);

// notary's key store keeps the "gun" header only for targets, snapshot and timestamp keys.
std::string_view key_file_gun(std::string_view role, std::string_view gun);

Secret write_key_file(const PrivateKey& key, std::string_view role, std::string_view gun,
                      std::string_view passphrase);

// Throws IncorrectPassphrase when the passphrase does not open an encrypted key, and
// dct::Error(invalid_argument) when the text holds no usable private key.
PrivateKey read_key_file(std::string_view pem, std::string_view passphrase);

// A "PUBLIC KEY" PEM block with a "role" header around the DER public key.
std::string public_key_file(const PublicKey& key, std::string_view role);

}  // namespace dct::trust
