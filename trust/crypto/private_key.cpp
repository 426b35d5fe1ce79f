#include "trust/crypto/private_key.h"

#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>

#include "base/errors.h"
#include "base/ossl.h"
#include "trust/crypto/pkix.h"
#include "trust/formats/der.h"

namespace dct::trust {
namespace {

using ossl::bytes_of;

[[noreturn]] void unusable(const std::string& why) {
  throw Error(ErrorCode::invalid_argument, "unusable private key: " + why);
}

std::string ec_curve_of(const EVP_PKEY* key) {
  char name[64] = {};
  size_t len = 0;
  if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof name, &len) != 1)
    return {};
  switch (OBJ_txt2nid(name)) {
    case NID_secp224r1:
      return "P-224";
    case NID_X9_62_prime256v1:
      return "P-256";
    case NID_secp384r1:
      return "P-384";
    case NID_secp521r1:
      return "P-521";
    default:
      return {};
  }
}

bool has_bn(const EVP_PKEY* key, const char* name) {
  BIGNUM* raw = nullptr;
  const bool ok = EVP_PKEY_get_bn_param(key, name, &raw) == 1;
  std::unique_ptr<BIGNUM, ossl::Deleter<BN_clear_free>> owned(raw);
  return ok;
}

Secret raw_private(const EVP_PKEY* key) {
  size_t len = 0;
  if (EVP_PKEY_get_raw_private_key(key, nullptr, &len) != 1) return {};
  Secret out(std::string(len, '\0'));
  auto* p = reinterpret_cast<unsigned char*>(out.mutable_str().data());
  if (EVP_PKEY_get_raw_private_key(key, p, &len) != 1) return {};
  return out;
}

std::string raw_public(const EVP_PKEY* key) {
  size_t len = 0;
  if (EVP_PKEY_get_raw_public_key(key, nullptr, &len) != 1) return {};
  std::string out(len, '\0');
  if (EVP_PKEY_get_raw_public_key(key, reinterpret_cast<unsigned char*>(out.data()), &len) != 1)
    return {};
  return out;
}

std::string digest_sign(EVP_PKEY* key, const EVP_MD* md, std::string_view message,
                        bool pss = false) {
  ossl::MdCtx ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
  if (!ctx || EVP_DigestSignInit(ctx.get(), &pctx, md, nullptr, key) != 1)
    throw Error(ErrorCode::internal, "cannot start signing");
  if (pss && (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
              EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 32) != 1 ||
              EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) != 1))
    throw Error(ErrorCode::internal, "cannot set up RSA-PSS signing");
  size_t len = 0;
  if (EVP_DigestSign(ctx.get(), nullptr, &len, bytes_of(message), message.size()) != 1)
    throw Error(ErrorCode::internal, "signing failed");
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                     bytes_of(message), message.size()) != 1)
    throw Error(ErrorCode::internal, "signing failed");
  sig.resize(len);
  return sig;
}

// notary's ECDSA format: r and s left-padded to the curve's byte size, concatenated.
std::string der_to_raw(std::string_view der, size_t half) {
  const unsigned char* p = bytes_of(der);
  ossl::EcdsaSig sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  if (!sig) throw Error(ErrorCode::internal, "signing produced an unreadable ECDSA signature");
  std::string raw(2 * half, '\0');
  auto* out = reinterpret_cast<unsigned char*>(raw.data());
  if (BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), out, static_cast<int>(half)) < 0 ||
      BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), out + half, static_cast<int>(half)) < 0)
    throw Error(ErrorCode::internal, "ECDSA signature does not fit the curve size");
  return raw;
}

}  // namespace

PrivateKey::PrivateKey(ossl::PKey key, std::string type)
    : key_(std::move(key)), type_(std::move(type)) {
  if (type_ == "ed25519") {
    public_ = PublicKey{type_, raw_public(key_.get())};
  } else {
    auto spki = marshal_pkix_public_key(key_.get());
    if (!spki) unusable("its public key cannot be encoded");
    public_ = PublicKey{type_, std::move(*spki)};
  }
}

PrivateKey PrivateKey::generate(std::string_view type) {
  ossl::PKey key;
  if (type == "ecdsa")
    key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  else if (type == "ed25519")
    key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  else
    throw Error(ErrorCode::invalid_argument,
                "cannot generate keys of type \"" + std::string(type) + "\" (ecdsa or ed25519)");
  if (!key) throw Error(ErrorCode::internal, "key generation failed");
  return PrivateKey(std::move(key), std::string(type));
}

PrivateKey PrivateKey::from_evp(ossl::PKey key) {
  if (!key) unusable("no key");
  switch (EVP_PKEY_get_base_id(key.get())) {
    case EVP_PKEY_RSA:
      if (!has_bn(key.get(), OSSL_PKEY_PARAM_RSA_D)) unusable("it holds no private part");
      return PrivateKey(std::move(key), "rsa");
    case EVP_PKEY_EC:
      if (ec_curve_of(key.get()).empty()) unusable("its curve is not P-224, P-256, P-384 or P-521");
      if (!has_bn(key.get(), OSSL_PKEY_PARAM_PRIV_KEY)) unusable("it holds no private part");
      // Encode as Go does whatever the source file used: named curve, uncompressed point,
      // public key inside SEC1. The key ID depends on it.
      if (EVP_PKEY_set_utf8_string_param(key.get(), OSSL_PKEY_PARAM_EC_ENCODING,
                                         OSSL_PKEY_EC_ENCODING_GROUP) != 1 ||
          EVP_PKEY_set_utf8_string_param(key.get(), OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
                                         OSSL_PKEY_EC_POINT_CONVERSION_FORMAT_UNCOMPRESSED) != 1 ||
          EVP_PKEY_set_int_param(key.get(), OSSL_PKEY_PARAM_EC_INCLUDE_PUBLIC, 1) != 1)
        unusable("its encoding cannot be set");
      return PrivateKey(std::move(key), "ecdsa");
    case EVP_PKEY_ED25519:
      if (raw_private(key.get()).size() != 32) unusable("it holds no private part");
      return PrivateKey(std::move(key), "ed25519");
    default:
      unusable("only RSA, ECDSA and Ed25519 keys can be used");
  }
}

PrivateKey PrivateKey::from_ed25519_blob(std::string_view blob) {
  if (blob.size() != 96) unusable("an Ed25519 key must be 96 bytes");
  ossl::PKey key(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, bytes_of(blob) + 32, 32));
  if (!key) unusable("bad Ed25519 seed");
  const std::string pub = raw_public(key.get());
  if (pub != blob.substr(0, 32) || pub != blob.substr(64, 32))
    unusable("the Ed25519 public key does not belong to its seed");
  return PrivateKey(std::move(key), "ed25519");
}

PrivateKey::Signature PrivateKey::sign(std::string_view message) const {
  if (type_ == "ecdsa") {
    const auto half = static_cast<size_t>((EVP_PKEY_get_bits(key_.get()) + 7) / 8);
    return {"ecdsa", der_to_raw(digest_sign(key_.get(), EVP_sha256(), message), half)};
  }
  if (type_ == "rsa") return {"rsapss", digest_sign(key_.get(), EVP_sha256(), message, true)};
  return {"eddsa", digest_sign(key_.get(), nullptr, message)};
}

Secret PrivateKey::private_der() const {
  if (type_ == "ed25519") {
    const Secret seed = raw_private(key_.get());
    return Secret(der::concat({public_.public_bytes, seed.view(), public_.public_bytes}));
  }
  // SEC1 for EC, PKCS#1 for RSA: OpenSSL's "type-specific" private key encodings.
  const int len = i2d_PrivateKey(key_.get(), nullptr);
  if (len <= 0) throw Error(ErrorCode::internal, "cannot encode the private key");
  Secret out(std::string(static_cast<size_t>(len), '\0'));
  auto* p = reinterpret_cast<unsigned char*>(out.mutable_str().data());
  if (i2d_PrivateKey(key_.get(), &p) != len)
    throw Error(ErrorCode::internal, "cannot encode the private key");
  return out;
}

}  // namespace dct::trust
