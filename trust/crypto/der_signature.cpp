#include "trust/crypto/der_signature.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>

#include <array>

#include "base/errors.h"
#include "base/ossl.h"

namespace dct::trust {

bool is_p256_key(const PrivateKey& key) {
  if (key.type() != "ecdsa" || key.evp() == nullptr) return false;
  std::array<char, 64> group{};
  std::size_t len = 0;
  if (EVP_PKEY_get_utf8_string_param(key.evp(), OSSL_PKEY_PARAM_GROUP_NAME, group.data(),
                                     group.size(), &len) != 1)
    return false;
  return std::string_view(group.data(), len) == "prime256v1";
}

std::string sign_ecdsa_p256_der(const PrivateKey& key, std::string_view message) {
  if (!is_p256_key(key))
    throw Error(ErrorCode::invalid_argument,
                "the key is not an ECDSA P-256 key, the only kind sigstore signatures use here");
  ossl::MdCtx ctx(EVP_MD_CTX_new());
  std::size_t size = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.evp()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &size, ossl::bytes_of(message), message.size()) != 1)
    throw Error(ErrorCode::internal, "ECDSA signing failed to start");
  std::string der(size, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(der.data()), &size,
                     ossl::bytes_of(message), message.size()) != 1)
    throw Error(ErrorCode::internal, "ECDSA signing failed");
  der.resize(size);
  return der;
}

bool verify_ecdsa_der(const PrivateKey& key, std::string_view message, std::string_view der) {
  if (key.type() != "ecdsa" || key.evp() == nullptr) return false;
  ossl::MdCtx ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.evp()) != 1)
    return false;
  return EVP_DigestVerify(ctx.get(), ossl::bytes_of(der), der.size(), ossl::bytes_of(message),
                          message.size()) == 1;
}

}  // namespace dct::trust
