// ECDSA P-256 signatures in DER, as cosign stores them: they verify as notary's raw r||s form
// does once converted, and other curves are refused.
#include <doctest/doctest.h>
#include <openssl/ecdsa.h>

#include "base/errors.h"
#include "base/ossl.h"
#include "trust/crypto/der_signature.h"
#include "trust/crypto/keys.h"

using namespace dct::trust;

namespace {

// r||s, each left-padded to 32 bytes, from a DER ECDSA-Sig-Value.
std::string der_to_raw_rs(const std::string& der) {
  const unsigned char* p = ossl::bytes_of(der);
  ossl::EcdsaSig sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  REQUIRE(sig);
  REQUIRE(p == ossl::bytes_of(der) + der.size());  // nothing after the SEQUENCE
  std::string raw(64, '\0');
  REQUIRE(BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), reinterpret_cast<unsigned char*>(&raw[0]),
                       32) == 32);
  REQUIRE(BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), reinterpret_cast<unsigned char*>(&raw[32]),
                       32) == 32);
  return raw;
}

}  // namespace

TEST_CASE("DER ECDSA P-256 signatures verify over SHA-256 of the message") {
  const PrivateKey key = PrivateKey::generate("ecdsa");
  REQUIRE(is_p256_key(key));
  const std::string message = R"({"critical":{}})";
  const std::string der = sign_ecdsa_p256_der(key, message);
  CHECK(static_cast<unsigned char>(der[0]) == 0x30);
  // Checked through notary's verifier, which knows nothing about DER.
  CHECK(verify_signature(key.public_key(), "ecdsa", message, der_to_raw_rs(der)));
  CHECK_FALSE(verify_signature(key.public_key(), "ecdsa", message + " ", der_to_raw_rs(der)));
  CHECK(verify_ecdsa_der(key, message, der));
  CHECK_FALSE(verify_ecdsa_der(key, message + " ", der));
  CHECK_FALSE(verify_ecdsa_der(PrivateKey::generate("ecdsa"), message, der));
  std::string flipped = der;
  flipped.back() = static_cast<char>(flipped.back() ^ 1);
  CHECK_FALSE(verify_ecdsa_der(key, message, flipped));
}

TEST_CASE("keys other than ECDSA P-256 are refused") {
  const PrivateKey ed = PrivateKey::generate("ed25519");
  CHECK_FALSE(is_p256_key(ed));
  CHECK_THROWS_AS(sign_ecdsa_p256_der(ed, "m"), dct::Error);
  ossl::PKey p384(EVP_EC_gen("P-384"));
  REQUIRE(p384);
  const PrivateKey k384 = PrivateKey::from_evp(std::move(p384));
  CHECK_FALSE(is_p256_key(k384));
  CHECK_THROWS_AS(sign_ecdsa_p256_der(k384, "m"), dct::Error);
}
