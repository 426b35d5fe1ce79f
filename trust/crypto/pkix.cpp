#include "trust/crypto/pkix.h"

#include <openssl/core_names.h>
#include <openssl/objects.h>
#include <openssl/params.h>
#include <openssl/x509.h>

#include <array>

#include "base/ossl_memo.h"

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

// The DER SubjectPublicKeyInfo of an ECDSA key on a named curve is a fixed prefix (algorithm,
// curve, bit string header) followed by the uncompressed point. OpenSSL 3 parses and writes
// public keys through its decoder and encoder frameworks, which search every provider's
// implementations on each call (0.1-0.4 ms a key, a good part of a warm resolve); the common
// keys take this direct path, anything else the general one.
struct NamedCurveSpki {
  int nid;
  const char* group;
  std::string_view prefix;
  std::size_t point_size;  // 0x04 || X || Y
};

const std::array<NamedCurveSpki, 4>& named_curve_spkis() {
  using namespace std::string_view_literals;
  static const std::array<NamedCurveSpki, 4> spkis{{
      {NID_X9_62_prime256v1, "prime256v1",
       "\x30\x59\x30\x13\x06\x07\x2a\x86\x48\xce\x3d\x02\x01\x06\x08\x2a\x86\x48\xce"
       "\x3d\x03\x01\x07\x03\x42\x00"sv,
       65},
      {NID_secp384r1, "secp384r1",
       "\x30\x76\x30\x10\x06\x07\x2a\x86\x48\xce\x3d\x02\x01\x06\x05\x2b\x81\x04\x00"
       "\x22\x03\x62\x00"sv,
       97},
      {NID_secp521r1, "secp521r1",
       "\x30\x81\x9b\x30\x10\x06\x07\x2a\x86\x48\xce\x3d\x02\x01\x06\x05\x2b\x81\x04"
       "\x00\x23\x03\x81\x86\x00"sv,
       133},
      {NID_secp224r1, "secp224r1",
       "\x30\x4e\x30\x10\x06\x07\x2a\x86\x48\xce\x3d\x02\x01\x06\x05\x2b\x81\x04\x00"
       "\x21\x03\x3a\x00"sv,
       57},
  }};
  return spkis;
}

// An ECDSA key from a named-curve SPKI; OpenSSL checks that the point is on the curve.
// nullptr when der is not in that form (the general path then decides).
ossl::PKey parse_named_curve_spki(std::string_view der) {
  for (const auto& c : named_curve_spkis()) {
    if (der.size() != c.prefix.size() + c.point_size || der.substr(0, c.prefix.size()) != c.prefix)
      continue;
    std::string_view point = der.substr(c.prefix.size());
    if (point[0] != 0x04) return nullptr;
    ossl::PKeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, const_cast<char*>(c.group), 0),
        OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, const_cast<char*>(point.data()),
                                          point.size()),
        OSSL_PARAM_construct_end()};
    EVP_PKEY* key = nullptr;
    if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
        EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params) != 1)
      return nullptr;
    return ossl::PKey(key);
  }
  return nullptr;
}

// The named-curve SPKI of an ECDSA key, or nullopt for any other key.
std::optional<std::string> marshal_named_curve_spki(EVP_PKEY* key) {
  if (EVP_PKEY_get_base_id(key) != EVP_PKEY_EC) return std::nullopt;
  char group[32] = {};
  if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                     nullptr) != 1)
    return std::nullopt;
  int nid = OBJ_sn2nid(group);
  if (nid == NID_undef) nid = EC_curve_nist2nid(group);
  for (const auto& c : named_curve_spkis()) {
    if (nid != c.nid) continue;
    std::string out(c.prefix);
    out.resize(c.prefix.size() + c.point_size);
    std::size_t len = 0;
    auto* point = reinterpret_cast<unsigned char*>(out.data() + c.prefix.size());
    if (EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, point,
                                        c.point_size, &len) != 1 ||
        len != c.point_size || point[0] != 0x04)
      return std::nullopt;
    return out;
  }
  return std::nullopt;
}

}  // namespace

ossl::PKey parse_pkix_public_key(std::string_view der) {
  if (auto key = parse_named_curve_spki(der)) return key;
  const unsigned char* p = bytes_of(der);
  X509PubKey pub(d2i_X509_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
  if (!pub || p != bytes_of(der) + der.size()) return nullptr;
  ossl::PKey key(X509_PUBKEY_get(pub.get()));
  if (!key || !go_accepts(pub.get(), key.get())) return nullptr;
  return key;
}

namespace {

ossl::X509Ptr read_certificate(std::string_view der) {
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

}  // namespace

ossl::X509Ptr parse_certificate(std::string_view der) {
  // Root certificates are looked at several times per command (key IDs, signature checks,
  // expiry); nothing changes a parsed certificate.
  static ossl::HandleMemo<ossl::X509Ptr, X509_up_ref> memo;
  return memo.get(std::string(der), [&] { return read_certificate(der); });
}

std::optional<std::string> marshal_pkix_public_key(EVP_PKEY* key) {
  if (auto spki = marshal_named_curve_spki(key)) return spki;
  const int len = i2d_PUBKEY(key, nullptr);
  if (len <= 0) return std::nullopt;
  std::string out(static_cast<size_t>(len), '\0');
  auto* p = reinterpret_cast<unsigned char*>(out.data());
  if (i2d_PUBKEY(key, &p) != len) return std::nullopt;
  return out;
}

}  // namespace dct::trust
