#pragma once
// Looking inside encrypted PKCS#8 files in tests: the salt and IV of notary's PBES2 layout.
#include <doctest/doctest.h>
#include <openssl/x509.h>

#include <memory>
#include <string>
#include <utility>

#include "base/ossl.h"

namespace dct::test {

inline std::pair<std::string, std::string> pbes2_salt_and_iv(const std::string& der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  const std::unique_ptr<X509_SIG, trust::ossl::Deleter<X509_SIG_free>> sig(
      d2i_X509_SIG(nullptr, &p, static_cast<long>(der.size())));
  REQUIRE(sig);
  const X509_ALGOR* alg = nullptr;
  X509_SIG_get0(sig.get(), &alg, nullptr);
  const std::unique_ptr<PBE2PARAM, trust::ossl::Deleter<PBE2PARAM_free>> pbe2(
      static_cast<PBE2PARAM*>(
          ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBE2PARAM), alg->parameter)));
  REQUIRE(pbe2);
  const std::unique_ptr<PBKDF2PARAM, trust::ossl::Deleter<PBKDF2PARAM_free>> kdf(
      static_cast<PBKDF2PARAM*>(
          ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBKDF2PARAM), pbe2->keyfunc->parameter)));
  REQUIRE(kdf);
  // notary's parameters: 2048 iterations, no key length, no PRF (HMAC-SHA1).
  CHECK(ASN1_INTEGER_get(kdf->iter) == 2048);
  CHECK(kdf->keylength == nullptr);
  CHECK(kdf->prf == nullptr);
  auto str = [](const ASN1_OCTET_STRING* s) {
    return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                       static_cast<size_t>(ASN1_STRING_length(s)));
  };
  return {str(kdf->salt->value.octet_string), str(pbe2->encryption->parameter->value.octet_string)};
}

}  // namespace dct::test
