#pragma once
// Private keys as notary uses them: ECDSA (P-256 when generated; P-224/384/521 when imported),
// RSA (import only) and Ed25519, signing in notary's signature formats.
//
//   type     sign() method  signature                             private_der()
//   ecdsa    ecdsa          raw r||s over SHA-256, curve-size     SEC1 ECPrivateKey
//   rsa      rsapss         PSS, SHA-256, MGF1-SHA-256, salt 32   PKCS#1 RSAPrivateKey
//   ed25519  eddsa          pure Ed25519                          pub(32) || seed(32) || pub(32)
#include <string>
#include <string_view>

#include "base/errors.h"
#include "base/ossl.h"
#include "base/wipe.h"
#include "trust/crypto/keys.h"

namespace dct::trust {

// A key file did not decrypt with the passphrase given (or needs one and got none). Callers
// may ask again; every other key loading failure is a plain dct::Error.
class IncorrectPassphrase : public Error {
 public:
  explicit IncorrectPassphrase(std::string message)
      : Error(ErrorCode::passphrase_incorrect, std::move(message)) {}
};

class PrivateKey {
 public:
  struct Signature {
    std::string method;  // "ecdsa", "rsapss", "eddsa"
    std::string bytes;
  };

  // "ecdsa" (P-256) or "ed25519", the two types notary generates. Throws
  // dct::Error(invalid_argument) for any other type.
  static PrivateKey generate(std::string_view type = "ecdsa");
  // Takes an OpenSSL key: RSA, ECDSA on P-224/P-256/P-384/P-521, or Ed25519 (what notary can
  // load); throws dct::Error(invalid_argument) otherwise.
  static PrivateKey from_evp(ossl::PKey key);
  // Notary's in-memory Ed25519 form, pub || seed || pub (96 bytes); the public halves must
  // match the seed. Throws dct::Error(invalid_argument).
  static PrivateKey from_ed25519_blob(std::string_view blob);

  const std::string& type() const noexcept { return type_; }
  // The public half as a plain TUF key ("ecdsa"/"rsa" with DER SPKI, "ed25519" raw).
  const PublicKey& public_key() const noexcept { return public_; }
  // The key's ID, which for a private key is also its canonical ID (the key file name).
  std::string id() const { return public_.id(); }
  Signature sign(std::string_view message) const;
  // The private bytes notary keeps in memory and wraps in PKCS#8 (see the table above).
  Secret private_der() const;
  EVP_PKEY* evp() const noexcept { return key_.get(); }

 private:
  PrivateKey(ossl::PKey key, std::string type);

  ossl::PKey key_;
  std::string type_;
  PublicKey public_;
};

}  // namespace dct::trust
