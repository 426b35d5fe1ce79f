// DER public keys: the direct path for named-curve ECDSA keys gives exactly what OpenSSL's
// general encoder and decoder give, and refuses what they refuse.
#include <doctest/doctest.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <string>

#include "base/ossl.h"
#include "trust/crypto/pkix.h"

using namespace dct::trust;

namespace {

std::string general_spki(EVP_PKEY* key) {
  const int len = i2d_PUBKEY(key, nullptr);
  REQUIRE(len > 0);
  std::string out(static_cast<size_t>(len), '\0');
  auto* p = reinterpret_cast<unsigned char*>(out.data());
  REQUIRE(i2d_PUBKEY(key, &p) == len);
  return out;
}

ossl::PKey general_parse(const std::string& der) {
  const unsigned char* p = ossl::bytes_of(der);
  return ossl::PKey(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
}

}  // namespace

TEST_CASE("named-curve ECDSA keys: the direct path matches OpenSSL's encoder and decoder") {
  for (const char* curve : {"P-224", "P-256", "P-384", "P-521"}) {
    CAPTURE(curve);
    ossl::PKey key(EVP_EC_gen(curve));
    REQUIRE(key);
    const std::string expected = general_spki(key.get());
    auto marshalled = marshal_pkix_public_key(key.get());
    REQUIRE(marshalled);
    CHECK(*marshalled == expected);

    ossl::PKey parsed = parse_pkix_public_key(expected);
    REQUIRE(parsed);
    CHECK(EVP_PKEY_eq(parsed.get(), general_parse(expected).get()) == 1);
    CHECK(EVP_PKEY_get_bits(parsed.get()) == EVP_PKEY_get_bits(key.get()));
    CHECK(marshal_pkix_public_key(parsed.get()) == expected);
  }
}

TEST_CASE("named-curve ECDSA keys: what the direct path refuses stays refused") {
  ossl::PKey key(EVP_EC_gen("P-256"));
  REQUIRE(key);
  const std::string good = general_spki(key.get());
  REQUIRE(parse_pkix_public_key(good));

  std::string off_curve = good;
  off_curve.back() = static_cast<char>(off_curve.back() ^ 0x01);
  CHECK_FALSE(parse_pkix_public_key(off_curve));
  CHECK_FALSE(general_parse(off_curve));

  std::string compressed_tag = good;
  compressed_tag[good.size() - 65] = 0x02;  // the point's form byte
  CHECK_FALSE(parse_pkix_public_key(compressed_tag));

  CHECK_FALSE(parse_pkix_public_key(good + std::string(1, '\0')));  // trailing data
  CHECK_FALSE(parse_pkix_public_key(good.substr(0, good.size() - 1)));
  CHECK_FALSE(parse_pkix_public_key(std::string()));
}

TEST_CASE("keys off the direct path still go through the general one") {
  ossl::PKey rsa(EVP_RSA_gen(2048));
  REQUIRE(rsa);
  const std::string spki = general_spki(rsa.get());
  CHECK(marshal_pkix_public_key(rsa.get()) == spki);
  ossl::PKey parsed = parse_pkix_public_key(spki);
  REQUIRE(parsed);
  CHECK(EVP_PKEY_eq(parsed.get(), rsa.get()) == 1);

  ossl::PKey secp256k1(EVP_EC_gen("secp256k1"));  // a curve Go's x509 does not know
  REQUIRE(secp256k1);
  const std::string k1 = general_spki(secp256k1.get());
  CHECK(marshal_pkix_public_key(secp256k1.get()) == k1);
  CHECK_FALSE(parse_pkix_public_key(k1));
}
