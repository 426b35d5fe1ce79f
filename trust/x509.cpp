#include "trust/x509.h"

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <ctime>

#include "trust/ossl.h"

namespace dct::trust {
namespace {

std::optional<std::chrono::system_clock::time_point> to_time_point(const ASN1_TIME* t) {
  std::tm tm{};
  if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return std::nullopt;
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

}  // namespace

std::optional<CertificateFacts> certificate_facts(std::string_view pem_bundle) {
  auto bio = ossl::memory_bio(pem_bundle);
  ossl::X509Ptr leaf(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!leaf) return std::nullopt;
  CertificateFacts f;
  f.chain_length = 1;
  while (ossl::X509Ptr more{PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)})
    ++f.chain_length;

  // The last CN wins, as Go's pkix.Name does.
  X509_NAME* subject = X509_get_subject_name(leaf.get());
  for (int i = -1; (i = X509_NAME_get_index_by_NID(subject, NID_commonName, i)) >= 0;) {
    ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, i));
    unsigned char* utf8 = nullptr;
    int len = ASN1_STRING_to_UTF8(&utf8, data);
    if (len >= 0) f.common_name.assign(reinterpret_cast<char*>(utf8), static_cast<size_t>(len));
    OPENSSL_free(utf8);
  }
  auto nb = to_time_point(X509_get0_notBefore(leaf.get()));
  auto na = to_time_point(X509_get0_notAfter(leaf.get()));
  if (!nb || !na) return std::nullopt;
  f.not_before = *nb;
  f.not_after = *na;
  f.is_ca = (X509_get_extension_flags(leaf.get()) & EXFLAG_CA) != 0;
  int sig_nid = X509_get_signature_nid(leaf.get());
  f.sha1_signature = sig_nid == NID_sha1WithRSAEncryption || sig_nid == NID_ecdsa_with_SHA1 ||
                     sig_nid == NID_dsaWithSHA1 || sig_nid == NID_sha1WithRSA;
  EVP_PKEY* key = X509_get0_pubkey(leaf.get());
  if (!key) return std::nullopt;
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_EC: f.key_type = "ecdsa"; break;
    case EVP_PKEY_RSA: f.key_type = "rsa"; break;
    case EVP_PKEY_ED25519: f.key_type = "ed25519"; break;
    default: f.key_type = OBJ_nid2sn(EVP_PKEY_get_base_id(key)); break;
  }
  f.key_bits = EVP_PKEY_get_bits(key);
  unsigned char* der = nullptr;
  int len = i2d_PUBKEY(key, &der);
  if (len <= 0) return std::nullopt;
  f.spki_der.assign(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return f;
}

}  // namespace dct::trust
