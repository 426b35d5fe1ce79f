#include "trust/crypto/certificate.h"

#include <openssl/bn.h>
#include <openssl/x509v3.h>

#include "base/errors.h"
#include "base/ossl.h"
#include "trust/formats/pem.h"

namespace dct::trust {
namespace {

using Extension = ossl::X509Ext;

[[noreturn]] void failed(const char* what) {
  throw Error(ErrorCode::internal, std::string("cannot create the certificate: ") + what);
}

// Go's asn1 marshals a string as PrintableString when every character allows it.
bool printable(std::string_view s) {
  for (unsigned char c : s) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
        std::string_view(" '()+,-./:=?").find(static_cast<char>(c)) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

const EVP_MD* digest_for(const PrivateKey& key) {
  if (key.type() == "rsa") return EVP_sha256();
  switch (EVP_PKEY_get_bits(key.evp())) {
    case 384:
      return EVP_sha384();
    case 521:
      return EVP_sha512();
    default:
      return EVP_sha256();
  }
}

void add_extension(X509* cert, int nid, const char* value) {
  Extension ext(X509V3_EXT_conf_nid(nullptr, nullptr, nid, value));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) failed("extension");
}

}  // namespace

std::string create_certificate(const PrivateKey& key, std::string_view common_name,
                               std::chrono::system_clock::time_point not_before,
                               std::chrono::system_clock::time_point not_after) {
  if (key.type() != "ecdsa" && key.type() != "rsa")
    throw Error(ErrorCode::invalid_argument, "notary certifies only ECDSA and RSA keys");
  ossl::X509Ptr cert(X509_new());
  if (!cert || X509_set_version(cert.get(), X509_VERSION_3) != 1) failed("version");

  ossl::BigNum serial(BN_new());
  if (!serial || BN_rand(serial.get(), 128, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
      !BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())))
    failed("serial number");

  X509_NAME* name = X509_get_subject_name(cert.get());
  if (X509_NAME_add_entry_by_NID(
          name, NID_commonName, printable(common_name) ? V_ASN1_PRINTABLESTRING : V_ASN1_UTF8STRING,
          reinterpret_cast<const unsigned char*>(common_name.data()),
          static_cast<int>(common_name.size()), -1, 0) != 1 ||
      X509_set_issuer_name(cert.get(), name) != 1)
    failed("name");

  using std::chrono::system_clock;
  if (!ASN1_TIME_set(X509_getm_notBefore(cert.get()), system_clock::to_time_t(not_before)) ||
      !ASN1_TIME_set(X509_getm_notAfter(cert.get()), system_clock::to_time_t(not_after)))
    failed("validity");
  if (X509_set_pubkey(cert.get(), key.evp()) != 1) failed("public key");

  // Go's order: key usage, extended key usage, basic constraints.
  add_extension(cert.get(), NID_key_usage, "critical,digitalSignature,keyEncipherment");
  add_extension(cert.get(), NID_ext_key_usage, "codeSigning");
  add_extension(cert.get(), NID_basic_constraints, "critical,CA:FALSE");
  if (X509_sign(cert.get(), key.evp(), digest_for(key)) <= 0) failed("signature");

  const int len = i2d_X509(cert.get(), nullptr);
  if (len <= 0) failed("encoding");
  std::string der(static_cast<size_t>(len), '\0');
  auto* p = reinterpret_cast<unsigned char*>(der.data());
  if (i2d_X509(cert.get(), &p) != len) failed("encoding");
  return pem_encode({"CERTIFICATE", {}, der});
}

PublicKey certificate_key(const PrivateKey& key, std::string certificate_pem) {
  return PublicKey{key.type() + "-x509", std::move(certificate_pem)};
}

PublicKey root_certificate_key(const PrivateKey& key, std::string_view gun,
                               std::chrono::system_clock::time_point now) {
  using namespace std::chrono_literals;
  return certificate_key(key, create_certificate(key, gun, now, now + 3650 * 24h));
}

}  // namespace dct::trust
