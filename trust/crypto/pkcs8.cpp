#include "trust/crypto/pkcs8.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pkcs12.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "base/errors.h"
#include "base/ossl.h"
#include "trust/formats/der.h"

namespace dct::trust {
namespace {

using ossl::bytes_of;

using P8Info = std::unique_ptr<PKCS8_PRIV_KEY_INFO, ossl::Deleter<PKCS8_PRIV_KEY_INFO_free>>;
using X509Sig = std::unique_ptr<X509_SIG, ossl::Deleter<X509_SIG_free>>;
using Pbe2Param = std::unique_ptr<PBE2PARAM, ossl::Deleter<PBE2PARAM_free>>;
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, ossl::Deleter<EVP_CIPHER_CTX_free>>;

constexpr int kIterations = 2048;

[[noreturn]] void not_a_key(const std::string& why) {
  throw Error(ErrorCode::invalid_argument, "not a usable PKCS#8 private key: " + why);
}

X509Sig read_encrypted(std::string_view der) {
  const unsigned char* p = bytes_of(der);
  return X509Sig(d2i_X509_SIG(nullptr, &p, static_cast<long>(der.size())));
}

PrivateKey from_info(const PKCS8_PRIV_KEY_INFO* info) {
  const ASN1_OBJECT* oid = nullptr;
  const unsigned char* bytes = nullptr;
  int len = 0;
  if (PKCS8_pkey_get0(&oid, &bytes, &len, nullptr, info) != 1) not_a_key("unreadable structure");
  char name[64] = {};
  OBJ_obj2txt(name, sizeof name, oid, 1);
  if (std::string_view(name) == "1.3.6.1.4.1.11591.15.1")
    return PrivateKey::from_ed25519_blob(
        std::string_view(reinterpret_cast<const char*>(bytes), static_cast<size_t>(len)));
  ossl::PKey key(EVP_PKCS82PKEY(info));
  if (!key) not_a_key(std::string("OpenSSL cannot load keys of algorithm ") + name);
  return PrivateKey::from_evp(std::move(key));
}

// Whether OpenSSL can run the encryption scheme: then a failure to decrypt means a wrong
// passphrase rather than an unsupported file.
bool scheme_supported(const X509_SIG* sig) {
  const X509_ALGOR* alg = nullptr;
  X509_SIG_get0(sig, &alg, nullptr);
  const int nid = OBJ_obj2nid(alg->algorithm);
  if (nid != NID_pbes2)
    return EVP_PBE_find(EVP_PBE_TYPE_OUTER, nid, nullptr, nullptr, nullptr) == 1;
  Pbe2Param params(static_cast<PBE2PARAM*>(
      ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBE2PARAM), alg->parameter)));
  if (!params) return false;
  const int kdf = OBJ_obj2nid(params->keyfunc->algorithm);
  return (kdf == NID_id_pbkdf2 || kdf == NID_id_scrypt) &&
         EVP_get_cipherbyobj(params->encryption->algorithm) != nullptr;
}

// The encoded OID of an EC key's named curve.
std::string curve_oid(const PrivateKey& key) {
  char curve[64] = {};
  size_t len = 0;
  if (EVP_PKEY_get_utf8_string_param(key.evp(), OSSL_PKEY_PARAM_GROUP_NAME, curve, sizeof curve,
                                     &len) != 1)
    not_a_key("no named curve");
  std::unique_ptr<ASN1_OBJECT, ossl::Deleter<ASN1_OBJECT_free>> obj(OBJ_txt2obj(curve, 0));
  const int n = obj ? i2d_ASN1_OBJECT(obj.get(), nullptr) : 0;
  if (n <= 0) not_a_key("unknown curve");
  std::string oid(static_cast<size_t>(n), '\0');
  auto* out = reinterpret_cast<unsigned char*>(oid.data());
  if (i2d_ASN1_OBJECT(obj.get(), &out) != n) not_a_key("unknown curve");
  return oid;
}

}  // namespace

Secret notary_pkcs8(const PrivateKey& key) {
  const Secret inner = key.private_der();
  const Secret body(der::octet_string(inner.view()));
  std::string algorithm;
  std::uint64_t version = 0;
  if (key.type() == "ecdsa") {
    const std::string oid = curve_oid(key);
    algorithm = der::sequence(der::concat({der::kOidEcPublicKey, oid}));
    version = 1;  // notary writes 1 here, as OpenSSL once did
  } else if (key.type() == "rsa") {
    algorithm = der::sequence(der::kOidRsaEncryption);
  } else {
    algorithm = der::sequence(der::kOidNotaryEd25519);
  }
  const std::string ver = der::integer(version);
  const Secret content(der::concat({ver, algorithm, body.view()}));
  return Secret(der::sequence(content.view()));
}

std::string encrypt_pkcs8(std::string_view pkcs8, std::string_view passphrase) {
  unsigned char salt[8], iv[16];
  if (RAND_bytes(salt, sizeof salt) != 1 || RAND_bytes(iv, sizeof iv) != 1)
    throw Error(ErrorCode::internal, "no random bytes for key encryption");
  return encrypt_pkcs8(pkcs8, passphrase,
                       std::string_view(reinterpret_cast<const char*>(salt), sizeof salt),
                       std::string_view(reinterpret_cast<const char*>(iv), sizeof iv));
}

std::string encrypt_pkcs8(std::string_view pkcs8, std::string_view passphrase,
                          std::string_view salt, std::string_view iv) {
  if (salt.size() != 8 || iv.size() != 16)
    throw Error(ErrorCode::internal, "key encryption needs an 8-byte salt and a 16-byte IV");
  Secret key(std::string(32, '\0'));
  auto* k = reinterpret_cast<unsigned char*>(key.mutable_str().data());
  if (PKCS5_PBKDF2_HMAC_SHA1(passphrase.data(), static_cast<int>(passphrase.size()), bytes_of(salt),
                             static_cast<int>(salt.size()), kIterations, 32, k) != 1)
    throw Error(ErrorCode::internal, "key derivation failed");
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  std::string cipher(pkcs8.size() + 16, '\0');
  auto* out = reinterpret_cast<unsigned char*>(cipher.data());
  int n1 = 0, n2 = 0;
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_cbc(), nullptr, k, bytes_of(iv)) != 1 ||
      EVP_EncryptUpdate(ctx.get(), out, &n1, bytes_of(pkcs8), static_cast<int>(pkcs8.size())) !=
          1 ||
      EVP_EncryptFinal_ex(ctx.get(), out + n1, &n2) != 1)
    throw Error(ErrorCode::internal, "key encryption failed");
  cipher.resize(static_cast<size_t>(n1 + n2));

  const std::string kdf = der::sequence(der::concat(
      {der::kOidPbkdf2,
       der::sequence(der::concat({der::octet_string(salt), der::integer(kIterations)}))}));
  const std::string enc = der::sequence(der::concat({der::kOidAes256Cbc, der::octet_string(iv)}));
  const std::string algorithm =
      der::sequence(der::concat({der::kOidPbes2, der::sequence(der::concat({kdf, enc}))}));
  return der::sequence(der::concat({algorithm, der::octet_string(cipher)}));
}

bool is_encrypted_pkcs8(std::string_view der) { return read_encrypted(der) != nullptr; }

PrivateKey parse_pkcs8(std::string_view der) {
  const unsigned char* p = bytes_of(der);
  P8Info info(d2i_PKCS8_PRIV_KEY_INFO(nullptr, &p, static_cast<long>(der.size())));
  if (!info) not_a_key("not PKCS#8");
  return from_info(info.get());
}

PrivateKey decrypt_pkcs8(std::string_view der, std::string_view passphrase) {
  auto sig = read_encrypted(der);
  if (!sig) not_a_key("not an encrypted PKCS#8 key");
  if (!scheme_supported(sig.get()))
    throw Error(ErrorCode::invalid_argument, "the key file uses an unsupported encryption scheme");
  P8Info info(PKCS8_decrypt(sig.get(), passphrase.data(), static_cast<int>(passphrase.size())));
  if (!info) throw IncorrectPassphrase("incorrect passphrase for the private key");
  return from_info(info.get());
}

}  // namespace dct::trust
