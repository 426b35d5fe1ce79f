#include "trust/crypto/keys.h"

#include <openssl/ecdsa.h>
#include <openssl/rsa.h>

#include <mutex>
#include <unordered_map>

#include "base/encoding.h"
#include "base/errors.h"
#include "base/ossl.h"
#include "base/ossl_memo.h"
#include "trust/crypto/pkix.h"
#include "trust/formats/canonical_json.h"
#include "trust/formats/go_base64.h"
#include "trust/formats/pem.h"

namespace dct::trust {
namespace {

using ossl::bytes_of;

ossl::PKey certificate_key(const ossl::X509Ptr& cert) {
  if (!cert) return nullptr;
  return ossl::PKey(X509_get_pubkey(cert.get()));  // a new reference
}

// The key as notary's verifiers load it: certificates from the first PEM block, whatever its
// type; plain keys from DER.
ossl::PKey load_verifier_key(const PublicKey& key) {
  if (key.type == "ecdsa" || key.type == "rsa") return parse_pkix_public_key(key.public_bytes);
  if (key.is_certificate()) {
    auto block = pem_decode(key.public_bytes);
    return block ? certificate_key(parse_certificate(block->bytes)) : nullptr;
  }
  if (key.type == "ed25519" && key.public_bytes.size() == 32)
    return ossl::PKey(
        EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, bytes_of(key.public_bytes), 32));
  return nullptr;
}

// A command verifies the same few keys many times (every role's signatures, key IDs, root
// checks); parsing a certificate costs far more than the check itself.
ossl::PKey verifier_key(const PublicKey& key) {
  static ossl::HandleMemo<ossl::PKey, EVP_PKEY_up_ref> memo;
  return memo.get(key.type + '\n' + key.public_bytes, [&] { return load_verifier_key(key); });
}

bool digest_verify(EVP_PKEY* key, const EVP_MD* md, std::string_view message,
                   std::string_view signature, int rsa_padding = 0) {
  ossl::MdCtx ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), &pctx, md, nullptr, key) != 1) return false;
  if (rsa_padding != 0 && EVP_PKEY_CTX_set_rsa_padding(pctx, rsa_padding) != 1) return false;
  if (rsa_padding == RSA_PKCS1_PSS_PADDING &&
      (EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 32) != 1 ||
       EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) != 1))
    return false;
  return EVP_DigestVerify(ctx.get(), bytes_of(signature), signature.size(), bytes_of(message),
                          message.size()) == 1;
}

bool verify_ecdsa(EVP_PKEY* key, std::string_view message, std::string_view sig) {
  if (!key || EVP_PKEY_get_base_id(key) != EVP_PKEY_EC) return false;
  // Raw r||s, each exactly the byte length of the curve; DER is never accepted.
  const auto half = static_cast<size_t>((EVP_PKEY_get_bits(key) + 7) / 8);
  if (half == 0 || sig.size() != 2 * half) return false;
  ossl::BigNum r(BN_bin2bn(bytes_of(sig), static_cast<int>(half), nullptr));
  ossl::BigNum s(BN_bin2bn(bytes_of(sig) + half, static_cast<int>(half), nullptr));
  ossl::EcdsaSig ecsig(ECDSA_SIG_new());
  if (!r || !s || !ecsig || ECDSA_SIG_set0(ecsig.get(), r.get(), s.get()) != 1) return false;
  r.release();  // owned by ecsig now
  s.release();
  const int len = i2d_ECDSA_SIG(ecsig.get(), nullptr);
  if (len <= 0) return false;
  std::string der(static_cast<size_t>(len), '\0');
  auto* out = reinterpret_cast<unsigned char*>(der.data());
  if (i2d_ECDSA_SIG(ecsig.get(), &out) != len) return false;
  return digest_verify(key, EVP_sha256(), message, der);
}

bool verify_rsa(EVP_PKEY* key, std::string_view message, std::string_view sig, int padding) {
  if (!key || EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA) return false;
  const int bits = EVP_PKEY_get_bits(key);
  if (bits < 2048 || sig.size() != static_cast<size_t>((bits + 7) / 8)) return false;
  return digest_verify(key, EVP_sha256(), message, sig, padding);
}

// PyCrypto-made keys carry a PEM "PUBLIC KEY" (any PEM block, as Go reads it) in an "rsa" key.
ossl::PKey pycrypto_key(const PublicKey& key) {
  if (key.type != "rsa") return nullptr;
  auto block = pem_decode(key.public_bytes);
  return block ? parse_pkix_public_key(block->bytes) : nullptr;
}

}  // namespace

namespace {

std::string certificate_key_id(const PublicKey& pub) {
  // utils.LoadCertFromPEM: the first "CERTIFICATE" block without headers that parses.
  std::string_view rest = pub.public_bytes;
  while (auto block = pem_decode(rest, &rest)) {
    if (block->type != "CERTIFICATE" || !block->headers.empty()) continue;
    auto key = certificate_key(parse_certificate(block->bytes));
    if (!key) continue;
    auto spki = marshal_pkix_public_key(key.get());
    if (!spki) break;
    return PublicKey{pub.type == "ecdsa-x509" ? "ecdsa" : "rsa", std::move(*spki)}.id();
  }
  return pub.id();
}

}  // namespace

std::string canonical_key_id(const PublicKey& key) {
  if (!key.is_certificate()) return key.id();
  // Parsing the certificate is the costly part, and a publish asks for the same few keys'
  // IDs once per staged change.
  static std::mutex mutex;
  static std::unordered_map<std::string, std::string> known;
  std::string cache_key = key.type + '\n' + key.public_bytes;
  {
    std::lock_guard lock(mutex);
    if (auto it = known.find(cache_key); it != known.end()) return it->second;
  }
  std::string out = certificate_key_id(key);
  std::lock_guard lock(mutex);
  if (known.size() > 4096) known.clear();
  known.emplace(std::move(cache_key), out);
  return out;
}

std::optional<std::string> key_identity(const PublicKey& key) {
  ossl::PKey k = verifier_key(key);
  if (!k) k = pycrypto_key(key);
  if (!k) return std::nullopt;
  return marshal_pkix_public_key(k.get());
}

bool verify_signature(const PublicKey& key, std::string_view method, std::string_view message,
                      std::string_view signature) {
  const std::string m = normalize_signature_method(method);
  const bool ec = key.type == "ecdsa" || key.type == "ecdsa-x509";
  const bool rsa = key.type == "rsa" || key.type == "rsa-x509";
  if (m == "ecdsa" && ec) return verify_ecdsa(verifier_key(key).get(), message, signature);
  if (m == "rsapss" && rsa)
    return verify_rsa(verifier_key(key).get(), message, signature, RSA_PKCS1_PSS_PADDING);
  if (m == "rsapkcs1v15" && rsa)
    return verify_rsa(verifier_key(key).get(), message, signature, RSA_PKCS1_PADDING);
  if (m == "pycrypto-pkcs#1 pss")
    return verify_rsa(pycrypto_key(key).get(), message, signature, RSA_PKCS1_PSS_PADDING);
  if (m == "eddsa" && key.type == "ed25519" && signature.size() == 64) {
    auto k = verifier_key(key);
    return k && digest_verify(k.get(), nullptr, message, signature);
  }
  return false;
}

}  // namespace dct::trust
