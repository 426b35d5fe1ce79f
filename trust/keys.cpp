#include "trust/keys.h"

#include <openssl/core_names.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <algorithm>

#include "trust/canonical_json.h"
#include "trust/encoding.h"
#include "trust/errors.h"
#include "trust/ossl.h"
#include "trust/x509.h"

namespace dct::trust {
namespace {

ossl::PKey spki_key(std::string_view der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  EVP_PKEY* k = d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size()));
  // Trailing garbage after the structure is refused, as Go's parser does.
  if (k && p != reinterpret_cast<const unsigned char*>(der.data()) + der.size()) {
    EVP_PKEY_free(k);
    return nullptr;
  }
  return ossl::PKey(k);
}

ossl::PKey certificate_key(std::string_view pem) {
  auto bio = ossl::memory_bio(pem);
  ossl::X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) return nullptr;
  return ossl::PKey(X509_get_pubkey(cert.get()));
}

ossl::PKey pem_public_key(std::string_view pem) {
  auto bio = ossl::memory_bio(pem);
  return ossl::PKey(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
}

// The OpenSSL key for a notary public key, checked against the expected algorithm.
ossl::PKey load_key(const PublicKey& key, int expected_type) {
  ossl::PKey k;
  if (key.type == "ecdsa" || key.type == "rsa")
    k = spki_key(key.public_bytes);
  else if (key.type == "ecdsa-x509" || key.type == "rsa-x509")
    k = certificate_key(key.public_bytes);
  else if (key.type == "ed25519" && key.public_bytes.size() == 32)
    k.reset(EVP_PKEY_new_raw_public_key(
        EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(key.public_bytes.data()),
        key.public_bytes.size()));
  if (!k || EVP_PKEY_get_base_id(k.get()) != expected_type) return nullptr;
  return k;
}

bool digest_verify(EVP_PKEY* key, const EVP_MD* md, std::string_view message,
                   std::string_view signature, int padding = 0) {
  ossl::MdCtx ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), &pctx, md, nullptr, key) != 1) return false;
  if (padding == RSA_PKCS1_PSS_PADDING) {
    if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
        EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 32) != 1 ||
        EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) != 1)
      return false;
  } else if (padding == RSA_PKCS1_PADDING) {
    if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1) return false;
  }
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                          signature.size(),
                          reinterpret_cast<const unsigned char*>(message.data()),
                          message.size()) == 1;
}

bool verify_ecdsa(const PublicKey& key, std::string_view message, std::string_view sig) {
  auto k = load_key(key, EVP_PKEY_EC);
  if (!k) return false;
  // Raw r||s, each padded to the byte length of the curve order; DER is never accepted.
  const size_t half = static_cast<size_t>((EVP_PKEY_get_bits(k.get()) + 7) / 8);
  if (half == 0 || sig.size() != 2 * half) return false;
  ossl::BigNum r(BN_bin2bn(reinterpret_cast<const unsigned char*>(sig.data()),
                           static_cast<int>(half), nullptr));
  ossl::BigNum s(BN_bin2bn(reinterpret_cast<const unsigned char*>(sig.data() + half),
                           static_cast<int>(half), nullptr));
  ossl::EcdsaSig ecsig(ECDSA_SIG_new());
  if (!r || !s || !ecsig || ECDSA_SIG_set0(ecsig.get(), r.get(), s.get()) != 1) return false;
  r.release();
  s.release();
  unsigned char* der = nullptr;
  int len = i2d_ECDSA_SIG(ecsig.get(), &der);
  if (len <= 0) return false;
  std::string der_sig(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return digest_verify(k.get(), EVP_sha256(), message, der_sig);
}

bool verify_rsa(const PublicKey& key, std::string_view message, std::string_view sig,
                int padding) {
  ossl::PKey k;
  if (key.type == "rsa" && key.public_bytes.rfind("-----BEGIN", 0) == 0)
    k = pem_public_key(key.public_bytes);
  else
    k = load_key(key, EVP_PKEY_RSA);
  if (!k || EVP_PKEY_get_base_id(k.get()) != EVP_PKEY_RSA) return false;
  const int bits = EVP_PKEY_get_bits(k.get());
  if (bits < 2048 || sig.size() < 256 || sig.size() != static_cast<size_t>((bits + 7) / 8))
    return false;
  return digest_verify(k.get(), EVP_sha256(), message, sig, padding);
}

bool verify_ed25519(const PublicKey& key, std::string_view message, std::string_view sig) {
  if (key.type != "ed25519" || sig.size() != 64) return false;
  auto k = load_key(key, EVP_PKEY_ED25519);
  return k && digest_verify(k.get(), nullptr, message, sig);
}

}  // namespace

PublicKey PublicKey::from_json(const nlohmann::json& key) {
  auto bad = [](const char* what) {
    return Error(ErrorCode::malformed_metadata, std::string("invalid key: ") + what);
  };
  if (!key.is_object()) throw bad("not an object");
  auto type = key.find("keytype");
  auto val = key.find("keyval");
  if (type == key.end() || !type->is_string()) throw bad("\"keytype\" must be a string");
  if (val == key.end() || !val->is_object()) throw bad("\"keyval\" must be an object");
  auto pub = val->find("public");
  if (pub == val->end() || !pub->is_string()) throw bad("\"public\" must be a string");
  if (auto priv = val->find("private"); priv != val->end() && !priv->is_null())
    throw bad("metadata must not carry private key material");
  auto bytes = base64_decode(pub->get<std::string>());
  if (!bytes) throw bad("\"public\" is not valid base64");
  return PublicKey{type->get<std::string>(), std::move(*bytes)};
}

nlohmann::json PublicKey::to_json() const {
  return {{"keytype", type},
          {"keyval", {{"private", nullptr}, {"public", base64_encode(public_bytes)}}}};
}

std::string PublicKey::id() const { return to_hex(sha256(canonical_json(to_json()))); }

std::string PublicKey::canonical_id() const {
  if (!is_certificate()) return id();
  auto facts = certificate_facts(public_bytes);
  if (!facts) return id();
  return PublicKey{type == "ecdsa-x509" ? "ecdsa" : "rsa", facts->spki_der}.id();
}

bool verify_signature(const PublicKey& key, std::string_view method, std::string_view message,
                      std::string_view signature) {
  std::string m(method);
  std::transform(m.begin(), m.end(), m.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const bool ec = key.type == "ecdsa" || key.type == "ecdsa-x509";
  const bool rsa = key.type == "rsa" || key.type == "rsa-x509";
  if (m == "ecdsa" && ec) return verify_ecdsa(key, message, signature);
  if (m == "rsapss" && rsa) return verify_rsa(key, message, signature, RSA_PKCS1_PSS_PADDING);
  if (m == "rsapkcs1v15" && rsa) return verify_rsa(key, message, signature, RSA_PKCS1_PADDING);
  if (m == "pycrypto-pkcs#1 pss" && key.type == "rsa" &&
      key.public_bytes.rfind("-----BEGIN PUBLIC KEY", 0) == 0)
    return verify_rsa(key, message, signature, RSA_PKCS1_PSS_PADDING);
  if (m == "eddsa" && key.type == "ed25519") return verify_ed25519(key, message, signature);
  return false;
}

}  // namespace dct::trust
