#include "trust/crypto/pkix.h"

#include <openssl/core_names.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

namespace dct::trust {
namespace {

using ossl::bytes_of;

using X509PubKey = std::unique_ptr<X509_PUBKEY, ossl::Deleter<X509_PUBKEY_free>>;

bool positive_bn_param(const EVP_PKEY* key, const char* name, int max_bits) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &raw) != 1) return false;
  ossl::BigNum bn(raw);
  return !BN_is_negative(bn.get()) && !BN_is_zero(bn.get()) &&
         (max_bits == 0 || BN_num_bits(bn.get()) <= max_bits);
}

bool go_curve(int nid) {
  return nid == NID_secp224r1 || nid == NID_X9_62_prime256v1 || nid == NID_secp384r1 ||
         nid == NID_secp521r1;
}

// Go's parsePublicKey rules for the algorithms it knows. Unknown algorithms pass: Go keeps such
// keys opaque, and the verifiers then refuse them by type.
bool go_accepts(const X509_PUBKEY* pub, const EVP_PKEY* key) {
  ASN1_OBJECT* oid = nullptr;
  const unsigned char* point = nullptr;
  int point_len = 0;
  X509_ALGOR* algor = nullptr;
  if (X509_PUBKEY_get0_param(&oid, &point, &point_len, &algor, pub) != 1) return false;
  int param_type = V_ASN1_UNDEF;
  const void* param = nullptr;
  X509_ALGOR_get0(nullptr, &param_type, &param, algor);
  switch (OBJ_obj2nid(oid)) {
    case NID_rsaEncryption:
      // The exponent must fit Go's int.
      return param_type == V_ASN1_NULL && EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA &&
             positive_bn_param(key, OSSL_PKEY_PARAM_RSA_N, 0) &&
             positive_bn_param(key, OSSL_PKEY_PARAM_RSA_E, 63);
    case NID_X9_62_id_ecPublicKey:
      return param_type == V_ASN1_OBJECT &&
             go_curve(OBJ_obj2nid(static_cast<const ASN1_OBJECT*>(param))) && point_len > 0 &&
             point[0] == 0x04;
    case NID_ED25519:
      return param_type == V_ASN1_UNDEF && point_len == 32;
    default:
      return true;
  }
}

}  // namespace

ossl::PKey parse_pkix_public_key(std::string_view der) {
  const unsigned char* p = bytes_of(der);
  X509PubKey pub(d2i_X509_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
  if (!pub || p != bytes_of(der) + der.size()) return nullptr;
  ossl::PKey key(X509_PUBKEY_get(pub.get()));
  if (!key || !go_accepts(pub.get(), key.get())) return nullptr;
  return key;
}

ossl::X509Ptr parse_certificate(std::string_view der) {
  const unsigned char* p = bytes_of(der);
  ossl::X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!cert || p != bytes_of(der) + der.size()) return nullptr;
  const X509_ALGOR* outer = nullptr;
  X509_get0_signature(nullptr, &outer, cert.get());
  if (!outer || X509_ALGOR_cmp(outer, X509_get0_tbs_sigalg(cert.get())) != 0) return nullptr;
  const EVP_PKEY* key = X509_get0_pubkey(cert.get());
  if (key && !go_accepts(X509_get_X509_PUBKEY(cert.get()), key)) return nullptr;
  return cert;
}

std::optional<std::string> marshal_pkix_public_key(EVP_PKEY* key) {
  const int len = i2d_PUBKEY(key, nullptr);
  if (len <= 0) return std::nullopt;
  std::string out(static_cast<size_t>(len), '\0');
  auto* p = reinterpret_cast<unsigned char*>(out.data());
  if (i2d_PUBKEY(key, &p) != len) return std::nullopt;
  return out;
}

}  // namespace dct::trust
